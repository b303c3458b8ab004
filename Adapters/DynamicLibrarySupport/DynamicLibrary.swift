#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HealthSyncDomain

/// A shared library opened when a command first needs it (`dlopen`), not
/// by the dynamic loader at every start: libzbar alone brings X11, D-Bus and
/// V4L with it, which `--version` or the daemon never use.
public struct DynamicLibrary: Sendable {
    /// Kept open for the life of the process (never `dlclose`d), so the
    /// functions taken from it stay valid. A raw pointer is not Sendable;
    /// this one is only passed to `dlsym`, which is thread-safe.
    private nonisolated(unsafe) let handle: UnsafeMutableRawPointer
    public let name: String

    /// Opens `soname` (e.g. "libzbar.so.0"); the error names the Debian
    /// package that provides it.
    public init(_ soname: String, package: String) throws {
        guard let handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL) else {
            let why = dlerror().map { String(cString: $0) } ?? "not found"
            throw HealthSyncError(.storageFailure, "Cannot load \(soname): \(why)",
                                  hint: "Install it: sudo apt-get install \(package)")
        }
        self.handle = handle
        name = soname
    }

    /// The function `symbol` as the C function type `type` (a typedef of
    /// the library's own prototype, so the signature cannot drift).
    public func function<Function>(_ symbol: String, as type: Function.Type) throws -> Function {
        guard let address = dlsym(handle, symbol) else {
            throw HealthSyncError(.storageFailure, "\(name) has no \(symbol)",
                                  hint: "The installed library is older than the one HealthSync was built against.")
        }
        precondition(MemoryLayout<Function>.size == MemoryLayout<UnsafeMutableRawPointer>.size,
                     "only C function pointer types can be taken from a library")
        return unsafeBitCast(address, to: type)
    }
}

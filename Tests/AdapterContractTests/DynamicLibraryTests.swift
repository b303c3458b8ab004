import Foundation
import DynamicLibrarySupport
import HealthSyncDomain
import HealthSyncTestSupport
import Testing

/// Libraries opened when first needed (libzbar, libpng, libqrencode): what
/// is missing is a clear error with the package to install.
@Suite("Libraries opened on first use")
struct DynamicLibraryTests {
    typealias Strlen = @convention(c) (UnsafePointer<CChar>?) -> Int

    @Test func aFunctionIsTakenWithItsPrototype() throws {
        let libc = try DynamicLibrary("libc.so.6", package: "libc6")
        let strlen = try libc.function("strlen", as: Strlen.self)
        #expect(strlen("healthsync") == 10)
    }

    @Test func aMissingLibraryOrFunctionSaysWhatToInstall() throws {
        let missing = #expect(throws: HealthSyncError.self) { _ = try DynamicLibrary("libhealthsync-absent.so.9", package: "libabsent9") }
        #expect(missing?.message.contains("libhealthsync-absent.so.9") == true)
        #expect(missing?.hint.contains("apt-get install libabsent9") == true)
        let libc = try DynamicLibrary("libc.so.6", package: "libc6")
        let absent = #expect(throws: HealthSyncError.self) { _ = try libc.function("healthsync_absent", as: Strlen.self) }
        #expect(absent?.message.contains("healthsync_absent") == true)
    }
}

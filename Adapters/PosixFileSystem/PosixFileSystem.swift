import Foundation
import HealthSyncDomain
import HealthSyncPorts
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The `FileSystem` port over POSIX calls: atomic writes (temp file, fsync,
/// rename, fsync of the folder), bounded reads, `flock` advisory locks.
public struct PosixFileSystem: FileSystem {
    public init() {}

    public func read(_ path: String, maxBytes: Int) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw failure("Cannot open", path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("Cannot inspect", path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw HealthSyncError(.storageFailure, "\(path) is not a regular file")
        }
        guard info.st_size <= maxBytes else {
            throw HealthSyncError(.storageFailure, "\(path) is larger than \(maxBytes) bytes",
                                  hint: "The file is not one HealthSync wrote; move it away and retry.")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = Glibc.read(fd, &chunk, chunk.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("Cannot read", path)
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
            if bytes.count > maxBytes {
                throw HealthSyncError(.storageFailure, "\(path) is larger than \(maxBytes) bytes")
            }
        }
        return bytes
    }

    public func permissions(_ path: String) throws -> UInt16? {
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT { return nil }
            throw failure("Cannot inspect", path)
        }
        return UInt16(info.st_mode & 0o7777)
    }

    public func checkPrivate(_ path: String) throws {
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT { return }
            throw failure("Cannot inspect", path)
        }
        let isFolder = (info.st_mode & S_IFMT) == S_IFDIR
        if (info.st_mode & S_IFMT) == S_IFLNK {
            throw HealthSyncError(.keystorePermissions,
                                  "\(path) is a symbolic link; HealthSync keeps its secrets only in real files and folders",
                                  hint: "Move the real folder or file there (`mv`), or choose another --state-dir.")
        }
        guard info.st_uid == geteuid() else {
            throw HealthSyncError(.keystorePermissions, "\(path) belongs to uid \(info.st_uid), not to this user (uid \(geteuid()))",
                                  hint: "Use a state directory of your own (--state-dir); another user could replace what is in it.")
        }
        let mode = UInt16(info.st_mode & 0o7777)
        guard mode & 0o077 == 0 else {
            throw HealthSyncError(.keystorePermissions,
                                  "\(path) has mode \(String(mode, radix: 8)); it must not be readable by others",
                                  hint: "Run `chmod \(isFolder ? "700" : "600") \(path)`; if you did not change it, the state may have been tampered with.")
        }
    }

    public func writeAtomically(_ path: String, _ bytes: [UInt8], mode: UInt16) throws {
        try writeAtomically(path, mode: mode) { write in try write(bytes) }
    }

    public func writeAtomically(_ path: String, mode: UInt16,
                                _ body: (_ write: ([UInt8]) throws -> Void) throws -> Void) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var template = Array("\(directory.isEmpty ? "." : directory)/.\(name).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw failure("Cannot create a temporary file for", path) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            guard fchmod(fd, mode_t(mode)) == 0 else { throw failure("Cannot set permissions of", path) }
            try body { bytes in
                var written = 0
                while written < bytes.count {
                    let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                    if count < 0 {
                        if errno == EINTR { continue }
                        throw failure("Cannot write", path)
                    }
                    written += count
                }
            }
            guard fsync(fd) == 0 else { throw failure("Cannot flush", path) }
        }
        guard rename(temporary, path) == 0 else { throw failure("Cannot replace", path) }
        renamed = true
        syncDirectory(directory.isEmpty ? "." : directory)
    }

    @discardableResult
    public func createFile(_ path: String, mode: UInt16) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode_t(mode))
        if fd < 0 {
            if errno == EEXIST { return false }
            throw failure("Cannot create", path)
        }
        // The umask may have narrowed the mode; set it exactly.
        fchmod(fd, mode_t(mode))
        close(fd)
        return true
    }

    public func createDirectory(_ path: String, mode: UInt16) throws {
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, mode_t(mode)) != 0 && errno != EEXIST {
                throw failure("Cannot create the folder", partial)
            }
        }
        // lstat: a symbolic link where the folder should be is not the folder.
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw HealthSyncError(.storageFailure, "\(path) is not a folder")
        }
    }

    public func move(_ source: String, to destination: String) throws {
        guard rename(source, destination) == 0 else { throw failure("Cannot rename \(source) to", destination) }
        syncDirectory((destination as NSString).deletingLastPathComponent)
    }

    public func remove(_ path: String) throws {
        if unlink(path) == 0 || errno == ENOENT { return }
        if errno == EISDIR || errno == EPERM, rmdir(path) == 0 || errno == ENOENT { return }
        throw failure("Cannot remove", path)
    }

    public func list(_ path: String) throws -> [String] {
        // O_NOFOLLOW: a symbolic link is never listed (nor, by callers, emptied) as the folder.
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0, let directory = fdopendir(fd) else {
            let error = errno
            if fd >= 0 { close(fd) }
            if error == ENOENT { return [] }
            errno = error
            throw failure("Cannot list", path)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func withLock<T>(_ path: String, exclusive: Bool, _ body: () throws -> T) throws -> T {
        var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd < 0 && !exclusive && (errno == EROFS || errno == EACCES) {
            // A reader on a read-only file system (a backup, a live image): a
            // shared lock needs no write access, and where the lock file cannot
            // even be made, no writer can be there to exclude.
            fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            if fd < 0 && errno == ENOENT && Self.isReadOnly(path) { return try body() }
        }
        guard fd >= 0 else { throw failure("Cannot open the lock file", path) }
        defer { close(fd) }
        while flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            guard errno == EINTR else { throw failure("Cannot lock", path) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    public func holdLock(_ path: String) throws -> (any HeldLock)? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw failure("Cannot open the lock file", path) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let busy = errno == EWOULDBLOCK
            close(fd)
            if busy { return nil }
            throw failure("Cannot lock", path)
        }
        return PosixHeldLock(fd: fd)
    }

    public func isReadOnly(_ path: String) -> Bool { Self.isReadOnly(path) }

    /// Whether the file system holding `path`'s folder is mounted read-only.
    public static func isReadOnly(_ path: String) -> Bool {
        let folder = (path as NSString).deletingLastPathComponent
        var info = statvfs()
        return statvfs(folder.isEmpty ? "." : folder, &info) == 0 && (info.f_flag & UInt(ST_RDONLY)) != 0
    }

    private func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        // Best effort: the rename is already atomic; this makes it durable.
        _ = fsync(fd)
        close(fd)
    }

    private func failure(_ what: String, _ path: String) -> HealthSyncError {
        let reason = String(cString: strerror(errno))
        let code: ErrorCode = (errno == EACCES || errno == EPERM) ? .keystorePermissions : .storageFailure
        return HealthSyncError(code, "\(what) \(path): \(reason)")
    }
}

/// An open, locked descriptor; closing it releases the lock.
final class PosixHeldLock: HeldLock {
    private let fd: Mutex<Int32?>

    init(fd: Int32) { self.fd = Mutex(fd) }

    func release() {
        if let fd = fd.withLock({ fd in defer { fd = nil }; return fd }) { close(fd) }
    }

    deinit { release() }
}

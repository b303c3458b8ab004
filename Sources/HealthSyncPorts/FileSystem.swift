/// The local file system, as the file keystore and the configuration see it.
///
/// Throws only `HealthSyncError` (`STORAGE_FAILURE` naming the path, or
/// `KEYSTORE_PERMISSIONS` from `writeAtomically` when a directory cannot
/// be made private). Writes are atomic: a temporary file in the same folder,
/// fsync, rename, fsync of the folder; a reader sees the old or the new
/// contents, never a part.
public protocol FileSystem: Sendable {
    /// The whole file, or nil when it does not exist. A file longer than
    /// `maxBytes` throws rather than being read in part.
    func read(_ path: String, maxBytes: Int) throws -> [UInt8]?
    /// The permission bits (e.g. 0o600) of a file or folder, nil if missing.
    func permissions(_ path: String) throws -> UInt16?
    /// Checks that `path`, if it exists, is this user's alone, as OpenSSH
    /// holds `~/.ssh`: a real file or folder (never a symbolic link), owned
    /// by this process's user, with no permission for group or others.
    /// `KEYSTORE_PERMISSIONS` naming what is wrong and the fix otherwise.
    func checkPrivate(_ path: String) throws
    /// Whether the file system holding `path`'s folder is mounted read-only
    /// (read-only commands still work there; nothing can be written).
    func isReadOnly(_ path: String) -> Bool
    /// Replaces the file with `bytes`, created with `mode`, atomically.
    func writeAtomically(_ path: String, _ bytes: [UInt8], mode: UInt16) throws
    /// Replaces the file, created with `mode`, with what `body` writes
    /// through the function it is given, atomically: readers see the old
    /// file or the whole new one, and nothing when `body` throws.
    func writeAtomically(_ path: String, mode: UInt16, _ body: (_ write: ([UInt8]) throws -> Void) throws -> Void) throws
    /// Creates an empty file with `mode` unless something exists there
    /// (O_EXCL, so two processes cannot both create it); true if it did.
    @discardableResult
    func createFile(_ path: String, mode: UInt16) throws -> Bool
    /// Creates the folder and missing parents with `mode` (existing ones are left as they are).
    func createDirectory(_ path: String, mode: UInt16) throws
    /// Renames a file or folder atomically; fails when `destination` is a
    /// folder that is not empty (so two writers cannot both win).
    func move(_ source: String, to destination: String) throws
    /// Removes a file or an empty folder; a missing one is not an error.
    func remove(_ path: String) throws
    /// The names in a folder (no `.` or `..`), empty when it does not exist.
    func list(_ path: String) throws -> [String]
    /// Runs `body` holding an advisory lock on `path` (created 0600 if
    /// missing): exclusive for writers, shared for readers, so a daemon and
    /// a CLI never interleave.
    func withLock<T>(_ path: String, exclusive: Bool, _ body: () throws -> T) throws -> T
    /// Takes an exclusive advisory lock on `path` (created 0600 if missing,
    /// never through a symlink) without waiting, held until `release()` or
    /// the end of the process; nil when another process holds it.
    func holdLock(_ path: String) throws -> (any HeldLock)?
}

/// A lock taken by `FileSystem.holdLock`.
public protocol HeldLock: Sendable {
    /// Gives the lock up; later calls do nothing.
    func release()
}

import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// The daemon's presence in the state directory: its API token (in the
/// keystore), the control socket the CLI dials, the lock that keeps a
/// second daemon out, and `daemon.json` saying where it listens.
public struct DaemonRecord: Sendable {
    static let maxFileBytes = 4096

    private let deps: Dependencies
    /// The state folder; nil for devices that keep nothing on disk.
    private let folder: String?
    /// Where the CLI reaches the daemon: `<state_dir>/control.sock`.
    public let control: ControlAddress

    public init(_ deps: Dependencies, stateDir: String, onDisk: Bool) {
        self.deps = deps
        self.folder = onDisk ? stateDir : nil
        self.control = .socket(inStateDirectory: stateDir)
    }

    /// `<state_dir>/daemon.json`.
    private var path: String? { folder.map { $0 + "/daemon.json" } }

    /// Claims the state directory for one daemon (`daemon.lock`, held while
    /// it runs); `DAEMON_ALREADY_RUNNING` naming the other's pid otherwise.
    public func claim() throws -> (any HeldLock)? {
        guard let folder else { return nil }
        // The control socket and its token live here: ours alone, or no daemon.
        try deps.files.checkPrivate(folder)
        if let held = try deps.files.holdLock(folder + "/daemon.lock") { return held }
        let pid = current().map { " (pid \($0.pid))" } ?? ""
        throw HealthSyncError(.daemonAlreadyRunning, "A daemon is already running with this state directory\(pid)")
    }

    /// The API token, created (32 random bytes as hex) on first use.
    public func ensureToken() throws -> SecretBytes {
        if let token = try deps.keyStore.apiToken() { return token }
        let token = SecretBytes(Array(Hex.encode(try deps.entropy.bytes(32)).utf8))
        try deps.keyStore.setAPIToken(token)
        return token
    }

    /// Records where the daemon listens (0600, atomically).
    public func publish(_ info: DaemonInfo) throws {
        guard let path else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .timestamp
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(info)) + [UInt8(ascii: "\n")] } catch {
            throw HealthSyncError(.storageFailure, "Cannot encode daemon.json", cause: "\(error)")
        }
        try deps.files.writeAtomically(path, bytes, mode: 0o600)
    }

    /// Removes the record when the daemon stops, if it is still ours.
    public func withdraw(_ info: DaemonInfo) {
        // Dates lose sub-millisecond precision on disk: compare who and where.
        guard let path, let recorded = current(), recorded.pid == info.pid, recorded.api == info.api else { return }
        try? deps.files.remove(path)
    }

    /// What the record says, or nil when there is none or it is unreadable
    /// (a stale or damaged record only costs the fallback to `api.port`).
    public func current() -> DaemonInfo? {
        guard let path, let bytes = try? deps.files.read(path, maxBytes: Self.maxFileBytes) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .timestamp
        return try? decoder.decode(DaemonInfo.self, from: Data(bytes))
    }
}

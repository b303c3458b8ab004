import Foundation

/// The magic-wormhole mailbox server (PyPI `magic-wormhole-mailbox-server`,
/// in the test venv beside `HEALTHSYNC_TEST_PYTHON`), started by a test on
/// a port it chose, its databases in the test's folder, and stopped with
/// the test. nil from `start` when it is not installed.
public enum MailboxServerProcess {
    /// `twistd` of the test venv.
    public static var twistd: String? {
        guard let python = ProcessInfo.processInfo.environment["HEALTHSYNC_TEST_PYTHON"], !python.isEmpty else { return nil }
        let path = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("twistd").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    public static var installed: Bool { twistd != nil }

    /// A running mailbox server: its URL and the SQLite file it keeps nameplates in.
    public struct Running: Sendable {
        public let process: BackgroundProcess
        public let url: String
        public let channelDatabase: String
    }

    /// `twistd -n wormhole-mailbox` on `host:port` (a free port when 0);
    /// `prefix` runs it elsewhere (`ip netns exec NS`).
    public static func start(host: String = "127.0.0.1", port: Int = 0, folder: String,
                             prefix: [String] = []) async throws -> Running? {
        guard let twistd, let python = ProcessInfo.processInfo.environment["HEALTHSYNC_TEST_PYTHON"] else { return nil }
        let port = port == 0 ? SyncthingServers.freePort(host: host) : port
        let channels = folder + "/mailbox-channels.sqlite"
        let arguments = [twistd, "-n", "--pidfile=", "wormhole-mailbox", "--port", "tcp:\(port):interface=\(host)",
                         "--usage-db=\(folder)/mailbox-usage.sqlite", "--channel-db=\(channels)"]
        // SIGTERM may be blocked in what Foundation hands a child: unblocked before twistd starts, so it can be stopped.
        let unblock = "import os, signal, sys; signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM]); os.execv(sys.argv[1], sys.argv[1:])"
        let command = [python, "-c", unblock] + arguments
        let environment = ["HOME": NSTemporaryDirectory(), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        let process = prefix.isEmpty
            ? try BackgroundProcess(command[0], Array(command.dropFirst()), environment: environment)
            : try BackgroundProcess(prefix[0], Array(prefix.dropFirst()) + command, environment: environment)
        guard await process.firstLine(containing: "Starting factory") != nil else {
            _ = await process.terminate()
            return nil
        }
        let shown = host.contains(":") ? "[\(host)]" : host
        return Running(process: process, url: "ws://\(shown):\(port)/v1", channelDatabase: channels)
    }

    /// The nameplates the server holds now (read from its database with sqlite3).
    public static func nameplates(_ running: Running) async throws -> [String] {
        let result = try await ProcessRunner.runDetached("/usr/bin/sqlite3", ["-readonly", "-cmd", ".timeout 3000", running.channelDatabase, "SELECT name FROM nameplates"],
                                           environment: [:])
        // The server may be writing: a read it locked out is an error, not "none".
        guard result.status == 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: result.standardError]) }
        return result.standardOutput.split(separator: "\n").map(String.init)
    }
}

import Foundation

/// Syncthing's relay and global discovery servers (Debian's
/// `syncthing-relaysrv`, `syncthing-discosrv`), started on a loopback port
/// (or inside a test's network namespace) with the public pools turned
/// off, and stopped with the test. nil from `start` when the program is not
/// installed (the caller says why it skips).
public enum SyncthingServers {
    public static let relayProgram = "/usr/bin/strelaysrv"
    public static let discoveryProgram = "/usr/bin/stdiscosrv"

    public static var installed: Bool {
        FileManager.default.isExecutableFile(atPath: relayProgram) && FileManager.default.isExecutableFile(atPath: discoveryProgram)
    }

    /// A port nobody listens on now (the kernel's choice, released at once).
    public static func freePort(host: String = "127.0.0.1") -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A running relay and the URI it printed (`relay://…/?id=…&…`).
    public struct Relay: Sendable {
        public let process: BackgroundProcess
        public let uri: String
        public let port: Int
    }

    /// `strelaysrv -pools ""` on `host:port` (a free loopback port when 0),
    /// keys under `folder`; `prefix` runs it elsewhere (`ip netns exec NS`).
    public static func relay(host: String = "127.0.0.1", port: Int = 0, folder: String,
                             prefix: [String] = []) async throws -> Relay? {
        guard installed else { return nil }
        let port = port == 0 ? freePort(host: host) : port
        // strelaysrv closes a protocol-mode connection that has not joined within one ping interval
        // of its handshake: under the whole suite on two cores, 5 s was sometimes too short for ours.
        let arguments = ["-pools", "", "-listen", "\(host):\(port)", "-status-srv", "", "-keys", folder,
                         "-ping-interval", "20s", "-network-timeout", "60s"]
        let process = try launch(relayProgram, arguments, prefix: prefix)
        guard let line = await printed(process, containing: "URI: relay://"),
              let start = line.range(of: "relay://"),
              await answers(["/bin/bash", "-c", "exec 3<>/dev/tcp/\(host)/\(port)"], prefix: prefix) else {
            _ = await process.terminate()
            return nil
        }
        return Relay(process: process, uri: String(line[start.lowerBound...]), port: port)
    }

    /// A running discovery server and its URL with the pinning id.
    public struct Discovery: Sendable {
        public let process: BackgroundProcess
        public let url: String
    }

    /// `stdiscosrv` on `host:port` with a fresh certificate under `folder`.
    public static func discovery(host: String = "127.0.0.1", port: Int = 0, folder: String,
                                 prefix: [String] = []) async throws -> Discovery? {
        guard installed else { return nil }
        let port = port == 0 ? freePort(host: host) : port
        let key = folder + "/disco-key.pem", cert = folder + "/disco-cert.pem"
        _ = try await ProcessRunner.runDetached("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", cert, "-subj", "/CN=stdiscosrv", "-days", "30"], environment: [:])
        let replication = freePort(host: host)
        let process = try launch(discoveryProgram, ["-listen", "\(host):\(port)", "-cert", cert, "-key", key,
                                                    "-db-dir", folder + "/disco-db",
                                                    "-replication-listen", "\(host):\(replication)"], prefix: prefix)
        let shown = host.contains(":") ? "[\(host)]" : host
        // A lookup answered (404: nobody announced this ID) means it serves.
        let probe = ["/usr/bin/curl", "-sk", "-o", "/dev/null", "--max-time", "2", "-w", "%{http_code}", "--fail",
                     "https://\(shown):\(port)/v2/?device=AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA"]
        guard let line = await printed(process, containing: "Server device ID is"),
              await answers(probe, prefix: prefix, accepting: ["404"]) else {
            _ = await process.terminate()
            return nil
        }
        let id = line.components(separatedBy: "Server device ID is ").last!.trimmingCharacters(in: .whitespaces)
        return Discovery(process: process, url: "https://\(shown):\(port)/v2/?id=\(id)")
    }

    /// Whether `probe` (run where the server runs) succeeds, or prints one of
    /// `accepting`, within 20 s: both servers print what they are before
    /// they listen, and a test that dialled at once could find nothing there.
    private static func answers(_ probe: [String], prefix: [String], accepting: Set<String> = []) async -> Bool {
        let command = prefix + probe
        for _ in 0..<100 {
            if let result = try? await ProcessRunner.runDetached(command[0], Array(command.dropFirst()), environment: [:]),
               result.status == 0 || accepting.contains(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return true
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// The first line with `text` on either stream, within 20 s.
    private static func printed(_ process: BackgroundProcess, containing text: String) async -> String? {
        for _ in 0..<400 {
            for stream in [BackgroundProcess.Stream.standardError, .standardOutput] {
                if let line = process.printed(on: stream).first(where: { $0.contains(text) }) { return line }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    private static func launch(_ program: String, _ arguments: [String], prefix: [String]) throws -> BackgroundProcess {
        if prefix.isEmpty { return try BackgroundProcess(program, arguments, environment: ["HOME": NSTemporaryDirectory()]) }
        return try BackgroundProcess(prefix[0], Array(prefix.dropFirst()) + [program] + arguments,
                                     environment: ["HOME": NSTemporaryDirectory(), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
    }
}

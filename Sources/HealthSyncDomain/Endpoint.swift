/// Where a device listens: a host (name, IPv4 or IPv6) and a TCP port.
/// Addresses are hints; identity comes from certificates.
public struct Endpoint: Sendable, Hashable, Codable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host`, `host:port`, `[v6]:port` or bare `v6`; `defaultPort` when none is given.
    public init(parsing text: String, defaultPort: Int) throws(HealthSyncError) {
        let invalid = HealthSyncError(.invalidArgument, "'\(text)' is not a host or host:port",
                                      hint: "Use an address like 192.168.1.20 or 192.168.1.20:8443.")
        guard !text.isEmpty, text.utf8.count <= 260 else { throw invalid }
        var host = text
        var port = defaultPort
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw invalid }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let value = Int(rest.dropFirst()) else { throw invalid }
                port = value
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            guard let value = Int(text[text.index(after: colon)...]) else { throw invalid }
            port = value
        }
        guard !host.isEmpty, (1...65535).contains(port),
              host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.:_%".contains($0)) }) else {
            throw invalid
        }
        self.init(host: host, port: port)
    }

    /// Whether `host` names this machine's loopback interface (`localhost`,
    /// a dotted-quad `127.x.y.z`, `::1` with or without brackets). A name
    /// that only starts like one (`127.evil.test`) is not.
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127"
            && parts.allSatisfy { part in
                (1...3).contains(part.count) && part.allSatisfy { $0.isASCII && $0.isNumber } && Int(part)! <= 255
            }
    }

    /// `port` when it is one a socket can listen on (0: any free port);
    /// `INVALID_ARGUMENT` naming `option` otherwise (the kernel would
    /// silently take 99999 modulo 65536).
    public static func listeningPort(_ port: Int, option: String) throws(HealthSyncError) -> Int {
        guard (0...65535).contains(port) else {
            throw HealthSyncError(.invalidArgument, "\(option) \(port) is not a port",
                                  hint: "Use a port from 1 to 65535, or 0 to let the system choose.")
        }
        return port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// One address a device announces to a global discovery server, in
/// Syncthing's URL form: `tcp://192.0.2.45:8443` (a direct address; an
/// empty or unspecified host, `tcp://:8443`, asks the server to put the
/// address the announcement came from), or the relay the device is joined
/// to, `relay://host:port/?id=…`. What a server answers is a hint like any
/// other address: whoever answers there is judged by the trust policy.
public enum GlobalAddress: Sendable, Hashable, CustomStringConvertible {
    case tcp(Endpoint)
    case relay(ReachServer)

    /// At most this many addresses are read from one answer, each at most
    /// `ReachServer.maxLength` characters.
    public static let maxCount = 32

    /// `tcp://host:port` (an IPv6 host in brackets), `relay://…`; anything
    /// else (other schemes Syncthing knows, `quic://`, or damage) is nil.
    public init?(parsing text: String) {
        guard text.utf8.count <= ReachServer.maxLength else { return nil }
        if text.hasPrefix("tcp://") || text.hasPrefix("tcp4://") || text.hasPrefix("tcp6://") {
            var authority = text[text.index(after: text.firstIndex(of: "/")!)...].dropFirst()
            if let end = authority.firstIndex(where: { $0 == "/" || $0 == "?" }) { authority = authority[..<end] }
            if authority.hasPrefix(":"), let port = Int(authority.dropFirst()), (1...65535).contains(port) {
                self = .tcp(Endpoint(host: "", port: port))
                return
            }
            guard authority.contains(":"), let endpoint = try? Endpoint(parsing: String(authority), defaultPort: 0) else { return nil }
            self = .tcp(endpoint)
        } else if text.hasPrefix("relay://"), let relay = try? ReachServer(parsing: text, as: .relay) {
            self = .relay(relay)
        } else {
            return nil
        }
    }

    /// The address of this announcement's source, on `port`.
    public static func source(port: Int) -> GlobalAddress { .tcp(Endpoint(host: "", port: port)) }

    /// Whether the server is to fill in the host (empty or unspecified).
    public var isSourceRelative: Bool {
        if case .tcp(let endpoint) = self { ["", "0.0.0.0", "::"].contains(endpoint.host) } else { false }
    }

    public var description: String {
        switch self {
        case .tcp(let endpoint): endpoint.host.isEmpty ? "tcp://:\(endpoint.port)" : "tcp://\(endpoint)"
        case .relay(let relay): relay.description
        }
    }
}

/// A server beyond the local network that HealthSync uses but does not
/// trust: a Syncthing relay (`relay://host:port/?id=…`, as `strelaysrv`
/// prints it) or a Syncthing global discovery server
/// (`https://host:port/path?id=…`). The `id` pins the server's certificate
/// (the Syncthing device ID of its DER) and is never sent to it; other
/// query parameters `strelaysrv` prints (pingInterval, …) are read where
/// they matter and otherwise ignored.
public struct ReachServer: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case relay, discovery
    }

    public let kind: Kind
    public let endpoint: Endpoint
    /// The path a discovery server is asked on (`/v2/` for Syncthing's
    /// public ones); `/` for relays.
    public let path: String
    public let id: SyncthingDeviceID
    /// How often a relay expects a ping (its `pingInterval`, default 1 min).
    public let pingInterval: Duration

    /// At most this many characters are read from a server URL.
    public static let maxLength = 1024

    public init(kind: Kind, endpoint: Endpoint, path: String = "/", id: SyncthingDeviceID, pingInterval: Duration = .seconds(60)) {
        self.kind = kind
        self.endpoint = endpoint
        self.path = path
        self.id = id
        self.pingInterval = pingInterval
    }

    /// Parses a relay or discovery URL of `kind`; anything else (another
    /// scheme, no port, no or a malformed `id`) is `INVALID_ARGUMENT` saying
    /// what a good one looks like.
    public init(parsing text: String, as kind: Kind) throws(HealthSyncError) {
        let scheme = kind == .relay ? "relay://" : "https://"
        let example = kind == .relay
            ? "relay://203.0.113.7:22067/?id=<relay device ID> (the URI strelaysrv prints)"
            : "https://203.0.113.7:8443/?id=<server device ID> (stdiscosrv prints the ID)"
        func invalid(_ why: String) -> HealthSyncError {
            HealthSyncError(.invalidArgument, "'\(Printable.clean(String(text.prefix(120))))' is not a \(kind == .relay ? "relay" : "discovery server") URL: \(why)",
                            hint: "Use \(example).")
        }
        guard text.utf8.count <= Self.maxLength else { throw invalid("too long") }
        guard text.lowercased().hasPrefix(scheme) else { throw invalid("it must start with \(scheme)") }
        let rest = text.dropFirst(scheme.count)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = String(rest[..<authorityEnd])
        var remainder = rest[authorityEnd...]
        var path = "/"
        if remainder.hasPrefix("/") {
            let pathEnd = remainder.firstIndex(of: "?") ?? remainder.endIndex
            path = String(remainder[..<pathEnd])
            remainder = remainder[pathEnd...]
        }
        guard path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/-._~".contains($0)) }) else {
            throw invalid("the path has characters a URL cannot carry")
        }
        let hasPort = authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":")
        guard hasPort, let endpoint = try? Endpoint(parsing: authority, defaultPort: 0) else {
            throw invalid("it needs a host and a port")
        }
        var parameters: [String: String] = [:]
        if remainder.hasPrefix("?") {
            for pair in remainder.dropFirst().split(separator: "&").prefix(32) {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                parameters[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
        }
        guard let idText = parameters["id"] else { throw invalid("the id= of its certificate is missing") }
        guard let id = SyncthingDeviceID(parsing: idText) else { throw invalid("id= is not a device ID") }
        var ping = Duration.seconds(60)
        if let text = parameters["pingInterval"], let parsed = Self.goDuration(text), parsed >= .seconds(1) { ping = parsed }
        self.init(kind: kind, endpoint: endpoint, path: kind == .relay ? "/" : path, id: id, pingInterval: ping)
    }

    /// The canonical URL: scheme, address, path and the pinning `id`.
    public var description: String {
        kind == .relay ? "relay://\(endpoint)/?id=\(id)" : "https://\(endpoint)\(path)?id=\(id)"
    }

    /// `relay://host:port`, `https://host:port`: where, without the pin (for messages).
    public var address: String { kind == .relay ? "relay://\(endpoint)" : "https://\(endpoint)" }

    /// Go's `time.Duration` text as strelaysrv prints it (`1m0s`, `90s`, `2m30s`).
    static func goDuration(_ text: String) -> Duration? {
        guard text.utf8.count <= 32 else { return nil }
        var total = 0.0, number = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character.isNumber || character == "." {
                number.append(character)
            } else {
                var unit = String(character)
                let next = text.index(after: index)
                if character == "m", next < text.endIndex, text[next] == "s" { unit = "ms"; index = next }
                guard let value = Double(number) else { return nil }
                switch unit {
                case "h": total += value * 3600
                case "m": total += value * 60
                case "s": total += value
                case "ms": total += value / 1000
                default: return nil
                }
                number = ""
            }
            index = text.index(after: index)
        }
        guard number.isEmpty, total > 0, total < 86_400 else { return nil }
        return .milliseconds(Int(total * 1000))
    }
}

/// A path to a device through a relay: the relay, and the Syncthing
/// device ID the device joined it with (the SHA-256 of its CA certificate).
public struct RelayRoute: Sendable, Hashable, CustomStringConvertible {
    public let relay: ReachServer
    public let peer: SyncthingDeviceID

    public init(relay: ReachServer, peer: SyncthingDeviceID) {
        self.relay = relay
        self.peer = peer
    }

    /// `relay://host:port` (what `--debug-tls` and `status` say after "via").
    public var description: String { relay.address }
}

/// How a connection to a device went: straight to an address, or through a relay.
public enum PeerPath: Sendable, Hashable, CustomStringConvertible {
    case direct(Endpoint)
    case relay(RelayRoute)

    /// `192.168.1.20:8443`, or `relay://203.0.113.7:22067`.
    public var description: String {
        switch self {
        case .direct(let endpoint): endpoint.description
        case .relay(let route): route.description
        }
    }

    /// What the address book keeps: the address, or the relay's URL with its pin.
    public var address: String {
        switch self {
        case .direct(let endpoint): endpoint.description
        case .relay(let route): route.relay.description
        }
    }
}

extension PeerPath {
    public var isRelayed: Bool { if case .relay = self { true } else { false } }
}

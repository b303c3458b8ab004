/// A magic-wormhole mailbox server (`ws://host:port/v1`): where two
/// devices that share a nameplate leave each other short messages. It is
/// not trusted and carries only where a device can be reached, never the
/// pairing code's digits or anything made from them.
public struct MailboxServer: Sendable, Hashable, CustomStringConvertible {
    public let endpoint: Endpoint
    /// The WebSocket path (`/v1` on the public server).
    public let path: String

    public init(endpoint: Endpoint, path: String = "/v1") {
        self.endpoint = endpoint
        self.path = path
    }

    /// Parses `ws://host:port/path`; anything else is `INVALID_ARGUMENT`
    /// saying what a good one looks like.
    public init(parsing text: String) throws(HealthSyncError) {
        func invalid(_ why: String) -> HealthSyncError {
            HealthSyncError(.invalidArgument, "'\(Printable.clean(String(text.prefix(120))))' is not a mailbox URL: \(why)",
                            hint: "Use ws://203.0.113.7:4000/v1 (what `twistd wormhole-mailbox` prints).")
        }
        guard text.utf8.count <= ReachServer.maxLength else { throw invalid("too long") }
        guard text.lowercased().hasPrefix("ws://") else { throw invalid("it must start with ws://") }
        let rest = text.dropFirst(5)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        let path = slash == rest.endIndex ? "/v1" : String(rest[slash...])
        guard path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/-._~".contains($0)) }) else {
            throw invalid("the path has characters a URL cannot carry")
        }
        let hasPort = authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":")
        guard hasPort, let endpoint = try? Endpoint(parsing: authority, defaultPort: 0) else {
            throw invalid("it needs a host and a port")
        }
        self.init(endpoint: endpoint, path: path)
    }

    public var description: String { "ws://\(endpoint)\(path)" }
}

import HealthSyncDomain

/// Every configuration key, in the order `config.yaml` documents them.
enum ConfigSchema {
    static let keys: [ConfigKey] = [
        .string("device.name", \.device.name, check: { !$0.contains(where: \.isNewline) && $0.count <= 64 },
                expected: "a name of at most 64 characters on one line"),
        .string("state_dir", \.stateDir, check: { !$0.contains("\0") }, expected: "a folder path"),
        .choice("keystore.adapter", \.keystore.adapter),
        .choice("transport.adapter", \.transport.adapter),
        .string("transport.listen.host", \.transport.listen.host, allowEmpty: false, check: isHost,
                expected: "an IP address or host name"),
        .integer("transport.listen.port", \.transport.listen.port, 0...65535),
        .integer("transport.timeout_ms", \.transport.timeoutMS, 100...600_000),
        .boolean("transport.strict_host", \.transport.strictHost),
        .integer("transport.idle_timeout_ms", \.transport.idleTimeoutMS, 100...3_600_000),
        .choice("presenter.adapter", \.presenter.adapter),
        .choice("samples.adapter", \.samples.adapter),
        .string("api.host", \.api.host, allowEmpty: false, check: isLoopback,
                expected: "a loopback address (127.0.0.1, ::1 or localhost): the control API is local only"),
        .integer("api.port", \.api.port, 0...65535),
        .choice("discovery.adapter", \.discovery.adapter),
        .boolean("discovery.enabled", \.discovery.enabled),
        .integer("discovery.port", \.discovery.port, 0...65535),
        .hosts("discovery.targets", \.discovery.targets),
        .integer("sync.interval_s", \.sync.intervalSeconds, 0...86_400),
        .choice("log.level", \.log.level),
        .integer("pairing.code_ttl_s", \.pairing.codeTTLSeconds, 30...3600),
        .integer("pairing.max_failed_codes", \.pairing.maxFailedCodes, 1...100),
        .string("server.host", \.server.host, check: isHost, expected: "an IP address or host name"),
        .integer("server.port", \.server.port, 1...65535),
        .types("share.types", \.share.types),
        .servers("reach.relays", \.reach.relays, kind: .relay),
        .servers("reach.discovery", \.reach.discovery, kind: .discovery),
        .string("reach.mailbox", \.reach.mailbox, check: { (try? MailboxServer(parsing: $0)) != nil },
                expected: "a magic-wormhole mailbox URL (ws://host:port/v1)"),
    ]

    static func key(_ path: String) -> ConfigKey? { keys.first { $0.path == path } }

    /// Whether `path` is a group of keys (`transport`, `transport.listen`).
    static func isGroup(_ path: String) -> Bool { keys.contains { $0.path.hasPrefix(path + ".") } }

    /// The names directly under a group, for "did you mean" hints.
    static func children(of group: String) -> [String] {
        let prefix = group.isEmpty ? "" : group + "."
        var names: [String] = []
        for key in keys where key.path.hasPrefix(prefix) {
            let name = String(key.path.dropFirst(prefix.count).split(separator: ".")[0])
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    @Sendable static func isHost(_ text: String) -> Bool {
        text.count <= 253 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-.:_[]%".contains($0)) }
    }

    @Sendable static func isLoopback(_ text: String) -> Bool { Endpoint.isLoopback(text) }
}

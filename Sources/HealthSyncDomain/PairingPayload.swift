import FoundationEssentials

/// What the sharing device's QR code encodes (DESIGN §4):
/// `{"version":"1","host":…,"port":…,"code":…,"token":…,"expiresAt":…,"certificateFingerprint":"SHA256:…"}`.
/// The fingerprint is that of the sharing device's CA: the joiner pins it.
public struct PairingPayload: Sendable, Equatable, Codable {
    public static let maxBytes = 1024

    public let version: String
    public let host: String
    public let port: Int
    public let code: String
    /// 128 random bits as 32 hex digits. Never sent back over the wire.
    public let token: String
    public let expiresAt: Date
    public let certificateFingerprint: SHA256Fingerprint
    /// The sharing device's other current addresses (same port), tried when
    /// `host` does not answer; absent from older payloads.
    public let hosts: [String]?

    /// A Syncthing relay the sharing device is joined to
    /// (`relay://host:port/?id=…`), tried when no address answers; its ID
    /// there is its CA's, the one `certificateFingerprint` pins.
    public let relay: String?

    /// At most this many alternatives are read from a payload.
    public static let maxHosts = 4

    public init(endpoint: Endpoint, code: String, token: [UInt8], expiresAt: Date, caFingerprint: SHA256Fingerprint,
                alternates: [String] = [], relay: ReachServer? = nil) {
        self.relay = relay?.description
        version = "1"
        host = endpoint.host
        port = endpoint.port
        hosts = alternates.isEmpty ? nil : Array(alternates.prefix(Self.maxHosts))
        self.code = code
        self.token = Hex.encode(token)
        self.expiresAt = expiresAt
        certificateFingerprint = caFingerprint
    }

    /// Where to dial (an IPv6 literal with or without brackets).
    public var endpoint: Endpoint { Endpoint(host: Self.bare(host), port: port) }
    /// Where to dial, in order: `host`, then the alternatives.
    public var endpoints: [Endpoint] { [endpoint] + (hosts ?? []).map { Endpoint(host: Self.bare($0), port: port) } }

    /// The way through the payload's relay to the sharing device, if it names one.
    public var relayRoute: RelayRoute? {
        guard let relay, let server = try? ReachServer(parsing: relay, as: .relay) else { return nil }
        return RelayRoute(relay: server, peer: SyncthingDeviceID(certificateFingerprint: certificateFingerprint))
    }

    /// `[fd77::1]` as `fd77::1`.
    private static func bare(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// Whether `host` is a host alone: no port of its own, or the payload's.
    private static func isHost(_ host: String, port: Int) -> Bool {
        (try? Endpoint(parsing: host, defaultPort: port))?.port == port
    }
    public var tokenBytes: [UInt8] { Hex.decode(token) ?? [] }

    /// The compact JSON text a QR code carries.
    public var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .timestamp
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? ""
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .timestamp
        return decoder
    }

    /// The payload inside what a person pastes: the bare JSON, or the whole
    /// `healthsync pair --token '…'` line `pair` shows, quoted or not, and
    /// wrapped by a terminal or a chat app (the payload itself has no spaces,
    /// so every space and line break is dropped). Bounded before any work.
    public static func extract(from text: String) -> String {
        guard text.utf8.count <= 16 * maxBytes, let open = text.firstIndex(of: "{"),
              let close = text.lastIndex(of: "}"), open < close else { return text }
        return String(text[open...close].unicodeScalars.filter { !$0.properties.isWhitespace && $0 != "\\" }
            .map(Character.init))
    }

    /// Parses and checks a scanned or pasted payload (see `extract`);
    /// anything else is `INVALID_QR_PAYLOAD`.
    public init(parsing text: String) throws(HealthSyncError) {
        let trimmed = Self.extract(from: text).trimmingSpaces
        guard trimmed.utf8.count <= Self.maxBytes, trimmed.hasPrefix("{"),
              let payload = try? Self.decoder.decode(PairingPayload.self, from: Data(trimmed.utf8)) else {
            throw HealthSyncError(.invalidQRPayload)
        }
        guard payload.version == "1" else {
            throw HealthSyncError(.invalidQRPayload, "QR payload version \(payload.version) is not supported",
                                  hint: "Update HealthSync on both devices.")
        }
        guard (1...65535).contains(payload.port), Self.isHost(payload.host, port: payload.port),
              (payload.hosts ?? []).count <= Self.maxHosts,
              (payload.hosts ?? []).allSatisfy({ Self.isHost($0, port: payload.port) }),
              payload.relay.map({ (try? ReachServer(parsing: $0, as: .relay)) != nil }) ?? true,
              PairingCode.isWellFormed(payload.code), payload.token.count == 32, Hex.decode(payload.token) != nil else {
            throw HealthSyncError(.invalidQRPayload)
        }
        self = payload
    }
}

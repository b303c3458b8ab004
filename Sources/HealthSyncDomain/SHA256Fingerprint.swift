/// A SHA-256 digest shown as `SHA256:` + 64 lower-case hex digits. Used for
/// device IDs (digest of the public key) and certificate fingerprints
/// (digest of the DER certificate).
public struct SHA256Fingerprint: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// Accepts `SHA256:<hex>` or bare hex, with optional `:` or space separators.
    public init?(parsing text: String) {
        var body = Substring(text.trimmingSpaces)
        if body.lowercased().hasPrefix("sha256:") { body = body.dropFirst(7) }
        let hex = body.filter { $0 != ":" && $0 != " " }
        guard hex.count == 64, let bytes = Hex.decode(String(hex)) else { return nil }
        self.bytes = bytes
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { "SHA256:" + hex }
    /// The first 16 hex digits, enough for people to tell devices apart.
    public var short: String { "SHA256:" + String(hex.prefix(16)) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.hex < rhs.hex }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = SHA256Fingerprint(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "not a SHA-256 fingerprint"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// The identity of a device: SHA-256 of its public key (SPKI DER).
public typealias DeviceID = SHA256Fingerprint

extension SHA256Fingerprint {
    /// The subjectAltName URI that binds a certificate to a device ID.
    public var uri: String { "urn:healthsync:device:" + hex }

    public init?(uri: String) {
        let prefix = "urn:healthsync:device:"
        guard uri.hasPrefix(prefix) else { return nil }
        let hex = String(uri.dropFirst(prefix.count))
        guard hex.count == 64 else { return nil }
        self.init(parsing: hex)
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

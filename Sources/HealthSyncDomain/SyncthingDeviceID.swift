/// A device ID in Syncthing's form (`man 7 syncthing-device-ids`), the
/// identity Syncthing's global discovery and relay servers know a device
/// by: SHA-256 of its whole certificate (DER), base32 (RFC 4648, no
/// padding), four groups of 13 characters each followed by a Luhn mod-32
/// check character, shown as eight groups of seven joined by `-`.
/// (HealthSync's own `DeviceID` hashes the public key instead.)
public struct SyncthingDeviceID: Sendable, Hashable, CustomStringConvertible {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    /// The SHA-256 the ID encodes.
    public let bytes: [UInt8]

    /// The ID of the certificate whose DER has this SHA-256.
    public init(certificateFingerprint: SHA256Fingerprint) { bytes = certificateFingerprint.bytes }

    /// Parses the canonical form or the same without dashes (or with spaces),
    /// in either case; the four check characters must be right. At most 128
    /// characters are looked at.
    public init?(parsing text: String) {
        guard text.utf8.count <= 128 else { return nil }
        let characters = Array(text.uppercased().filter { $0 != "-" && $0 != " " })
        guard characters.count == 56 else { return nil }
        var data: [Character] = []
        for group in 0..<4 {
            let chunk = Array(characters[(group * 14)..<(group * 14 + 13)])
            guard let check = Self.luhn32(chunk), check == characters[group * 14 + 13] else { return nil }
            data += chunk
        }
        guard let decoded = Self.base32Decode(data), decoded.count == 32 else { return nil }
        bytes = decoded
    }

    /// `XXXXXXX-XXXXXXX-…` (eight groups of seven).
    public var description: String {
        let data = Self.base32Encode(bytes)
        var withChecks: [Character] = []
        for group in 0..<4 {
            let chunk = Array(data[(group * 13)..<(group * 13 + 13)])
            withChecks += chunk
            withChecks.append(Self.luhn32(chunk)!)
        }
        return stride(from: 0, to: 56, by: 7).map { String(withChecks[$0..<($0 + 7)]) }.joined(separator: "-")
    }

    /// Syncthing's Luhn mod 32 over base32 characters (left to right, the
    /// factor starting at 1 and alternating with 2); nil for a character
    /// outside the alphabet.
    static func luhn32(_ characters: [Character]) -> Character? {
        var factor = 1, sum = 0
        for character in characters {
            guard let codepoint = alphabet.firstIndex(of: character) else { return nil }
            var addend = factor * codepoint
            factor = factor == 2 ? 1 : 2
            addend = addend / 32 + addend % 32
            sum += addend
        }
        return alphabet[(32 - sum % 32) % 32]
    }

    /// RFC 4648 base32 without padding.
    static func base32Encode(_ bytes: [UInt8]) -> [Character] {
        var out: [Character] = [], buffer = 0, bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return out
    }

    static func base32Decode(_ characters: [Character]) -> [UInt8]? {
        var out: [UInt8] = [], buffer = 0, bits = 0
        for character in characters {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = ((buffer << 5) | value) & 0xFFFF
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return out
    }
}

/// Six-digit pairing codes: 100000–999999, uniformly drawn, with codes a
/// person might guess first (111111, 123456, 121212, 123123, …) excluded.
public enum PairingCode {
    public static func isWellFormed(_ code: String) -> Bool {
        code.count == 6 && code.allSatisfy { $0.isASCII && $0.isNumber } && code.first != "0"
    }

    /// A code for pairing at a distance, `NN-847293`: the nameplate of a
    /// rendezvous mailbox (public: it only says where to meet), a dash, and
    /// the six digits (the secret: only SPAKE2+ ever sees them).
    public static func remote(nameplate: String, code: String) -> String { "\(nameplate)-\(code)" }

    /// The nameplate and the six digits of a code typed as `NN-847293`
    /// (a nameplate of 1 to 8 digits); nil for anything else (a plain
    /// six-digit code among them).
    public static func splitRemote(_ text: String) -> (nameplate: String, digits: String)? {
        let parts = text.filter { $0 != " " }.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...8).contains(parts[0].count), parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
              isWellFormed(String(parts[1])) else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// Draws a code from `random` (4 bytes per try), rejecting biased and trivial values.
    public static func make(_ random: () throws -> [UInt8]) throws -> String {
        let range: UInt32 = 900_000
        let limit = UInt32.max - UInt32.max % range
        while true {
            let bytes = try random()
            guard bytes.count >= 4 else { throw HealthSyncError(.cryptoFailure, "Not enough random bytes") }
            let value = bytes.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard value < limit else { continue }
            let code = String(100_000 + value % range)
            if !isTrivial(code) { return code }
        }
    }

    public static func isTrivial(_ code: String) -> Bool {
        let digits = code.compactMap(\.wholeNumberValue)
        guard digits.count == 6 else { return true }
        let steps = zip(digits, digits.dropFirst()).map { $1 - $0 }
        if Set(steps).count == 1 && [0, 1, -1].contains(steps[0]) { return true }
        if digits[0..<2] == digits[2..<4] && digits[2..<4] == digits[4..<6] { return true }
        return digits[0..<3] == digits[3..<6]
    }
}

/// The 6-digit number both devices show after SPAKE2+ so people can see
/// they talk to each other (derived from the shared key by the caller).
public enum CheckNumber {
    public static func from(_ digest: [UInt8]) -> String {
        let value = digest.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) } % 1_000_000
        let text = String(value)
        return String(repeating: "0", count: 6 - text.count) + text
    }
}

import FoundationEssentials

/// Two devices' clocks compared where they meet (the renewal exchange and
/// `status`): more than `tolerance` apart is `CLOCK_SKEW`, naming the other
/// device, which way and by how much, so the user knows which clock to fix.
public enum ClockSkew {
    public static let tolerance: TimeInterval = 300

    /// Throws when `theirs` (the time `peer` stated) and `ours` differ by
    /// more than `tolerance`; `us` names this device in the message (an
    /// answer sent to the peer names both).
    public static func check(ours: Date, theirs: Date, peer: String, us: String = "this device") throws(HealthSyncError) {
        let skew = theirs.timeIntervalSince(ours)
        guard abs(skew) > tolerance else { return }
        throw HealthSyncError(.clockSkew, describe(skew, peer: peer, us: us))
    }

    /// "phone's clock is 11 months ahead of this device's".
    public static func describe(_ skew: TimeInterval, peer: String, us: String = "this device") -> String {
        "\(peer)'s clock is \(amount(abs(skew))) \(skew > 0 ? "ahead of" : "behind") \(us)'s"
    }

    static func amount(_ seconds: TimeInterval) -> String {
        let units: [(TimeInterval, String)] = [(365.25 * 86_400, "year"), (30.44 * 86_400, "month"), (86_400, "day"),
                                               (3600, "hour"), (60, "minute")]
        for (size, name) in units where seconds >= size {
            let count = Int((seconds / size).rounded(.down))
            return "\(count) \(name)\(count == 1 ? "" : "s")"
        }
        return "\(Int(seconds)) seconds"
    }
}

/// A client's request for a renewed client certificate, with its clock.
public struct RenewalRequest: Sendable, Equatable {
    public let csr: String
    /// The requester's time; nil from a peer too old to state it.
    public let clientTime: Date?

    public init(csr: String, clientTime: Date?) {
        self.csr = csr
        self.clientTime = clientTime
    }
}

/// The renewed certificate (PEM) and the issuer's clock.
public struct RenewalReply: Sendable, Equatable {
    public let certificate: String
    public let serverTime: Date?

    public init(certificate: String, serverTime: Date?) {
        self.certificate = certificate
        self.serverTime = serverTime
    }
}

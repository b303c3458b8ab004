import FoundationEssentials

/// After `maxFailures` failed codes within 15 minutes, new pairing sessions
/// wait: 30 s after the last failure, doubling with each further failure,
/// up to an hour.
public struct PairingBackoff: Sendable, Equatable {
    public static let window: TimeInterval = 15 * 60
    public static let firstDelay: TimeInterval = 30
    public static let maxDelay: TimeInterval = 3600

    public private(set) var failures: [Date] = []
    public let maxFailures: Int

    public init(maxFailures: Int) { self.maxFailures = maxFailures }

    public mutating func recordFailure(at date: Date) {
        failures.append(date)
        failures = failures.filter { date.timeIntervalSince($0) < Self.window }
    }

    /// Takes back the most recent failure (a code attempt that then succeeded).
    public mutating func forgiveLatestFailure() {
        if !failures.isEmpty { failures.removeLast() }
    }

    /// nil when a session may start now, else when it may.
    public func nextAllowed(at now: Date) -> Date? {
        let recent = failures.filter { now.timeIntervalSince($0) < Self.window }
        guard recent.count >= maxFailures, let last = recent.max() else { return nil }
        let exponent = Double(recent.count - maxFailures)
        let delay = min(Self.maxDelay, Self.firstDelay * pow2(exponent))
        let allowed = last.addingTimeInterval(delay)
        return allowed > now ? allowed : nil
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(min(exponent, 20)) { value *= 2 }
        return value
    }
}

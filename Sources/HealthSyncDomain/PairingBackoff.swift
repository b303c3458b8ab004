import FoundationEssentials

/// The failed codes of one source within the last hour. Past a number of
/// them the source waits before its next guess is evaluated: 30 s after the
/// last failure, doubling with each further failure, up to an hour.
public struct PairingBackoff: Sendable, Equatable {
    public static let window: TimeInterval = 3600
    public static let firstDelay: TimeInterval = 30
    public static let maxDelay: TimeInterval = 3600
    /// More failures than this are not remembered (the delay is at its cap long before).
    static let maxRemembered = 64

    public private(set) var failures: [Date] = []

    public init() {}

    public var latest: Date? { failures.last }

    /// Takes back the most recent failure (a code attempt that then succeeded).
    public mutating func forgiveLatestFailure() {
        if !failures.isEmpty { failures.removeLast() }
    }

    public mutating func recordFailure(at date: Date) {
        failures.append(date)
        failures = failures.filter { date.timeIntervalSince($0) < Self.window }.suffix(Self.maxRemembered)
    }

    /// nil when a guess may be evaluated now (fewer than `threshold`
    /// failures within the window), else when it may.
    public func nextAllowed(at now: Date, after threshold: Int) -> Date? {
        let recent = failures.filter { now.timeIntervalSince($0) < Self.window }
        guard recent.count >= threshold, let last = recent.max() else { return nil }
        let exponent = min(recent.count - threshold, 20)
        let delay = min(Self.maxDelay, Self.firstDelay * Double(1 << exponent))
        let allowed = last.addingTimeInterval(delay)
        return allowed > now ? allowed : nil
    }
}

import FoundationEssentials

/// The time, injected so that validity and expiry can be tested with a
/// manual clock. Never throws; may go backwards if the system clock does.
public protocol WallClock: Sendable {
    func now() -> Date
}

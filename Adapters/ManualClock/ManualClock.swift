import Foundation
import HealthSyncPorts
import Synchronization

/// The `WallClock` port that only moves when told to: for tests of expiry
/// and validity, and for `healthsync` runs with a fixed time.
public final class ManualClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date) { current = Mutex(start) }

    public func now() -> Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }

    public func set(_ date: Date) { current.withLock { $0 = date } }
}

import Foundation
import HealthSyncPorts

/// The `WallClock` port over the system clock.
public struct SystemClock: WallClock {
    public init() {}

    public func now() -> Date { Date() }
}

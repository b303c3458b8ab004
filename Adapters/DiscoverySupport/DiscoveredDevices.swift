import HealthSyncDomain
import Synchronization

/// The devices a probe heard from, one per device ID (the first answer
/// wins), at most 256: a flood of answers cannot grow it further.
public final class DiscoveredDevices: Sendable {
    public static let maxDevices = 256
    private let found = Mutex<[DiscoveredDevice]>([])

    public init() {}

    public func add(_ device: DiscoveredDevice) {
        found.withLock { all in
            guard all.count < Self.maxDevices,
                  !all.contains(where: { $0.announcement.deviceID == device.announcement.deviceID }) else { return }
            all.append(device)
        }
    }

    public var all: [DiscoveredDevice] { found.withLock { $0 } }
}

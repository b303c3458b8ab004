import HealthSyncDomain

/// Finds a paired device by name, full device ID or a unique ID prefix.
public enum DeviceSelector {
    public static func find(_ selector: String, in peers: [PeerRecord]) throws -> PeerRecord {
        var text = selector.lowercased()
        if text.hasPrefix("sha256:") { text.removeFirst(7) }
        let matches = peers.filter { $0.name == selector }
            + peers.filter { $0.name != selector && text.count >= 4 && $0.deviceID.hex.hasPrefix(text) }
        guard let first = matches.first else {
            throw HealthSyncError(.unknownDevice, "No paired device matches '\(selector)'")
        }
        guard matches.count == 1 else {
            throw HealthSyncError(.unknownDevice, "'\(selector)' matches \(matches.count) paired devices",
                                  hint: "Give more of the device ID (see `healthsync devices`).")
        }
        return first
    }
}

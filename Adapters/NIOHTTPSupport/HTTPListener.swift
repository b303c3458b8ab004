import HealthSyncDomain
import HealthSyncPorts
import NIOCore

/// A bound HTTP listener and the connections it accepted.
struct HTTPListener: TransportListener {
    let channel: any Channel
    let children: ChannelRegistry
    let endpoint: Endpoint

    /// Stops accepting, lets open connections finish what they are doing
    /// for up to a second, then closes the rest.
    func close() async {
        try? await channel.close()
        let deadline = ContinuousClock.now.advanced(by: .seconds(1))
        while children.count > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        children.closeAll()
    }
}

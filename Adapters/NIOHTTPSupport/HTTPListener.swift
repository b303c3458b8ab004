import HealthSyncDomain
import HealthSyncPorts
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

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

/// A listener on a Unix domain socket.
public protocol LocalListener: Sendable {
    var path: String { get }
    /// Closes as `HTTPListener` does, then removes the socket file.
    func close() async
}

struct SocketListener: LocalListener {
    let listener: HTTPListener
    let path: String

    func close() async {
        await listener.close()
        unlink(path)
    }
}

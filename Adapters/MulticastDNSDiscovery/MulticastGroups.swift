import DiscoverySupport
import NIOCore
import Synchronization

/// Where one socket's multicast goes: the IPv4 group, or the IPv6 group on
/// each interface with IPv6 (a link-local group needs its interface). Read
/// from the interfaces when the socket opens and again on every refresh
/// (the daemon refreshes when its addresses change), joining the group on
/// interfaces that appeared. A family with no interface has no group, so
/// nothing is sent where it would only fail.
final class MulticastGroups: Sendable {
    enum Family: Sendable { case v4, v6 }

    let family: Family
    let port: Int
    private let current = Mutex<[SocketAddress]>([])

    init(_ family: Family, port: Int) {
        self.family = family
        self.port = port
    }

    var addresses: [SocketAddress] { current.withLock { $0 } }

    /// Reads the interfaces again and joins the group on each (an interface
    /// already joined, or one that refuses, is passed over).
    func refresh(joining channel: any Channel) async {
        let devices: [NIONetworkDevice]
        let groups: [SocketAddress]
        switch family {
        case .v4:
            devices = NetworkInterfaces.multicastIPv4Devices()
            groups = devices.isEmpty ? [] : [try? SocketAddress(ipAddress: MulticastDNSDiscovery.groupIPv4, port: port)].compactMap { $0 }
        case .v6:
            devices = NetworkInterfaces.multicastIPv6Devices()
            groups = devices.compactMap {
                try? SocketAddress.makeAddressResolvingHost("\(MulticastDNSDiscovery.groupIPv6)%\($0.name)", port: port)
            }
        }
        current.withLock { $0 = groups }
        // IPv4 multicast leaves by the interface named here, not by a route:
        // on a network with no default gateway there is none for 224.0.0.251,
        // and a send that fails would close the socket.
        if family == .v4, let options = channel as? any SocketOptionProvider,
           let outgoing = devices.first(where: { !($0.address?.ipAddress ?? "").hasPrefix("127.") }) ?? devices.first,
           case .v4(let address)? = outgoing.address {
            _ = try? await options.setIPMulticastIF(address.address.sin_addr).get()
        }
        let group = family == .v4 ? MulticastDNSDiscovery.groupIPv4 : MulticastDNSDiscovery.groupIPv6
        guard let multicast = channel as? any MulticastChannel, let address = try? SocketAddress(ipAddress: group, port: port) else {
            return
        }
        for device in devices { try? await multicast.joinGroup(address, device: device).get() }
    }
}

import DNSSupport
import HealthSyncDomain
import HealthSyncPorts
import DiscoverySupport
import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The `LocalDiscovery` port as DNS-SD over multicast DNS (RFC 6762/6763):
/// a daemon is `<name>._healthsync._tcp.local` on 224.0.0.251:5353, joined
/// on every multicast-capable IPv4 interface with SO_REUSEADDR and
/// SO_REUSEPORT so it lives beside avahi-daemon. It announces itself when
/// it starts, answers queries for its records (by multicast, or by unicast
/// to a one-shot querier on another port, RFC 6762 §6.7), and says goodbye
/// when it stops. `probe` browses: a PTR query to each target, the answers
/// read by `ServiceRecords.devices`. Packets are decoded with the bounded
/// `DNSMessage`; what does not decode is ignored.
public struct MulticastDNSDiscovery: LocalDiscovery {
    public static let groupIPv4 = "224.0.0.251"
    public static let port = 5353
    private let group: any EventLoopGroup

    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) { self.group = group }

    public func broadcastTargets(port: Int) -> [Endpoint] { [Endpoint(host: Self.groupIPv4, port: port)] }

    public func preferredAddress() -> String { NetworkInterfaces.preferredAddress() }

    public func localAddresses() -> [String] { NetworkInterfaces.addresses() }

    public func answer(on endpoint: Endpoint, with announcement: DiscoveryAnnouncement,
                       seen: @escaping @Sendable (DiscoveredDevice) -> Void) async throws -> any DiscoveryListener {
        let addresses = NetworkInterfaces.addresses()
        guard let service = ServiceRecords.Service(announcement: announcement,
                                                   addresses: addresses.isEmpty ? ["127.0.0.1"] : addresses) else {
            throw HealthSyncError(.invalidArgument, "This device cannot be announced by multicast DNS (its name or port)")
        }
        let current = CurrentService(service)
        let channel: any Channel
        do {
            channel = try await DatagramBootstrap(group: group)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                // SO_REUSEPORT (15 on Linux), which NIO names no option for.
                .channelOption(ChannelOptions.Types.SocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_REUSEPORT)), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(Responder(service: current, port: endpoint.port, seen: seen))
                    }
                }
                .bind(host: "0.0.0.0", port: endpoint.port).get()
        } catch {
            throw HealthSyncError(.invalidArgument, "Cannot answer multicast DNS on UDP \(endpoint.port): \(error)",
                                  hint: "Choose another port (--discovery-port), or turn discovery off (discovery.enabled).")
        }
        let groupAddress = try SocketAddress(ipAddress: Self.groupIPv4, port: endpoint.port)
        // RFC 6762 §11: IP TTL 255; and looped back, so browsers on this machine see us.
        if let options = channel as? any SocketOptionProvider {
            _ = try? await options.setIPMulticastTTL(255).get()
            _ = try? await options.setIPMulticastLoop(1).get()
        }
        if let multicast = channel as? any MulticastChannel {
            for device in NetworkInterfaces.multicastIPv4Devices() {
                // An interface that refuses (no route for the group) is skipped.
                try? await multicast.joinGroup(groupAddress, device: device).get()
            }
        }
        let listener = MulticastDNSListener(channel: channel, service: current, group: groupAddress,
                                            endpoint: Endpoint(host: Self.groupIPv4, port: channel.localAddress?.port ?? endpoint.port))
        // RFC 6762 §8.3: announced twice, a second apart.
        await listener.send(service.announcement())
        // What is current by then: an update in the meantime must not be undone.
        channel.eventLoop.scheduleTask(in: .seconds(1)) { Task { await listener.send(current.service.announcement()) } }
        return listener
    }

    public func probe(_ targets: [Endpoint], timeoutMilliseconds: Int) async throws -> [DiscoveredDevice] {
        let found = DiscoveredDevices()
        let channel: any Channel
        do {
            channel = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(Browser(found: found))
                    }
                }
                .bind(host: "0.0.0.0", port: 0).get()
        } catch {
            throw HealthSyncError(.deviceNotFound, "Cannot open a UDP socket for discovery", cause: "\(error)")
        }
        if let options = channel as? any SocketOptionProvider { _ = try? await options.setIPMulticastTTL(255).get() }
        let query = ServiceRecords.browseQuery().encoded()
        for target in targets {
            guard let address = try? SocketAddress.makeAddressResolvingHost(target.host, port: target.port) else { continue }
            var buffer = channel.allocator.buffer(capacity: query.count)
            buffer.writeBytes(query)
            // A target that cannot be reached (no route) is simply silent.
            try? await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer))
        }
        try? await Task.sleep(for: .milliseconds(timeoutMilliseconds))
        try? await channel.close()
        return found.all.sorted { $0.announcement.name < $1.announcement.name }
    }
}

/// The records a daemon answers with, replaced when its announcement changes.
final class CurrentService: Sendable {
    private let value: Mutex<ServiceRecords.Service>

    init(_ service: ServiceRecords.Service) { value = Mutex(service) }

    var service: ServiceRecords.Service { value.withLock { $0 } }

    func set(_ service: ServiceRecords.Service) { value.withLock { $0 = service } }
}

/// A daemon's presence on multicast DNS; closing it says goodbye first.
struct MulticastDNSListener: DiscoveryListener {
    let channel: any Channel
    let service: CurrentService
    let group: SocketAddress
    let endpoint: Endpoint

    /// New records are announced at once (RFC 6762 §8.4), with the
    /// cache-flush bit, at the addresses the interfaces have now.
    func update(_ announcement: DiscoveryAnnouncement) async {
        let addresses = NetworkInterfaces.addresses()
        guard let updated = ServiceRecords.Service(announcement: announcement,
                                                   addresses: addresses.isEmpty ? ["127.0.0.1"] : addresses) else { return }
        service.set(updated)
        await send(updated.announcement())
    }

    func send(_ message: DNSMessage) async {
        let bytes = message.encoded()
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        try? await channel.writeAndFlush(AddressedEnvelope(remoteAddress: group, data: buffer))
    }

    func close() async {
        // RFC 6762 §10.1: records with TTL 0 tell caches to forget us now.
        await send(service.service.announcement(goodbye: true))
        try? await channel.close()
    }
}

/// Answers queries for this device's records.
final class Responder: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let service: CurrentService
    private let port: Int
    private let seen: @Sendable (DiscoveredDevice) -> Void

    init(service: CurrentService, port: Int, seen: @escaping @Sendable (DiscoveredDevice) -> Void) {
        self.service = service
        self.port = port
        self.seen = seen
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.data.readableBytes <= DNSMessage.maxBytes,
              let query = try? DNSMessage(decoding: Array(envelope.data.readableBytesView)) else { return }
        if query.isResponse {
            // Someone announcing or answering: who is where, for the daemon to note.
            if let source = envelope.remoteAddress.ipAddress {
                for device in ServiceRecords.devices(in: query, source: source) { seen(device) }
            }
            return
        }
        guard var answer = service.service.answer(to: query) else { return }
        // A one-shot querier (not on the mDNS port) or one asking for a
        // unicast reply gets it directly, with its question repeated (§6.7);
        // the others hear the answer on the group.
        let unicast = envelope.remoteAddress.port != port || query.questions.contains(where: \.unicastResponse)
        if unicast { answer.questions = query.questions }
        guard let destination = unicast ? envelope.remoteAddress
            : try? SocketAddress(ipAddress: MulticastDNSDiscovery.groupIPv4, port: port) else { return }
        let bytes = answer.encoded()
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: destination, data: buffer)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // An ICMP error for one querier must not stop answering the others.
    }
}

/// Collects the HealthSync devices in the answers, one per device ID.
final class Browser: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let found: DiscoveredDevices

    init(found: DiscoveredDevices) { self.found = found }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.data.readableBytes <= DNSMessage.maxBytes,
              let message = try? DNSMessage(decoding: Array(envelope.data.readableBytesView)),
              let source = envelope.remoteAddress.ipAddress else { return }
        for device in ServiceRecords.devices(in: message, source: source) { found.add(device) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}

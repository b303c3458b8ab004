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
/// on every multicast-capable IPv4 interface, and on [ff02::fb]:5353 on
/// every multicast-capable IPv6 interface (a second socket, IPv6 only),
/// each with SO_REUSEADDR and SO_REUSEPORT so it lives beside avahi-daemon. It announces itself when
/// it starts, answers queries for its records (by multicast, or by unicast
/// to a one-shot querier on another port, RFC 6762 §6.7), and says goodbye
/// when it stops. `probe` browses: a PTR query to each target, the answers
/// read by `ServiceRecords.devices`. Packets are decoded with the bounded
/// `DNSMessage`; what does not decode is ignored.
public struct MulticastDNSDiscovery: LocalDiscovery {
    public static let groupIPv4 = "224.0.0.251"
    public static let groupIPv6 = "ff02::fb"
    public static let port = 5353
    private let chosenGroup: (any EventLoopGroup)?
    /// The group given, else NIO's shared one, started at its first use: a
    /// command that never opens a socket starts no event-loop threads.
    private var group: any EventLoopGroup { chosenGroup ?? MultiThreadedEventLoopGroup.singleton }

    public init(group: (any EventLoopGroup)? = nil) { chosenGroup = group }

    /// The IPv4 group, and the IPv6 group on each interface that has IPv6
    /// (a link-local group needs its interface: `ff02::fb%eth0`).
    public func broadcastTargets(port: Int) -> [Endpoint] {
        [Endpoint(host: Self.groupIPv4, port: port)]
            + NetworkInterfaces.multicastIPv6Devices().map { Endpoint(host: "\(Self.groupIPv6)%\($0.name)", port: port) }
    }

    public func preferredAddress() -> String { NetworkInterfaces.preferredAddress() }

    /// This device's records at the addresses the interfaces have now (the
    /// loopback's when there are none, so a machine offline still answers itself).
    static func records(_ announcement: DiscoveryAnnouncement) -> ServiceRecords.Service? {
        let addresses = NetworkInterfaces.addresses()
        return ServiceRecords.Service(announcement: announcement, addresses: addresses.isEmpty ? ["127.0.0.1"] : addresses)
    }

    public func localAddresses() -> [String] { NetworkInterfaces.addresses() }

    public func answer(on endpoint: Endpoint, with announcement: DiscoveryAnnouncement,
                       seen: @escaping @Sendable (DiscoveredDevice) -> Void) async throws -> any DiscoveryListener {
        guard let service = Self.records(announcement) else {
            throw HealthSyncError(.invalidArgument, "This device cannot be announced by multicast DNS (its name or port)")
        }
        let current = CurrentService(service)
        let groupsIPv4 = MulticastGroups(.v4, port: endpoint.port)
        let channel: any Channel
        do {
            channel = try await bind(host: "0.0.0.0", port: endpoint.port, ipv6Only: false) { _ in
                Responder(service: current, port: endpoint.port, groups: groupsIPv4, seen: seen)
            }
        } catch {
            throw HealthSyncError(.invalidArgument, "Cannot answer multicast DNS on UDP \(endpoint.port): \(error)",
                                  hint: "Choose another port (--discovery-port), or turn discovery off (discovery.enabled).")
        }
        let port = channel.localAddress?.port ?? endpoint.port
        // RFC 6762 §11: IP TTL 255; and looped back, so browsers on this machine see us.
        if let options = channel as? any SocketOptionProvider {
            _ = try? await options.setIPMulticastTTL(255).get()
            _ = try? await options.setIPMulticastLoop(1).get()
        }
        await groupsIPv4.refresh(joining: channel)
        var sockets = [(channel, groupsIPv4)]
        if let ipv6 = await answerOnIPv6(port: port, service: current, seen: seen) { sockets.append(ipv6) }
        let listener = MulticastDNSListener(sockets: sockets, service: current, endpoint: Endpoint(host: Self.groupIPv4, port: port))
        // RFC 6762 §8.3: announced twice, a second apart.
        await listener.send(service.announcement())
        // What is current by then: an update in the meantime must not be undone.
        channel.eventLoop.scheduleTask(in: .seconds(1)) { Task { await listener.send(current.service.announcement()) } }
        return listener
    }

    /// The IPv6 socket: [::]:port, IPv6 only, in ff02::fb on every interface
    /// with IPv6. Nil where IPv6 is off.
    private func answerOnIPv6(port: Int, service: CurrentService,
                              seen: @escaping @Sendable (DiscoveredDevice) -> Void) async -> (any Channel, MulticastGroups)? {
        let groups = MulticastGroups(.v6, port: port)
        guard let channel = try? await bind(host: "::", port: port, ipv6Only: true, { _ in
            Responder(service: service, port: port, groups: groups, seen: seen)
        }) else { return nil }
        if let options = channel as? any SocketOptionProvider {
            _ = try? await options.setIPv6MulticastHops(255).get()
            _ = try? await options.setIPv6MulticastLoop(1).get()
        }
        await groups.refresh(joining: channel)
        return (channel, groups)
    }

    /// A UDP socket beside others on the same port (avahi-daemon's too).
    private func bind(host: String, port: Int, ipv6Only: Bool,
                      _ handler: @escaping @Sendable (any Channel) -> Responder) async throws -> any Channel {
        var bootstrap = DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            // SO_REUSEPORT (15 on Linux), which NIO names no option for.
            .channelOption(ChannelOptions.Types.SocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_REUSEPORT)), value: 1)
        if ipv6Only {
            bootstrap = bootstrap.channelOption(
                ChannelOptions.Types.SocketOption(level: SocketOptionLevel(IPPROTO_IPV6), name: SocketOptionName(IPV6_V6ONLY)), value: 1)
        }
        return try await bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler(channel)) }
            }
            .bind(host: host, port: port).get()
    }

    public func probe(_ targets: [Endpoint], timeoutMilliseconds: Int) async throws -> [DiscoveredDevice] {
        let found = DiscoveredDevices()
        func browser(_ host: String) async throws -> any Channel {
            try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Browser(found: found)) }
                }
                .bind(host: host, port: 0).get()
        }
        let channel: any Channel
        do { channel = try await browser("0.0.0.0") } catch {
            throw HealthSyncError(.deviceNotFound, "Cannot open a UDP socket for discovery", cause: "\(error)")
        }
        // IPv6 targets go from a socket of their own (none where IPv6 is off).
        let channel6 = try? await browser("::")
        if let options = channel as? any SocketOptionProvider { _ = try? await options.setIPMulticastTTL(255).get() }
        if let options = channel6 as? any SocketOptionProvider { _ = try? await options.setIPv6MulticastHops(255).get() }
        let query = ServiceRecords.browseQuery().encoded()
        for target in targets {
            // A literal as it is (the resolver would map IPv4 into IPv6); a scoped
            // IPv6 group (`ff02::fb%eth0`) through the resolver, which knows scopes.
            guard let address = (try? SocketAddress(ipAddress: target.host, port: target.port))
                    ?? (try? SocketAddress.makeAddressResolvingHost(target.host, port: target.port)),
                  let sender = address.protocol == .inet6 ? channel6 : channel else { continue }
            var buffer = sender.allocator.buffer(capacity: query.count)
            buffer.writeBytes(query)
            // A target that cannot be reached (no route) is simply silent.
            try? await sender.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer))
        }
        try? await Task.sleep(for: .milliseconds(timeoutMilliseconds))
        try? await channel.close()
        try? await channel6?.close()
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

/// A daemon's presence on multicast DNS: its sockets, each with the groups
/// it announces to; closing it says goodbye first.
struct MulticastDNSListener: DiscoveryListener {
    let sockets: [(channel: any Channel, groups: MulticastGroups)]
    let service: CurrentService
    let endpoint: Endpoint

    /// New records are announced at once (RFC 6762 §8.4), with the
    /// cache-flush bit, at the addresses the interfaces have now.
    func update(_ announcement: DiscoveryAnnouncement) async {
        // Interfaces may have come or gone: join where the group is new.
        for (channel, groups) in sockets { await groups.refresh(joining: channel) }
        guard let updated = MulticastDNSDiscovery.records(announcement) else { return }
        service.set(updated)
        await send(updated.announcement())
    }

    func send(_ message: DNSMessage) async {
        let bytes = message.encoded()
        for (channel, groups) in sockets where channel.isActive {
            for group in groups.addresses {
                var buffer = channel.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                try? await channel.writeAndFlush(AddressedEnvelope(remoteAddress: group, data: buffer))
            }
        }
    }

    func close() async {
        // RFC 6762 §10.1: records with TTL 0 tell caches to forget us now.
        await send(service.service.announcement(goodbye: true))
        for (channel, _) in sockets { try? await channel.close() }
    }
}

/// Answers queries for this device's records.
final class Responder: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let service: CurrentService
    private let port: Int
    /// Where multicast answers go: the IPv4 group, or the IPv6 group on each interface.
    private let groups: MulticastGroups
    private let seen: @Sendable (DiscoveredDevice) -> Void

    init(service: CurrentService, port: Int, groups: MulticastGroups, seen: @escaping @Sendable (DiscoveredDevice) -> Void) {
        self.service = service
        self.port = port
        self.groups = groups
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
        let bytes = answer.encoded()
        for destination in unicast ? [envelope.remoteAddress] : groups.addresses {
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: destination, data: buffer)), promise: nil)
        }
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

import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWire
import DiscoverySupport
import NIOCore
import NIOPosix
import Synchronization

/// The `LocalDiscovery` port over UDP with SwiftNIO: probes go to unicast
/// or broadcast addresses (SO_BROADCAST), answers come back to the sender.
public struct UDPLocalDiscovery: LocalDiscovery {
    /// NIO's shared group, started at its first use: a command that never
    /// opens a socket starts no event-loop threads.
    private var group: any EventLoopGroup { MultiThreadedEventLoopGroup.singleton }

    public init() {}

    public func broadcastTargets(port: Int) -> [Endpoint] {
        (NetworkInterfaces.broadcastAddresses() + ["127.0.0.1"]).map { Endpoint(host: $0, port: port) }
    }

    public func preferredAddress() -> String { NetworkInterfaces.preferredAddress() }

    public func localAddresses() -> [String] { NetworkInterfaces.addresses() }

    /// Probes are answered, nobody announces: `seen` is never called.
    public func answer(on endpoint: Endpoint, with announcement: DiscoveryAnnouncement,
                       seen: @escaping @Sendable (DiscoveredDevice) -> Void) async throws -> any DiscoveryListener {
        let reply = Reply(try WireCodec.encode(announcement))
        do {
            let channel = try await DatagramBootstrap(group: group)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ProbeAnswerer(reply: reply))
                    }
                }
                .bind(host: endpoint.host, port: endpoint.port).get()
            return DatagramListener(channel: channel, reply: reply,
                                    endpoint: Endpoint(host: endpoint.host, port: channel.localAddress?.port ?? endpoint.port))
        } catch {
            throw HealthSyncError(.invalidArgument, "Cannot answer discovery probes on UDP \(endpoint): \(error)",
                                  hint: "Choose another port (--discovery-port), or 0.")
        }
    }

    public func probe(_ targets: [Endpoint], timeoutMilliseconds: Int) async throws -> [DiscoveredDevice] {
        let answers = DiscoveredDevices()
        let channel: any Channel
        do {
            channel = try await DatagramBootstrap(group: group)
                .channelOption(.socketOption(.so_broadcast), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(AnswerCollector(answers: answers))
                    }
                }
                .bind(host: "0.0.0.0", port: 0).get()
        } catch {
            throw HealthSyncError(.deviceNotFound, "Cannot open a UDP socket for discovery", cause: "\(error)")
        }
        for target in targets {
            guard let address = try? SocketAddress.makeAddressResolvingHost(target.host, port: target.port) else { continue }
            var buffer = channel.allocator.buffer(capacity: DiscoveryMessage.probe.count)
            buffer.writeBytes(DiscoveryMessage.probe)
            // A target that cannot be reached (no route) is simply silent.
            try? await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer))
        }
        try? await Task.sleep(for: .milliseconds(timeoutMilliseconds))
        try? await channel.close()
        return answers.all
    }
}

/// Answers probes; ignores everything else.
final class ProbeAnswerer: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let reply: Reply

    init(reply: Reply) { self.reply = reply }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.data.readableBytes <= DiscoveryMessage.maxBytes,
              DiscoveryMessage.isProbe(Array(envelope.data.readableBytesView)) else { return }
        let bytes = reply.bytes
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)),
                              promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // An ICMP error for one sender must not stop answering the others.
    }
}

/// Collects valid answers, one per device ID.
final class AnswerCollector: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let answers: DiscoveredDevices

    init(answers: DiscoveredDevices) { self.answers = answers }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.data.readableBytes <= DiscoveryMessage.maxBytes,
              let announcement = try? WireCodec.decode(DiscoveryAnnouncement.self, from: Array(envelope.data.readableBytesView),
                                                       maxBytes: DiscoveryMessage.maxBytes),
              announcement.isWellFormed,
              let host = envelope.remoteAddress.ipAddress else { return }
        answers.add(DiscoveredDevice(announcement: announcement, host: host))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Unreachable targets report ICMP errors here; the others still answer.
    }
}

/// The answer a daemon gives, replaced when the announcement changes.
final class Reply: Sendable {
    private let value: Mutex<[UInt8]>

    init(_ bytes: [UInt8]) { value = Mutex(bytes) }

    var bytes: [UInt8] { value.withLock { $0 } }

    func set(_ bytes: [UInt8]) { value.withLock { $0 = bytes } }
}

struct DatagramListener: DiscoveryListener {
    let channel: any Channel
    let reply: Reply
    let endpoint: Endpoint

    func update(_ announcement: DiscoveryAnnouncement) async {
        if let bytes = try? WireCodec.encode(announcement) { reply.set(bytes) }
    }

    func close() async { try? await channel.close() }
}

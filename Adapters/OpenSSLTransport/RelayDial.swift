import NIOCore
import NIOPosix

/// A connection towards a relay (protocol mode, and the member's end of a
/// session) is a TCP dial with Nagle off within `timeout`, whose stages
/// `stages` adds on the channel's loop. (The joiner's session end builds
/// its handlers beforehand, which NIO's own initializer accepts and a
/// `@Sendable` parameter here would not.)
enum RelayDial {
    static func bootstrap(on loop: any EventLoop, timeout: Duration,
                          stages: @escaping @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void) -> ClientBootstrap {
        ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(timeout))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try stages(channel.pipeline.syncOperations) }
            }
    }
}

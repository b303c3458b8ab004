import HealthSyncDomain
import NIOCore

/// What makes a channel a served connection, whoever opened it: a place
/// within the limits (or it is refused), an idle cut-off, the TLS stage
/// (if any), the deadlines, the HTTP server codec and the handler. A
/// listener installs it on every accepted channel; a relay member installs
/// it on every session it dialled, so relayed connections are served, and
/// bounded, exactly like direct ones.
public final class ServerPipeline: Sendable {
    private let idle: TimeAmount
    private let limits: ConnectionLimits
    let children: ChannelRegistry
    private let tls: (@Sendable (any Channel) throws -> TLSHandler)?
    private let handler: @Sendable (any Channel) -> any ChannelHandler

    init(idleTimeout: Duration, limits: ConnectionLimits, children: ChannelRegistry,
         tls: (@Sendable (any Channel) throws -> TLSHandler)?, handler: @escaping @Sendable (any Channel) -> any ChannelHandler) {
        idle = TimeAmount(idleTimeout)
        self.limits = limits
        self.children = children
        self.tls = tls
        self.handler = handler
    }

    /// A pipeline with its own connection registry (for relayed sessions).
    public convenience init(idleTimeout: Duration, limits: ConnectionLimits = ConnectionLimits(),
                            tls: (@Sendable (any Channel) throws -> TLSHandler)?,
                            handler: @escaping @Sendable (any Channel) -> any ChannelHandler) {
        self.init(idleTimeout: idleTimeout, limits: limits, children: ChannelRegistry(limits: limits), tls: tls, handler: handler)
    }

    /// Adds the server stages to `channel` (on its event loop), counted
    /// against `source`; throws (the caller closes it) past the limits.
    public func install(on channel: any Channel, source: String) throws {
        guard children.admit(channel, source: source) else { throw ConnectionRefused() }
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(IdleStateHandler(readTimeout: idle))
        if let tls {
            let handler = try tls(channel)
            do { try sync.addHandler(handler) } catch {
                handler.handshake.fail(error)
                throw error
            }
        }
        try sync.addHandler(ConnectionDeadlines(limits: limits, registry: children, awaitsHandshake: tls != nil))
        try sync.configureHTTPServerPipeline(withErrorHandling: true)
        try sync.addHandler(handler(channel))
    }

    /// Closes every connection installed so far.
    public func closeAll() { children.closeAll() }
}

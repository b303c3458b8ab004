/// What a listener allows before anyone has authenticated (issue #10):
/// deadlines for the TLS handshake and for each whole request, not per
/// byte, and caps on connections in total and per source address. OpenSSH
/// bounds the same with `LoginGraceTime` and `MaxStartups`.
public struct ConnectionLimits: Sendable {
    /// From accept to a finished TLS handshake.
    public var handshakeTimeout: Duration
    /// From the first byte of a request to the end of its body.
    public var requestTimeout: Duration
    /// Open connections at once (and never more than the descriptors
    /// allow); at the cap the oldest connection that has not finished its
    /// handshake is closed to make room, and when every one has, the new
    /// one is refused.
    public var maxConnections: Int
    /// Connections that have not finished their handshake, in all: past it
    /// the oldest of them makes room (each costs a TLS state before anyone
    /// is known; 1024 of them stay near 100 MB).
    public var maxUnauthenticated: Int
    /// Connections of one source address that have not finished their handshake.
    public var maxUnauthenticatedPerSource: Int

    public init(handshakeTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(20),
                maxConnections: Int = 16_384, maxUnauthenticated: Int = 1024, maxUnauthenticatedPerSource: Int = 256) {
        self.handshakeTimeout = handshakeTimeout
        self.requestTimeout = requestTimeout
        self.maxConnections = maxConnections
        self.maxUnauthenticated = maxUnauthenticated
        self.maxUnauthenticatedPerSource = maxUnauthenticatedPerSource
    }
}

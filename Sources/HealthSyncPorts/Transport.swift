import HealthSyncDomain

/// What this device presents on a connection: its key, its leaf
/// certificate and the certificates that follow it (its CA).
public struct TransportCredentials: Sendable {
    public let key: SecretBytes
    public let certificate: Certificate
    public let chain: [Certificate]

    public init(key: SecretBytes, certificate: Certificate, chain: [Certificate] = []) {
        self.key = key
        self.certificate = certificate
        self.chain = chain
    }
}

/// The CA a connection's peer must chain to, as far as the dialler knows it.
public enum TrustAnchor: Sendable {
    /// A pinned CA certificate (a paired device).
    case certificate(Certificate)
    /// Only the CA's fingerprint (from a QR payload): the peer must send that CA.
    case fingerprint(SHA256Fingerprint)
    /// Nothing yet (code pairing): the connection is authenticated later by SPAKE2+.
    case none
}

/// What the peer presented, as the transport verified it with the crypto port.
public struct ConnectionInfo: Sendable {
    /// The peer's leaf, the anchor it chained to, the verification result,
    /// and whether the leaf names the address dialled.
    public let peer: PeerPresentation
    /// Every certificate the peer sent, leaf first.
    public let presentedChain: [Certificate]
    /// 32 bytes unique to this connection and equal at both ends: the TLS
    /// exporter value, or a random value on the loopback transport. A relay
    /// that terminates both sides ends up with two different values.
    public let channelBinding: [UInt8]
    /// The peer's address as seen by the transport.
    public let remoteAddress: String
    /// What was negotiated, for `--debug-tls`.
    public let session: SessionParameters

    public init(peer: PeerPresentation, presentedChain: [Certificate], channelBinding: [UInt8], remoteAddress: String,
                session: SessionParameters) {
        self.peer = peer
        self.presentedChain = presentedChain
        self.channelBinding = channelBinding
        self.remoteAddress = remoteAddress
        self.session = session
    }
}

/// Mutually authenticated connections between devices. The transport
/// verifies certificate chains through the crypto port and reports the
/// result in `ConnectionInfo`; the use cases decide trust from it (so every
/// transport refuses the same peers the same way). Requests travel as the
/// typed calls of `PeerLink` and arrive as the typed calls of
/// `PeerRequests`: how they are framed is the adapter's business.
///
/// Throws only `HealthSyncError`: `DEVICE_NOT_FOUND` when nothing listens
/// or the peer went away, `ETIMEDOUT` when nothing answers in time,
/// `UNSUPPORTED_PROTOCOL` for peers older than TLS 1.3, `PROTOCOL_ERROR`
/// for malformed traffic, `PAYLOAD_TOO_LARGE` for requests over the bound.
public protocol Transport: Sendable {
    /// Listens on `endpoint` (port 0: any free port), presenting
    /// `credentials`, and answers every request through `requests`.
    /// Clients may present a certificate, which is verified against
    /// `clientAnchor`; clients without one are let in (pairing needs that)
    /// and `requests` sees `peer.leaf == nil`.
    func listen(on endpoint: Endpoint, credentials: TransportCredentials, clientAnchor: Certificate,
                serving requests: any PeerRequests) async throws -> any TransportListener

    /// Connects to `endpoint` within `timeout`, presenting `credentials` if
    /// any, and verifies the server's chain against `anchor` (and its name
    /// against the host).
    func connect(to endpoint: Endpoint, credentials: TransportCredentials?, anchor: TrustAnchor,
                 timeout: Duration) async throws -> any PeerLink

    /// Connects to the device that joined `route.relay` as `route.peer`
    /// (Syncthing relay protocol v1, temporary submode then session mode),
    /// within `timeout`, and runs the same TLS 1.3 connection as `connect(to:)`
    /// through the relayed stream, verified against `anchor` exactly as a
    /// direct one (the relay sees only ciphertext). The relay itself must
    /// present the certificate its ID pins (`FINGERPRINT_MISMATCH` otherwise)
    /// and is shown our `identity` (the relay learns the ID from it).
    /// `DEVICE_NOT_FOUND` when the relay cannot be reached or the device is
    /// not joined there. `info.remoteAddress` is `relay://host:port`.
    func connect(through route: RelayRoute, identity: TransportCredentials, credentials: TransportCredentials?,
                 anchor: TrustAnchor, timeout: Duration) async throws -> any PeerLink

    /// Joins `relay` in permanent mode as `identity` (the ID peers ask the
    /// relay for) and serves every session it is invited to as `listen`
    /// serves an accepted connection: `credentials`, `clientAnchor`,
    /// `requests`. Returns once joined (`DEVICE_NOT_FOUND` when the relay
    /// cannot be reached, `FINGERPRINT_MISMATCH` when it is not the pinned
    /// one, `PROTOCOL_ERROR` when it refuses); keeps the connection alive
    /// with pings until the relay goes away or `close()`.
    func join(_ relay: ReachServer, identity: TransportCredentials, credentials: TransportCredentials,
              clientAnchor: Certificate, serving requests: any PeerRequests) async throws -> any RelayMembership
}

/// A device's standing place on a relay (the permanent connection).
public protocol RelayMembership: Sendable {
    /// Waits until the membership ends and says why (the relay closed the
    /// connection or stopped answering pings); after `close()` at once.
    func ended() async -> HealthSyncError
    /// Leaves the relay; sessions already being served may finish.
    func close() async
}

/// A listening socket (or its in-memory equivalent).
public protocol TransportListener: Sendable {
    /// Where it listens, with the port the system chose.
    var endpoint: Endpoint { get }
    /// Stops accepting and closes every connection it accepted; requests
    /// already being answered may finish first.
    func close() async
}

/// The protocol, cipher and application protocol a connection negotiated.
public struct SessionParameters: Sendable, Equatable {
    public let version: String
    public let cipher: String
    public let alpn: String?

    public init(version: String, cipher: String, alpn: String?) {
        self.version = version
        self.cipher = cipher
        self.alpn = alpn
    }
}

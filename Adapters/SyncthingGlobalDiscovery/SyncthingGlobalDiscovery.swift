import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWire
import NIOCore
import NIOHTTPSupport
import NIOPosix

/// The `GlobalDiscovery` port against a Syncthing discovery server
/// (`stdiscosrv`, protocol v3): HTTPS through system OpenSSL (the shared
/// TLS stage), the server's certificate pinned by the ID its URL carries,
/// one request per connection. Announcing presents the device's identity
/// certificate (the server takes the device ID from it); looking up
/// presents none. Everything the server sends is bounded and parsed as
/// coming from a stranger.
public final class SyncthingGlobalDiscovery: GlobalDiscovery {
    private let crypto: any Crypto
    private let chosenGroup: (any EventLoopGroup)?
    /// The group given, else NIO's shared one, started at its first use: a
    /// command that never opens a socket starts no event-loop threads.
    private var group: any EventLoopGroup { chosenGroup ?? MultiThreadedEventLoopGroup.singleton }
    /// Go's HTTP server refuses a TLS client whose ALPN names nothing it
    /// speaks. Made on first use: most commands never reach a discovery server.
    private let context = LazyTLSContext(alpn: ["http/1.1"])

    /// At most this many bytes of an answer are read.
    static let maxAnswerBytes = 64 * 1024
    /// Waits the server asks for are kept within these bounds (a hostile
    /// server must not silence a device for a year, nor make it announce
    /// in a busy loop).
    static let shortestWait = Duration.seconds(10)
    static let longestWait = Duration.seconds(3600)

    public init(crypto: any Crypto, group: (any EventLoopGroup)? = nil) throws {
        self.crypto = crypto
        chosenGroup = group
    }

    public func announce(_ addresses: [GlobalAddress], to server: ReachServer, identity: TransportCredentials,
                         timeout: Duration) async throws -> AnnouncementReceipt {
        let body = try JSONEncoder().encode(Announcement(addresses: addresses.map(\.description)))
        let response = try await exchange(WireRequest(method: "POST", path: server.path, body: Array(body)),
                                          with: server, identity: identity, timeout: timeout)
        switch response.status {
        case 200, 204:
            return AnnouncementReceipt(accepted: true, again: Self.wait(response.headers["reannounce-after"], default: .seconds(1800)))
        case 429:
            return AnnouncementReceipt(accepted: false, again: Self.wait(response.headers["retry-after"], default: .seconds(60)))
        case 403:
            throw HealthSyncError(.protocolError, "The discovery server \(server.address) refused the announcement (403)",
                                  hint: "It must be a Syncthing discovery server reached directly over HTTPS (not behind a proxy that drops client certificates).")
        default:
            throw HealthSyncError(.protocolError, "The discovery server \(server.address) answered the announcement with HTTP \(response.status)")
        }
    }

    public func lookup(_ device: SyncthingDeviceID, on server: ReachServer, timeout: Duration) async throws -> [GlobalAddress] {
        let response = try await exchange(WireRequest(method: "GET", path: server.path, query: ["device": device.description]),
                                          with: server, identity: nil, timeout: timeout)
        switch response.status {
        case 200:
            guard let answer = try? JSONDecoder().decode(Announcement.self, from: Data(response.body)) else {
                throw HealthSyncError(.protocolError, "The discovery server \(server.address) sent an answer that is not its JSON")
            }
            var found: [GlobalAddress] = []
            for text in answer.addresses.prefix(GlobalAddress.maxCount) {
                if let address = GlobalAddress(parsing: text), !address.isSourceRelative, !found.contains(address) { found.append(address) }
            }
            return found
        case 404:
            return []
        default:
            throw HealthSyncError(.protocolError, "The discovery server \(server.address) answered the lookup with HTTP \(response.status)")
        }
    }

    /// `{"addresses":[…]}`, both ways (the server adds `seen`, ignored).
    struct Announcement: Codable {
        let addresses: [String]
    }

    /// Seconds from a `Reannounce-After`/`Retry-After` header, kept within bounds.
    static func wait(_ header: String?, default fallback: Duration) -> Duration {
        guard let header, header.utf8.count <= 10, let seconds = Int(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 else {
            return fallback
        }
        return min(max(.seconds(seconds), shortestWait), longestWait)
    }

    /// One request on its own connection, after the server's certificate passed its pin.
    private func exchange(_ request: WireRequest, with server: ReachServer, identity: TransportCredentials?,
                          timeout: Duration) async throws -> WireResponse {
        let loop = group.next()
        let handshake = loop.makePromise(of: TLSEstablished.self)
        let tls = TLSHandler(session: try context.get().makeSession(credentials: identity), isServer: false, handshake: handshake)
        let closed = HealthSyncError(.protocolError, "The discovery server \(server.address) closed the connection without an answer")
        let channel: any Channel
        do {
            channel = try await HTTPBootstrap.connect(
                to: server.endpoint, on: loop, timeout: timeout, tls: tls,
                client: HTTPClientHandler(host: server.endpoint.description, closeAfterEach: true, closed: closed,
                                          maxBodyBytes: Self.maxAnswerBytes),
                unreachable: HealthSyncError(.deviceNotFound, "Cannot reach the discovery server \(server.address)",
                                             hint: "Is it running, and is reach.discovery right? Known addresses and relays are tried anyway."),
                timedOut: HealthSyncError(.timedOut, "The discovery server \(server.address) did not answer within \(timeout)"))
        } catch {
            handshake.fail(error)
            throw error
        }
        defer { channel.close(promise: nil) }
        let established = try await HandshakeWait.established(
            handshake, on: channel, timeout: timeout,
            timedOut: HealthSyncError(.timedOut, "The discovery server \(server.address) did not finish TLS within \(timeout)"),
            failed: "The TLS handshake with the discovery server \(server.address) failed")
        // The server's ID pins its certificate, as Syncthing pins it; nothing is sent before.
        let (pinned, presented) = HandshakeWait.pins(established, to: server.id, crypto: crypto)
        guard pinned else {
            throw HealthSyncError(.fingerprintMismatch,
                                  "The discovery server at \(server.endpoint) is not the one its id= pins (it presented \(presented))",
                                  hint: "Check the id= in reach.discovery against the ID stdiscosrv prints; someone may be in between.")
        }
        return try await HTTPBootstrap.send(request, on: channel, timeout: timeout,
                                            timedOut: HealthSyncError(.timedOut, "The discovery server \(server.address) did not answer within \(timeout)"),
                                            closed: closed)
    }
}

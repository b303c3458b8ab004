import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import NIOHTTPSupport
import OpenSSLTransport
import Testing

/// Issue #10 at a small scale: silent and dripping clients (Python's
/// socket and ssl, from their own source addresses on 127/8) are cut off by
/// whole-handshake and whole-request deadlines, one source cannot hold more
/// than its share, and a real client is still served meanwhile.
@Suite("Connection limits", .serialized)
struct ConnectionLimitTests {
    static let script = Fixtures.path("scripts/hostile_connections.py")
    let pki: TestPKI

    init() throws { pki = try TestPKI() }

    func hostile(_ arguments: [String]) async throws -> [String: Any] {
        let result = try await ProcessRunner.runDetached("/usr/bin/python3", [Self.script] + arguments,
                                                         environment: ["PATH": "/usr/bin:/bin"])
        return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
                            "\(result.standardOutput)\(result.standardError)")
    }

    @Test func silentAndDrippingClientsAreCutOffByDeadlinesNotByBytes() async throws {
        let limits = ConnectionLimits(handshakeTimeout: .milliseconds(600), requestTimeout: .milliseconds(800),
                                      maxConnections: 64, maxUnauthenticatedPerSource: 4)
        let transport = try OpenSSLTransport(crypto: pki.crypto, clock: pki.clock, limits: limits)
        let listener = try await transport.listen(on: Endpoint(host: "127.0.0.1", port: 0), credentials: pki.server,
                                                  clientAnchor: pki.ca, serving: EchoPeer())
        let port = String(listener.endpoint.port)
        async let silent = hostile(["silent", "127.0.0.1", port, "127.0.0.2", "6", "5"])
        async let drip = hostile(["drip", "127.0.0.1", port, "127.0.0.3", "5"])
        // Meanwhile a real client from yet another source is served.
        try await Task.sleep(for: .milliseconds(200))
        let link = try await transport.connect(to: listener.endpoint, credentials: pki.client, anchor: .certificate(pki.ca),
                                               timeout: .seconds(5))
        _ = try await link.status(timeout: .seconds(5))
        let (quiet, dripping) = try await (silent, drip)

        // Four are held until the handshake deadline; the two past the per-source cap go at once.
        let times = try #require(quiet["times"] as? [Double])
        #expect(quiet["closed"] as? Int == 6, "\(quiet)")
        #expect(times.prefix(2).allSatisfy { $0 < 0.3 }, "\(times)")
        #expect(times.suffix(4).allSatisfy { $0 >= 0.5 && $0 < 2.5 }, "\(times)")
        // A byte every 50 ms keeps no idle timer from firing, but the request deadline does.
        let cut = try #require(dripping["cutAfter"] as? Double, "\(dripping)")
        #expect(cut >= 0.7 && cut < 3, "\(dripping)")
        await listener.close()
    }

    /// The cap on all connections, and the one on those not yet authenticated.
    @Test(arguments: ["total", "unauthenticated"])
    func atTheCapTheOldestUnauthenticatedConnectionMakesRoom(_ cap: String) async throws {
        let limits = cap == "total"
            ? ConnectionLimits(handshakeTimeout: .seconds(20), requestTimeout: .seconds(20),
                               maxConnections: 8, maxUnauthenticatedPerSource: 64)
            : ConnectionLimits(handshakeTimeout: .seconds(20), requestTimeout: .seconds(20),
                               maxUnauthenticated: 8, maxUnauthenticatedPerSource: 64)
        let transport = try OpenSSLTransport(crypto: pki.crypto, clock: pki.clock, limits: limits)
        let listener = try await transport.listen(on: Endpoint(host: "127.0.0.1", port: 0), credentials: pki.server,
                                                  clientAnchor: pki.ca, serving: EchoPeer())
        let port = String(listener.endpoint.port)
        // Twelve silent connections into eight places: the four oldest are closed as the last ones arrive.
        // The client comes once all twelve are connected (the script says so on stderr).
        let script = try BackgroundProcess("/usr/bin/python3", [Self.script, "silent", "127.0.0.1", port, "127.0.0.4", "12", "10"],
                                           environment: ["PATH": "/usr/bin:/bin"])
        try #require(await script.firstLine(within: 30, on: .standardError, containing: "connected 12") != nil,
                     "\(script.printed(on: .standardError))")
        // A real client still gets in (and, authenticated, is not the one to go).
        let link = try await transport.connect(to: listener.endpoint, credentials: pki.client, anchor: .certificate(pki.ca),
                                               timeout: .seconds(5))
        _ = try await link.status(timeout: .seconds(5))
        _ = await script.finish(within: 30)
        let quiet = try #require(script.printed().last.flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }, "\(script.printed())")
        #expect((quiet["closed"] as? Int ?? 0) >= 5, "\(quiet)")
        _ = try await link.status(timeout: .seconds(5))
        await listener.close()
    }
}

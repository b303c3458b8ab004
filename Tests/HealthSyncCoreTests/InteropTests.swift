import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import HealthSyncUseCases
import HealthSyncWiring
import Testing

/// A sharing device on real TLS, checked with `openssl s_client` and `curl`.
@Suite("Interop with openssl and curl", .serialized)
struct InteropTests {
    struct Setup {
        let sharer: WorldDevice
        let joiner: WorldDevice
        let listener: any TransportListener
        let files: TemporaryDirectory
        var port: String { String(listener.endpoint.port) }
        func file(_ name: String) -> String { files.file(name) }
    }

    /// A serves on 127.0.0.1:0 with demo samples; B pairs by token and writes
    /// its key, the client certificate A issued and A's CA as PEM files.
    func setUp() async throws -> Setup {
        var world = World()
        world.transport = .openssl
        let a = try world.device("phone", seed: 401), b = try world.device("mac", seed: 402)
        // The OpenSSL transport judges certificates by the real clock.
        a.clock.set(Date())
        let listener = try await a.serve()
        _ = try a.application.samples.generate(days: 1)
        let peer = try await a.pairByToken(b, advertising: listener.endpoint)
        let files = TemporaryDirectory("interop")
        let key = try b.application.identity.ensureIdentity().identity.deviceKey
        TestFiles.write(files.file("key.pem"), String(decoding: key.bytes, as: UTF8.self))
        TestFiles.write(files.file("client.pem"), peer.clientCertificatePEM ?? "")
        TestFiles.write(files.file("ca.pem"), peer.caCertificatePEM)
        return Setup(sharer: a, joiner: b, listener: listener, files: files)
    }

    func tool(_ name: String) throws -> String { try #require(ProcessRunner.which(name), "\(name) is needed") }

    @Test func opensslCompletesTheMutualTLS13HandshakeAndRefusesTLS12() async throws {
        let setup = try await setUp()
        let openssl = try tool("openssl")
        let common = ["s_client", "-connect", "127.0.0.1:" + setup.port, "-cert", setup.file("client.pem"),
                      "-key", setup.file("key.pem"), "-CAfile", setup.file("ca.pem")]
        let tls13 = try await ProcessRunner.runDetached(openssl, common + ["-tls1_3", "-alpn", "healthsync/1",
                                                                           "-keymatexport", "EXPORTER-healthsync-channel-binding",
                                                                           "-keymatexportlen", "32"], environment: [:])
        #expect(tls13.standardOutput.contains("TLSv1.3"))
        #expect(tls13.standardOutput.contains("Verify return code: 0 (ok)"))
        #expect(tls13.standardOutput.contains("ALPN protocol: healthsync/1"))
        #expect(tls13.standardOutput.contains("Keying material:"))
        let tls12 = try await ProcessRunner.runDetached(openssl, common + ["-tls1_2"], environment: [:])
        #expect(!tls12.standardOutput.contains("Verify return code: 0 (ok)") || tls12.status != 0)
        #expect(!tls12.standardOutput.contains("TLSv1.2, Cipher is"))
        await setup.listener.close()
    }

    @Test func twoHundredConnectionsAreHeldOpenAndServedAtOnce() async throws {
        let setup = try await setUp()
        let joiner = setup.joiner
        let peer = try #require(try joiner.peers().first)
        let credentials = TransportCredentials(
            key: try joiner.application.identity.ensureIdentity().identity.deviceKey,
            certificate: try joiner.deps.crypto.parseCertificate(pem: try #require(peer.clientCertificatePEM)))
        let anchor = TrustAnchor.certificate(try joiner.deps.crypto.parseCertificate(pem: peer.caCertificatePEM))
        let transport = joiner.deps.transport, endpoint = setup.listener.endpoint
        let connections = try await withThrowingTaskGroup(of: (any PeerLink).self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await transport.connect(to: endpoint, credentials: credentials, anchor: anchor, timeout: .seconds(60))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(connections.count == 200)
        // Every one of them is still open and is answered.
        let query = try SampleQuery(types: [.steps], limit: 1)
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for connection in connections {
                group.addTask { try await connection.samples(query, timeout: .seconds(60)).samples.count }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 1, count: 200))
        for connection in connections { await connection.close() }
        await setup.listener.close()
    }

    /// Silent clients are cut off; a joiner waiting for the sharing user's
    /// answer is not silent, however long the answer takes.
    @Test func idleClientsAreCutOffButAPendingDecisionIsNot() async throws {
        var world = World()
        world.transport = .openssl
        // Long enough for the joiner's own work between requests on a loaded machine.
        world.idleTimeoutMS = 800
        let a = try world.device("phone", seed: 411), b = try world.device("mac", seed: 412)
        a.clock.set(Date())
        let listener = try await a.serve()
        let invitation = try await a.host.initiate(advertising: listener.endpoint)
        let events = a.application.bus.subscribe()
        let host = a.host
        let slowAnswer = Task {
            _ = await firstEvent(events) { event -> Bool? in
                if case .pairingRequestPending = event { return true }
                return nil
            }
            try await Task.sleep(for: .milliseconds(2000))
            try await host.respond(accept: true)
        }
        let peer = try await b.application.joining.join(code: invitation.code, endpoint: listener.endpoint)
        #expect(peer.deviceID == (try a.deviceID))
        try await slowAnswer.value

        // A connection without a certificate is admitted only while a session is open.
        _ = try await a.host.initiate(advertising: listener.endpoint)
        let idle = try await b.deps.transport.connect(to: listener.endpoint, credentials: nil, anchor: .none,
                                                      timeout: .seconds(5))
        try await Task.sleep(for: .milliseconds(2000))
        let code = await errorCode { _ = try await idle.status(timeout: .seconds(5)) }
        #expect(code == .deviceNotFound)
        await idle.close()
        await listener.close()
    }

    @Test func curlReadsHealthDataWithTheClientCertificate() async throws {
        let setup = try await setUp()
        let curl = try tool("curl")
        let url = "https://127.0.0.1:\(setup.port)/api/v1/health/data?types=steps&limit=2"
        let result = try await ProcessRunner.runDetached(curl, [
            "-sS", "--cert", setup.file("client.pem"), "--key", setup.file("key.pem"), "--cacert", setup.file("ca.pem"), url,
        ], environment: [:])
        #expect(result.status == 0, "\(result.standardError)")
        let samples = try #require(result.json?["samples"] as? [[String: Any]])
        #expect(samples.count == 2 && samples.allSatisfy { $0["type"] as? String == "steps" })

        // With no pairing session open, the handshake itself wants a certificate from this device's CA.
        let anonymous = try await ProcessRunner.runDetached(curl, ["-sS", "--cacert", setup.file("ca.pem"), url], environment: [:])
        #expect(anonymous.status != 0)
        #expect(anonymous.standardError.contains("certificate required"), "\(anonymous.standardError)")

        // Two requests in one run: the second resumes the TLS session, and both are served.
        let twice = try await ProcessRunner.runDetached(curl, [
            "-sS", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\n", "-H", "Connection: close",
            "--cert", setup.file("client.pem"), "--key", setup.file("key.pem"), "--cacert", setup.file("ca.pem"), url, url,
        ], environment: [:])
        #expect(twice.standardOutput == "200 1\n200 1\n", "\(twice.standardOutput) \(twice.standardError)")
        await setup.listener.close()
    }

    @Test func opensslResumesTheSessionAndTheServerStillChecksTheAllowList() async throws {
        let setup = try await setUp()
        let openssl = try tool("openssl")
        let session = setup.file("session.pem")
        func connect(_ extra: [String]) async throws -> ProcessResult {
            try await ProcessRunner.runDetached(openssl, [
                "s_client", "-connect", "127.0.0.1:\(setup.port)", "-tls1_3", "-cert", setup.file("client.pem"),
                "-key", setup.file("key.pem"), "-CAfile", setup.file("ca.pem"), "-ign_eof",
            ] + extra, environment: [:], standardInput: "GET /api/v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        }
        let first = try await connect(["-sess_out", session])
        #expect(first.standardOutput.contains("HTTP/1.1 200"), "\(first.standardOutput.suffix(400))")
        let second = try await connect(["-sess_in", session])
        #expect(second.standardOutput.contains("Reused, TLSv1.3"), "\(second.standardOutput.prefix(600))")
        #expect(second.standardOutput.contains("HTTP/1.1 200"))
        // Unpaired meanwhile: the resumed session carries the old certificate, and the allow-list says no.
        _ = try setup.sharer.deps.keyStore.removePeer(try setup.joiner.deviceID)
        let third = try await connect(["-sess_in", session])
        #expect(third.standardOutput.contains("Reused, TLSv1.3"))
        #expect(third.standardOutput.contains("NOT_PAIRED"), "\(third.standardOutput.suffix(400))")
        await setup.listener.close()
    }

    @Test func aTLS12OnlyPeerIsUnsupported() async throws {
        let setup = try await setUp()
        let openssl = try tool("openssl")
        let loaded = try setup.sharer.application.identity.ensureIdentity()
        TestFiles.write(setup.file("server.pem"), loaded.serverCertificate.pem)
        TestFiles.write(setup.file("server-key.pem"), String(decoding: loaded.identity.deviceKey.bytes, as: UTF8.self))
        await setup.listener.close()
        // The same port, now served by OpenSSL's own server limited to TLS 1.2.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: openssl)
        server.arguments = ["s_server", "-tls1_2", "-accept", "127.0.0.1:\(setup.port)", "-cert", setup.file("server.pem"),
                            "-key", setup.file("server-key.pem"), "-quiet"]
        server.standardInput = FileHandle.nullDevice
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        // Started from a test thread that blocks every signal, the child inherits the mask and
        // ignores SIGTERM: end it with SIGKILL, which cannot be blocked, and reap it.
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        try await Task.sleep(for: .milliseconds(400))
        let code = await errorCode {
            _ = try await setup.joiner.deps.transport.connect(
                to: Endpoint(host: "127.0.0.1", port: Int(setup.port)!), credentials: nil, anchor: .none, timeout: .seconds(3))
        }
        #expect(code == .unsupportedProtocol)
    }

    @Test func garbageBytesCloseOnlyThatConnection() async throws {
        let setup = try await setUp()
        let socket = try await ProcessRunner.runDetached("/bin/bash", ["-c",
            "exec 3<>/dev/tcp/127.0.0.1/\(setup.port); printf 'GET / HTTP/1.1\\r\\n\\r\\n\\x00\\xff garbage' >&3; timeout 5 cat <&3 | head -c 100; exec 3<&-"],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(socket.status == 0)
        // The listener still serves.
        #expect(try await setup.joiner.application.fetching.fetch(types: [.steps], limit: 1).samples.count == 1)
        await setup.listener.close()
    }
}

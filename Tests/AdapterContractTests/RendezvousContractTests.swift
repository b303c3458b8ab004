import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import LoopbackTransport
import Testing
import WormholeRendezvous

/// The `Rendezvous` port: against a real magic-wormhole mailbox server on
/// loopback (PyPI magic-wormhole-mailbox-server in the test venv; its
/// database is read with sqlite3), and in memory at parity.
@Suite("Rendezvous contract")
struct RendezvousContractTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case wormhole, loopback
        var testDescription: String { rawValue }
    }

    let folder = TemporaryDirectory("mailbox")

    /// The adapter of `kind`, a server URL it reaches, and how to read the nameplates the server holds.
    func make(_ kind: Kind) async throws -> (any Rendezvous, MailboxServer, @Sendable () async throws -> [String], BackgroundProcess?)? {
        switch kind {
        case .loopback:
            let network = LoopbackNetwork()
            let server = MailboxServer(endpoint: Endpoint(host: "127.0.0.1", port: 4000))
            return (LoopbackRendezvous(network: network), server, { network.nameplates(on: server.endpoint) }, nil)
        case .wormhole:
            guard let running = try await MailboxServerProcess.start(folder: folder.path) else { return nil }
            return (WormholeRendezvous(), try MailboxServer(parsing: running.url), { try await MailboxServerProcess.nameplates(running) },
                    running.process)
        }
    }

    /// The real server is Python under the whole suite's load on two cores: its first answer can take seconds.
    static let patience: Duration = .seconds(30)

    @Test(arguments: Kind.allCases)
    func twoSidesMeetAtANameplateAndLeaveNothingBehind(_ kind: Kind) async throws {
        guard let (rendezvous, server, nameplates, process) = try await make(kind) else {
            Issue.record("the mailbox server is not installed (pip install magic-wormhole-mailbox-server in the test venv): rendezvous is untested")
            return
        }
        defer { if let process { Task { _ = await process.terminate() } } }
        let host = try await rendezvous.host(on: server, appID: "healthsync.test", side: "aaaa", timeout: Self.patience)
        #expect(!host.nameplate.isEmpty && host.nameplate.allSatisfy(\.isNumber))
        let held = try await nameplates()
        #expect(held == [host.nameplate], "the server holds \(held), the host \(host.nameplate)")
        try await host.post(Array(#"{"addresses":["10.1.2.3:8443"]}"#.utf8), phase: "locators")

        let guest = try await rendezvous.join(host.nameplate, on: server, appID: "healthsync.test", side: "bbbb", timeout: Self.patience)
        // What was left before the guest arrived is there for it; its own messages are not handed back to it.
        let first = try await guest.next(within: Self.patience)
        #expect(first == RendezvousMessage(phase: "locators", body: Array(#"{"addresses":["10.1.2.3:8443"]}"#.utf8)))
        try await guest.post([1, 2, 3], phase: "seen")
        let reply = try await host.next(within: Self.patience)
        #expect(reply == RendezvousMessage(phase: "seen", body: [1, 2, 3]))
        let silence = await #expect(throws: HealthSyncError.self) { _ = try await guest.next(within: .milliseconds(300)) }
        #expect(silence?.code == .timedOut)

        await guest.close(mood: "happy")
        await host.close(mood: "happy")
        await host.close(mood: "happy")
        var left = try await nameplates()
        for _ in 0..<50 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(20))
            left = try await nameplates()
        }
        #expect(left.isEmpty, "the server still holds \(left) \(process?.printed() ?? [])")
    }

    @Test func aServerThatIsNotThereOrNotAMailboxIsAClearError() async throws {
        let rendezvous = WormholeRendezvous()
        let nobody = MailboxServer(endpoint: Endpoint(host: "127.0.0.1", port: SyncthingServers.freePort()))
        let down = await #expect(throws: HealthSyncError.self) {
            _ = try await rendezvous.host(on: nobody, appID: "healthsync.test", side: "aaaa", timeout: .seconds(2))
        }
        #expect(down?.code == .deviceNotFound)
        #expect(down?.hint.contains("reach.mailbox") == true)

        // An HTTP server that is no mailbox (Python's http.server): refused by name, not hung on.
        let port = SyncthingServers.freePort()
        let web = try BackgroundProcess("/usr/bin/python3", ["-u", "-c", """
            import http.server, os, signal, threading
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
            threading.Timer(20, lambda: os._exit(0)).start()
            server = http.server.HTTPServer(("127.0.0.1", \(port)), http.server.SimpleHTTPRequestHandler)
            print("ready", flush=True)
            server.serve_forever()
            """], environment: [:])
        defer { Task { _ = await web.terminate() } }
        try #require(await web.firstLine(containing: "ready") != nil)
        let notMailbox = await #expect(throws: HealthSyncError.self) {
            _ = try await rendezvous.host(on: MailboxServer(endpoint: Endpoint(host: "127.0.0.1", port: port)), appID: "healthsync.test",
                                          side: "aaaa", timeout: .seconds(3))
        }
        #expect(notMailbox?.code == .protocolError)
    }
}

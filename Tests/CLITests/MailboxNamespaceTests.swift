import Foundation
import HealthSyncTestSupport
import Testing

/// Issue #12, the guide's "Remote Pairing": a phone and a laptop on two
/// networks with no route between them; a magic-wormhole mailbox server, a
/// Syncthing relay and a Syncthing discovery server in a router namespace
/// both can reach, configured on both devices. The phone shows a code
/// `NN-847293`, the laptop types it, they pair through the relay, fetch,
/// sync and unpair; the mailbox server ends up holding no nameplate.
/// Skipped where namespaces cannot be made.
@Suite("Two networks, a mailbox and a relay", .serialized,
       .enabled(if: NetworkLab.available, NetworkLab.skipped),
       .enabled(if: SyncthingServers.installed, "needs Debian's syncthing-relaysrv and syncthing-discosrv"))
struct MailboxNamespaceTests {
    let helper = NamespaceTests()

    @Test func aPhoneAndALaptopOnTwoNetworksPairByCodeAndSyncThroughTheirServers() async throws {
        let home = try await NetworkLab(), work = try await NetworkLab(avoiding: home)
        let router = try await home.addRouter()
        try await work.plug(router: router)
        let folder = TemporaryDirectory("reach-servers")
        let inRouter = [NetworkLab.ip, "netns", "exec", router]
        let relay = try #require(try await SyncthingServers.relay(host: NetworkLab.routerService, port: 22067, folder: folder.path,
                                                                  prefix: inRouter), "strelaysrv did not start")
        defer { Task { _ = await relay.process.terminate() } }
        let discovery = try #require(try await SyncthingServers.discovery(host: NetworkLab.routerService, port: 8443, folder: folder.path,
                                                                          prefix: inRouter), "stdiscosrv did not start")
        defer { Task { _ = await discovery.process.terminate() } }
        guard let mailbox = try await MailboxServerProcess.start(host: NetworkLab.routerService, port: 4000, folder: folder.path,
                                                                 prefix: inRouter) else {
            Issue.record("the mailbox server is not installed (pip install magic-wormhole-mailbox-server in the test venv)")
            return
        }
        defer { Task { _ = await mailbox.process.terminate() } }
        #expect(mailbox.url == "ws://10.99.0.1:4000/v1")
        // What a user puts in config.yaml on both devices, as environment variables here.
        for lab in [home, work] {
            lab.extraEnvironment["HEALTHSYNC_REACH_RELAYS"] = relay.uri
            lab.extraEnvironment["HEALTHSYNC_REACH_DISCOVERY"] = discovery.url
            lab.extraEnvironment["HEALTHSYNC_REACH_MAILBOX"] = mailbox.url
        }
        let phone = try await home.addDevice("phone"), laptop = try await work.addDevice("laptop")

        let phoneDaemon = try await helper.daemon(home, phone, "Phone")
        defer { Task { _ = await phoneDaemon.terminate() } }
        let joinedRelay = await phoneDaemon.firstLine(on: .standardError, containing: #""server":"relay://10.99.0.1:22067""#)
        try #require(joinedRelay?.contains("reachServerJoined") == true,
                     "the phone's daemon did not join the relay: \(phoneDaemon.printed(on: .standardError))")
        let sharing = try home.start(phone, name: "Phone", ["pair", "--yes", "--json"])
        let shown = try #require(await sharing.listening(), "pair showed no code: \(sharing.printed(on: .standardError))")
        let code = try #require(shown["code"] as? String)
        let parts = code.split(separator: "-")
        #expect(parts.count == 2 && parts[1].count == 6, "the code \(code) is not NN-123456")
        #expect(try await MailboxServerProcess.nameplates(mailbox) == [String(parts[0])])
        // The mailbox holds where the phone is, never the digits (read from its database with sqlite3).
        let bodies = try await ProcessRunner.runDetached("/usr/bin/sqlite3", ["-readonly", "-cmd", ".timeout 3000", mailbox.channelDatabase, "SELECT body FROM messages"],
                                           environment: [:]).standardOutput
        let text = String(decoding: bodies.split(separator: "\n").compactMap { hexDecode(String($0)) }.joined(), as: UTF8.self)
        #expect(text.contains("relay://10.99.0.1:22067"), "\(text)")
        #expect(!text.contains(String(parts[1])))

        let joined = try await work.run(laptop, name: "Laptop", ["pair", "--code", code, "--json"])
        #expect(joined.status == 0, "\(joined.standardOutput)\(joined.standardError) phone: \(phoneDaemon.printed(on: .standardError))")
        #expect(await sharing.finish() == 0)
        var held = try await MailboxServerProcess.nameplates(mailbox)
        for _ in 0..<40 where !held.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            held = try await MailboxServerProcess.nameplates(mailbox)
        }
        #expect(held.isEmpty, "the mailbox server still holds \(held)")

        _ = try await home.run(phone, name: "Phone", ["samples", "import", try helper.export("69.8", in: phone.cli), "--json"])
        let fetched = try await work.run(laptop, name: "Laptop", ["fetch", "--types", "weight", "--limit", "5", "--debug-tls", "--json"])
        #expect(fetched.status == 0, "\(fetched.standardOutput)\(fetched.standardError)")
        #expect(fetched.standardOutput.contains("69.8"))
        #expect(fetched.standardError.contains("via relay://10.99.0.1:22067"), "\(fetched.standardError)")
        let synced = try await work.run(laptop, name: "Laptop", ["sync", "--json"])
        #expect(synced.status == 0, "\(synced.standardOutput)\(synced.standardError)")
        #expect(try await helper.count(laptop, value: "69.8") == 1)

        let unpaired = try await work.run(laptop, name: "Laptop", ["unpair", "--json"])
        #expect(unpaired.status == 0, "\(unpaired.standardOutput)\(unpaired.standardError)")
        try await Task.sleep(for: .milliseconds(500))
        let left = try await home.run(phone, name: "Phone", ["devices", "--json"])
        #expect(!left.standardOutput.contains("aptop"), "\(left.standardOutput)")
    }

    private func hexDecode(_ text: String) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = [], index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

import Foundation
import HealthSyncTestSupport
import Testing

/// Issue #12: a phone and a laptop on two networks with no route between
/// them, a real Syncthing relay (`strelaysrv -pools ""`) in a router
/// namespace both can reach. They pair by token through the relay, fetch
/// and sync through it, and the relay sees only their TLS. Skipped where
/// namespaces cannot be made or syncthing-relaysrv is not installed.
@Suite("Two networks and a relay", .serialized,
       .enabled(if: NetworkLab.available, NetworkLab.skipped),
       .enabled(if: SyncthingServers.installed, "needs Debian's syncthing-relaysrv and syncthing-discosrv"))
struct RelayNamespaceTests {
    let helper = NamespaceTests()

    @Test func aPhoneAndALaptopOnTwoNetworksPairAndSyncThroughARelay() async throws {
        let home = try await NetworkLab(), work = try await NetworkLab(avoiding: home)
        let router = try await home.addRouter()
        try await work.plug(router: router)
        let keys = TemporaryDirectory("relay-keys")
        let relay = try #require(try await SyncthingServers.relay(host: NetworkLab.routerService, port: 22067, folder: keys.path,
                                                                  prefix: [NetworkLab.ip, "netns", "exec", router]),
                                 "strelaysrv did not start in the router namespace")
        var running = relay.process
        defer { Task { [running] in _ = await running.terminate() } }
        home.extraEnvironment["HEALTHSYNC_REACH_RELAYS"] = relay.uri
        work.extraEnvironment["HEALTHSYNC_REACH_RELAYS"] = relay.uri
        let phone = try await home.addDevice("phone"), laptop = try await work.addDevice("laptop")

        // No route between them: the laptop cannot open a connection to the phone.
        let direct = try await work.run(laptop, name: "Laptop", ["pair", "--code", "123456", "--host", phone.ipv4!, "--json"])
        #expect(direct.status != 0)

        let phoneDaemon = try await helper.daemon(home, phone, "Phone")
        defer { Task { _ = await phoneDaemon.terminate() } }
        let joinedRelay = await phoneDaemon.firstLine(on: .standardError, containing: #""server":"relay://10.99.0.1:22067""#)
        try #require(joinedRelay?.contains("reachServerJoined") == true, "the phone's daemon did not join the relay")
        let sharing = try home.start(phone, name: "Phone", ["pair", "--yes", "--json"])
        let shown = try #require(await sharing.listening(), "pair showed no payload")
        let payload = try #require(shown["payload"] as? String)
        #expect(payload.contains(#""relay":"relay://10.99.0.1:22067/?id="#))
        let joined = try await work.run(laptop, name: "Laptop", ["pair", "--token", payload, "--json"])
        #expect(joined.status == 0, "\(joined.standardOutput)\(joined.standardError)")
        #expect(await sharing.finish() == 0)

        _ = try await home.run(phone, name: "Phone", ["samples", "import", try helper.export("71.3", in: phone.cli), "--json"])
        let fetched = try await work.run(laptop, name: "Laptop", ["fetch", "--types", "weight", "--limit", "5", "--debug-tls", "--json"])
        #expect(fetched.status == 0, "\(fetched.standardOutput)\(fetched.standardError)")
        #expect(fetched.standardOutput.contains("71.3"))
        #expect(fetched.standardError.contains("via relay://10.99.0.1:22067"), "\(fetched.standardError)")
        #expect(fetched.standardError.contains("TLSv1.3"))

        let synced = try await work.run(laptop, name: "Laptop", ["sync", "--json"])
        #expect(synced.status == 0, "\(synced.standardOutput)\(synced.standardError)")
        let status = try await work.run(laptop, name: "Laptop", ["status", "--json"])
        #expect(status.standardOutput.contains("relay://10.99.0.1:22067"), "\(status.standardOutput)")

        // The relay goes down: a clear error, and the pairing is kept.
        _ = await relay.process.terminate()
        let down = try await work.run(laptop, name: "Laptop", ["fetch", "--types", "weight", "--limit", "5", "--json"])
        #expect(down.status != 0)
        #expect(down.standardError.contains("DEVICE_NOT_FOUND") || down.standardOutput.contains("DEVICE_NOT_FOUND"))
        #expect(down.standardError.contains("relay://10.99.0.1:22067") || down.standardOutput.contains("relay://10.99.0.1:22067"))
        let devices = try await work.run(laptop, name: "Laptop", ["devices", "--json"])
        #expect(devices.standardOutput.contains("phone") || devices.standardOutput.contains("Phone"))

        // The relay comes back (same keys, same ID): the phone's daemon joins it again by itself
        // (retrying after 1 s, doubling), and the laptop reaches the phone through it once more.
        let again = try #require(try await SyncthingServers.relay(host: NetworkLab.routerService, port: 22067, folder: keys.path,
                                                                  prefix: [NetworkLab.ip, "netns", "exec", router]))
        running = again.process
        #expect(again.uri == relay.uri)
        var back = false
        for _ in 0..<30 where !back {
            try await Task.sleep(for: .milliseconds(500))
            back = try await work.run(laptop, name: "Laptop", ["fetch", "--types", "weight", "--limit", "1", "--json"]).status == 0
        }
        #expect(back, "the phone did not rejoin the relay within 15 s")

        // Unpairing tells the phone through the relay: neither keeps the other.
        let unpaired = try await work.run(laptop, name: "Laptop", ["unpair", "--json"])
        #expect(unpaired.status == 0, "\(unpaired.standardOutput)\(unpaired.standardError)")
        try await Task.sleep(for: .milliseconds(500))
        let left = try await home.run(phone, name: "Phone", ["devices", "--json"])
        #expect(!left.standardOutput.contains("Laptop") && !left.standardOutput.contains("laptop"), "\(left.standardOutput)")
        _ = await again.process.terminate()
    }
}

import Foundation
import HealthSyncTestSupport
import Testing

/// Issue #12: a phone and a laptop on two routed networks, a real Syncthing
/// global discovery server (`stdiscosrv`) in the router namespace. The
/// phone's daemon announces itself; when the phone gets a new address, the
/// laptop's known one fails and the laptop finds the phone again through
/// the discovery server, by its ID. Skipped where namespaces cannot be made.
@Suite("Two networks and a global discovery server", .serialized,
       .enabled(if: NetworkLab.available, NetworkLab.skipped),
       .enabled(if: SyncthingServers.installed, "needs Debian's syncthing-relaysrv and syncthing-discosrv"))
struct GlobalDiscoveryNamespaceTests {
    let helper = NamespaceTests()

    @Test func aLaptopFindsAPhoneThatMovedThroughGlobalDiscovery() async throws {
        let home = try await NetworkLab(), work = try await NetworkLab(avoiding: home)
        let router = try await home.addRouter()
        try await work.plug(router: router)
        let phone = try await home.addDevice("phone"), laptop = try await work.addDevice("laptop")
        try await home.route(to: work, through: router)
        let folder = TemporaryDirectory("disco")
        let server = try #require(try await SyncthingServers.discovery(host: NetworkLab.routerService, port: 8443, folder: folder.path,
                                                                       prefix: [NetworkLab.ip, "netns", "exec", router]),
                                  "stdiscosrv did not start in the router namespace")
        defer { Task { _ = await server.process.terminate() } }
        home.extraEnvironment["HEALTHSYNC_REACH_DISCOVERY"] = server.url
        work.extraEnvironment["HEALTHSYNC_REACH_DISCOVERY"] = server.url

        let phoneDaemon = try await helper.daemon(home, phone, "Phone")
        defer { Task { _ = await phoneDaemon.terminate() } }
        let sharing = try home.start(phone, name: "Phone", ["pair", "--yes", "--json"])
        let shown = try #require(await sharing.listening(), "pair showed no payload")
        let payload = try #require(shown["payload"] as? String)
        let joined = try await work.run(laptop, name: "Laptop", ["pair", "--token", payload, "--json"])
        #expect(joined.status == 0, "\(joined.standardOutput)\(joined.standardError)")
        #expect(await sharing.finish() == 0)
        _ = try await home.run(phone, name: "Phone", ["samples", "import", try helper.export("72.4", in: phone.cli), "--json"])

        let phoneID = try await syncthingID(of: phone, in: home)
        // A new lease: the phone is at another address, which the daemon announces within a second or two.
        let moved = try await home.renumber(phone, to: 77)
        var announced = false, answer = ""
        for _ in 0..<20 where !announced {
            try await Task.sleep(for: .milliseconds(500))
            let seen = try await ProcessRunner.runDetached(NetworkLab.ip, ["netns", "exec", laptop.namespace, "/usr/bin/curl", "-sk", "--max-time", "2",
                                                             server.url.components(separatedBy: "?")[0] + "?device=" + phoneID], environment: [:])
            answer = seen.standardOutput + seen.standardError
            announced = answer.contains("tcp://\(moved):")
        }
        #expect(announced, "the discovery server (asked with curl) does not know the phone's new address \(moved): \(answer) \(phoneDaemon.printed(on: .standardError))")

        let fetched = try await work.run(laptop, name: "Laptop", ["fetch", "--types", "weight", "--limit", "5", "--json"])
        #expect(fetched.status == 0, "\(fetched.standardOutput)\(fetched.standardError)")
        #expect(fetched.standardOutput.contains("72.4"))
        #expect(fetched.standardError.contains(#""reached":"\#(moved):8443","source":"global_discovery""#),
                "\(fetched.standardError)")
        let devices = try await work.run(laptop, name: "Laptop", ["devices", "--json"])
        #expect(devices.standardOutput.contains("\(moved):"), "\(devices.standardOutput)")
    }

    /// The phone's Syncthing-form ID, as the discovery server files it (`status --json`).
    func syncthingID(of device: NetworkLab.Device, in lab: NetworkLab) async throws -> String {
        let status = try await ProcessRunner.runDetached(CLI.binary, ["status", "--offline", "--json"], environment: lab.environment(device, name: "Phone"))
        let json = try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any]
        return try #require(json?["reachID"] as? String, "status --json does not say the Syncthing ID: \(status.standardOutput)")
    }
}

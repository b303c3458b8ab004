import Foundation
import HealthSyncTestSupport
import Testing

/// DNS-SD over multicast DNS (issue #11) with the built binary and
/// python-zeroconf, inside a network namespace the test makes (multicast
/// on its loopback only: nothing leaves it), so that both bind 5353 side by
/// side as they would beside avahi-daemon.
@Suite("Multicast DNS", .serialized,
       .enabled(if: NetworkLab.available, NetworkLab.skipped))
struct MulticastDNSTests {
    static let ip = "/usr/sbin/ip"

    /// python-zeroconf's interpreter, from the venv `scripts/test.sh` makes.
    var python: String {
        get throws {
            let path = ProcessInfo.processInfo.environment["HEALTHSYNC_TEST_PYTHON"] ?? ""
            return try #require(FileManager.default.isExecutableFile(atPath: path) ? path : nil,
                                "run the tests with `bash scripts/test.sh`: it installs python-zeroconf in .venv-test")
        }
    }

    /// A fresh namespace whose loopback carries multicast.
    final class Namespace {
        let name = "hs-mdns-\(UUID().uuidString.prefix(8).lowercased())"

        init() throws {
            for arguments in [["netns", "add", name], ["netns", "exec", name, ip, "link", "set", "lo", "up"],
                              ["netns", "exec", name, ip, "link", "set", "lo", "multicast", "on"],
                              ["netns", "exec", name, ip, "route", "add", "224.0.0.0/4", "dev", "lo"]] {
                let result = try ProcessRunner.run(MulticastDNSTests.ip, arguments, environment: [:])
                guard result.status == 0 else { throw CocoaError(.featureUnsupported) }
            }
        }

        /// `command` run inside the namespace.
        func wrap(_ command: [String]) -> [String] { ["netns", "exec", name] + command }

        deinit { _ = try? ProcessRunner.run(MulticastDNSTests.ip, ["netns", "delete", name], environment: [:]) }
    }

    @Test func zeroconfSeesTheDaemonAndDiscoverSeesAZeroconfService() async throws {
        let python = try python
        let namespace = try Namespace()
        let cli = CLI()
        var environment = cli.environment
        environment["HEALTHSYNC_DISCOVERY_ADAPTER"] = "mdns"
        environment["HEALTHSYNC_DISCOVERY_PORT"] = "5353"
        environment["HEALTHSYNC_DISCOVERY_TARGETS"] = nil
        let daemon = try BackgroundProcess(Self.ip, namespace.wrap([
            CLI.binary, "daemon", "--state-dir", cli.home.file("phone"), "--port", "0", "--api-port", "0", "--json",
        ]), environment: environment.merging(["HEALTHSYNC_DEVICE_NAME": "Phone 1"]) { $1 })
        let started = try #require(await daemon.firstLine(), "the daemon printed nothing")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(started.utf8)) as? [String: Any])
        let deviceID = try #require(report["deviceID"] as? String), port = try #require(report["port"] as? Int)
        #expect(report["discovery"] as? String == "224.0.0.251:5353")

        // python-zeroconf, beside the daemon on 5353, finds it with its TXT record.
        let browsed = try await ProcessRunner.runDetached(Self.ip, namespace.wrap([python, Fixtures.path("scripts/zeroconf_peer.py"),
                                                                                   "browse", "3"]), environment: [:])
        let document = try JSONSerialization.jsonObject(with: Data(browsed.standardOutput.utf8)) as? [String: Any]
        let services = try #require(document?["services"] as? [[String: Any]], "\(browsed.standardOutput)\(browsed.standardError)")
        let phone = try #require(services.first { $0["name"] as? String == "Phone 1._healthsync._tcp.local." }, "\(services)")
        #expect(phone["port"] as? Int == port)
        let properties = try #require(phone["properties"] as? [String: String])
        #expect(properties == ["v": "1", "id": deviceID, "ver": "1.0.0"])

        // A service zeroconf announces as the iOS app does is found by `discover`.
        let iPhoneID = "SHA256:" + String(repeating: "ab", count: 32)
        let registered = try BackgroundProcess(Self.ip, namespace.wrap([python, Fixtures.path("scripts/zeroconf_peer.py"),
                                                                         "register", "Test iPhone", iPhoneID, "8443", "10"]),
                                               environment: [:])
        #expect(await registered.firstLine(containing: "registered") != nil)
        let discovered = try await ProcessRunner.runDetached(Self.ip, namespace.wrap([
            CLI.binary, "discover", "--state-dir", cli.home.file("laptop"), "--timeout", "1500", "--json",
        ]), environment: environment)
        let found = try #require(discovered.json?["found"] as? [[String: Any]], "\(discovered.standardOutput)")
        #expect(found.contains { $0["deviceID"] as? String == deviceID && $0["address"] as? String == "127.0.0.1:\(port)" })
        #expect(found.contains { $0["deviceID"] as? String == iPhoneID && $0["name"] as? String == "Test iPhone" })
        _ = await registered.terminate()

        // A code without an address: the daemon's records say a session is open, and the joiner finds it.
        let pairing = try BackgroundProcess(Self.ip, namespace.wrap([
            CLI.binary, "pair", "--state-dir", cli.home.file("phone"), "--yes", "--json",
        ]), environment: environment)
        let shown = try #require(await pairing.listening(), "pair showed no code")
        let code = try #require(shown["code"] as? String)
        try await Task.sleep(for: .seconds(1))
        let joined = try await ProcessRunner.runDetached(Self.ip, namespace.wrap([
            CLI.binary, "pair", "--state-dir", cli.home.file("laptop"), "--code", code, "--json",
        ]), environment: environment)
        #expect(joined.status == 0, "\(joined.standardOutput)\(joined.standardError)")
        #expect(joined.json?["deviceID"] as? String == deviceID)
        #expect(await pairing.finish() == 0)

        // Stopping says goodbye: zeroconf no longer lists it.
        #expect(await daemon.terminate() == 0)
        let after = try await ProcessRunner.runDetached(Self.ip, namespace.wrap([python, Fixtures.path("scripts/zeroconf_peer.py"),
                                                                                 "browse", "2"]), environment: [:])
        #expect(!after.standardOutput.contains("Phone 1"), "\(after.standardOutput)")
    }
}

import Foundation
import HealthSyncDomain
import HealthSyncTestSupport
import Testing

/// A relay that terminates TLS itself (`hostile_relay.py`: it is joined and
/// asked like a real relay, then answers every relayed session with its own
/// certificate). Pairing by token through it fails the pinned CA
/// (`FINGERPRINT_MISMATCH`) and nothing is issued on either side. All on
/// 127.0.0.1: the sharing device listens on 127.0.0.1 and advertises
/// 127.0.0.2, where nothing answers, so the joiner has to use the relay.
@Suite("A hostile relay")
struct HostileRelayTests {
    @Test func aRelayThatTerminatesTLSGetsNothing() async throws {
        let folder = TemporaryDirectory("hostile-relay")
        let cert = folder.file("cert.pem"), key = folder.file("key.pem")
        let made = try await ProcessRunner.runDetached("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                                              "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=relay", "-days", "2"],
                                         environment: [:])
        try #require(made.status == 0, "\(made.standardError)")
        let printed = try await ProcessRunner.runDetached("/usr/bin/openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", cert],
                                            environment: [:]).standardOutput
        let hex = printed.split(separator: "=").last!.replacingOccurrences(of: ":", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
        let fingerprint = try #require(SHA256Fingerprint(parsing: hex))
        let id = SyncthingDeviceID(certificateFingerprint: fingerprint)
        let port = SyncthingServers.freePort(), sessionPort = SyncthingServers.freePort()
        let relay = try BackgroundProcess("/usr/bin/python3", [Fixtures.path("scripts/hostile_relay.py"), cert, key, "\(port)", "\(sessionPort)"],
                                          environment: [:])
        try #require(await relay.firstLine(containing: "ready") != nil, "the hostile relay did not start")
        let uri = "relay://127.0.0.1:\(port)/?id=\(id)"
        let relayed = ["HEALTHSYNC_REACH_RELAYS": uri, "HEALTHSYNC_TRANSPORT_LISTEN_HOST": "127.0.0.1"]

        let phone = CLI(), laptop = CLI()
        let sharing = try BackgroundProcess(CLI.binary, ["share", "--yes", "--once", "--port", "0", "--advertise", "127.0.0.2", "--json"],
                                            environment: phone.environment.merging(relayed) { $1 })
        let shown = try #require(await sharing.listening(), "share showed no payload: \(sharing.printed(on: .standardError))")
        let payload = try #require(shown["payload"] as? String)
        #expect(payload.contains(uri))
        try await Task.sleep(for: .seconds(1))  // the sharing side joined the (hostile) relay

        let joined = try await laptop.run(["pair", "--token", payload, "--json"], environment: relayed)
        #expect(joined.status != 0)
        #expect((joined.standardOutput + joined.standardError).contains("FINGERPRINT_MISMATCH"), "\(joined.standardOutput)\(joined.standardError)")
        // The relay did get a session and a TLS handshake: it was used, and got nothing from it.
        try await Task.sleep(for: .milliseconds(500))
        #expect(relay.printed().last?.contains("sessions=0") == false)
        let laptopDevices = try await laptop.run(["devices", "--json"])
        #expect(!laptopDevices.standardOutput.contains("deviceID"), "\(laptopDevices.standardOutput)")
        _ = await sharing.terminate()
        let phoneDevices = try await phone.run(["devices", "--json"])
        #expect(!phoneDevices.standardOutput.contains("deviceID"), "\(phoneDevices.standardOutput)")
        _ = await relay.terminate()
    }
}

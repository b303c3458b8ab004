import Foundation
import HealthSyncTestSupport
import Testing

/// The daemon's control API with the built binary: `pair` through it,
/// `status` and `unpair` asking it, the token, and a daemon that is not there.
@Suite("Daemon and control API", .serialized)
struct DaemonTests {
    /// `daemon` on ports the OS picks; returns it and its first JSON line.
    func daemon(_ cli: CLI, state: String) async throws -> (BackgroundProcess, [String: Any]) {
        let process = try BackgroundProcess(CLI.binary, ["daemon", "--state-dir", state, "--port", "0", "--api-port", "0",
                                                         "--discovery-port", "0", "--advertise", "127.0.0.1", "--json"],
                                            environment: cli.environment.merging(["HEALTHSYNC_DEVICE_NAME": "phone"]) { $1 })
        let line = try #require(await process.firstLine(), "daemon printed nothing")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return (process, object)
    }

    @Test func pairThroughTheDaemonThenStatusScanAndUnpair() async throws {
        let cli = CLI()
        let sharer = cli.home.file("sharer")
        let (daemon, started) = try await daemon(cli, state: sharer)
        let api = try #require(started["api"] as? String)
        let port = try #require(started["port"] as? Int)
        #expect(api.hasPrefix("127.0.0.1:"))

        // daemon.json and api.token are private to the user.
        let attributes = try FileManager.default.attributesOfItem(atPath: sharer + "/api.token")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let record = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: sharer + "/daemon.json"))) as? [String: Any])
        #expect((record["api"] as? [String: Any])?["port"] as? Int == Int(api.split(separator: ":")[1]))

        let png = cli.home.file("pairing.png")
        let pairing = try BackgroundProcess(CLI.binary, ["pair", "--state-dir", sharer, "--yes", "--qr-png", png, "--json"],
                                            environment: cli.environment)
        let shown = try #require(await pairing.listening(), "pair showed no code")
        let code = try #require(shown["code"] as? String)
        #expect(shown["advertised"] as? String == "127.0.0.1:\(port)")

        // zbarimg, written by others, reads the PNG back to the exact payload.
        let decoded = try await ProcessRunner.runDetached("/usr/bin/zbarimg", ["--nodbus", "-q", "--raw", png], environment: ["PATH": "/usr/bin:/bin"])
        #expect(decoded.status == 0)
        #expect(decoded.standardOutput.trimmingCharacters(in: .newlines) == shown["payload"] as? String,
                "zbarimg printed \(decoded.standardOutput.debugDescription) \(decoded.standardError.debugDescription) for \(shown)")

        let joined = try await cli.run("pair", "--code", code, "--host", "127.0.0.1:\(port)", "--json")
        #expect(joined.status == 0, "\(joined.standardOutput)\(joined.standardError)")
        #expect(await pairing.finish() == 0)
        // One JSON document on standard output: the pairing.
        let document = pairing.printed().joined(separator: "\n")
        let paired = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any], "\(document)")
        #expect(paired["deviceID"] != nil && paired["code"] == nil)

        // The joiner's status dials the sharer live; the sharer's status comes from its daemon.
        let joinerStatus = try await cli.json("status")
        let live = try #require(joinerStatus["live"] as? [String: Any])
        #expect(live["reachable"] as? Bool == true)
        #expect(live["address"] as? String == "127.0.0.1:\(port)")
        let sharerStatus = try await cli.json("status", "--state-dir", sharer)
        #expect((sharerStatus["daemon"] as? [String: Any])?["pid"] as? Int != nil)
        #expect(sharerStatus["live"] == nil)

        // `config set server.host/port` is where the next fetch goes first: a
        // preference, not a prison. When nothing answers there, the address
        // that worked before does, and the command says so.
        _ = try await cli.json("config", "set", "server.host", "127.0.0.1")
        _ = try await cli.json("config", "set", "server.port", "1")
        let moved = try await cli.run("fetch", "--types", "steps", "--json")
        #expect(moved.status == 0, "\(moved.standardOutput)\(moved.standardError)")
        #expect(moved.standardError.contains(#""event":"peerMoved""#) && moved.standardError.contains("127.0.0.1:\(port)"),
                "\(moved.standardError)")
        let plain = try await cli.run("fetch", "--types", "steps", "--limit", "1")
        #expect(plain.standardError.contains("did not answer at 127.0.0.1:1; reached it at 127.0.0.1:\(port)"), "\(plain.standardError)")
        // An explicit --host wins for one command: no other address is tried.
        #expect(try await cli.run("fetch", "--types", "steps", "--host", "127.0.0.1:1", "--json").errorCode == "DEVICE_NOT_FOUND")
        _ = try await cli.json("config", "set", "server.port", String(port))
        #expect(try await cli.run("fetch", "--types", "steps", "--json").status == 0)

        // `discover`, probing only the loopback: the phone answers, is paired, and (--verbose) is dialled.
        let discoveryPort = try #require((started["discovery"] as? String)?.split(separator: ":").last.map(String.init))
        let discovered = try await cli.json("discover", "--address", "127.0.0.1:\(discoveryPort)", "--verbose")
        let found = try #require((discovered["found"] as? [[String: Any]])?.first)
        #expect(found["name"] as? String == "phone")
        #expect(found["address"] as? String == "127.0.0.1:\(port)")
        #expect(found["paired"] as? Bool == true)
        let dialled = try #require((discovered["paired"] as? [[String: Any]])?.first?["check"] as? [String: Any])
        #expect(dialled["reachable"] as? Bool == true)
        let nobody = try await cli.json("discover", "--address", "127.0.0.1:1", "--timeout", "100")
        #expect((nobody["found"] as? [Any])?.isEmpty == true)

        // --debug-tls shows what was negotiated and how the chain was judged.
        // As guide 001 writes it: no --types (every shared type).
        let debug = try await cli.run("fetch", "--debug-tls")
        #expect(debug.status == 0)
        for line in ["Protocol: TLSv1.3", "Cipher:   TLS_", "ALPN:     healthsync/1", " 0 s:healthsync-server",
                     " 1 s:healthsync-ca", "Verify return code: 0 (ok)", "Trust: OK"] {
            #expect(debug.standardError.contains(line), "\(line) missing from \(debug.standardError)")
        }

        // The same QR, scanned from the image by another device, is spent.
        let rescanned = try await cli.run("scan", "--image", png, "--state-dir", cli.home.file("third"), "--json")
        #expect(rescanned.errorCode == "PAIRING_TOKEN_EXPIRED")

        // Unpairing on the sharer goes through its daemon, which tells the joiner nothing (it has no listener).
        let unpaired = try await cli.json("unpair", "--state-dir", sharer)
        #expect((unpaired["devices"] as? [[String: Any]])?.count == 1)
        let refused = try await cli.run("fetch", "--types", "steps", "--json")
        #expect(["CERT_REVOKED", "NO_CLIENT_CERTIFICATE", "DEVICE_NOT_FOUND"].contains(refused.errorCode ?? ""),
                "\(refused.standardOutput)")
        #expect(refused.status != 0)

        // SIGTERM: a graceful stop that withdraws daemon.json.
        #expect(await daemon.terminate() == 0)
        #expect(!FileManager.default.fileExists(atPath: sharer + "/daemon.json"))
    }

    @Test func scanReadsThePayloadFromStandardInputAndRefusesGarbage() async throws {
        let cli = CLI()
        let sharer = cli.home.file("sharer")
        let (daemon, _) = try await daemon(cli, state: sharer)
        let pairing = try BackgroundProcess(CLI.binary, ["pair", "--state-dir", sharer, "--yes", "--json"],
                                            environment: cli.environment)
        let shown = try #require(await pairing.listening(), "pair showed no code")
        let payload = try #require(shown["payload"] as? String)

        let garbage = try await ProcessRunner.runDetached(CLI.binary, ["scan", "--json"], environment: cli.environment,
                                            standardInput: "not a payload\n")
        #expect(garbage.errorCode == "INVALID_QR_PAYLOAD")
        let image = cli.home.file("not.png")
        try Data("GIF89a".utf8).write(to: URL(fileURLWithPath: image))
        #expect(try await cli.run("scan", "--image", image, "--json").errorCode == "INVALID_QR_PAYLOAD")
        #expect(try await cli.run("scan", "--image", cli.home.file("missing.png"), "--json").errorCode == "INVALID_ARGUMENT")

        let scanned = try await ProcessRunner.runDetached(CLI.binary, ["scan", "--json"], environment: cli.environment,
                                                          standardInput: "\n  \(payload)  \n")
        #expect(scanned.status == 0, "\(scanned.standardOutput)\(scanned.standardError)")
        #expect(scanned.json?["deviceID"] as? String == shown["deviceID"] as? String)
        #expect(await pairing.finish() == 0)
        #expect(await daemon.terminate() == 0)
    }

    @Test func theTokenIsRequiredAndCheckedByEveryRouteButHealth() async throws {
        let cli = CLI()
        let (daemon, started) = try await daemon(cli, state: cli.state)
        let api = try #require(started["api"] as? String)
        let token = try String(contentsOfFile: cli.state + "/api.token", encoding: .utf8)
            .trimmingCharacters(in: .newlines)
        #expect(token.count == 64)

        func curl(_ arguments: [String]) async throws -> (status: String, body: String) {
            let result = try await ProcessRunner.runDetached(
                "/usr/bin/curl", ["-s", "-o", "-", "-w", "\n%{http_code}", "--max-time", "5"] + arguments, environment: ["PATH": "/usr/bin:/bin"])
            let lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
            return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n"))
        }
        #expect(try await curl(["http://\(api)/health"]).status == "200")
        for (method, path) in [("GET", "/status"), ("POST", "/pair/initiate"), ("GET", "/pair/pending"),
                               ("POST", "/pair/cancel"), ("GET", "/devices"), ("DELETE", "/devices/x")] {
            let missing = try await curl(["-X", method, "http://\(api)\(path)"])
            #expect(missing.status == "401", "\(method) \(path)")
            #expect(missing.body.contains("API_UNAUTHORIZED"))
            let wrong = try await curl(["-X", method, "-H", "X-HealthSync-Token: \(String(token.reversed()))",
                                        "http://\(api)\(path)"])
            #expect(wrong.status == "401", "\(method) \(path)")
        }
        let pending = try await curl(["-H", "X-HealthSync-Token: \(token)", "http://\(api)/pair/pending"])
        #expect(pending.status == "200")
        #expect(pending.body.contains("\"state\":\"idle\""))
        let initiated = try await curl(["-X", "POST", "-H", "X-HealthSync-Token: \(token)", "http://\(api)/pair/initiate"])
        #expect(initiated.body.contains("\"code\":\""))
        let busy = try await curl(["-X", "POST", "-H", "X-HealthSync-Token: \(token)", "http://\(api)/pair/initiate"])
        #expect(busy.status == "409")
        #expect(busy.body.contains("PAIRING_BUSY"))
        let cancelled = try await curl(["-X", "POST", "-H", "X-HealthSync-Token: \(token)", "http://\(api)/pair/cancel"])
        #expect(cancelled.status == "200")
        let garbage = try await curl(["-X", "POST", "-H", "X-HealthSync-Token: \(token)", "--data", "{accept",
                                      "http://\(api)/pair/respond"])
        #expect(garbage.status == "400")
        #expect(await daemon.terminate() == 0)
    }

    @Test func withoutADaemonPairSaysSoWithTheGuidesHint() async throws {
        let cli = CLI()
        let result = try await cli.run("pair", "--json")
        #expect(result.errorCode == "DAEMON_UNREACHABLE")
        #expect(result.status == 6)
        #expect(result.standardOutput.contains("healthsync daemon"))
        let text = try await cli.run("pair")
        #expect(text.standardError.contains("Failed to connect to daemon") || text.standardOutput.contains("Failed to connect to daemon"))
    }

    /// Another process listening on the API port while no daemon runs (the
    /// token thief of issue #10) hears nothing: the CLI dials only the
    /// socket in the private state directory. A second daemon is refused.
    @Test func aListenerOnTheAPIPortNeverSeesTheToken() async throws {
        let cli = CLI()
        let (daemon, started) = try await daemon(cli, state: cli.state)
        let second = try await cli.run("daemon", "--port", "0", "--api-port", "0", "--discovery-port", "0", "--json")
        #expect(second.errorCode == "DAEMON_ALREADY_RUNNING", "\(second.standardOutput)")
        #expect(FileManager.default.fileExists(atPath: cli.state + "/daemon.json"))
        #expect(await daemon.terminate() == 0)
        let apiPort = try #require((started["api"] as? String)?.split(separator: ":").last.map(String.init))
        let heard = cli.home.file("heard.txt")
        let rogue = try BackgroundProcess("/usr/bin/python3", ["-c", """
            import socket, sys
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", \(apiPort))); s.listen(8); s.settimeout(6)
            print("ready", flush=True)
            out = open(sys.argv[1], "wb")
            try:
                while True:
                    c, _ = s.accept(); c.settimeout(1)
                    try: out.write(c.recv(65536) or b"-"); out.flush()
                    except Exception: pass
                    c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\n{}'); c.close()
            except socket.timeout: pass
            """, heard], environment: ["PATH": "/usr/bin:/bin"])
        #expect(await rogue.firstLine() == "ready")
        let environment = ["HEALTHSYNC_API_PORT": apiPort]
        for command in [["status"], ["pair"], ["unpair", "phone"], ["devices"]] {
            let result = try await cli.run(command + ["--json"], environment: environment)
            #expect(result.json != nil, "\(command): \(result.standardOutput)")
            #expect(!result.standardOutput.contains("revoked"), "\(command)")
        }
        _ = await rogue.terminate()
        let token = try String(contentsOfFile: cli.state + "/api.token", encoding: .utf8).trimmingCharacters(in: .newlines)
        let captured = (try? String(contentsOfFile: heard, encoding: .utf8)) ?? ""
        #expect(!captured.contains(token) && captured.isEmpty, "the listener heard: \(captured.prefix(200))")
    }
}

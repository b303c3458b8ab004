import Foundation
import HealthSyncTestSupport
import Testing

/// Two `healthsync` processes with their own state folders pair over real
/// TLS 1.3 on 127.0.0.1 and the joiner fetches.
@Suite("Two processes", .serialized)
struct TwoProcessTests {
    /// `share --once --yes` on a port the OS picks; returns the code it shows (a JSON event line).
    func share(_ cli: CLI, state: String) async throws -> (BackgroundProcess, [String: Any]) {
        let process = try BackgroundProcess(CLI.binary, ["share", "--state-dir", state, "--port", "0", "--advertise", "127.0.0.1",
                                                         "--yes", "--once", "--json"], environment: cli.environment)
        let object = try #require(await process.listening(), "share showed no code")
        return (process, object)
    }

    @Test(arguments: ["code", "token"])
    func pairThenFetchThenUnpair(_ path: String) async throws {
        let cli = CLI()
        let sharer = cli.home.file("sharer"), joiner = cli.state
        _ = try await cli.json("samples", "generate", "--days", "1", "--state-dir", sharer)
        // Mjboothaus/duckdb-apple-health test/data/export.xml (MIT © 2026 DataBooth): kinds schema 1 lacks.
        _ = try await cli.json("samples", "import", Fixtures.path("apple-health") + "/duckdb-apple-health/export.xml",
                               "--state-dir", sharer)
        let (process, shown) = try await share(cli, state: sharer)
        let port = try #require(shown["port"] as? Int)
        let host = "127.0.0.1:\(port)"
        let joined = path == "code"
            ? try await cli.run("pair", "--code", try #require(shown["code"] as? String), "--host", host, "--json")
            : try await cli.run("pair", "--token", try #require(shown["payload"] as? String), "--json")
        #expect(joined.status == 0, "\(joined.standardOutput)\(joined.standardError)")
        #expect(joined.json?["deviceID"] as? String == shown["deviceID"] as? String)
        #expect(await process.finish() == 0)
        // `share --json --once` prints one JSON document: the device it paired with.
        let document = process.printed().joined(separator: "\n")
        let paired = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any], "\(document)")
        #expect(paired["name"] != nil && paired["code"] == nil)

        let daemon = try BackgroundProcess(CLI.binary, ["daemon", "--state-dir", sharer, "--port", String(port), "--api-port", "0", "--discovery-port", "0", "--json"],
                                           environment: cli.environment)
        #expect(await daemon.firstLine() != nil)
        let fetched = try await cli.json("fetch", "--types", "steps,heartRate", "--limit", "20")
        #expect((fetched["samples"] as? [[String: Any]])?.count == 20)
        let csv = try await cli.run("fetch", "--types", "weight", "--limit", "1", "--format", "csv")
        #expect(csv.standardOutput.hasPrefix("id,type,value,unit,startDate,endDate,sourceName,sourceVersion,device,"
                                             + "creationDate,utcOffsetMinutes,text,metadata,details\n"))
        // sync copies what the sharer holds into the joiner's store, then finds nothing new.
        let synced = try await cli.json("sync")
        #expect(((synced["devices"] as? [[String: Any]])?.first?["received"] as? Int ?? 0) >= 155)
        #expect((try await cli.json("sync")["devices"] as? [[String: Any]])?.first?["received"] as? Int == 0)
        let devices = try await cli.json("devices", "--state-dir", sharer)
        #expect((devices["devices"] as? [[String: Any]])?.first?["role"] as? String == "joined")

        // Guide 001's s_client command, verbatim, in the folder `cert export` wrote.
        let exported = cli.home.file("exported")
        _ = try await cli.json("cert", "export", "--output", exported)
        let inspected = try await ProcessRunner.runDetached(
            "/usr/bin/openssl", ["s_client", "-connect", host, "-cert", "client.pem", "-key", "client-key.pem",
                                 "-CAfile", "ca.pem", "-showcerts"],
            environment: ["PATH": "/usr/bin:/bin"], directory: exported, standardInput: "")
        #expect(inspected.standardOutput.contains("Verify return code: 0 (ok)"), "\(inspected.standardOutput.suffix(300))")

        // curl as an older peer (no `schema=2`): the 31 types it knows and their fields only; as a new one: everything.
        func get(_ path: String) async throws -> [String: Any] {
            let result = try await ProcessRunner.runDetached(
                "/usr/bin/curl", ["-sk", "--max-time", "5", "--cert", "client.pem", "--key", "client-key.pem",
                                  "https://\(host)\(path)"],
                environment: ["PATH": "/usr/bin:/bin"], directory: exported)
            return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
                                "\(result.standardOutput)")
        }
        let asked = "/api/v1/health/data?types=heartRate,activitySummary,bloodPressure&limit=100"
        let old = try #require(try await get(asked)["samples"] as? [[String: Any]])
        #expect(!old.isEmpty && old.allSatisfy { $0["type"] as? String == "heartRate" && $0["sourceVersion"] == nil })
        let new = try #require(try await get(asked + "&schema=2")["samples"] as? [[String: Any]])
        #expect(Set(new.compactMap { $0["type"] as? String }) == ["heartRate", "activitySummary", "bloodPressure"])
        #expect(new.contains { $0["sourceVersion"] != nil && $0["utcOffsetMinutes"] != nil })
        let status = try await get("/api/v1/status")
        #expect((status["sharedTypes"] as? [String])?.count == 31)
        #expect(((status["allSharedTypes"] as? [String])?.count ?? 0) > 31)

        let unpaired = try await cli.json("unpair")
        #expect((unpaired["devices"] as? [[String: Any]])?.first?["notified"] as? Bool == true)
        #expect((try await cli.json("devices", "--state-dir", sharer)["devices"] as? [Any])?.isEmpty == true)
        // The revoked certificate, presented by curl: refused, and the daemon's log says so and why.
        let refused = try await ProcessRunner.runDetached(
            "/usr/bin/curl", ["-sk", "--max-time", "5", "--cert", "client.pem", "--key", "client-key.pem",
                              "https://\(host)/api/v1/status"],
            environment: ["PATH": "/usr/bin:/bin"], directory: exported)
        #expect(refused.standardOutput.contains("CERT_REVOKED") || refused.standardOutput.contains("NOT_PAIRED"),
                "\(refused.standardOutput)")
        #expect(await daemon.terminate() == 0)
        let log = daemon.printed(on: .standardError).joined(separator: "\n")
        #expect(log.contains("info healthsync.daemon") && log.contains("samples served"), "\(log.suffix(800))")
        #expect(log.contains("warning healthsync.daemon") && log.contains("request refused"), "\(log.suffix(800))")
        let payload = try #require(shown["payload"] as? String)
        #expect(!log.contains("PRIVATE KEY") && !log.contains(payload))
    }

    /// Secrets stay out of the process list: `--code` with no value asks for it.
    /// `--token` takes the whole line `pair` shows, even wrapped by a chat app.
    @Test func secretsAreAskedForAndWholeCommandLinesAreAccepted() async throws {
        let cli = CLI()
        let (first, shown) = try await share(cli, state: cli.home.file("sharer"))
        let port = try #require(shown["port"] as? Int), code = try #require(shown["code"] as? String)
        let asked = try await ProcessRunner.runDetached(CLI.binary, ["pair", "--code", "--host", "127.0.0.1:\(port)", "--json"],
                                                        environment: cli.environment, standardInput: code + "\n")
        #expect(asked.status == 0, "\(asked.standardOutput)\(asked.standardError)")
        #expect(asked.standardError.hasPrefix("Pairing code: "))
        #expect(await first.finish() == 0)

        let (second, again) = try await share(cli, state: cli.home.file("sharer2"))
        let payload = try #require(again["payload"] as? String)
        // As pasted from a chat: the command line `pair` shows, broken across lines mid-payload.
        let middle = payload.index(payload.startIndex, offsetBy: payload.count / 2)
        let pasted = "healthsync pair --token '\(payload[..<middle])\n  \(payload[middle...])'"
        let joined = try await cli.run("pair", "--token", pasted, "--json")
        #expect(joined.status == 0, "\(joined.standardOutput)\(joined.standardError)")
        #expect(await second.finish() == 0)
        #expect((try await cli.json("devices")["devices"] as? [Any])?.count == 2)
    }

    /// The listener is dual-stack by default: an IPv6 literal in brackets
    /// pairs, fetches, and is remembered as the address that worked.
    @Test func pairAndFetchOverIPv6() async throws {
        let cli = CLI()
        let sharer = cli.home.file("sharer")
        _ = try await cli.json("samples", "generate", "--days", "1", "--state-dir", sharer)
        let process = try BackgroundProcess(CLI.binary, ["share", "--state-dir", sharer, "--port", "0", "--advertise", "::1",
                                                         "--yes", "--once", "--json"], environment: cli.environment)
        let shown = try #require(await process.listening(), "share showed no code")
        let port = try #require(shown["port"] as? Int)
        #expect(shown["advertised"] as? String == "[::1]:\(port)")
        let joined = try await cli.run("pair", "--code", try #require(shown["code"] as? String), "--host", "[::1]:\(port)", "--json")
        #expect(joined.status == 0, "\(joined.standardOutput)\(joined.standardError)")
        #expect(await process.finish() == 0)
        let daemon = try BackgroundProcess(CLI.binary, ["daemon", "--state-dir", sharer, "--port", String(port), "--api-port", "0",
                                                        "--discovery-port", "0", "--json"], environment: cli.environment)
        #expect(await daemon.firstLine() != nil)
        // Over IPv4 too, on the same dual-stack listener.
        let v6 = try await cli.json("fetch", "--types", "steps", "--limit", "3", "--host", "[::1]:\(port)")
        #expect((v6["samples"] as? [[String: Any]])?.count == 3)
        let v4 = try await cli.json("fetch", "--types", "steps", "--limit", "3", "--host", "127.0.0.1:\(port)")
        #expect((v4["samples"] as? [[String: Any]])?.count == 3)
        #expect(await daemon.terminate() == 0)
    }

    @Test func unreachableAndSilentDevicesHaveTheirCodes() async throws {
        let cli = CLI()
        let sharer = cli.home.file("sharer")
        let (process, shown) = try await share(cli, state: sharer)
        let port = try #require(shown["port"] as? Int)
        let paired = try await cli.run("pair", "--code", try #require(shown["code"] as? String), "--host", "127.0.0.1:\(port)")
        #expect(paired.status == 0)
        _ = await process.finish()

        // Nothing listens there any more.
        let refused = try await cli.run("fetch", "--types", "steps", "--json")
        #expect(refused.status == 4)
        #expect(refused.errorCode == "DEVICE_NOT_FOUND")

        // Something accepts TCP but never speaks TLS.
        let silent = try SilentListener()
        let timedOut = try await cli.run("fetch", "--types", "steps", "--host", "127.0.0.1:\(silent.port)", "--timeout", "300", "--json")
        #expect(timedOut.errorCode == "ETIMEDOUT")
        #expect(timedOut.status == 4)
        let wrong = try await cli.run("pair", "--code", "12345", "--host", "127.0.0.1:1", "--json")
        #expect(wrong.errorCode == "INVALID_PAIRING_CODE")
        #expect(wrong.status == 2)
    }
}

/// A TCP socket on 127.0.0.1 that completes connections (through the
/// backlog) but never reads or writes.
final class SilentListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        try #require(bound == 0 && listen(descriptor, 8) == 0)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

@Suite("Guide 001's errors over the wire", .serialized)
struct WireErrorTests {
    /// A paired joiner (the CLI's state) and the sharer's daemon on `port`.
    func pairedWithDaemon(_ cli: CLI) async throws -> (daemon: BackgroundProcess, port: Int, sharer: String) {
        let sharer = cli.home.file("sharer")
        let share = try BackgroundProcess(CLI.binary, ["share", "--state-dir", sharer, "--port", "0", "--advertise", "127.0.0.1",
                                                       "--yes", "--once", "--json"], environment: cli.environment)
        let shown = try #require(await share.listening())
        let port = try #require(shown["port"] as? Int)
        #expect(try await cli.run("pair", "--code", try #require(shown["code"] as? String), "--host", "127.0.0.1:\(port)").status == 0)
        _ = await share.finish()
        let daemon = try BackgroundProcess(CLI.binary, ["daemon", "--state-dir", sharer, "--port", String(port), "--api-port", "0", "--discovery-port", "0", "--json"],
                                           environment: cli.environment)
        _ = await daemon.firstLine()
        return (daemon, port, sharer)
    }

    @Test func strictHostRefusesAnAddressTheCertificateDoesNotName() async throws {
        let cli = CLI()
        let (daemon, port, _) = try await pairedWithDaemon(cli)
        let lenient = try await cli.run("fetch", "--types", "steps", "--host", "127.0.0.2:\(port)", "--json")
        #expect(lenient.status == 0, "\(lenient.standardOutput)")
        let strict = try await cli.run("fetch", "--types", "steps", "--host", "127.0.0.2:\(port)", "--json",
                                 environment: ["HEALTHSYNC_TRANSPORT_STRICT_HOST": "true"])
        #expect(strict.errorCode == "CERT_COMMON_NAME_INVALID")
        #expect(strict.status == 3)
        let named = try await cli.run("fetch", "--types", "steps", "--host", "127.0.0.1:\(port)", "--json",
                                environment: ["HEALTHSYNC_TRANSPORT_STRICT_HOST": "true"])
        #expect(named.status == 0)
        _ = await daemon.terminate()
    }

}

import Foundation
import HealthSyncTestSupport
import Testing

/// Issue #10: a scripted guesser at full speed (Python's ssl, several
/// source addresses on 127/8, well-formed and malformed shares) cannot stop
/// the right joiner, and the sharing device shows every refusal with its source.
@Suite("Pairing under attack", .serialized)
struct PairingUnderAttackTests {
    @Test func theRightJoinerPairsWhileAGuesserRunsAtFullSpeed() async throws {
        let cli = CLI()
        let sharer = cli.home.file("sharer")
        let share = try BackgroundProcess(CLI.binary, ["share", "--state-dir", sharer, "--port", "0", "--advertise", "127.0.0.1",
                                                       "--yes", "--once", "--json"], environment: cli.environment)
        let shown = try #require(await share.listening(), "share showed no code")
        let port = try #require(shown["port"] as? Int), code = try #require(shown["code"] as? String)
        let stop = cli.home.file("stop-guessing")
        let guesser = try BackgroundProcess("/usr/bin/python3", [Fixtures.path("scripts/pairing_guesser.py"), "127.0.0.1",
                                                                 String(port), "60", stop], environment: ["PATH": "/usr/bin:/bin"])
        // The guesser has been at it for a while before the right joiner comes.
        #expect(await guesser.firstLine(within: 60, containing: "progress 30") != nil, "\(guesser.printed())")

        let started = Date()
        let joined = try await cli.run("pair", "--code", code, "--host", "127.0.0.1:\(port)", "--json")
        #expect(joined.status == 0, "\(joined.standardOutput)\(joined.standardError)")
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(joined.json?["deviceID"] as? String == shown["deviceID"] as? String)
        #expect(await share.finish() == 0, "\(share.printed(on: .standardError).suffix(8))")

        FileManager.default.createFile(atPath: stop, contents: nil)
        #expect(await guesser.finish(within: 15) == 0)
        let summary = try #require(guesser.printed().last.flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Int]
        }, "\(guesser.printed())")
        // Five sources with three tries each: at most 15 guesses were evaluated, the rest refused unevaluated.
        #expect((summary["evaluated"] ?? 99) <= 15, "\(summary)")
        #expect((summary["requests"] ?? 0) >= 30, "\(summary)")

        // The sharing device showed the refusals with their sources (JSON event lines on stderr).
        let failures = share.printed(on: .standardError).filter { $0.contains(#""event":"pairingAttemptFailed""#) }
        #expect(failures.contains { $0.contains("127.0.0.2") }, "\(share.printed(on: .standardError).suffix(5))")
        #expect(failures.contains { $0.contains("127.0.0.7") }, "the malformed shares' source is shown too")
        #expect(failures.count < 40, "refusals of a source are shown once per session, not once per request")
    }
}

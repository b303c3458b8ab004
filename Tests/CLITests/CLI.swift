import Foundation
import HealthSyncTestSupport
import Testing

/// Runs the built `healthsync` binary with a private HOME, XDG folders and
/// state folder, so tests never touch the user's real state.
struct CLI {
    let home = TemporaryDirectory("healthsync-cli")
    var state: String { home.file("state") }
    var configFile: String { home.file("config/healthsync/config.yaml") }

    static let binary: String = {
        // The test bundle sits next to the products of the same build.
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [bundle.appendingPathComponent("healthsync").path,
                          bundle.deletingLastPathComponent().appendingPathComponent("healthsync").path]
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return repository.appendingPathComponent(".build/debug/healthsync").path
    }()

    var environment: [String: String] {
        ["HOME": home.path, "XDG_CONFIG_HOME": home.file("config"), "XDG_DATA_HOME": home.file("data"),
         "PATH": "/usr/bin:/bin", "HEALTHSYNC_STATE_DIR": state, "LANG": "C.UTF-8",
         // Nothing leaves the machine and no test hears another's: HealthSync's UDP
         // probe on ports the OS picks, asked of 127.0.0.1 only, so that no address
         // is asked unless a test names it (the multicast tests, in namespaces of
         // their own, switch to mdns on 5353).
         "HEALTHSYNC_DISCOVERY_ADAPTER": "udp", "HEALTHSYNC_DISCOVERY_PORT": "0",
         "HEALTHSYNC_DISCOVERY_TARGETS": "127.0.0.1"]
    }

    /// Runs the binary on a thread of its own: waiting for a child process
    /// must not hold one of the few threads of Swift's cooperative pool
    /// while other suites' servers need them.
    func run(_ arguments: String..., environment extra: [String: String] = [:]) async throws -> ProcessResult {
        try await run(arguments, environment: extra)
    }

    func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> ProcessResult {
        try await ProcessRunner.runDetached(Self.binary, arguments, environment: environment.merging(extra) { $1 },
                                            directory: home.path)
    }

    /// Runs a command that must succeed with --json and returns its document.
    func json(_ arguments: String..., environment extra: [String: String] = [:]) async throws -> [String: Any] {
        let result = try await run(arguments + ["--json"], environment: extra)
        try #require(result.status == 0, "\(arguments) failed: \(result.standardOutput) \(result.standardError)")
        return try #require(result.json, "not JSON: \(result.standardOutput)")
    }
}

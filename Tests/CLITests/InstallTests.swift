import Foundation
import HealthSyncTestSupport
import Testing

/// `make install` (staged with DESTDIR): the binary, a man page made from
/// the commands, shell completions and a systemd user unit for the daemon,
/// each checked by the tool that reads it.
@Suite("make install")
struct InstallTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    @Test func installsTheBinaryManPageCompletionsAndUnit() async throws {
        let manual = Self.repository + "/.build/man/healthsync.1"
        try #require(FileManager.default.fileExists(atPath: manual),
                     "run the tests with `bash scripts/test.sh`: it makes the man page first (`make man`)")
        let stage = TemporaryDirectory()
        let made = try await ProcessRunner.runDetached(
            "/usr/bin/make", ["-s", "-C", Self.repository, "install", "CONFIGURATION=debug", "PREFIX=/usr/local",
                              "DESTDIR=" + stage.path],
            environment: ["PATH": "/usr/bin:/bin", "HOME": stage.path])
        try #require(made.status == 0, "\(made.standardOutput)\(made.standardError)")
        let root = stage.path + "/usr/local"
        #expect(TestFiles.mode(root + "/bin/healthsync") == 0o755)
        let version = try await ProcessRunner.runDetached(root + "/bin/healthsync", ["--version"], environment: [:])
        #expect(version.status == 0 && !version.standardOutput.isEmpty)

        // The man page: roff with the commands in it, rendered by man(1) where it is installed.
        let page = try String(contentsOfFile: root + "/share/man/man1/healthsync.1", encoding: .utf8)
        #expect(page.contains(".Dt HEALTHSYNC 1") || page.contains(".TH HEALTHSYNC"))
        for command in ["pair", "share", "daemon", "fetch", "sync", "samples", "export"] { #expect(page.contains(command)) }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/man") {
            let shown = try await ProcessRunner.runDetached("/usr/bin/man", ["-l", "-P", "cat", root + "/share/man/man1/healthsync.1"],
                                              environment: ["PATH": "/usr/bin:/bin", "MANWIDTH": "100"])
            #expect(shown.standardOutput.contains("healthsync"))
        }

        // Completions: bash loads its file and registers the function; zsh and fish files are theirs.
        let bash = root + "/share/bash-completion/completions/healthsync"
        let loaded = try await ProcessRunner.runDetached("/bin/bash", ["-c", "source \"$0\" && complete -p healthsync", bash], environment: [:])
        #expect(loaded.status == 0 && loaded.standardOutput.contains("healthsync"), "\(loaded.standardError)")
        #expect(try String(contentsOfFile: root + "/share/zsh/site-functions/_healthsync", encoding: .utf8).hasPrefix("#compdef healthsync"))
        #expect(try String(contentsOfFile: root + "/share/fish/vendor_completions.d/healthsync.fish", encoding: .utf8)
            .contains("complete -c 'healthsync'"))

        // The systemd user unit runs the installed daemon and restarts it on failure.
        let unit = try String(contentsOfFile: root + "/lib/systemd/user/healthsync.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/healthsync daemon"))
        #expect(unit.contains("Restart=on-failure") && unit.contains("Type=simple") && unit.contains("WantedBy=default.target"))
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") {
            let verified = try await ProcessRunner.runDetached("/usr/bin/systemd-analyze", ["verify", "--user",
                                                                               root + "/lib/systemd/user/healthsync.service"],
                                                 environment: ["PATH": "/usr/bin:/bin"])
            #expect(!verified.standardError.contains("Unknown key"), "\(verified.standardError)")
        }
    }
}

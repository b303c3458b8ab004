import Foundation
import HealthSyncDomain
import HealthSyncTestSupport
import Testing

@Suite("healthsync local commands", .serialized)
struct LocalCommandTests {
    @Test func certInfoWorksWithTheFileAndTheSQLiteKeystoreByConfigAlone() async throws {
        var deviceIDs: [String] = []
        for adapter in ["file", "sqlite"] {
            let cli = CLI()
            TestFiles.write(cli.home.file("config.yaml"), "keystore:\n  adapter: \(adapter)\n")
            let document = try await cli.json("--state-dir", cli.state, "--config", cli.home.file("config.yaml"), "cert", "info")
            let certificates = try #require(document["certificates"] as? [[String: Any]])
            #expect(certificates.map { $0["kind"] as? String } == ["server", "ca"])
            #expect(certificates.allSatisfy { $0["status"] as? String == "Valid" })
            let device = try #require(document["device"] as? [String: Any])
            let id = try #require(device["deviceID"] as? String)
            #expect(id.hasPrefix("SHA256:") && id.count == 71)
            // The same identity on the second run.
            let again = try await cli.json("cert", "info", "--state-dir", cli.state, "--config", cli.home.file("config.yaml"))
            #expect((again["device"] as? [String: Any])?["deviceID"] as? String == id)
            let files = TestFiles.snapshot(cli.state).keys
            #expect(files.contains(adapter == "file" ? "identity/device.key" : "keystore.sqlite"))
            #expect(!files.contains(adapter == "file" ? "keystore.sqlite" : "identity/device.key"))
            deviceIDs.append(id)
        }
        #expect(Set(deviceIDs).count == 2)
    }

    @Test func theTerminalCertInfoHasGuide001sLayout() async throws {
        let cli = CLI()
        let result = try await cli.run("cert", "info")
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("Server Certificate:\n  Subject: healthsync-server\n  Issuer: healthsync-ca\n  Valid: "))
        #expect(result.standardOutput.contains("CA Certificate:\n  Subject: healthsync-ca\n"))
        #expect(result.standardOutput.contains("  Status: Valid"))
        #expect(!result.standardOutput.contains("\u{1B}["))
        #expect(result.standardError.contains("Created this device's identity"))
        let ca = try await cli.run("cert", "info", "--ca")
        #expect(!ca.standardOutput.contains("Server Certificate"))
        #expect(ca.standardOutput.contains("Fingerprint: SHA256:"))
    }

    @Test func aMalformedConfigFailsAndIsLeftAlone() async throws {
        let cli = CLI()
        let file = cli.home.file("bad.yaml")
        let broken = ["transport:\n  listen:\n    port: eighty\n", "keystore: [\n", "nonsense: 1\n"]
        for text in broken {
            TestFiles.write(file, text)
            let result = try await cli.run("--json", "--config", file, "status")
            #expect(result.status == 5)
            #expect(result.errorCode == "CONFIG_INVALID")
            let message = (result.json?["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("line"), "\(message)")
            #expect(TestFiles.read(file) == Array(text.utf8))
            let set = try await cli.run("config", "set", "server.host", "10.0.0.1", "--config", file)
            #expect(set.status == 5)
            #expect(set.standardError.contains("Error: CONFIG_INVALID"))
            #expect(TestFiles.read(file) == Array(text.utf8))
        }
        #expect(!FileManager.default.fileExists(atPath: cli.state))
    }

    @Test func aCorruptedKeystoreFileFailsAndIsLeftAlone() async throws {
        let cli = CLI()
        _ = try await cli.json("cert", "info")
        let key = cli.state + "/identity/device.key"
        let original = try #require(TestFiles.read(key))
        TestFiles.write(key, String(decoding: original.prefix(60), as: UTF8.self))
        let before = TestFiles.snapshot(cli.state)
        for command in [["cert", "info"], ["status"], ["cert", "export", "--output", cli.home.file("out")]] {
            let result = try await cli.run(command + ["--json"])
            #expect(result.status == 5)
            #expect(result.errorCode == "KEYSTORE_CORRUPT")
            let message = (result.json?["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains(key))
        }
        #expect(TestFiles.snapshot(cli.state) == before)

        TestFiles.write(key, String(decoding: original, as: UTF8.self))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: cli.state + "/identity/ca.key")
        let exposed = try await cli.run("cert", "info")
        #expect(exposed.status == 5)
        #expect(exposed.standardError.contains("KEYSTORE_PERMISSIONS"))
    }

    @Test func exportedFilesAreAcceptedByOpenSSL() async throws {
        let cli = CLI()
        let out = cli.home.file("export")
        let document = try await cli.json("cert", "export", "--output", out)
        #expect((document["files"] as? [[String: Any]])?.count == 4)
        #expect(TestFiles.mode(out + "/client-key.pem") == 0o600)
        let openssl = try #require(ProcessRunner.which("openssl"))
        let verify = try await ProcessRunner.runDetached(openssl, ["verify", "-CAfile", out + "/ca.pem", out + "/server.pem"],
                                           environment: [:])
        #expect(verify.status == 0)
        let check = try await ProcessRunner.runDetached(openssl, ["pkey", "-in", out + "/client-key.pem", "-check", "-noout"],
                                          environment: [:])
        #expect(check.status == 0)
        // Guide 001's path: a folder that does not exist yet.
        let bundle = cli.home.file("Desktop/healthsync-cert.pem")
        _ = try await cli.json("cert", "export", "--output", bundle)
        let text = String(decoding: TestFiles.read(bundle) ?? [], as: UTF8.self)
        #expect(text.components(separatedBy: "BEGIN CERTIFICATE").count == 3)
        #expect(!text.contains("PRIVATE KEY"))
    }

    @Test func statusDevicesTypesAndSamplesWorkOffline() async throws {
        let cli = CLI()
        let status = try await cli.json("status")
        #expect(status["paired"] as? Bool == false)
        #expect(status["enabledTypes"] as? Int == HealthDataType.allCases.count)
        #expect(status["version"] as? String == "1.0.0")
        let text = try await cli.run("status").standardOutput
        #expect(text.contains("📡 Connection Status: ❌ Not paired"))
        #expect(text.contains("📊 Enabled: \(HealthDataType.allCases.count) data types"))
        #expect(text.contains("📦 Version: 1.0.0"))
        #expect((try await cli.json("devices")["devices"] as? [Any])?.isEmpty == true)
        #expect((try await cli.json("types")["types"] as? [Any])?.count == HealthDataType.allCases.count)
        let generated = try await cli.json("samples", "generate", "--days", "3")
        #expect(generated["generated"] as? Int == generated["totalStored"] as? Int)
        #expect(generated["types"] as? Int == 31)
        let again = try await cli.json("samples", "generate", "--days", "3")
        #expect(again["totalStored"] as? Int == generated["totalStored"] as? Int)
        #expect(TestFiles.mode(cli.state + "/samples.sqlite") == 0o600)
        let bad = try await cli.run("samples", "generate", "--days", "0", "--json")
        #expect(bad.status == 1)
        #expect(bad.errorCode == "INVALID_ARGUMENT")
    }

    @Test func configSetShowAndResetEditTheUserFile() async throws {
        let cli = CLI()
        let set = try await cli.json("config", "set", "server.host", "192.168.1.42")
        #expect(set["changedKey"] as? String == "server.host")
        #expect(TestFiles.mode(cli.configFile) == 0o600)
        let show = try await cli.json("config", "show")
        let entries = try #require(show["entries"] as? [[String: String]])
        #expect(entries.contains(["key": "server.host", "value": "192.168.1.42", "source": "file"]))
        #expect(entries.contains(["key": "state_dir", "value": cli.state, "source": "env"]))
        _ = try await cli.json("config", "set", "keystore.adapter", "sqlite")
        _ = try await cli.json("cert", "info")
        #expect(FileManager.default.fileExists(atPath: cli.state + "/keystore.sqlite"))
        let reset = try await cli.json("config", "reset")
        #expect(reset["fileExists"] as? Bool == true)
        #expect(!FileManager.default.fileExists(atPath: cli.configFile))
        let text = try await cli.run("config", "set", "transport.listen.port", "99999")
        #expect(text.status == 5)
        #expect(text.standardError.contains("must be an integer from 0 to 65535"))
    }

    @Test func keychainClearForgetsTheIdentity() async throws {
        let cli = CLI()
        let before = try await cli.json("status")["device"] as? [String: Any]
        let cleared = try await cli.json("keychain", "clear")
        #expect(cleared["hadIdentity"] as? Bool == true)
        #expect(!FileManager.default.fileExists(atPath: cli.state + "/identity"))
        let after = try await cli.json("status")["device"] as? [String: Any]
        #expect(before?["deviceID"] as? String != after?["deviceID"] as? String)
    }

    @Test func usageErrorsExitOneAndSpeakJSONWhenAsked() async throws {
        let cli = CLI()
        let unknown = try await cli.run("frobnicate")
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("INVALID_ARGUMENT"))
        let json = try await cli.run("cert", "export", "--json")
        #expect(json.status == 1)
        #expect(json.errorCode == "INVALID_ARGUMENT")
        let version = try await cli.run("--version")
        #expect(version.status == 0 && version.standardOutput == "1.0.0\n")
        let jsonVersion = try await cli.run("--json", "--version")
        #expect(jsonVersion.status == 0 && jsonVersion.json?["version"] as? String == "1.0.0")
        let help = try await cli.run("--help")
        #expect(help.status == 0 && help.standardOutput.contains("cert"))
    }

    @Test func globalOptionsWorkBeforeAndAfterTheSubcommand() async throws {
        let cli = CLI()
        let other = cli.home.file("other")
        let before = try await cli.run("--json", "--state-dir", other, "cert", "info")
        let after = try await cli.run("cert", "info", "--state-dir", other, "--json")
        #expect(before.status == 0 && after.status == 0)
        #expect((before.json?["device"] as? [String: Any])?["deviceID"] as? String
            == (after.json?["device"] as? [String: Any])?["deviceID"] as? String)
        #expect(FileManager.default.fileExists(atPath: other + "/identity/device.key"))
    }
}

@Suite("samples import")
struct SamplesImportTests {
    static let fixtures = Fixtures.path("apple-health")

    /// ashtom/hkimport Data/export.xml (MIT © 2017 Nutrino) and
    /// alxdrcirilo/apple-health-parser export.zip (MIT © 2024 Alexandre Cirilo).
    @Test func anExportIsImportedOnceHoweverOftenItIsImported() async throws {
        let cli = CLI()
        let first = try await cli.json("samples", "import", Self.fixtures + "/hkimport/export.xml")
        // 10 939 top-level Records, 34 Correlations holding 162 Records (each also at the top level), 61 Workouts.
        #expect(first["read"] as? Int == 10_939 + 34 + 162 + 61)
        #expect(first["imported"] as? Int == 11_028)
        #expect(first["merged"] as? Int == 168)
        #expect(first["leftOut"] as? Int == 0)
        #expect((first["types"] as? [String: Int])?["workouts"] == 61)
        #expect((first["types"] as? [String: Int])?["bloodGlucose"] == 35)
        #expect((first["types"] as? [String: Int])?["food"] == 34)
        let stored = try await cli.json("types", "--present")["types"] as? [[String: Any]] ?? []
        #expect(stored.map { $0["stored"] as? Int ?? 0 }.reduce(0, +) == 11_028)
        let again = try await cli.json("samples", "import", Self.fixtures + "/hkimport/export.xml")
        #expect(again["imported"] as? Int == 0)
        // A second import finds every element already stored, repeats included.
        #expect(again["unchanged"] as? Int == 11_196 && again["merged"] as? Int == 0)

        let zipped = try await cli.json("samples", "import", Self.fixtures + "/apple-health-parser/export.zip")
        #expect(zipped["imported"] as? Int == 8)
        let text = try await cli.run("samples", "import", Self.fixtures + "/apple-health-parser/export.zip")
        #expect(text.standardOutput.contains("Nothing new: every sample was already stored."))
        #expect(text.standardOutput.contains("appleStandTime"))
    }

    @Test func aFileThatIsNoExportHasACode() async throws {
        let cli = CLI()
        let missing = try await cli.run("samples", "import", cli.home.file("nothing.zip"), "--json")
        #expect(missing.errorCode == "INVALID_ARGUMENT")
        #expect(missing.status == 1)
    }
}

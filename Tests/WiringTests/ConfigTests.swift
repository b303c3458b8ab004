import Foundation
import HealthSyncDomain
import HealthSyncTestSupport
import HealthSyncWiring
import Testing

@Suite("Configuration")
struct ConfigTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    func load(_ yaml: String?, environment: [String: String] = [:], flags: [(String, String)] = []) throws -> LoadedConfig {
        let directory = TemporaryDirectory()
        let file = directory.file("config.yaml")
        if let yaml { TestFiles.write(file, yaml) }
        return try loadConfig(explicitFile: file, environment: environment, flags: flags, allowMissingFile: true)
    }

    func failure(_ yaml: String, environment: [String: String] = [:]) throws -> HealthSyncError {
        try #require(throws: HealthSyncError.self) { try load(yaml, environment: environment) }
    }

    @Test func theRepositoryConfigIsTheBuiltInDefaults() throws {
        let loaded = try loadConfig(explicitFile: Self.repository + "/config.yaml", environment: [:], flags: [])
        #expect(loaded.config == Config())
        #expect(loaded.fileExists)
    }

    @Test func fileSettingsOverrideDefaults() throws {
        let loaded = try load("""
            device: { name: "Kitchen Mac" }
            keystore:
              adapter: sqlite
            transport:
              listen: { port: 0 }
              strict_host: true
            share:
              types: [steps, heartRate]
            """)
        #expect(loaded.config.device.name == "Kitchen Mac")
        #expect(loaded.config.keystore.adapter == .sqlite)
        #expect(loaded.config.transport.listen.port == 0)
        #expect(loaded.config.transport.strictHost)
        #expect(loaded.config.share.types == [.steps, .heartRate])
        #expect(loaded.config.transport.timeoutMS == 10_000)
        #expect(loaded.sources["keystore.adapter"] == "file")
        #expect(loaded.sources["api.port"] == nil)
    }

    @Test func environmentBeatsFileAndFlagsBeatEnvironment() throws {
        let yaml = "transport:\n  timeout_ms: 2000\nstate_dir: /from/file\n"
        let env = ["HEALTHSYNC_TRANSPORT_TIMEOUT_MS": "3000", "HEALTHSYNC_STATE_DIR": "/from/env"]
        let loaded = try load(yaml, environment: env)
        #expect(loaded.config.transport.timeoutMS == 3000)
        #expect(loaded.config.stateDir == "/from/env")
        #expect(loaded.sources["state_dir"] == "env")
        let flagged = try load(yaml, environment: env, flags: [("state_dir", "/from/flag")])
        #expect(flagged.config.stateDir == "/from/flag")
        #expect(flagged.sources["state_dir"] == "flag")
    }

    @Test func mistakesNameTheKeyLineAndColumn() throws {
        let unknown = try failure("transport:\n  listen:\n    prot: 80\n")
        #expect(unknown.code == .configInvalid)
        #expect(unknown.message.contains("line 3, column 5"))
        #expect(unknown.message.contains("transport.listen.prot"))
        #expect(unknown.hint.contains("port"))

        let wrongType = try failure("transport:\n  strict_host: yes please\n")
        #expect(wrongType.message.contains("line 2, column 16"))
        #expect(wrongType.message.contains("transport.strict_host must be true or false"))

        let range = try failure("api:\n  port: 70000\n")
        #expect(range.message.contains("api.port must be an integer from 0 to 65535"))
        #expect(range.message.contains("line 2"))

        let quoted = try failure("server:\n  port: \"8443\"\n")
        #expect(quoted.message.contains("quoted"))

        let group = try failure("transport: fast\n")
        #expect(group.message.contains("transport must be a mapping"))

        let adapter = try failure("keystore: { adapter: postgres }\n")
        #expect(adapter.message.contains("one of file, sqlite, memory"))

        let types = try failure("share: { types: [steps, nope] }\n")
        #expect(types.message.contains("share.types"))

        let broken = try failure("keystore: [\n")
        #expect(broken.message.contains("line"))

        let notMapping = try failure("- a\n- b\n")
        #expect(notMapping.message.contains("mapping"))

        let remoteAPI = try failure("api: { host: 0.0.0.0 }\n")
        #expect(remoteAPI.message.contains("loopback"))
    }

    @Test func discoveryTargetsAreAddressListsFromFileOrEnvironment() throws {
        #expect(try load(nil).config.discovery.adapter == .mdns)
        #expect(try load(nil).config.discovery.port == 5353)
        let file = try load("discovery:\n  targets: [\"192.168.1.20\", \"[fd77::1]:5353\"]\n")
        #expect(file.config.discovery.targets == ["192.168.1.20", "[fd77::1]:5353"])
        let environment = try load(nil, environment: ["HEALTHSYNC_DISCOVERY_TARGETS": "127.0.0.1, 10.0.0.7:9779"])
        #expect(environment.config.discovery.targets == ["127.0.0.1", "10.0.0.7:9779"])
        let bad = try failure("discovery:\n  targets: [\"not a host!\"]\n")
        #expect(bad.code == .configInvalid && bad.message.contains("discovery.targets"))
        let many = try failure("discovery:\n  targets: [" + (1...17).map { "\"10.0.0.\($0)\"" }.joined(separator: ", ") + "]\n")
        #expect(many.code == .configInvalid)
    }

    @Test func relaysAreEmptyByDefaultAndMustBePinnedRelayURLs() throws {
        #expect(try load(nil).config.reach.relays.isEmpty)
        let uri = "relay://203.0.113.7:22067/?id=OQA5ZST-W7EA5ES-GO7QJTC-SHU7GS2-6HKOV6H-RVRRHXE-5Y5EZL7-SQVJCAS&pingInterval=1m0s"
        #expect(try load("reach:\n  relays: [\"\(uri)\"]\n").config.reach.relays == [uri])
        #expect(try load(nil, environment: ["HEALTHSYNC_REACH_RELAYS": uri]).config.reach.relays == [uri])
        for bad in ["relay://203.0.113.7:22067/", "relay://203.0.113.7/?id=OQA5ZST-W7EA5ES-GO7QJTC-SHU7GS2-6HKOV6H-RVRRHXE-5Y5EZL7-SQVJCAS",
                    "relay://203.0.113.7:22067/?id=OQA5ZST-W7EA5ES-GO7QJTC-SHU7GS2-6HKOV6H-RVRRHXE-5Y5EZL7-SQVJCAA",
                    "https://203.0.113.7:22067/?id=OQA5ZST-W7EA5ES-GO7QJTC-SHU7GS2-6HKOV6H-RVRRHXE-5Y5EZL7-SQVJCAS"] {
            let error = try failure("reach:\n  relays: [\"\(bad)\"]\n")
            #expect(error.code == .configInvalid && error.message.contains("reach.relays"), "\(bad)")
        }
    }

    @Test func badEnvironmentValuesNameTheVariable() throws {
        let error = try #require(throws: HealthSyncError.self) {
            try load(nil, environment: ["HEALTHSYNC_PAIRING_CODE_TTL_S": "5"])
        }
        #expect(error.code == .configInvalid)
        #expect(error.message.contains("HEALTHSYNC_PAIRING_CODE_TTL_S"))
    }

    @Test func anExplicitFileMustExistUnlessItIsBeingCreated() throws {
        let error = try #require(throws: HealthSyncError.self) {
            try loadConfig(explicitFile: "/nonexistent/healthsync.yaml", environment: [:], flags: [])
        }
        #expect(error.code == .configInvalid)
        #expect(try !load(nil).fileExists)
    }

    @Test func theDefaultFileFollowsXDG() throws {
        #expect(try ConfigLoader.defaultFile(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/healthsync/config.yaml")
        #expect(try ConfigLoader.defaultFile(environment: ["HOME": "/h"]) == "/h/.config/healthsync/config.yaml")
        #expect(throws: HealthSyncError.self) { try ConfigLoader.defaultFile(environment: [:]) }
    }
}

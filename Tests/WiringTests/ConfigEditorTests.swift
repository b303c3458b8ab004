import Foundation
import HealthSyncDomain
import HealthSyncTestSupport
import HealthSyncWiring
import Testing

@Suite("config show, set and reset")
struct ConfigEditorTests {
    @Test func setKeepsOtherKeysAndRoundTrips() throws {
        let directory = TemporaryDirectory()
        let file = directory.file("conf/config.yaml")
        let editor = makeConfigEditor()
        func loaded() throws -> LoadedConfig {
            try loadConfig(explicitFile: file, environment: [:], flags: [], allowMissingFile: true)
        }
        _ = try editor.set("server.host", to: "192.168.1.20", in: try loaded())
        _ = try editor.set("device.name", to: "Ann's \"Mac\"", in: try loaded())
        _ = try editor.set("transport.listen.port", to: "9443", in: try loaded())
        let report = try editor.set("share.types", to: "steps, heartRate", in: try loaded())
        #expect(report.changedKey == "share.types")
        let config = try loaded().config
        #expect(config.server.host == "192.168.1.20")
        #expect(config.device.name == "Ann's \"Mac\"")
        #expect(config.transport.listen.port == 9443)
        #expect(config.share.types == [.steps, .heartRate])
        #expect(TestFiles.mode(file) == 0o600)
        #expect(TestFiles.mode(directory.file("conf")) == 0o700)
        let show = editor.show(try loaded())
        #expect(show.entries.first { $0.key == "server.host" }?.source == "file")
        #expect(show.entries.first { $0.key == "api.port" } == .init(key: "api.port", value: "9778", source: "default"))
    }

    @Test func aRefusedValueLeavesTheFileAsItWas() throws {
        let directory = TemporaryDirectory()
        let file = directory.file("config.yaml")
        TestFiles.write(file, "# mine\nserver: { host: 10.0.0.2 }\n")
        let before = TestFiles.read(file)
        let loaded = try loadConfig(explicitFile: file, environment: [:], flags: [])
        for (key, value) in [("server.port", "0"), ("transport.strict_host", "maybe"), ("no.such", "1"),
                             ("keystore.adapter", "cloud")] {
            let error = try #require(throws: HealthSyncError.self) { try makeConfigEditor().set(key, to: value, in: loaded) }
            #expect(error.code == .configInvalid)
        }
        #expect(TestFiles.read(file) == before)
    }

    @Test func resetRemovesTheFileEvenWhenBroken() throws {
        let directory = TemporaryDirectory()
        let file = directory.file("config.yaml")
        TestFiles.write(file, "transport: [\n")
        let report = try makeConfigEditor().reset(file: file)
        #expect(report.fileExists)
        #expect(TestFiles.read(file) == nil)
        #expect(try !makeConfigEditor().reset(file: file).fileExists)
    }
}

import Foundation
import HealthSyncDomain
import HealthSyncTestSupport
import HealthSyncWiring
import Testing

@Suite("build(config:) chooses adapters from the configuration alone")
struct BuildTests {
    let quiet = RuntimeEnvironment(variables: ["HOME": "/nonexistent"], standardOutput: { _ in },
                                   standardError: { _ in }, outputIsTerminal: false)

    @Test(arguments: [Config.KeyStoreAdapter.file, .sqlite, .memory])
    func theKeystoreFollowsTheConfig(_ adapter: Config.KeyStoreAdapter) throws {
        let directory = TemporaryDirectory()
        var config = Config()
        config.stateDir = directory.file("state")
        config.keystore.adapter = adapter
        let application = try build(config: config, environment: quiet)
        #expect(application.dependencies.keyStore.adapterName == adapter.rawValue)
        let identity = try application.identity.ensureIdentity()
        #expect(try application.identity.existingIdentity()?.deviceID == identity.deviceID)
        let written = TestFiles.snapshot(directory.file("state")).keys
        switch adapter {
        case .file: #expect(written.contains("identity/device.key"))
        case .sqlite: #expect(written.contains("keystore.sqlite") && !written.contains("identity/device.key"))
        case .memory: #expect(written.isEmpty)
        }
    }

    @Test func theInMemoryConfigurationTouchesNoDisk() throws {
        let application = try build(config: .inMemory, environment: quiet)
        _ = try application.identity.ensureIdentity()
        _ = try application.samples.generate(days: 1)
        #expect(!FileManager.default.fileExists(atPath: application.stateDir))
        #expect(application.dependencies.keyStore.adapterName == "memory")
    }

    @Test func stateDirectoriesResolveLikeXDG() throws {
        var config = Config()
        config.keystore.adapter = .memory
        let xdg = RuntimeEnvironment(variables: ["XDG_DATA_HOME": "/data", "HOME": "/home/a"], standardOutput: { _ in },
                                     standardError: { _ in }, outputIsTerminal: false)
        #expect(try build(config: config, environment: xdg).stateDir == "/data/healthsync")
        let home = RuntimeEnvironment(variables: ["HOME": "/home/a"], standardOutput: { _ in },
                                      standardError: { _ in }, outputIsTerminal: false)
        #expect(try build(config: config, environment: home).stateDir == "/home/a/.local/share/healthsync")
        config.stateDir = "~/hs/"
        #expect(try build(config: config, environment: home).stateDir == "/home/a/hs")
    }
}

@Suite("Presenter choice")
struct PresenterChoiceTests {
    final class Sink: @unchecked Sendable {
        // Safe: written and read on the test's own thread only.
        var text = ""
    }

    /// An error (which goes to standard error) with standard output and standard error each a terminal or not.
    func render(terminal: Bool, errorTerminal: Bool? = nil, variables: [String: String], json: Bool = false) throws -> String {
        let sink = Sink()
        var config = Config.inMemory
        config.presenter.adapter = json ? .json : .terminal
        let environment = RuntimeEnvironment(variables: variables, standardOutput: { sink.text += $0 },
                                             standardError: { sink.text += $0 }, outputIsTerminal: terminal,
                                             errorIsTerminal: errorTerminal ?? terminal)
        try build(config: config, environment: environment).presenter.show(HealthSyncError(.certRevoked))
        return sink.text
    }

    @Test func colourOnlyOnATerminalWithoutNO_COLOR() throws {
        #expect(try render(terminal: true, variables: [:]).contains("\u{1B}["))
        #expect(try !render(terminal: true, variables: ["NO_COLOR": "1"]).contains("\u{1B}["))
        #expect(try !render(terminal: false, variables: [:]).contains("\u{1B}["))
        #expect(try render(terminal: true, variables: [:], json: true).hasPrefix("{"))
        // no-color.org: only a NO_COLOR with a value turns colour off.
        #expect(try render(terminal: true, variables: ["NO_COLOR": ""]).contains("\u{1B}["))
        #expect(try !render(terminal: true, variables: ["TERM": "dumb"]).contains("\u{1B}["))
        // Each stream by its own terminal: errors go to standard error.
        #expect(try render(terminal: false, errorTerminal: true, variables: [:]).contains("\u{1B}["))
        #expect(try !render(terminal: true, errorTerminal: false, variables: [:]).contains("\u{1B}["))
    }
}

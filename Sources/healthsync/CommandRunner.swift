import ArgumentParser
import HealthSyncPorts
import Foundation
import HealthSyncDomain
import HealthSyncWiring

/// Runs one command: loads the configuration, builds the application,
/// shows events while the command runs, then its report or its error, and
/// exits with the code of the error's category.
struct CommandRunner {
    let global: GlobalOptions
    let environment = RuntimeEnvironment.process

    var explicitConfigFile: String? { global.config ?? environment.variables["HEALTHSYNC_CONFIG"] }

    func load(allowMissingFile: Bool = false) throws -> LoadedConfig {
        try loadConfig(explicitFile: explicitConfigFile, environment: environment.variables,
                       flags: global.configFlags, allowMissingFile: allowMissingFile)
    }

    /// Runs `body` on a freshly built application (`process`: `.service` for one that serves peers).
    func run(allowMissingConfig: Bool = false, process: ProcessKind = .command,
             _ body: @Sendable (Application, LoadedConfig) async throws -> Report?) async throws {
        var presenter = makeFallbackPresenter(json: global.json, environment: environment)
        do {
            let loaded = try load(allowMissingFile: allowMissingConfig)
            let application = try build(config: loaded.config, environment: environment, process: process)
            presenter = application.presenter
            if let report = try await application.presentingEvents({ try await body(application, loaded) }) {
                presenter.show(report)
                // The report is the one document; the failure is told by the exit code (and on stderr).
                if let partial = report.partialFailure {
                    if !global.json { environment.standardError("Error: \(partial.code.rawValue): \(partial.message)\n") }
                    exit(ExitCodes.code(for: partial.code.category))
                }
            }
        } catch {
            fail(error, presenter: presenter)
        }
    }

    /// Runs a command that needs no application (config reset).
    func runWithoutApplication(_ body: () throws -> Report) throws {
        let presenter = makeFallbackPresenter(json: global.json, environment: environment)
        do { presenter.show(try body()) } catch { fail(error, presenter: presenter) }
    }

    private func fail(_ error: any Error, presenter: any Presenter) -> Never {
        let failure = HealthSyncError.wrap(error, as: .cryptoFailure, "Unexpected failure")
        presenter.show(failure)
        if global.verbose, let cause = failure.cause { environment.standardError("Cause: \(cause)\n") }
        exit(ExitCodes.code(for: failure.code.category))
    }
}

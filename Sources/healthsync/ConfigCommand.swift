import ArgumentParser
import HealthSyncDomain
import HealthSyncWiring

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show or edit the user configuration file.",
        subcommands: [Show.self, Set.self, Reset.self])

    @OptionGroup var global: GlobalOptions

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show every setting and where it comes from.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await CommandRunner(global: global).run(allowMissingConfig: true) { _, loaded in
                .config(makeConfigEditor().show(loaded))
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set one key in the user configuration file (e.g. server.host 192.168.1.20).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The dotted key, as `config show` lists it.") var key: String
        @Argument(help: "The new value (a comma-separated list for share.types).") var value: String

        func run() async throws {
            try await CommandRunner(global: global).run(allowMissingConfig: true) { _, loaded in
                .config(try makeConfigEditor().set(key, to: value, in: loaded))
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset",
            abstract: "Delete the user configuration file: the built-in defaults apply again.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let runner = CommandRunner(global: global)
            // Reset must work when the file is broken, so it is not parsed.
            try runner.runWithoutApplication {
                let file = try runner.explicitConfigFile
                    ?? ConfigLoader.defaultFile(environment: runner.environment.variables)
                return .config(try makeConfigEditor().reset(file: file))
            }
        }
    }
}

import ArgumentParser
import HealthSyncUseCases
import HealthSyncDomain
import HealthSyncWiring

struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "List paired devices: name, device ID, role, last seen, certificate expiry.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await CommandRunner(global: global).run { application, _ in .devices(try application.devices.devices()) }
    }
}

struct TypesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "types", abstract: "List the health data types, which are shared and how many samples of each are here.")
    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "Only the types this device holds samples of.") var present = false

    func run() async throws {
        try await CommandRunner(global: global).run { application, _ in .types(try application.devices.types(presentOnly: present)) }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show this device, its pairing, the daemon, a live check of the paired device, the data types and the version.")
    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "Only what is on disk: no daemon, no live check.") var offline = false

    func run() async throws {
        try await CommandRunner(global: global).run { application, _ in
            .status(try await application.devices.status(stateDir: application.stateDir, daemon: application.daemonClient,
                                                         offline: offline))
        }
    }
}

struct SamplesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "samples", abstract: "Fill the local sample store.", subcommands: [Generate.self, Import.self])
    @OptionGroup var global: GlobalOptions

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store deterministic, plausible demo samples of every type for the last N days.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "How many whole days, ending last midnight (UTC).") var days = 7

        func run() async throws {
            try await CommandRunner(global: global).run { application, _ in
                .samplesGenerated(try application.samples.generate(days: days))
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import an Apple Health export (export.zip or export.xml) into the local sample store.",
            discussion: "Importing the same export again adds nothing: each sample's ID comes from what it is.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The export.zip from \"Export All Health Data\", or the export.xml inside it.") var file: String

        func run() async throws {
            try await CommandRunner(global: global).run { application, _ in
                .imported(try application.importing.importExport(at: file))
            }
        }
    }
}

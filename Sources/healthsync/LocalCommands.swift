import ArgumentParser
import HealthSyncUseCases
import HealthSyncDomain
import HealthSyncWiring
import Foundation

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
        commandName: "samples", abstract: "The samples on this machine: import, list, count, export, demo data.",
        subcommands: [Import.self, List.self, Count.self, Export.self, Generate.self])
    @OptionGroup var global: GlobalOptions

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
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
            commandName: "import",
            abstract: "Import an Apple Health export (export.zip or export.xml) into the local sample store.",
            discussion: "Importing the same export again adds nothing: each sample's ID comes from what it is.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The export.zip from \"Export All Health Data\", or the export.xml inside it.") var file: String

        func run() async throws {
            let path = RawPath.openable(file)
            try await CommandRunner(global: global).run { application, _ in
                .imported(try application.importing.importExport(at: path, name: file))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List samples from the local store (imported, synced, generated), oldest first or --latest first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var filters: SampleFilterOptions
        @Option(name: .long, help: "table, json, ndjson, csv or fhir (a FHIR R4 Bundle).") var format: SampleFormat = .table

        func run() async throws {
            try await CommandRunner(global: global).run { application, _ in
                .listed(try application.localSamples.list(try filters.selection(), format: format))
            }
        }
    }

    struct Count: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "count", abstract: "Count the samples in the local store, per type.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "Data types, comma-separated (see `healthsync types`), or all.") var types = "all"
        @Option(name: .long, help: "From this date (2026-01-07 or 2026-01-07T08:00:00Z).") var since: String?
        @Option(name: .long, help: "Up to (not including) this date.") var until: String?

        func run() async throws {
            let types = self.types, since = self.since, until = self.until
            try await CommandRunner(global: global).run { application, _ in
                .counted(try application.localSamples.count(try SampleFilterOptions.selection(types: types, since: since,
                                                                                             until: until)))
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write the local samples as JSON, NDJSON, CSV or a FHIR R4 Bundle, to a file or standard output.",
            discussion: "Every matching sample is written (no limit unless --limit). The file is replaced atomically and "
                + "created readable by you alone: it is health data.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var filters: SampleFilterOptions
        @Option(name: .long, help: "json, ndjson, csv or fhir.") var format: SampleFormat = .csv
        @Option(name: [.short, .long], help: "The file to write (standard output when not given).") var output: String?

        func run() async throws {
            let global = self.global, filters = self.filters, format = self.format, output = self.output
            try await CommandRunner(global: global).run { application, _ in
                guard let encoder = application.sampleEncoder(format) else {
                    throw HealthSyncError(.invalidArgument, "samples export writes json, ndjson, csv or fhir",
                                          hint: "Use `healthsync samples list` for a table.")
                }
                if global.json && output == nil {
                    throw HealthSyncError(.invalidArgument, "With --json the report is the one document on standard output",
                                          hint: "Give --output FILE for the samples.")
                }
                var selection = try filters.selection()
                if filters.limit == nil {
                    selection = try SampleSelection(types: selection.types, since: selection.since, until: selection.until,
                                                    newestFirst: selection.newestFirst)
                }
                return .exported(try application.localSamples.export(selection, encoder: encoder, file: output) { bytes in
                    FileHandle.standardOutput.write(Data(bytes))
                })
            }
        }
    }
}

/// The filters `samples list|export` share with `fetch`.
struct SampleFilterOptions: ParsableArguments {
    @Option(name: .long, help: "Data types, comma-separated (see `healthsync types`), or all.") var types = "all"
    @Option(name: .long, help: "From this date (2026-01-07 or 2026-01-07T08:00:00Z).") var since: String?
    @Option(name: .long, help: "Up to (not including) this date.") var until: String?
    @Option(name: .long, help: "At most this many samples (list: 100).") var limit: Int?
    @Flag(name: .long, help: "Newest first.") var latest = false

    func selection() throws -> SampleSelection {
        try Self.selection(types: types, since: since, until: until, limit: limit, latest: latest)
    }

    /// `all` selects every type stored, those newer than the catalogue too.
    static func selection(types: String, since: String?, until: String?, limit: Int? = nil,
                          latest: Bool = false) throws -> SampleSelection {
        let all = types.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "all" }
        return try SampleSelection(types: all ? nil : try HealthDataType.parseList(types),
                                   since: try DateArgument.parse(since, "since"), until: try DateArgument.parse(until, "until"),
                                   limit: limit, newestFirst: latest)
    }
}

extension SampleFormat: ExpressibleByArgument {}

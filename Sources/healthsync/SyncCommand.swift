import ArgumentParser
import HealthSyncDomain
import HealthSyncWiring

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Pull new and changed samples from every paired sharing device into the local store.",
        discussion: "Each sync resumes where the last one from that device stopped. A running daemon does this every sync.interval_s.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Only this paired device (name or device-ID prefix).") var device: String?

    func run() async throws {
        try await CommandRunner(global: global).run { application, _ in .synced(try await application.syncing.sync(device)) }
    }
}

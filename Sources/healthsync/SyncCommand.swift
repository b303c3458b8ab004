import ArgumentParser
import HealthSyncDomain
import HealthSyncWiring

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Pull new and changed samples from every paired device into the local store.",
        discussion: """
            Trust is mutual, so either side of a pairing syncs from the other (each shares its own share.types). \
            Each sync resumes where the last one from that device stopped. A running daemon keeps a connection to \
            each paired device and receives changes as they happen, with a full sync every sync.interval_s.
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Only this paired device (name or device-ID prefix).") var device: String?
    @Option(help: "Where that device is, for this command only (host, host:port or [v6]:port).") var host: String?

    func run() async throws {
        try await CommandRunner(global: global).run { application, _ in
            .synced(try await application.syncing.sync(device, host: host))
        }
    }
}

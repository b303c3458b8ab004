import ArgumentParser
import HealthSyncDomain
import HealthSyncUseCases
import HealthSyncWiring

struct DiscoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "Find HealthSync devices on the local network (their daemons answer UDP probes).",
        discussion: """
            Probes every broadcast address of this machine and the loopback on discovery.port. Answers are \
            hints: a device is only trusted by its certificate. With --verbose, also shows where probes went \
            and dials each paired sharing device over mutual TLS.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Probe only this address (host or host:port; repeatable).") var address: [String] = []
    @Option(name: .long, help: "Milliseconds to wait for answers.") var timeout = 1000

    func run() async throws {
        try await CommandRunner(global: global).run { application, loaded in
            let targets = try address.isEmpty ? nil : address.map {
                try Endpoint(parsing: $0, defaultPort: loaded.config.discovery.port)
            }
            return .discovered(try await application.discovery.discover(
                targets: targets, timeoutMilliseconds: timeout, checkPaired: global.verbose))
        }
    }
}

import ArgumentParser
import HealthSyncDomain
import HealthSyncUseCases
import HealthSyncWiring

struct DiscoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "Find HealthSync devices on the local network (DNS-SD _healthsync._tcp over multicast DNS).",
        discussion: """
            Browses _healthsync._tcp.local on 224.0.0.251 and ff02::fb of every interface (with \
            discovery.adapter udp: a probe to every broadcast address and the loopback on discovery.port). \
            Answers are hints: a device is only trusted by its certificate. With --verbose, also shows where \
            it asked and dials each paired sharing device over mutual TLS.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Ask only this host (host or host:port, by unicast; repeatable).") var address: [String] = []
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

import ArgumentParser
import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring

/// Where a listening command listens and what it tells others to dial.
struct ListenOptions: ParsableArguments {
    @Option(name: .long, help: "Peer port (0: chosen by the system; default: transport.listen.port).") var port: Int?
    @Option(name: .long, help: "Address other devices dial (default: this machine's first network address).")
    var advertise: String?
}

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Serve paired devices over mutual TLS 1.3, the local control API and discovery, and sync with every paired device as changes happen, until SIGINT or SIGTERM.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var listen: ListenOptions
    @Option(name: .long, help: "Control API port on 127.0.0.1 (0: chosen by the system; default: api.port).")
    var apiPort: Int?
    @Option(name: .long, help: "UDP port of discovery (multicast DNS: 5353; 0: chosen by the system; default: discovery.port).")
    var discoveryPort: Int?
    @Option(name: .long, help: "What the daemon logs on standard error: trace, debug, info, notice, warning, error or critical (default: log.level).")
    var logLevel: String?

    func run() async throws {
        var global = self.global
        if let logLevel { global.extraFlags.append(("log.level", logLevel)) }
        try await CommandRunner(global: global).run(process: .service) { application, _ in
            let config = application.config
            let running = try await application.daemon.start(
                peerEndpoint: try listenEndpoint(application, port: listen.port),
                apiEndpoint: Endpoint(host: config.api.host,
                                      port: try Endpoint.listeningPort(apiPort ?? config.api.port, option: "--api-port")),
                advertiseHost: listen.advertise,
                discoveryPort: try discoveryPort.map { try Endpoint.listeningPort($0, option: "--discovery-port") },
                pid: getpid())
            // The daemon's one report, shown once it is ready: where it listens.
            application.presenter.show(Report.listening(ListeningReport(
                listening: running.info.peer.description, port: running.info.peer.port,
                deviceID: running.info.deviceID, api: running.info.api.description,
                discovery: running.info.discovery?.description)))
            let interval = config.sync.intervalSeconds
            do {
                try await application.run([application.daemonLog]
                                          + running.services(syncInterval: interval > 0 ? .seconds(interval) : nil))
            } catch {
                await running.stop()
                throw error
            }
            await running.stop()
            return nil
        }
    }
}

struct ShareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share",
        abstract: "Start sharing: serve paired devices and show a pairing code and QR code.",
        discussion: "Type `r` and Enter to refresh the code. Answer `y` to accept a device. Stop with Ctrl-C.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var listen: ListenOptions
    @Option(name: .long, help: "Also save each QR code as a PNG image here.") var qrPng: String?
    @Flag(name: .long, help: "Accept pairing requests without asking (for scripts).") var yes = false
    @Flag(name: .long, help: "Stop after the first device pairs.") var once = false

    func run() async throws {
        try await CommandRunner(global: global).run(process: .service) { application, _ in
            let sharing = application.sharing, prompt = application.prompt(autoAccept: yes)
            let endpoint = try listenEndpoint(application, port: listen.port)
            let advertise = listen.advertise, qrPng = self.qrPng, once = self.once
            let paired = try await application.runUntilShutdown {
                try await sharing.run(on: endpoint, advertise: advertise, prompt: prompt, qrPng: qrPng, once: once)
            } ?? []
            if once, let first = paired.first { return .paired(first) }
            return .shared(SharedReport(paired: paired))
        }
    }
}

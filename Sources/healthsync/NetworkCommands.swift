import ArgumentParser
import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Serve paired devices over mutual TLS 1.3 until SIGINT or SIGTERM.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Peer port (0: chosen by the system; default: transport.listen.port).") var port: Int?

    func run() async throws {
        try await CommandRunner(global: global).run { application, _ in
            let listener = try await application.peerService.listen(on: listenEndpoint(application, port: port))
            application.presenter.show(.listening(ListeningReport(
                listening: listener.endpoint.description, port: listener.endpoint.port,
                deviceID: try application.identity.ensureIdentity().deviceID)))
            await ShutdownSignal.wait()
            await listener.close()
            return nil
        }
    }
}

struct ShareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share",
        abstract: "Start sharing: serve paired devices and show a pairing code and QR payload.",
        discussion: "Type `r` and Enter to refresh the code. Answer `y` to accept a device. Stop with Ctrl-C.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Peer port (0: chosen by the system; default: transport.listen.port).") var port: Int?
    @Option(name: .long, help: "Address other devices dial (default: this machine's first network address).")
    var advertise: String?
    @Flag(name: .long, help: "Accept pairing requests without asking (for scripts).") var yes = false
    @Flag(name: .long, help: "Stop after the first device pairs.") var once = false

    func run() async throws {
        try await CommandRunner(global: global).run { application, _ in
            let listener = try await application.peerService.listen(on: listenEndpoint(application, port: port))
            let advertised = Endpoint(host: advertise ?? LocalAddress.preferred(), port: listener.endpoint.port)
            let host = application.pairingHost
            let events = application.bus.subscribe()
            func announce() async throws {
                let invitation = try await host.initiate(advertising: advertised)
                application.presenter.show(.listening(ListeningReport(
                    listening: listener.endpoint.description, port: listener.endpoint.port,
                    deviceID: try application.identity.ensureIdentity().deviceID, code: invitation.code,
                    advertised: advertised.description, payload: invitation.qrText, expiresAt: invitation.expiresAt)))
            }
            try await announce()
            // One reader of standard input: `r` refreshes the code, other lines answer prompts.
            let (answers, answer) = AsyncStream<String>.makeStream()
            let reader = Task {
                for await line in StandardInput.lines() {
                    if line == "r" { await host.cancel() } else { answer.yield(line) }
                }
                answer.finish()
            }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await ShutdownSignal.wait() }
                group.addTask {
                    var replies = answers.makeAsyncIterator()
                    for await event in events {
                        switch event {
                        case .pairingRequestPending:
                            var accept = yes
                            if !yes {
                                RuntimeEnvironment.process.standardError("Accept this device? [y/N] ")
                                accept = (await replies.next())?.lowercased().hasPrefix("y") ?? false
                            }
                            try? await host.respond(accept: accept)
                        case .paired where once:
                            return
                        case .paired, .pairingRejected, .pairingCancelled:
                            try? await announce()
                        default:
                            break
                        }
                    }
                }
                await group.next()
                group.cancelAll()
            }
            reader.cancel()
            await host.cancel()
            await listener.close()
            return nil
        }
    }
}

struct PairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pair", abstract: "Join a sharing device with its 6-digit code or its QR payload.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "The 6-digit code the sharing device shows.") var code: String?
    @Option(name: .long, help: "The sharing device's address (host or host:port; default server.host).") var host: String?
    @Option(name: .long, help: "The QR payload text the sharing device shows.") var token: String?

    func validate() throws {
        guard (code == nil) != (token == nil) else {
            throw ValidationError("Give exactly one of --code or --token.")
        }
    }

    func run() async throws {
        try await CommandRunner(global: global).run { application, loaded in
            let record: PeerRecord
            if let token {
                record = try await application.joining.join(payloadText: token)
            } else {
                let target = host ?? (loaded.config.server.host.isEmpty ? nil : "\(loaded.config.server.host):\(loaded.config.server.port)")
                guard let target else {
                    throw HealthSyncError(.invalidArgument, "Where is the sharing device?",
                                          hint: "Pass --host with the address `healthsync share` shows.")
                }
                record = try await application.joining.join(
                    code: code ?? "", endpoint: try Endpoint(parsing: target, defaultPort: loaded.config.server.port))
            }
            return .paired(PairedReport(name: record.name, deviceID: record.deviceID, address: record.lastAddress))
        }
    }
}

struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch", abstract: "Read samples from the paired sharing device over mutual TLS.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Data types, comma-separated (see `healthsync types`).") var types: String
    @Option(name: .long, help: "At most this many samples.") var limit = 100
    @Option(name: .long, help: "From this date (2026-01-07 or 2026-01-07T08:00:00Z).") var since: String?
    @Option(name: .long, help: "Up to (not including) this date.") var until: String?
    @Option(name: .long, help: "The sharing device's address (host or host:port).") var host: String?
    @Option(name: .long, help: "Milliseconds to wait for the device.") var timeout: Int?
    @Option(name: .long, help: "Paired device (name or device-ID prefix).") var device: String?
    @Option(name: .long, help: "table, json or csv.") var format: FetchReport.Format = .table

    func run() async throws {
        var global = self.global
        if let timeout { global.extraFlags.append(("transport.timeout_ms", String(timeout))) }
        try await CommandRunner(global: global).run { application, _ in
            let result = try await application.fetching.fetch(
                types: try HealthDataType.parseList(types), limit: limit, since: try DateArgument.parse(since, "since"),
                until: try DateArgument.parse(until, "until"), device: device, host: host)
            return .fetched(FetchReport(device: result.peer.name, deviceID: result.peer.deviceID, format: format,
                                        samples: result.samples))
        }
    }
}

struct UnpairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpair",
        abstract: "Remove a pairing (all with no argument): revoke its certificates and tell it when reachable.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Paired device (name or device-ID prefix).") var device: String?

    func run() async throws {
        try await CommandRunner(global: global).run { application, _ in
            let outcomes = try await application.unpairing.unpair(device)
            return .unpaired(UnpairReport(devices: outcomes.map { .init(name: $0.name, deviceID: $0.deviceID, notified: $0.notified) }))
        }
    }
}

extension FetchReport.Format: ExpressibleByArgument {}

/// `--port` over `transport.listen`.
func listenEndpoint(_ application: Application, port: Int?) -> Endpoint {
    Endpoint(host: application.config.transport.listen.host, port: port ?? application.config.transport.listen.port)
}

enum DateArgument {
    static func parse(_ text: String?, _ name: String) throws -> Date? {
        guard let text else { return nil }
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle().year().month().day().parse(text) { return date }
        throw HealthSyncError(.invalidArgument, "--\(name) must be a date like 2026-01-07 or 2026-01-07T08:00:00Z")
    }
}

import ArgumentParser
import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring

struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch", abstract: "Read samples from the paired sharing device over mutual TLS.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Data types, comma-separated (see `healthsync types`), or all.") var types = "all"
    @Option(name: .long, help: "At most this many samples.") var limit = 100
    @Option(name: .long, help: "From this date (2026-01-07 or 2026-01-07T08:00:00Z).") var since: String?
    @Option(name: .long, help: "Up to (not including) this date.") var until: String?
    @Option(name: .long, help: "The sharing device's address for this command alone (host, host:port or [v6]:port).") var host: String?
    @Option(name: .long, help: "Milliseconds to wait for the device.") var timeout: Int?
    @Option(name: .long, help: "Paired device (name or device-ID prefix).") var device: String?
    @Option(name: .long, help: "table, json, ndjson, csv or fhir (a FHIR R4 Bundle).") var format: SampleFormat = .table
    @Flag(name: .long, help: "The newest samples first (with --limit 1: the latest one).") var latest = false
    @Flag(name: .long, help: "Print the TLS version, cipher, ALPN, the peer's certificate chain and the verify result.")
    var debugTls = false

    func run() async throws {
        var global = self.global
        if let timeout { global.extraFlags.append(("transport.timeout_ms", String(timeout))) }
        let json = global.json
        try await CommandRunner(global: global).run { application, _ in
            let types = try HealthDataType.parseList(types)
            let since = try DateArgument.parse(since, "since"), until = try DateArgument.parse(until, "until")
            // A document (not --json's report) is written page by page as pages come: a fetch of millions never
            // sits in memory. On a failure part way, what came is on stdout and the exit code says it failed.
            if !json, application.sampleEncoder(format) != nil {
                let output = DocumentOutput(application: application, format: format)
                _ = try await application.fetching.fetch(types: types, limit: limit, since: since, until: until, newestFirst: latest,
                                                         device: device, host: host, debugTLS: debugTls) { try output.write($0) }
                output.finish()
                return nil
            }
            let result = try await application.fetching.fetch(types: types, limit: limit, since: since, until: until,
                                                              newestFirst: latest, device: device, host: host, debugTLS: debugTls)
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
            .unpaired(try await application.unpairing.unpair(device, preferring: application.daemonClient))
        }
    }
}


/// `--port` over `transport.listen`.
func listenEndpoint(_ application: Application, port: Int?) throws -> Endpoint {
    Endpoint(host: application.config.transport.listen.host,
             port: try Endpoint.listeningPort(port ?? application.config.transport.listen.port, option: "--port"))
}

enum DateArgument {
    static func parse(_ text: String?, _ name: String) throws -> Date? {
        guard let text else { return nil }
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle().year().month().day().parse(text) { return date }
        throw HealthSyncError(.invalidArgument, "--\(name) must be a date like 2026-01-07 or 2026-01-07T08:00:00Z")
    }
}

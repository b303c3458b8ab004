import ArgumentParser
import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring

struct PairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pair",
        abstract: "Pair devices: start a session through the running daemon, or join one with its code or QR payload.",
        discussion: """
            With no option, asks the running daemon for a pairing code and QR code, waits for the other \
            device, and asks you to accept it. With --code or --token, joins the device that shows them.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: ArgumentHelp("The code the sharing device shows: 6 digits, or NN-847293 across networks (left out or `-`: asked for, so it is not in the process list).", valueName: "code"))
    var code: String?
    @Option(name: .long, help: "The sharing device's address (host, host:port or [v6]:port; default: server.host, else the devices on this network with an open pairing session).") var host: String?
    @Option(name: .long, help: ArgumentHelp("The QR payload text the sharing device shows, or the whole `healthsync pair --token …` line (left out or `-`: asked for).", valueName: "payload"))
    var token: String?
    @Flag(name: .long, help: "Accept the joining device without asking (for scripts).") var yes = false
    @Option(name: .long, help: "Also save the QR code as a PNG image here.") var qrPng: String?

    func validate() throws {
        if code != nil && token != nil { throw ValidationError("Give at most one of --code or --token.") }
        if host != nil && code == nil && token == nil { throw ValidationError("--host goes with --code or a bare --token.") }
        if (code != nil || token != nil) && (yes || qrPng != nil) {
            throw ValidationError("--yes and --qr-png are for starting a session (`healthsync pair` alone).")
        }
    }

    func run() async throws {
        try await CommandRunner(global: global).run { application, _ in
            if let token {
                let payload = try await Self.secret(token, asking: "QR payload: ", application)
                // The QR payload (or the line `pair` shows) holds a `{`; anything else is a bare token.
                if !payload.contains("{") {
                    return .paired(Self.report(try await application.joining.join(bareToken: payload, host: host)))
                }
                if host != nil { throw HealthSyncError(.invalidArgument, "--host goes with --code or a bare token; the QR payload names its host") }
                return .paired(Self.report(try await application.joining.join(payloadText: payload)))
            }
            if let code {
                let code = try await Self.secret(code, asking: "Pairing code: ", application)
                return .paired(Self.report(try await application.joining.join(code: code, host: host)))
            }
            let relay = application.relay, prompt = application.prompt(autoAccept: yes), qrPng = self.qrPng
            guard let report = try await application.runUntilShutdown({ try await relay.run(prompt: prompt, qrPng: qrPng) })
            else {
                throw HealthSyncError(.pairingRejected, "Pairing cancelled on this device",
                                      hint: "Run `healthsync pair` again when the other device is ready.")
            }
            return .paired(report)
        }
    }

    /// `value`, or when it is `-`, the line typed after `question`.
    static func secret(_ value: String, asking question: String, _ application: Application) async throws -> String {
        guard value == SecretArguments.ask else { return value }
        RuntimeEnvironment.process.standardError(question)
        guard let typed = await application.prompt(autoAccept: false).line() else {
            throw HealthSyncError(.invalidArgument, "No \(question.dropLast(2).lowercased()) was typed",
                                  hint: "Type it when asked, or pipe it in: `echo 847293 | healthsync pair --code - --host …`.")
        }
        return typed
    }

    static func report(_ record: PeerRecord) -> PairedReport {
        PairedReport(name: record.name, deviceID: record.deviceID, address: record.lastAddress)
    }
}

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
    @Option(name: .long, help: "The 6-digit code the sharing device shows.") var code: String?
    @Option(name: .long, help: "The sharing device's address (host or host:port; default server.host).") var host: String?
    @Option(name: .long, help: "The QR payload text the sharing device shows.") var token: String?
    @Flag(name: .long, help: "Accept the joining device without asking (for scripts).") var yes = false
    @Option(name: .long, help: "Also save the QR code as a PNG image here.") var qrPng: String?

    func validate() throws {
        if code != nil && token != nil { throw ValidationError("Give at most one of --code or --token.") }
        if host != nil && code == nil { throw ValidationError("--host goes with --code.") }
        if (code != nil || token != nil) && (yes || qrPng != nil) {
            throw ValidationError("--yes and --qr-png are for starting a session (`healthsync pair` alone).")
        }
    }

    func run() async throws {
        try await CommandRunner(global: global).run { application, _ in
            if let token {
                return .paired(Self.report(try await application.joining.join(payloadText: token)))
            }
            if let code {
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

    static func report(_ record: PeerRecord) -> PairedReport {
        PairedReport(name: record.name, deviceID: record.deviceID, address: record.lastAddress)
    }
}

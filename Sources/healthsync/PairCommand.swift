import ArgumentParser
import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring
import ServiceLifecycle
import Synchronization

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
        try await CommandRunner(global: global).run { application, loaded in
            if let token {
                return .paired(try await Self.report(application.joining.join(payloadText: token)))
            }
            if let code {
                let target = host ?? (loaded.config.server.host.isEmpty ? nil : "\(loaded.config.server.host):\(loaded.config.server.port)")
                guard let target else {
                    throw HealthSyncError(.invalidArgument, "Where is the sharing device?",
                                          hint: "Pass --host with the address `healthsync pair` or `healthsync share` shows.")
                }
                let endpoint = try Endpoint(parsing: target, defaultPort: loaded.config.server.port)
                return .paired(try await Self.report(application.joining.join(code: code, endpoint: endpoint)))
            }
            return .paired(try await DaemonPairing(application: application, yes: yes, qrPng: qrPng).run())
        }
    }

    static func report(_ record: PeerRecord) -> PairedReport {
        PairedReport(name: record.name, deviceID: record.deviceID, address: record.lastAddress)
    }
}

/// `healthsync pair` alone: the session lives in the daemon; this process
/// shows the code, waits, and relays the user's answer.
struct DaemonPairing {
    let application: Application
    let yes: Bool
    let qrPng: String?

    func run() async throws -> PairedReport {
        let client = application.daemonClient
        let invitation = try await client.initiate()
        let advertised = try Endpoint(parsing: invitation.advertised, defaultPort: 8443)
        if let qrPng { try application.qr.savePNG(invitation.payload, to: qrPng) }
        application.presenter.show(.listening(ListeningReport(
            listening: advertised.description, port: advertised.port, deviceID: try application.identity.ensureIdentity().deviceID,
            code: invitation.code, advertised: invitation.advertised, payload: invitation.payload,
            expiresAt: invitation.expiresAt, api: client.endpoint.description,
            qr: try? application.qr.code(for: invitation.payload), qrImage: qrPng)))
        application.bus.publish(.pairingCodeIssued(code: invitation.code, expiresAt: invitation.expiresAt))

        let outcome = Mutex<Result<PairedReport, any Error>?>(nil)
        try? await Lifecycle.run {
            let result: Result<PairedReport, any Error>
            do { result = .success(try await cancelWhenGracefulShutdown { try await self.follow(client) }) } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
        }
        switch outcome.withLock({ $0 }) {
        case .success(let report):
            return report
        case .failure(let error as HealthSyncError):
            throw error
        case .failure, nil:
            // Interrupted: the daemon must not keep a session nobody watches.
            try? await client.cancel()
            throw HealthSyncError(.pairingRejected, "Pairing cancelled on this device",
                                  hint: "Run `healthsync pair` again when the other device is ready.")
        }
    }

    /// Waits for a joiner, asks the user, and waits for the certificates.
    private func follow(_ client: DaemonClient) async throws -> PairedReport {
        var state = try await client.awaitPairing(past: [.waiting])
        if state.state == .pending, let request = state.request, let deviceID = request.deviceID {
            application.bus.publish(.pairingRequestPending(name: request.name, deviceID: deviceID,
                                                           checkNumber: request.checkNumber ?? ""))
            let accept = yes ? true : await ask("Accept this device? [y/N] ")
            try await client.respond(accept: accept)
            guard accept else {
                throw HealthSyncError(.pairingRejected, "You rejected \(request.name)",
                                      hint: "Run `healthsync pair` again when the right device is ready to join.")
            }
            application.bus.publish(.pairingAccepted(deviceID))
            state = try await client.awaitPairing(past: [.pending, .exchanging])
        } else if state.state == .exchanging {
            state = try await client.awaitPairing(past: [.exchanging])
        }
        switch state.state {
        case .paired:
            guard let request = state.request, let deviceID = request.deviceID else {
                throw HealthSyncError(.protocolError, "The daemon reported a pairing without a device")
            }
            application.bus.publish(.paired(name: request.name, deviceID: deviceID))
            return PairedReport(name: request.name, deviceID: deviceID, address: nil)
        case .failed:
            throw state.error.map(WireCodec.error(from:)) ?? HealthSyncError(.pairingRejected)
        default:
            throw HealthSyncError(.protocolError, "The daemon's pairing session ended in state \(state.state.rawValue)",
                                  hint: "Another client may have cancelled or restarted it; run `healthsync pair` again.")
        }
    }

    private func ask(_ question: String) async -> Bool {
        RuntimeEnvironment.process.standardError(question)
        for await line in StandardInput.lines() { return line.lowercased().hasPrefix("y") }
        return false
    }
}

import FoundationEssentials
import HealthSyncDomain
import HealthSyncBus
import HealthSyncPorts
import Synchronization

/// `healthsync pair` alone: the pairing session lives in the daemon; this
/// use case starts it, shows the code (as a `.listening` event), waits for
/// a joiner, relays the user's answer, and waits for the certificates.
public struct PairingRelay: Sendable {
    private let deps: Dependencies
    private let client: DaemonClient

    public init(_ deps: Dependencies, client: DaemonClient) {
        self.deps = deps
        self.client = client
    }

    /// Runs one session; asks `prompt` about the joiner. Cancelling the task
    /// cancels the daemon's session too (nobody would be watching it).
    public func run(prompt: any UserPrompt, qrPng: String?) async throws -> PairedReport {
        let invitation = try await client.initiate()
        let advertised = try Endpoint(parsing: invitation.advertised, defaultPort: Settings.defaultPeerPort)
        let qr = QRService(deps)
        if let qrPng { try qr.savePNG(invitation.payload, to: qrPng) }
        deps.bus.publish(.listening(ListeningReport(
            listening: advertised.description, port: advertised.port, deviceID: try IdentityService(deps).ensureIdentity().deviceID,
            code: invitation.code, advertised: invitation.advertised, addresses: invitation.addresses, payload: invitation.payload,
            expiresAt: invitation.expiresAt, api: client.address.description,
            qr: try? qr.code(for: invitation.payload), qrImage: qrPng)))
        deps.bus.publish(.pairingCodeIssued(code: invitation.code, expiresAt: invitation.expiresAt))
        do {
            let report = try await follow(prompt: prompt)
            try Task.checkCancellation()
            return report
        } catch let error as HealthSyncError {
            throw error
        } catch {
            // Interrupted: the daemon must not keep a session nobody watches.
            try? await client.cancel()
            throw HealthSyncError(.pairingRejected, "Pairing cancelled on this device",
                                  hint: "Run `healthsync pair` again when the other device is ready.")
        }
    }

    private func follow(prompt: any UserPrompt) async throws -> PairedReport {
        let failures = FailureFeed(bus: deps.bus)
        var state = try await client.awaitPairing(past: [.waiting], seen: failures.show)
        if state.state == .pending, let request = state.request, let deviceID = request.deviceID {
            deps.bus.publish(.pairingRequestPending(name: request.name, deviceID: deviceID,
                                                    checkNumber: request.checkNumber ?? ""))
            let accept = await prompt.accept(name: request.name, deviceID: deviceID, checkNumber: request.checkNumber ?? "")
            try Task.checkCancellation()
            try await client.respond(accept: accept)
            guard accept else {
                throw HealthSyncError(.pairingRejected, "You rejected \(request.name)",
                                      hint: "Run `healthsync pair` again when the right device is ready to join.")
            }
            deps.bus.publish(.pairingAccepted(deviceID))
            state = try await client.awaitPairing(past: [.pending, .exchanging], seen: failures.show)
        } else if state.state == .exchanging {
            state = try await client.awaitPairing(past: [.exchanging], seen: failures.show)
        }
        switch state.state {
        case .paired:
            guard let request = state.request, let deviceID = request.deviceID else {
                throw HealthSyncError(.protocolError, "The daemon reported a pairing without a device")
            }
            deps.bus.publish(.paired(name: request.name, deviceID: deviceID))
            return PairedReport(name: request.name, deviceID: deviceID, address: nil)
        case .failed:
            throw state.error?.error ?? HealthSyncError(.pairingRejected)
        default:
            throw HealthSyncError(.protocolError, "The daemon's pairing session ended in state \(state.state.rawValue)",
                                  hint: "Another client may have cancelled or restarted it; run `healthsync pair` again.")
        }
    }
}

/// Publishes each refused attempt the daemon reports, once.
private final class FailureFeed: Sendable {
    private let bus: EventBus
    private let shown = Mutex(0)

    init(bus: EventBus) { self.bus = bus }

    func show(_ state: ControlPairingState) {
        let all = state.failures ?? []
        // The daemon keeps the last 32; count what is new by what was shown.
        let fresh = shown.withLock { count -> ArraySlice<PairingFailure> in
            defer { count = max(count, all.count) }
            return all.count > count ? all[count...] : ArraySlice()
        }
        for failure in fresh { bus.publish(.pairingAttemptFailed(failure)) }
    }
}

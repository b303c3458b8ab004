import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// `healthsync share`: serves paired devices and keeps a pairing code on
/// offer — a fresh one after each pairing, rejection or cancellation, or
/// when the user asks — asking the user about each joiner.
public struct SharingSession: Sendable {
    private let deps: Dependencies
    private let host: PairingHost

    public init(_ deps: Dependencies, host: PairingHost) {
        self.deps = deps
        self.host = host
    }

    /// Runs until cancelled, or (with `once`) until a device paired; returns
    /// the devices paired meanwhile.
    public func run(on endpoint: Endpoint, advertise: String?, prompt: any UserPrompt, qrPng: String?,
                    once: Bool) async throws -> [PairedReport] {
        let events = deps.bus.subscribe()
        let listener = try await PeerService(deps, pairing: host).listen(on: endpoint)
        let deviceID = try IdentityService(deps).ensureIdentity().deviceID
        // On the network as a daemon is, with its pairing session open (the
        // flag, never the code), so `pair --code` needs no address. Best
        // effort: where discovery cannot start (its port taken by a probe
        // answerer), the code and QR code still work.
        let discovery: (any DiscoveryListener)? = deps.settings.discoveryEnabled
            ? try? await deps.discovery.answer(
                on: Endpoint(host: "0.0.0.0", port: deps.settings.discoveryPort),
                with: DiscoveryAnnouncement(name: deps.deviceName, deviceID: deviceID, port: listener.endpoint.port,
                                            version: deps.version, pairing: true))
            : nil
        let qr = QRService(deps)
        @Sendable func announce() async throws {
            // Read for each code: the machine may have moved networks meanwhile.
            let advertised = Advertisement(override: advertise, port: listener.endpoint.port, discovery: deps.discovery)
            let invitation = try await host.initiate(advertising: advertised.primary, alternates: advertised.alternates)
            if let qrPng { try qr.savePNG(invitation.qrText, to: qrPng) }
            deps.bus.publish(.listening(ListeningReport(
                listening: listener.endpoint.description, port: listener.endpoint.port, deviceID: deviceID,
                code: invitation.code, advertised: advertised.primary.description, addresses: advertised.all,
                payload: invitation.qrText,
                expiresAt: invitation.expiresAt, qr: try? qr.code(for: invitation.qrText), qrImage: qrPng)))
        }
        // A session that cannot start again (backing off after failed codes)
        // is reported; the listener keeps serving paired devices.
        @Sendable func reannounce() async {
            do { try await announce() } catch {
                deps.bus.publish(.failed(HealthSyncError.wrap(error, as: .pairingBusy, "No new pairing code")))
            }
        }
        var paired: [PairedReport] = []
        do {
            try await announce()
            paired = try await withThrowingTaskGroup(of: Void.self) { group in
                // Reachable beyond this network through every configured relay while the session runs.
                for relay in deps.settings.relays {
                    group.addTask { try await RelayPresenceService(relay: relay, peers: PeerService(deps, pairing: host), deps: deps).run() }
                }
                // The user's `r`: a fresh code (cancelling publishes `.pairingCancelled`, answered below).
                group.addTask {
                    for await _ in prompt.refreshRequests() { await host.cancel() }
                    await untilCancelled()
                }
                // Looking at the session reports attempts that were never
                // confirmed (a guesser that just left), as `pair` does by polling.
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(PairingSession.unconfirmedAfter / 2))
                        _ = await host.state()
                    }
                }
                var paired: [PairedReport] = []
                events: for await event in events {
                    switch event {
                    case .pairingRequestPending(let name, let id, let check):
                        try? await host.respond(accept: await prompt.accept(name: name, deviceID: id, checkNumber: check))
                    case .paired(let name, let id):
                        paired.append(PairedReport(name: name, deviceID: id, address: nil))
                        if once { break events }
                        await reannounce()
                    case .pairingRejected, .pairingCancelled:
                        await reannounce()
                    default:
                        break
                    }
                }
                group.cancelAll()
                return paired
            }
        } catch {
            await host.cancel()
            await host.endMeeting()
            await discovery?.close()
            await listener.close()
            throw error
        }
        await host.cancel()
        await host.endMeeting()
        await discovery?.close()
        await listener.close()
        return paired
    }
}

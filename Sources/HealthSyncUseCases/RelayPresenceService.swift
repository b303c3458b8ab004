import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// Keeps the daemon joined to one relay (`reach.relays`), so devices that
/// cannot reach it directly can through the relay: joins, stays while the
/// relay answers, and after a failure joins again after 1 s, doubling to
/// 60 s (a relay that is down is not hammered). A failure is reported once
/// until the reason changes. When the server certificate is renewed (or
/// reissued for new addresses), it joins again at once to present it.
struct RelayPresenceService: ApplicationService {
    var name: String { "relay \(relay.address)" }
    let relay: ReachServer
    let peers: PeerService
    let deps: Dependencies

    /// How a membership ended: the relay went away, or a renewal asks to join again.
    private enum Outcome: Equatable {
        case ended(HealthSyncError), renewed, stopped
    }

    static let firstRetry = Duration.seconds(1)
    static let longestRetry = Duration.seconds(60)

    func run() async throws {
        var retry = Self.firstRetry
        var reported: String?
        while !Task.isCancelled {
            let why: HealthSyncError
            do {
                // Subscribed before joining, so a renewal during the join is not missed.
                let renewals = deps.bus.subscribe()
                let membership = try await peers.join(relay)
                retry = Self.firstRetry
                reported = nil
                deps.bus.publish(.reachServerJoined(server: relay.address, addresses: [relay.description]))
                let outcome: Outcome = await withTaskCancellationHandler {
                    await withTaskGroup(of: Outcome.self) { group in
                        group.addTask { .ended(await membership.ended()) }
                        // A renewed server certificate is presented from the next join on.
                        group.addTask {
                            for await event in renewals {
                                guard case .certificateRenewed(let renewal) = event, renewal.kind == .serverCertificate else { continue }
                                await membership.close()
                                return .renewed
                            }
                            return .stopped
                        }
                        let first = await group.next() ?? .stopped
                        group.cancelAll()
                        var renewed = first == .renewed
                        for await other in group where other == .renewed { renewed = true }
                        return renewed ? .renewed : first
                    }
                } onCancel: {
                    Task { await membership.close() }
                }
                guard case .ended(let ended) = outcome else { continue }
                why = ended
            } catch {
                why = HealthSyncError.wrap(error, as: .deviceNotFound, "Cannot join the relay \(relay.address)")
            }
            guard !Task.isCancelled else { return }
            if reported != why.message {
                reported = why.message
                deps.bus.publish(.failed(HealthSyncError(why.code, "Relay \(relay.address): \(why.message)",
                                                         hint: "Retrying in \(retry.components.seconds) s and then less often; direct connections are unaffected.")))
            }
            try? await Task.sleep(for: retry)
            retry = min(retry * 2, Self.longestRetry)
        }
    }
}

import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// Keeps the daemon joined to one relay (`reach.relays`), so devices that
/// cannot reach it directly can through the relay: joins, stays while the
/// relay answers, and after a failure joins again after 1 s, doubling to
/// 60 s (a relay that is down is not hammered). A failure is reported once
/// until the reason changes.
struct RelayPresenceService: ApplicationService {
    var name: String { "relay \(relay.address)" }
    let relay: ReachServer
    let peers: PeerService
    let deps: Dependencies

    static let firstRetry = Duration.seconds(1)
    static let longestRetry = Duration.seconds(60)

    func run() async throws {
        var retry = Self.firstRetry
        var reported: String?
        while !Task.isCancelled {
            let why: HealthSyncError
            do {
                let membership = try await peers.join(relay)
                retry = Self.firstRetry
                reported = nil
                deps.bus.publish(.reachServerJoined(server: relay.address, addresses: [relay.description]))
                why = await withTaskCancellationHandler {
                    await membership.ended()
                } onCancel: {
                    Task { await membership.close() }
                }
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

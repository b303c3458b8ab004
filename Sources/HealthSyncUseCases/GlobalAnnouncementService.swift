import HealthSyncDomain
import HealthSyncPorts

/// Keeps this daemon findable through one global discovery server
/// (`reach.discovery`): announces where it can be reached, again when the
/// server asks (`Reannounce-After`, or `Retry-After` when it found us too
/// eager) and at once when this machine's addresses change (looked at every
/// second, read locally). After a failure it tries again after 1 s,
/// doubling to 60 s; a failure is reported once until the reason changes.
struct GlobalAnnouncementService: ApplicationService {
    var name: String { "global discovery \(server.address)" }
    let server: ReachServer
    let running: DaemonService.Running
    let deps: Dependencies

    static let firstRetry = Duration.seconds(1)
    static let longestRetry = Duration.seconds(60)

    func run() async throws {
        var retry = Self.firstRetry
        var reported: String?
        var told: [GlobalAddress]?
        while !Task.isCancelled {
            let addresses = await running.globalAddresses()
            var wait: Duration
            do {
                let loaded = try IdentityService(deps).ensureIdentity()
                let receipt = try await deps.globalDiscovery.announce(addresses, to: server,
                                                                      identity: PeerCredentials.relayIdentity(loaded),
                                                                      timeout: deps.settings.timeout)
                retry = Self.firstRetry
                reported = nil
                wait = receipt.again
                if receipt.accepted, told != addresses {
                    told = addresses
                    deps.bus.publish(.reachServerJoined(server: server.address, addresses: addresses.map(\.description)))
                }
            } catch {
                let why = HealthSyncError.wrap(error, as: .deviceNotFound, "Cannot announce to \(server.address)")
                if reported != why.message {
                    reported = why.message
                    deps.bus.publish(.failed(HealthSyncError(why.code, "Discovery server \(server.address): \(why.message)",
                                                             hint: "Retrying in \(retry.components.seconds) s and then less often; paired devices that know an address still reach this one.")))
                }
                wait = retry
                retry = min(retry * 2, Self.longestRetry)
            }
            // Whole seconds, so a change of address is announced within one.
            var waited = Duration.zero
            while waited < wait, !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                waited += .seconds(1)
                if await running.globalAddresses() != addresses { break }
            }
        }
    }
}

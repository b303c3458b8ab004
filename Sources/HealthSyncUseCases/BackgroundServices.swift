import HealthSyncDomain

/// Renews the daemon's server certificate when due (DESIGN §3): checked
/// every `interval`, so a daemon that runs for months renews in time.
struct RenewalService: ApplicationService {
    let name = "certificate renewal"
    let running: DaemonService.Running
    let interval: Duration
    let deps: Dependencies

    func run() async throws {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { return }
            do { try await running.renewIfDue() } catch {
                deps.bus.publish(.failed(HealthSyncError.wrap(error, as: .cryptoFailure, "Renewing the server certificate failed")))
            }
        }
    }
}

/// A full sync of every paired device every `interval`, the fallback beside
/// live sync (which syncs at start, so the first full sync waits one
/// interval); nothing to do while this device is paired with no one.
struct BackgroundSyncService: ApplicationService {
    let name = "background sync"
    let deps: Dependencies
    let interval: Duration

    func run() async throws {
        try? await Task.sleep(for: interval)
        while !Task.isCancelled {
            do { _ = try await SyncService(deps).sync() } catch let error as HealthSyncError where error.code == .notPaired {
                // Not reading from anyone (yet).
            } catch {
                deps.bus.publish(.failed(HealthSyncError.wrap(error, as: .deviceNotFound, "Background sync failed")))
            }
            try? await Task.sleep(for: interval)
        }
    }
}

/// Keeps the daemon's discovery answers in step with its pairing session
/// and this machine's addresses, looked at twice a second (the flag is read
/// without waiting for the pairing actor; the addresses are the interfaces'
/// list, read locally).
struct AnnouncementService: ApplicationService {
    let name = "discovery announcement"
    let running: DaemonService.Running

    func run() async throws {
        while !Task.isCancelled {
            await running.refreshAnnouncement()
            try? await Task.sleep(for: .milliseconds(500))
        }
    }
}

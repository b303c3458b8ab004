/// A long-running part of a command — the daemon's listeners and loops, a
/// sharing session — that runs until it is done or its task is cancelled.
/// The composition root runs a command's parts in one ServiceGroup, which
/// cancels them on SIGINT or SIGTERM (the last first).
public protocol ApplicationService: Sendable {
    /// What it is, for logs.
    var name: String { get }
    func run() async throws
}

/// Holds something open (a listener) until cancelled, then closes it.
struct HoldingService: ApplicationService {
    let name: String
    let close: @Sendable () async -> Void

    func run() async throws {
        await untilCancelled()
        await close()
    }
}

/// Returns once the current task is cancelled.
func untilCancelled() async {
    while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
}

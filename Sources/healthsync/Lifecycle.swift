import Logging
import ServiceLifecycle

/// Long-running commands run as a swift-service-lifecycle service: SIGINT
/// and SIGTERM trigger a graceful shutdown, which `body` sees through
/// `gracefulShutdown()` or as cancellation (`cancelWhenGracefulShutdown`).
enum Lifecycle {
    static func run(_ body: @escaping @Sendable () async throws -> Void) async throws {
        var logger = Logger(label: "healthsync") { StreamLogHandler.standardError(label: $0) }
        // Only the lifecycle's own failures; what the daemon does is shown by the presenter.
        logger.logLevel = .error
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [ClosureService(body)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Runs until SIGINT or SIGTERM.
    static func waitForShutdown() async {
        try? await run { try? await gracefulShutdown() }
    }
}

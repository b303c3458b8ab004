import HealthSyncDomain
import HealthSyncUseCases
import Logging
import ServiceLifecycle
import Synchronization

/// A use case's long-running part as a swift-service-lifecycle service:
/// graceful shutdown (SIGINT, SIGTERM) cancels it.
struct LifecycleService: Service {
    let base: any ApplicationService

    func run() async throws { try await cancelWhenGracefulShutdown { try await base.run() } }
}

/// A one-off body as an application service that keeps its outcome.
private final class OutcomeService<Value: Sendable>: ApplicationService {
    let name = "command"
    let body: @Sendable () async throws -> Value
    let outcome = Mutex<Result<Value, any Error>?>(nil)

    init(_ body: @escaping @Sendable () async throws -> Value) { self.body = body }

    func run() async throws {
        let result: Result<Value, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
    }
}

extension Application {
    /// Runs a command's long-running parts in one ServiceGroup until SIGINT
    /// or SIGTERM, or until one of them ends; the last part stops first.
    public func run(_ services: [any ApplicationService]) async throws {
        var logger = Logger(label: "healthsync") { StreamLogHandler.standardError(label: $0) }
        // Only the lifecycle's own failures; what the parts do is shown by the presenter.
        logger.logLevel = .error
        // A part that is done (a session that paired) ends the others gracefully;
        // one that fails cancels them, and `run` throws its error.
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map {
                .init(service: LifecycleService(base: $0), successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .cancelGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Runs `body` until it ends or SIGINT/SIGTERM cancels it; returns what
    /// it returned (it may return early when cancelled), nil when it ended
    /// by cancellation, and rethrows anything else it threw.
    public func runUntilShutdown<Value: Sendable>(_ body: @escaping @Sendable () async throws -> Value) async throws -> Value? {
        let service = OutcomeService(body)
        try await run([service])
        switch service.outcome.withLock({ $0 }) {
        case .success(let value): return value
        case .failure(is CancellationError), nil: return nil
        case .failure(let error): throw error
        }
    }
}

extension Application {
    /// Shows every event on the presenter while `body` runs (a command's
    /// progress), and returns once the last of them is shown.
    public func presentingEvents<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        let events = bus.subscribe()
        let shown = Task { [presenter] in
            for await event in events { presenter.show(event) }
        }
        let result: Result<Value, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        bus.finish()
        await shown.value
        return try result.get()
    }
}

import HealthSyncDomain
import Synchronization

/// The in-process async event bus. Every subscriber gets its own
/// `AsyncStream`, registered synchronously (so a test can subscribe before it
/// acts) and removed as soon as its consumer stops listening. Publishing
/// never waits for subscribers: each stream buffers what its reader has not
/// taken yet.
public final class EventBus: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncStream<Event>.Continuation] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// A stream of every event published from now on, in publication order.
    public func subscribe() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .unbounded)
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Delivers the event to every current subscriber.
    public func publish(_ event: Event) {
        // Yield under the lock so that concurrent publishers reach every
        // subscriber in the same order. `yield` never blocks.
        state.withLock { state in
            for continuation in state.subscribers.values { continuation.yield(event) }
        }
    }

    /// How many subscribers are registered (finished ones are gone).
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Ends every stream, e.g. when the application shuts down.
    public func finish() {
        let continuations = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for continuation in continuations { continuation.finish() }
    }
}

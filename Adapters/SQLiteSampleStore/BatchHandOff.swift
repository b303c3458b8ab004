import Dispatch
import HealthSyncDomain
import Synchronization

/// Batches of samples handed from the thread that makes them to the thread
/// that writes them, at most `capacity` waiting (the maker waits for room, so
/// a fast reader cannot fill memory with batches the disk has not taken).
final class BatchHandOff: Sendable {
    private struct State {
        var waiting: [[HealthSample]] = []
        var finished = false
        var abandoned = false
        var failure: HealthSyncError?
    }

    private let state = Mutex(State())
    private let room: DispatchSemaphore
    private let ready = DispatchSemaphore(value: 0)

    init(capacity: Int) { room = DispatchSemaphore(value: capacity) }

    /// Hands `batch` over, waiting for room; throws the writer's failure once there is one.
    func put(_ batch: [HealthSample]) throws {
        room.wait()
        try state.withLock { state in
            if let failure = state.failure {
                room.signal()
                throw failure
            }
            state.waiting.append(batch)
        }
        ready.signal()
    }

    /// No more batches: `abandoned` when the maker failed (the writer then keeps nothing uncommitted).
    func finish(abandoned: Bool) {
        state.withLock {
            $0.finished = true
            $0.abandoned = abandoned
        }
        ready.signal()
    }

    /// The next batch, waiting for one; nil once the maker has finished and none is left.
    func take() -> [HealthSample]? {
        ready.wait()
        let batch: [HealthSample]? = state.withLock { state in
            guard !state.waiting.isEmpty else { return nil }
            return state.waiting.removeFirst()
        }
        if batch != nil { room.signal() }
        return batch
    }

    var isAbandoned: Bool { state.withLock { $0.abandoned } }

    /// The writer failed: later `put`s throw `failure`; batches already waiting are dropped.
    func fail(_ failure: HealthSyncError) {
        let dropped = state.withLock { state in
            state.failure = failure
            defer { state.waiting.removeAll() }
            return state.waiting.count
        }
        for _ in 0..<dropped { room.signal() }
    }
}

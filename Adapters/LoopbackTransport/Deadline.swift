import HealthSyncDomain
import Synchronization

/// Waits for `work` at most `timeout`, then throws `timedOut` — as a socket
/// would — while the work goes on unobserved (a handler waiting for a
/// person's answer cannot be interrupted, and a real server would not be).
func withDeadline<T: Sendable>(_ timeout: Duration, timedOut: HealthSyncError,
                               _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let once = OnceContinuation(continuation)
        let alarm = Task {
            try await Task.sleep(for: timeout)
            once.resume(with: .failure(timedOut))
        }
        Task {
            do { once.resume(with: .success(try await work())) } catch { once.resume(with: .failure(error)) }
            alarm.cancel()
        }
    }
}

/// A continuation resumed by whichever side comes first.
private final class OnceContinuation<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) { self.continuation = Mutex(continuation) }

    func resume(with result: Result<T, any Error>) {
        continuation.withLock { waiting in
            defer { waiting = nil }
            return waiting
        }?.resume(with: result)
    }
}

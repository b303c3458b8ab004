import Foundation

/// Worker threads for request handlers (peer and control alike). Handlers call the use cases, which
/// use synchronous ports (SQLite, files under a lock): run there, a slow
/// disk or a held lock stalls these threads, never Swift's cooperative
/// pool or the event loops.
public final class HandlerExecutor: TaskExecutor, @unchecked Sendable {
    // Safe: `jobs` is only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    /// Set in each worker's thread dictionary (to its index), so a test can tell where a handler ran.
    public static let marker = "healthsync.handler-worker"

    private init(threads: Int) {
        for index in 0..<threads {
            Thread.detachNewThread { [unowned self] in
                Thread.current.threadDictionary[Self.marker] = index
                self.work()
            }
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// One pool for every listener of the process.
    public static let shared = HandlerExecutor(threads: max(4, ProcessInfo.processInfo.activeProcessorCount * 2))
}

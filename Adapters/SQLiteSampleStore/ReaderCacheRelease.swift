#if canImport(Glibc)
import Glibc
#endif
import Foundation
import GRDB
import Synchronization

/// Gives back what a store's connections cache once reads have stopped for
/// `delay`: a fetch of 100 000 samples left each reader connection it used
/// holding SQLite's 2 MB page cache (6 MB of an idle daemon's 44), and a
/// smaller cache made that fetch ~9 % slower. The readers are closed (the
/// next read opens one again), the writer's cache emptied, and the freed
/// memory returned to the system.
final class ReaderCacheRelease: Sendable {
    static let delay: Duration = .seconds(1)

    private struct State {
        var lastRead = ContinuousClock.now
        var scheduled = false
    }

    private let state = Mutex(State())

    /// `database` was read from just now. Only a pool's readers are released:
    /// a command's single connection ends with the command.
    func read(_ database: any DatabaseWriter) {
        guard let pool = database as? DatabasePool else { return }
        let schedule = state.withLock { state -> Bool in
            state.lastRead = .now
            defer { state.scheduled = true }
            return !state.scheduled
        }
        if schedule { check(pool, after: Self.delay) }
    }

    private func check(_ pool: DatabasePool, after delay: Duration) {
        let (seconds, attoseconds) = delay.components
        let wait = DispatchTimeInterval.nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + wait) { [weak self] in
            guard let self else { return }
            let remaining = state.withLock { state -> Duration? in
                let since = ContinuousClock.now - state.lastRead
                guard since >= Self.delay else { return Self.delay - since }
                state.scheduled = false
                return nil
            }
            if let remaining {
                check(pool, after: remaining)
                return
            }
            // Waits for reads and writes under way (on this utility thread), then closes the readers.
            pool.releaseMemory()
            #if canImport(Glibc)
            _ = malloc_trim(0)
            #endif
        }
    }
}

#if canImport(Glibc)
// glibc's malloc_trim(3) from <malloc.h>, which the Glibc module does not export.
@_silgen_name("malloc_trim")
private func malloc_trim(_ pad: Int) -> Int32
#endif

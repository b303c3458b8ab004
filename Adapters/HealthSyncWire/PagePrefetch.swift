import HealthSyncDomain
import Synchronization

/// Answers made ahead: when a page of samples has a next one, the router
/// makes the answer to the request for it (query and encoding) while the
/// client is still reading this one, so the two sides work at once instead
/// of in turn. An answer is kept for the connection it was made for and the
/// exact query that asks for it, at most `lifetime`, `maxEntries` in all.
final class PagePrefetch: Sendable {
    static let maxEntries = 8
    static let lifetime: Duration = .seconds(10)

    /// What a client asks for, page by page: samples by query (`fetch`), changes after a sequence number (`sync`).
    enum Ask: Sendable, Equatable {
        case samples(SampleQuery)
        case changes(after: Int64, limit: Int, schema: Int)
    }

    /// A page's answer and the request for the page after it (nil on the last page, or when it failed).
    typealias Answer = (response: WireResponse, next: Ask?)

    private struct Entry {
        let query: Ask
        let answer: Task<Answer, Never>
        let number: UInt64
    }

    private struct State {
        var entries: [[UInt8]: Entry] = [:]
        var made: UInt64 = 0
    }

    private let state = Mutex(State())
    private let executor: (any TaskExecutor)?

    init(executor: (any TaskExecutor)?) { self.executor = executor }

    /// The answer made ahead for `query` on `connection`, if it is the one made (it is handed out once).
    func take(_ query: Ask, on connection: [UInt8]) -> Task<Answer, Never>? {
        state.withLock { state in
            guard let entry = state.entries[connection] else { return nil }
            state.entries[connection] = nil
            guard entry.query == query else {
                entry.answer.cancel()
                return nil
            }
            return entry.answer
        }
    }

    /// Drops what was made ahead for `connection`, which has closed: no
    /// request can ask for it any more, and its page goes with it now.
    func drop(_ connection: [UInt8]) {
        let entry = state.withLock { $0.entries.removeValue(forKey: connection) }
        entry?.answer.cancel()
    }

    /// Starts making `answer` for `query` on `connection`, replacing what was made ahead there.
    func start(_ query: Ask, on connection: [UInt8], _ answer: @escaping @Sendable () async -> Answer) {
        let task = Task(executorPreference: executor) { await answer() }
        let number = state.withLock { state -> UInt64 in
            state.made += 1
            state.entries[connection]?.answer.cancel()
            if state.entries[connection] == nil, state.entries.count >= Self.maxEntries,
               let oldest = state.entries.min(by: { $0.value.number < $1.value.number }) {
                oldest.value.answer.cancel()
                state.entries[oldest.key] = nil
            }
            state.entries[connection] = Entry(query: query, answer: task, number: state.made)
            return state.made
        }
        // Not asked for in time (the client stopped, or asks for something else): dropped, its memory with it.
        Task { [weak self] in
            try? await Task.sleep(for: Self.lifetime)
            self?.state.withLock { state in
                if state.entries[connection]?.number == number { state.entries[connection] = nil }
            }
        }
    }
}


#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import Synchronization

/// The connections a listener accepted, so it can close them with it, and
/// the caps of `ConnectionLimits`: in total, and per source before the
/// handshake. When full, the oldest unauthenticated connection goes first.
final class ChannelRegistry: Sendable {
    private struct Entry {
        let channel: any Channel
        let source: String
        let order: Int
        var authenticated: Bool
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var unauthenticatedBySource: [String: Int] = [:]
        var unauthenticated = 0
        /// Unauthenticated connections in the order they came, so the oldest
        /// is found without a scan on every accept of a flood. Entries of
        /// connections that authenticated or closed since are skipped when
        /// met, and dropped whenever they outnumber the live ones.
        var arrivals = CircularBuffer<(id: ObjectIdentifier, order: Int)>()
        var nextOrder = 0
        var closedSinceTrim = 0
        var idleTrimScheduled = false

        func isWaiting(_ arrival: (id: ObjectIdentifier, order: Int)) -> Bool {
            guard let entry = entries[arrival.id] else { return false }
            return entry.order == arrival.order && !entry.authenticated
        }

        /// The oldest connection that has not finished its handshake.
        mutating func oldestWaiting() -> (any Channel)? {
            while let arrival = arrivals.popFirst() {
                if isWaiting(arrival) { return entries[arrival.id]?.channel }
            }
            return nil
        }

        mutating func arrived(_ id: ObjectIdentifier, order: Int) {
            arrivals.append((id, order))
            if arrivals.count > 2 * unauthenticated + 1024 {
                arrivals = CircularBuffer(arrivals.filter { isWaiting($0) })
            }
        }
    }

    private let state = Mutex(State())
    private let limits: ConnectionLimits

    init(limits: ConnectionLimits = ConnectionLimits()) {
        // Never more connections than file descriptors: a full table must
        // not keep the listener from accepting the next legitimate one.
        var limits = limits
        limits.maxConnections = min(limits.maxConnections, Self.descriptorBudget())
        self.limits = limits
    }

    /// Takes `channel` in, or says no (the caller closes it). May close the
    /// oldest unauthenticated connection to make room.
    func admit(_ channel: any Channel, source: String) -> Bool {
        let id = ObjectIdentifier(channel)
        let (admitted, evicted) = state.withLock { state -> (Bool, (any Channel)?) in
            guard state.unauthenticatedBySource[source, default: 0] < limits.maxUnauthenticatedPerSource else {
                return (false, nil)
            }
            var evicted: (any Channel)?
            if state.entries.count >= limits.maxConnections || state.unauthenticated >= limits.maxUnauthenticated {
                guard let oldest = state.oldestWaiting() else { return (false, nil) }
                Self.forget(ObjectIdentifier(oldest), in: &state)
                evicted = oldest
            }
            state.nextOrder += 1
            state.entries[id] = Entry(channel: channel, source: source, order: state.nextOrder, authenticated: false)
            state.unauthenticatedBySource[source, default: 0] += 1
            state.unauthenticated += 1
            state.arrived(id, order: state.nextOrder)
            return (true, evicted)
        }
        evicted?.close(promise: nil)
        guard admitted else { return false }
        let loop = channel.eventLoop
        channel.closeFuture.whenComplete { [weak self] _ in self?.remove(id, loop: loop) }
        return true
    }

    /// The connection finished its handshake: it no longer counts against
    /// its source and is not evicted for newcomers.
    func authenticated(_ channel: any Channel) {
        state.withLock { state in
            let id = ObjectIdentifier(channel)
            guard let entry = state.entries[id], !entry.authenticated else { return }
            state.entries[id]?.authenticated = true
            Self.release(entry.source, in: &state)
        }
    }

    func closeAll() {
        for channel in state.withLock({ $0.entries.values.map(\.channel) }) { channel.close(promise: nil) }
    }

    var count: Int { state.withLock { $0.entries.count } }

    private func remove(_ id: ObjectIdentifier, loop: any EventLoop) {
        let (burst, idle) = state.withLock { state -> (Bool, Bool) in
            Self.forget(id, in: &state)
            state.closedSinceTrim += 1
            // Give memory back to the system (glibc keeps freed arenas
            // otherwise) after a burst of connections is gone, at once, and a
            // moment after the last one closed: what its requests still hold
            // then (a handler finishing, the page made ahead for it) is freed
            // just after. One idle trim waits at a time, so a stream of short
            // connections pays for it at most once per `idleTrimDelay`.
            let burst = state.closedSinceTrim >= 512 && state.entries.count < 64
            if burst { state.closedSinceTrim = 0 }
            let idle = state.entries.isEmpty && !state.idleTrimScheduled
            if idle { state.idleTrimScheduled = true }
            return (burst, idle)
        }
        if burst { _ = malloc_trim(0) }
        if idle {
            loop.scheduleTask(in: Self.idleTrimDelay) { [weak self] in self?.trimIfIdle() }
        }
    }

    /// How long after the last connection closed memory is trimmed.
    static let idleTrimDelay: TimeAmount = .seconds(1)

    private func trimIfIdle() {
        let idle = state.withLock { state -> Bool in
            state.idleTrimScheduled = false
            guard state.entries.isEmpty else { return false }
            state.closedSinceTrim = 0
            return true
        }
        if idle { _ = malloc_trim(0) }
    }

    private static func forget(_ id: ObjectIdentifier, in state: inout State) {
        guard let entry = state.entries.removeValue(forKey: id) else { return }
        if !entry.authenticated { release(entry.source, in: &state) }
    }

    private static func release(_ source: String, in state: inout State) {
        state.unauthenticated -= 1
        let left = state.unauthenticatedBySource[source, default: 1] - 1
        state.unauthenticatedBySource[source] = left > 0 ? left : nil
    }

    /// The descriptors this process may open (the soft limit raised to the
    /// hard one, as servers do), less a reserve for its files, stores and
    /// outgoing connections.
    private static func descriptorBudget() -> Int {
        var limit = rlimit()
        let resource = Int32(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return 960 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = min(limit.rlim_max, 1 << 20)
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return max(64, Int(min(limit.rlim_cur, 1 << 20)) - 64)
    }
}

// glibc's malloc_trim(3) from <malloc.h>, which the Glibc module does not export.
@_silgen_name("malloc_trim")
private func malloc_trim(_ pad: Int) -> Int32

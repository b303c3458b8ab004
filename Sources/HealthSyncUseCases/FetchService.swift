import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// Reads samples from a paired sharing device, page by page.
public struct FetchService: Sendable {
    public struct Result: Sendable {
        public let peer: PeerRecord
        public let samples: [HealthSample]
    }

    private let deps: Dependencies

    public init(_ deps: Dependencies) { self.deps = deps }

    /// Up to `limit` samples of `types` in [since, until), oldest first
    /// (newest first with `newestFirst`).
    public func fetch(types: [HealthDataType], limit: Int, since: Date? = nil, until: Date? = nil,
                      newestFirst: Bool = false, device: String? = nil, host: String? = nil, debugTLS: Bool = false) async throws -> Result {
        var samples: [HealthSample] = []
        let fetched = try await fetch(types: types, limit: limit, since: since, until: until, newestFirst: newestFirst,
                                      device: device, host: host, debugTLS: debugTLS) { samples += $0 }
        return Result(peer: fetched.peer, samples: samples)
    }

    /// As `fetch`, handing each page to `page` as it comes instead of
    /// keeping them all (`fetch --format json` of millions streams): the next
    /// page is asked for before `page` runs, so the peer reads and sends it
    /// meanwhile. Returns the peer and how many samples came.
    public func fetch(types: [HealthDataType], limit: Int, since: Date? = nil, until: Date? = nil,
                      newestFirst: Bool = false, device: String? = nil, host: String? = nil, debugTLS: Bool = false,
                      page: ([HealthSample]) throws -> Void) async throws -> (peer: PeerRecord, count: Int) {
        guard limit >= 1 else { throw HealthSyncError(.invalidArgument, "--limit must be at least 1") }
        let connector = PeerConnector(deps: deps)
        let reached = try await connector.reach(try connector.peer(device), host: host, debug: debugTLS)
        var peer = reached.peer
        let path = reached.path, link = reached.link, timeout = deps.settings.timeout
        let count = try await closing(link) { link in try await connector.repairing(peer) {
            var count = 0
            let started = deps.clock.now()
            var drew = false
            defer {
                if drew {
                    deps.bus.publish(.progress(TaskProgress(task: "fetch", done: Int64(count), total: Int64(limit),
                                                            unit: .samples, elapsed: 0, finished: true)))
                }
            }
            func query(after cursor: SampleCursor?) throws -> SampleQuery {
                try SampleQuery(types: types, since: since, until: until, limit: min(SampleQuery.maxPageSize, limit - count),
                                cursor: cursor, newestFirst: newestFirst)
            }
            var asked = try query(after: nil)
            var next = try await link.samples(asked, timeout: timeout)
            while true {
                let current = next
                guard current.samples.count <= asked.limit else {
                    throw HealthSyncError(.protocolError, "The peer sent more samples than asked for")
                }
                count += current.samples.count
                let following = try current.nextCursor.flatMap { count < limit ? try query(after: $0) : nil }
                async let upcoming = Self.page(following, from: link, timeout: timeout)
                if !current.samples.isEmpty { try page(current.samples) }
                guard let following, let arrived = try await upcoming else { break }
                // A long fetch (more than a page) draws a bar; a short one is done before one would show.
                drew = true
                deps.bus.publish(.progress(TaskProgress(task: "fetch", done: Int64(count), total: Int64(limit),
                                                        unit: .samples, elapsed: deps.clock.now().timeIntervalSince(started))))
                asked = following
                next = arrived
            }
            peer = try await connector.recordUse(of: peer, at: path, over: link)
            return count
        } }
        deps.bus.publish(.samplesFetched(from: peer.deviceID, count: count))
        return (peer, count)
    }

    private static func page(_ query: SampleQuery?, from link: any PeerLink, timeout: Duration) async throws -> SamplePage? {
        guard let query else { return nil }
        return try await link.samples(query, timeout: timeout)
    }

    /// A mutually authenticated connection to the paired sharing device
    /// (for callers that keep it open, like the benchmark holding many).
    public func openConnection(device: String? = nil, host: String? = nil) async throws -> any PeerLink {
        let connector = PeerConnector(deps: deps)
        return try await connector.reach(try connector.peer(device), host: host).link
    }
}

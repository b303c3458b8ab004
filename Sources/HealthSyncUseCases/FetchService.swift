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
        guard limit >= 1 else { throw HealthSyncError(.invalidArgument, "--limit must be at least 1") }
        let connector = PeerConnector(deps: deps)
        let reached = try await connector.reach(try connector.peer(device), host: host, debug: debugTLS)
        var peer = reached.peer
        let path = reached.path, link = reached.link
        let samples = try await closing(link) { link in try await connector.repairing(peer) {
            var samples: [HealthSample] = []
            var cursor: SampleCursor?
            let started = deps.clock.now()
            var drew = false
            defer {
                if drew {
                    deps.bus.publish(.progress(TaskProgress(task: "fetch", done: Int64(samples.count), total: Int64(limit),
                                                            unit: .samples, elapsed: 0, finished: true)))
                }
            }
            repeat {
                let pageSize = min(SampleQuery.maxPageSize, limit - samples.count)
                let query = try SampleQuery(types: types, since: since, until: until, limit: pageSize, cursor: cursor,
                                            newestFirst: newestFirst)
                let page = try await link.samples(query, timeout: deps.settings.timeout)
                guard page.samples.count <= pageSize else {
                    throw HealthSyncError(.protocolError, "The peer sent more samples than asked for")
                }
                samples += page.samples
                cursor = page.nextCursor
                // A long fetch (more than a page) draws a bar; a short one is done before one would show.
                if cursor != nil && samples.count < limit {
                    drew = true
                    deps.bus.publish(.progress(TaskProgress(task: "fetch", done: Int64(samples.count), total: Int64(limit),
                                                            unit: .samples, elapsed: deps.clock.now().timeIntervalSince(started))))
                }
            } while cursor != nil && samples.count < limit
            peer = try await connector.recordUse(of: peer, at: path, over: link)
            return samples
        } }
        deps.bus.publish(.samplesFetched(from: peer.deviceID, count: samples.count))
        return Result(peer: peer, samples: samples)
    }

    /// A mutually authenticated connection to the paired sharing device
    /// (for callers that keep it open, like the benchmark holding many).
    public func openConnection(device: String? = nil, host: String? = nil) async throws -> any PeerLink {
        let connector = PeerConnector(deps: deps)
        return try await connector.reach(try connector.peer(device), host: host).link
    }
}

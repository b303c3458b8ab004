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

    /// Up to `limit` samples of `types` in [since, until), oldest first.
    public func fetch(types: [HealthDataType], limit: Int, since: Date? = nil, until: Date? = nil,
                      device: String? = nil, host: String? = nil, debugTLS: Bool = false) async throws -> Result {
        guard limit >= 1 else { throw HealthSyncError(.invalidArgument, "--limit must be at least 1") }
        let connector = PeerConnector(deps: deps)
        var peer = try connector.peer(device)
        let endpoint = try connector.endpoint(for: peer, host: host)
        let connection = try await connector.connect(to: peer, at: endpoint, debug: debugTLS)
        defer { Task { await connection.close() } }
        var samples: [HealthSample] = []
        var cursor: SampleCursor?
        repeat {
            let pageSize = min(SampleQuery.maxPageSize, limit - samples.count)
            let items = SampleRequest.queryItems(types: types, limit: pageSize, since: since, until: until, cursor: cursor)
            let response = try await connection.send(WireRequest(method: "GET", path: WireRoute.healthData, query: items))
            let page = try Self.page(from: response)
            guard page.samples.count <= pageSize else {
                throw HealthSyncError(.protocolError, "The peer sent more samples than asked for")
            }
            samples += page.samples
            cursor = try page.nextCursor.map { try SampleCursor(token: $0) }
        } while cursor != nil && samples.count < limit
        peer = try await connector.recordUse(of: peer, at: endpoint, over: connection)
        deps.bus.publish(.samplesFetched(from: peer.deviceID, count: samples.count))
        return Result(peer: peer, samples: samples)
    }

    /// A page from its response: the direct reader for the usual case, the
    /// generic decoder (and its errors) for anything else.
    static func page(from response: WireResponse) throws -> SamplesPageMessage {
        if response.status == 200, response.body.count <= WireCodec.maxResponseBytes,
           let page = SampleJSONReader.page(response.body) {
            return page
        }
        return try WireCodec.result(SamplesPageMessage.self, from: response, maxBytes: WireCodec.maxResponseBytes)
    }

    /// A mutually authenticated connection to the paired sharing device
    /// (for callers that keep it open, like the benchmark holding many).
    public func openConnection(device: String? = nil, host: String? = nil) async throws -> any TransportConnection {
        let connector = PeerConnector(deps: deps)
        let peer = try connector.peer(device)
        return try await connector.connect(to: peer, at: try connector.endpoint(for: peer, host: host))
    }
}

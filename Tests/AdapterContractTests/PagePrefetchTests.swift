import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWire
import SampleJSONSupport
import Synchronization
import Testing

/// The router makes the next page's answer while the client reads this one:
/// served to the same connection for the same query only, byte for byte what
/// it would have answered then, and refused when trust ended in between.
@Suite("Pages made ahead")
struct PagePrefetchTests {
    /// Pages of 25 stored samples; counts the store reads; trust can be ended.
    final class PagingPeer: PeerRequests {
        let stored: [HealthSample]
        let reads = Mutex(0)
        let trusted = Mutex(true)

        init() {
            let start = Date(millisecondsSince1970: 1_790_000_000_000)
            stored = (0..<25).map {
                HealthSample(id: String(format: "p%02d", $0), type: .steps, value: Double($0), unit: "count",
                             startDate: start.addingTimeInterval(Double($0) * 60), endDate: start.addingTimeInterval(Double($0) * 60),
                             sourceName: "Watch", metadata: [:])
            }
        }

        var admitsClientsWithoutCertificate: Bool { false }
        func handshakeRefused(from address: String, reason: HealthSyncError) {}
        func authorize() throws { guard trusted.withLock({ $0 }) else { throw HealthSyncError(.notPaired, "Unpaired") } }

        func status(from peer: ConnectionInfo) async throws -> PeerStatus {
            try authorize()
            return PeerStatus(name: "phone", deviceID: DeviceID(bytes: Array(repeating: 1, count: 32))!, version: "1", sharedTypes: [.steps])
        }

        func samples(_ query: SampleQuery, from peer: ConnectionInfo) async throws -> SamplePage {
            try authorize()
            reads.withLock { $0 += 1 }
            let after = stored.filter { sample in query.cursor.map { sample.id > $0.id } ?? true }
            let page = Array(after.prefix(query.limit))
            return SamplePage(samples: page, nextCursor: after.count > query.limit ? page.last.map(SampleCursor.init(after:)) : nil)
        }

        /// The stored samples as changes: sample i has sequence number i + 1.
        func changes(after: Int64, limit: Int, wait: Duration, schema: Int, from peer: ConnectionInfo) async throws -> SampleChanges {
            try authorize()
            reads.withLock { $0 += 1 }
            let page = Array(stored.dropFirst(Int(after)).prefix(limit))
            return SampleChanges(samples: page, last: after + Int64(page.count), more: Int(after) + page.count < stored.count)
        }
        func renewCertificate(_ request: RenewalRequest, from peer: ConnectionInfo) async throws -> RenewalReply {
            throw HealthSyncError(.notPaired)
        }
        func unpair(from peer: ConnectionInfo) async throws {}
        func pairWithToken(_ request: PairingMessage.TokenRequest, from peer: ConnectionInfo) async throws -> PairingMessage.Exchange {
            throw HealthSyncError(.pairingTokenExpired)
        }
        func codeParameters(from peer: ConnectionInfo) async throws -> PairingMessage.CodeParameters {
            throw HealthSyncError(.pairingTokenExpired)
        }
        func codeShare(_ share: PairingMessage.CodeShare, from peer: ConnectionInfo) async throws -> PairingMessage.CodeShareReply {
            throw HealthSyncError(.pairingTokenExpired)
        }
        func codeConfirm(_ confirm: PairingMessage.CodeConfirm, from peer: ConnectionInfo) async throws -> PairingMessage.Exchange {
            throw HealthSyncError(.pairingTokenExpired)
        }
        func finishPairing(_ finish: PairingMessage.Finish, from peer: ConnectionInfo) async throws {
            throw HealthSyncError(.pairingTokenExpired)
        }
    }

    static func connection(_ byte: UInt8) -> ConnectionInfo {
        ConnectionInfo(peer: PeerPresentation(leaf: nil, anchor: nil, chainCheck: .verified), presentedChain: [],
                       channelBinding: Array(repeating: byte, count: 32), remoteAddress: "test",
                       session: SessionParameters(version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256", alpn: nil))
    }

    /// The page a response carries, read as a client reads it.
    static func page(_ response: WireResponse) throws -> SamplePage {
        let json = try #require(SampleJSONReader.page(response.body), "\(String(decoding: response.body, as: UTF8.self))")
        return SamplePage(samples: json.samples, nextCursor: try json.nextCursor.map { try SampleCursor(token: $0) })
    }

    static func request(_ query: SampleQuery) -> WireRequest {
        WireRequest(method: "GET", path: WireRoute.healthData, query: SampleQueryString.items(for: query))
    }

    /// Waits (bounded) until the peer has been read `count` times.
    static func reads(_ peer: PagingPeer, reach count: Int) async throws {
        for _ in 0..<200 where peer.reads.withLock({ $0 }) < count { try await Task.sleep(for: .milliseconds(10)) }
    }

    @Test func theNextPageIsMadeAheadAndServedOnceToItsConnection() async throws {
        let peer = PagingPeer(), router = PeerRouter(peer), plain = PeerRouter(PagingPeer())
        let first = try SampleQuery(types: [.steps], limit: 10)
        let one = await router.handle(Self.request(first), from: Self.connection(1))
        #expect(one.status == 200)
        try await Self.reads(peer, reach: 2)
        #expect(peer.reads.withLock { $0 } == 2, "the second page is read ahead")
        let page = try Self.page(one)
        let second = try first.after(page.nextCursor)
        let two = await router.handle(Self.request(second), from: Self.connection(1))
        // Served from what was made ahead (no read for it), and then the third made ahead.
        try await Self.reads(peer, reach: 3)
        #expect(peer.reads.withLock { $0 } == 3)
        #expect(two.body == (await plain.handle(Self.request(second), from: Self.connection(9))).body)
        #expect(try Self.page(two).samples.map(\.id) == (10..<20).map { String(format: "p%02d", $0) })
        // Another connection asking for the same page does not get it: it is read for it.
        let third = try second.after(try Self.page(two).nextCursor)
        _ = await router.handle(Self.request(third), from: Self.connection(2))
        #expect(peer.reads.withLock { $0 } == 4)
        // The last page has no next one: nothing is made ahead.
        let last = await router.handle(Self.request(third), from: Self.connection(1))
        #expect(try Self.page(last).samples.count == 5)
        try await Task.sleep(for: .milliseconds(100))
        #expect(peer.reads.withLock { $0 } == 4)
    }

    @Test func changesForSyncAreMadeAheadToo() async throws {
        let peer = PagingPeer(), router = PeerRouter(peer)
        func changes(after: Int64) -> WireRequest {
            WireRequest(method: "GET", path: WireRoute.healthChanges, query: ["after": String(after), "limit": "10", "schema": "2"])
        }
        var seen: [String] = []
        var after: Int64 = 0
        for _ in 0..<3 {
            let answer = await router.handle(changes(after: after), from: Self.connection(5))
            let page = try #require(SampleJSONReader.changes(answer.body))
            seen += page.samples.map(\.id)
            after = page.last
            if !page.more { break }
            try await Self.reads(peer, reach: Int(after) / 10 + 1)
        }
        #expect(seen == peer.stored.map(\.id))
        // Three pages, each read once: the second and third were made ahead.
        #expect(peer.reads.withLock { $0 } == 3)
    }

    @Test func aPageMadeAheadIsRefusedWhenTrustEndedMeanwhile() async throws {
        let peer = PagingPeer(), router = PeerRouter(peer)
        let first = try SampleQuery(types: [.steps], limit: 10)
        let page = try Self.page(await router.handle(Self.request(first), from: Self.connection(3)))
        try await Self.reads(peer, reach: 2)
        peer.trusted.withLock { $0 = false }
        let refused = await router.handle(Self.request(try first.after(page.nextCursor)), from: Self.connection(3))
        #expect(refused.status != 200)
        #expect(String(decoding: refused.body, as: UTF8.self).contains("NOT_PAIRED"))
    }

    @Test func aDifferentQueryIsAnsweredAfresh() async throws {
        let peer = PagingPeer(), router = PeerRouter(peer)
        let first = try SampleQuery(types: [.steps], limit: 10)
        let page = try Self.page(await router.handle(Self.request(first), from: Self.connection(4)))
        try await Self.reads(peer, reach: 2)
        let other = try first.after(page.nextCursor, limit: 3)
        let answer = try Self.page(await router.handle(Self.request(other), from: Self.connection(4)))
        #expect(answer.samples.map(\.id) == ["p10", "p11", "p12"])
        try await Self.reads(peer, reach: 4)
        #expect(peer.reads.withLock { $0 } == 4, "read afresh, and the page after it made ahead")
    }
}

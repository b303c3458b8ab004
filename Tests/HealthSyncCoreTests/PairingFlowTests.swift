import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring
import Testing

@Suite("Pairing, trust and fetch in memory")
struct PairingFlowTests {
    @Test func threeDevicesPairByTokenAndByCodeAndOnlyTrustWhomTheyPaired() async throws {
        let world = World()
        let a = try world.device("phone", seed: 1), b = try world.device("mac", seed: 2), c = try world.device("tablet", seed: 3)
        let listener = try await a.serve()
        _ = try a.application.samples.generate(days: 2)

        let bRecord = try await a.pairByToken(b, advertising: listener.endpoint)
        #expect(bRecord.name == "phone" && bRecord.role == .sharing)
        #expect(bRecord.deviceID == (try a.deviceID))
        let cRecord = try await a.pairByCode(c, at: listener.endpoint)
        #expect(cRecord.deviceID == (try a.deviceID))

        let aPeers = try a.peers()
        #expect(Set(aPeers.map(\.deviceID)) == Set([try b.deviceID, try c.deviceID]))
        #expect(aPeers.allSatisfy { $0.role == .joined && $0.clientCertificatePEM != nil && $0.issuedSerials.count == 1 })
        #expect(try b.peers().map(\.name) == ["phone"])
        #expect(try c.peers().map(\.name) == ["phone"])

        let fromB = try await b.application.fetching.fetch(types: [.steps], limit: 5)
        #expect(fromB.samples.count == 5 && fromB.samples.allSatisfy { $0.type == .steps })
        let fromC = try await c.application.fetching.fetch(types: [.heartRate, .steps], limit: 100)
        #expect(fromC.samples.count == 100)
        #expect(fromC.samples == fromC.samples.sorted { $0.startDate < $1.startDate || ($0.startDate == $1.startDate && $0.id < $1.id) })

        // B and C never paired with each other: C is refused by B's server.
        let bListener = try await b.serve()
        let code = await errorCode { _ = try await rawFetch(c, from: b, at: bListener.endpoint, as: try c.peers()[0]) }
        #expect(code == .unableToVerifyLeafSignature)
        await bListener.close()
        await listener.close()
    }

    @Test func unpairingOneDeviceRevokesItAndLeavesTheOtherWorking() async throws {
        let world = World()
        let a = try world.device("phone", seed: 11), b = try world.device("mac", seed: 12), c = try world.device("tablet", seed: 13)
        let listener = try await a.serve()
        _ = try a.application.samples.generate(days: 1)
        _ = try await a.pairByToken(b, advertising: listener.endpoint)
        _ = try await a.pairByCode(c, at: listener.endpoint)

        let cID = try c.deviceID
        let issuedToC = try #require(try a.peers().first { $0.deviceID == cID }).issuedSerials
        let outcome = try await a.application.unpairing.unpair(cID.hex)
        #expect(outcome.map(\.name) == ["tablet"])
        #expect(outcome.first?.notified == false)
        #expect(try a.peers().count == 1)
        #expect(try a.deps.keyStore.revokedCertificates().map(\.serial) == issuedToC)

        #expect(await errorCode { _ = try await c.application.fetching.fetch(types: [.steps], limit: 1) } == .certRevoked)
        #expect(try await b.application.fetching.fetch(types: [.steps], limit: 3).samples.count == 3)

        // B unpairs itself from A, and A is told (A listens).
        let bOutcome = try await b.application.unpairing.unpair(nil)
        #expect(bOutcome.first?.notified == true)
        #expect(try a.peers().isEmpty)
        #expect(await errorCode { _ = try await b.application.fetching.fetch(types: [.steps], limit: 1) } == .notPaired)
        await listener.close()
    }

    @Test func theSameFlowWorksWithTheFileAndSQLiteKeystores() async throws {
        for keystore in [Config.KeyStoreAdapter.file, .sqlite] {
            let world = World()
            let a = try world.device("phone", seed: 21, keystore: keystore)
            let b = try world.device("mac", seed: 22, keystore: keystore)
            let c = try world.device("tablet", seed: 23, keystore: keystore)
            let listener = try await a.serve()
            _ = try a.application.samples.generate(days: 1)
            _ = try await a.pairByToken(b, advertising: listener.endpoint)
            _ = try await a.pairByCode(c, at: listener.endpoint)
            #expect(try a.peers().count == 2, "\(keystore)")
            #expect(try await b.application.fetching.fetch(types: [.weight], limit: 1).samples.count == 1)
            #expect(try await c.application.fetching.fetch(types: [.weight], limit: 1).samples.count == 1)
            _ = try await a.application.unpairing.unpair(try c.deviceID.hex)
            #expect(await errorCode { _ = try await c.application.fetching.fetch(types: [.steps], limit: 1) } == .certRevoked)
            await listener.close()
        }
    }

    @Test func theSharingSidesEventsTellTheStory() async throws {
        let world = World()
        let a = try world.device("phone", seed: 31), c = try world.device("tablet", seed: 32)
        let listener = try await a.serve()
        let aEvents = a.application.bus.subscribe(), cEvents = c.application.bus.subscribe()
        _ = try await a.pairByCode(c, at: listener.endpoint)
        a.application.bus.finish()
        c.application.bus.finish()
        var aSeen: [Event] = [], cSeen: [Event] = []
        for await event in aEvents { aSeen.append(event) }
        for await event in cEvents { cSeen.append(event) }
        let names = aSeen.compactMap { event -> String? in
            switch event {
            case .pairingCodeIssued: "codeIssued"
            case .pairingRequestPending: "pending"
            case .pairingAccepted: "accepted"
            case .paired: "paired"
            default: nil
            }
        }
        #expect(names == ["codeIssued", "pending", "accepted", "paired"])
        let hostCheck = aSeen.compactMap { if case .pairingRequestPending(let name, _, let check) = $0 { return (name, check) } else { return nil } }.first
        let joinerCheck = cSeen.compactMap { if case .pairingCheckNumber(let check) = $0 { return check } else { return nil } }.first
        #expect(hostCheck?.0 == "tablet")
        #expect(hostCheck?.1 == joinerCheck && joinerCheck?.count == 6)
        #expect(cSeen.contains { if case .paired(let name, _) = $0 { return name == "phone" } else { return false } })
        await listener.close()
    }

    @Test func pagingOverTheWireVisitsEverySampleOnce() async throws {
        let world = World()
        let a = try world.device("phone", seed: 41), b = try world.device("mac", seed: 42)
        let listener = try await a.serve()
        _ = try a.application.samples.generate(days: 3)
        let peer = try await a.pairByToken(b, advertising: listener.endpoint)
        var cursor: SampleCursor?
        var ids: [String] = []
        repeat {
            let query = try SampleQuery(types: [.heartRate], limit: 17, cursor: cursor)
            let page = try await rawFetch(b, from: a, at: listener.endpoint, as: peer, query: query)
            #expect(page.samples.count <= 17)
            ids += page.samples.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(ids.count == 3 * 48 && Set(ids).count == ids.count)
        let ranged = try await b.application.fetching.fetch(
            types: [.heartRate], limit: 1000, since: Date(timeIntervalSince1970: 1_789_862_400),
            until: Date(timeIntervalSince1970: 1_789_862_400 + 3600))
        #expect(ranged.samples.count == 2)
        await listener.close()
    }
}

/// A page of samples on a fresh link from `device` to `server`, presenting
/// the client certificate stored in `peer`, with no anchor for the server.
func rawFetch(_ device: WorldDevice, from server: WorldDevice, at endpoint: Endpoint, as peer: PeerRecord,
              query: SampleQuery? = nil) async throws -> SamplePage {
    let loaded = try device.application.identity.ensureIdentity()
    let crypto = device.deps.crypto
    let credentials = TransportCredentials(key: loaded.identity.deviceKey,
                                           certificate: try crypto.parseCertificate(pem: peer.clientCertificatePEM!))
    let link = try await device.deps.transport.connect(to: endpoint, credentials: credentials, anchor: .none,
                                                       timeout: .seconds(1))
    let page = try await link.samples(try query ?? SampleQuery(types: [.steps], limit: 1), timeout: .seconds(1))
    await link.close()
    return page
}

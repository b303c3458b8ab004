import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import HealthSyncUseCases
import Testing

/// `share` in memory, answered by a scripted prompt: a rejected joiner gets
/// `PAIRING_REJECTED`, a fresh code is offered, the next joiner is accepted,
/// and with `once` the session ends with it.
@Suite("Sharing session")
struct SharingSessionTests {
    @Test func aRejectionOffersANewCodeAndAnAcceptedJoinerEndsTheSession() async throws {
        let world = World()
        let phone = try world.device("phone", seed: 601), laptop = try world.device("laptop", seed: 602),
            tablet = try world.device("tablet", seed: 603)
        let prompt = ScriptedPrompt(answers: [false, true])
        let events = phone.application.bus.subscribe()
        let sharing = phone.application.sharing
        let session = Task {
            try await sharing.run(on: Endpoint(host: "127.0.0.1", port: 0), advertise: "127.0.0.1", prompt: prompt,
                                  qrPng: nil, once: true)
        }
        var offers = events.compactMap { event -> ListeningReport? in
            if case .listening(let report) = event { return report } else { return nil }
        }.makeAsyncIterator()
        let first = try #require(await offers.next())
        let endpoint = Endpoint(host: "127.0.0.1", port: first.port)
        let rejected = await errorCode { _ = try await laptop.application.joining.join(code: first.code ?? "", endpoint: endpoint) }
        #expect(rejected == .pairingRejected)
        let second = try #require(await offers.next())
        #expect(second.code != nil && second.port == first.port)
        let record = try await tablet.application.joining.join(code: second.code ?? "", endpoint: endpoint)
        #expect(record.name == "phone")
        let paired = try await session.value
        #expect(paired.map(\.name) == ["tablet"])
        #expect(prompt.asked == ["laptop", "tablet"])
        #expect(try phone.peers().map(\.name) == ["tablet"] && laptop.peers().isEmpty)
    }
}

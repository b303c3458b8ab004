import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring
import LoopbackTransport
import Testing

/// Code pairing at a distance, in memory (`RendezvousContractTests` and the
/// namespace tests use a real mailbox server): the sharing device shows
/// `NN-847293`, the mailbox carries only where it is, the six digits key
/// SPAKE2+ as on one network, and the nameplate is given back.
@Suite("Code pairing through a mailbox, in memory")
struct MailboxPairingTests {
    let world = World()
    static let mailbox = "ws://198.51.100.9:4000/v1"
    static let server = Endpoint(host: "198.51.100.9", port: 4000)

    /// Runs `join` on `joiner` while the sharing user accepts on `sharer`.
    func joining(_ sharer: WorldDevice, _ joiner: WorldDevice, code: String) async -> Result<PeerRecord, any Error> {
        let events = sharer.application.bus.subscribe()
        let host = sharer.host
        let waiter = Task {
            let pending = await firstEvent(events) { event -> Bool? in
                if case .pairingRequestPending = event { return true }
                return nil
            }
            if pending == true { try? await host.respond(accept: true) }
        }
        defer { waiter.cancel() }
        return await Task { try await joiner.application.joining.join(code: code, host: nil) }.result
    }

    @Test func aCodeWithANameplateMeetsAtTheMailboxAndPairsOverSPAKE2() async throws {
        let phone = try world.device("phone", seed: 911, mailbox: Self.mailbox)
        let laptop = try world.device("laptop", seed: 912, mailbox: Self.mailbox)
        let listener = try await phone.serve()
        defer { Task { await listener.close() } }
        let invitation = try await phone.host.initiate(advertising: listener.endpoint)
        let parts = try #require(PairingCode.splitRemote(invitation.code), "the code \(invitation.code) names no nameplate")
        #expect(parts.nameplate == "1")
        #expect(world.network.nameplates(on: Self.server) == ["1"])

        let paired = try await joining(phone, laptop, code: invitation.code).get()
        #expect(paired.name == "phone")
        #expect(try phone.peers().map(\.name) == ["laptop"])
        // The session is over: the nameplate is back.
        for _ in 0..<50 where !world.network.nameplates(on: Self.server).isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        #expect(world.network.nameplates(on: Self.server).isEmpty)
    }

    @Test func theDigitsNeverTravelThroughTheMailbox() async throws {
        let phone = try world.device("phone", seed: 913, mailbox: Self.mailbox)
        let listener = try await phone.serve()
        defer { Task { await listener.close() } }
        let invitation = try await phone.host.initiate(advertising: listener.endpoint)
        let digits = try #require(PairingCode.splitRemote(invitation.code)).digits
        // Read the mailbox as the server would.
        let spy = LoopbackRendezvous(network: world.network)
        let session = try await spy.join("1", on: try MailboxServer(parsing: Self.mailbox), appID: "spy", side: "spy",
                                         timeout: .seconds(1))
        let message = try await session.next(within: .seconds(1))
        let text = String(decoding: message.body, as: UTF8.self)
        #expect(!text.contains(digits))
        let locators = try MailboxLocators(decoding: message.body)
        #expect(locators.endpoints == [listener.endpoint])
        await phone.host.cancel()
    }

    @Test func aWrongCodeCostsItsOneTryAndANameplateNobodyHoldsIsAClearError() async throws {
        let phone = try world.device("phone", seed: 914, mailbox: Self.mailbox)
        let laptop = try world.device("laptop", seed: 915, mailbox: Self.mailbox)
        let listener = try await phone.serve()
        defer { Task { await listener.close() } }
        let invitation = try await phone.host.initiate(advertising: listener.endpoint)
        let parts = try #require(PairingCode.splitRemote(invitation.code))
        let wrong = parts.digits == "987654" ? "987653" : "987654"
        let refused = await joining(phone, laptop, code: PairingCode.remote(nameplate: parts.nameplate, code: wrong))
        #expect(throws: HealthSyncError.self) { try refused.get() }
        #expect(try phone.peers().isEmpty && laptop.peers().isEmpty)

        let nobody = await joining(phone, laptop, code: "42-\(parts.digits)")
        let error = try #require(nobody.failure)
        #expect(error.message.contains("nameplate 42"))
        await phone.host.cancel()
    }

    @Test func aMailboxThatLiesLeadsOnlyToADeviceThatCannotProveTheCode() async throws {
        let phone = try world.device("phone", seed: 917, mailbox: Self.mailbox)
        let laptop = try world.device("laptop", seed: 918, mailbox: Self.mailbox)
        let mallory = try world.device("mallory", seed: 919)
        let listener = try await phone.serve()
        defer { Task { await listener.close() } }
        // Mallory sits in the middle and forwards to the phone; the mailbox sends the laptop to her.
        let relay = try await Relay.start(mallory, forwardingTo: listener.endpoint)
        let invitation = try await phone.host.initiate(advertising: listener.endpoint)
        let parts = try #require(PairingCode.splitRemote(invitation.code))
        let lie = MailboxLocators(addresses: [relay.endpoint.description], relays: [], relayDevice: nil)
        let body = try JSONEncoder().encode(lie)
        world.network.tamper(nameplate: parts.nameplate, on: Self.server) { RendezvousMessage(phase: $0.phase, body: Array(body)) }

        let refused = await joining(phone, laptop, code: invitation.code)
        #expect(refused.failure?.code == .invalidPairingCode)
        #expect(!relay.forwarded.isEmpty)
        #expect(try phone.peers().isEmpty && laptop.peers().isEmpty && mallory.peers().isEmpty)
        #expect(await phone.host.failures.count == 1)
        await relay.listener.close()
        await phone.host.cancel()
    }

    @Test func withoutAMailboxARemoteCodeSaysWhatToConfigure() async throws {
        let laptop = try world.device("laptop", seed: 916)
        let error = await #expect(throws: HealthSyncError.self) {
            _ = try await laptop.application.joining.join(code: "7-847293", host: nil)
        }
        #expect(error?.code == .invalidPairingCode)
        #expect(error?.hint.contains("reach.mailbox") == true)
        #expect(error?.message.contains("847293") == false)
    }
}

extension Result where Failure == any Error {
    var failure: HealthSyncError? {
        if case .failure(let error) = self { error as? HealthSyncError } else { nil }
    }
}

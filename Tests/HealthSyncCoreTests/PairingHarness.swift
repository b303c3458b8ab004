import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import HealthSyncUseCases
import HealthSyncWiring
import ManualClock
import Testing

/// A device of an in-memory world: built by `build(config:)` with the
/// loopback transport on a network shared with the other devices.
final class WorldDevice: Sendable {
    let application: Application
    let clock: ManualClock
    let directory: TemporaryDirectory?

    init(_ name: String, network: LoopbackNetwork, clock: ManualClock, seed: UInt64,
         keystore: Config.KeyStoreAdapter = .memory, maxFailedCodes: Int = 3,
         transport: Config.TransportAdapter = .loopback, idleTimeoutMS: Int? = nil,
         sharedTypes: [HealthDataType]? = nil, relays: [String] = [], discovery: [String] = [], mailbox: String = "",
         process: ProcessKind = .service) throws {
        var config = Config.inMemory
        config.reach.relays = relays
        config.reach.discovery = discovery
        config.reach.mailbox = mailbox
        if let sharedTypes { config.share.types = sharedTypes }
        config.transport.adapter = transport
        if let idleTimeoutMS { config.transport.idleTimeoutMS = idleTimeoutMS }
        config.device.name = name
        config.keystore.adapter = keystore
        config.pairing.maxFailedCodes = maxFailedCodes
        let directory = keystore == .memory ? nil : TemporaryDirectory("world-\(name)")
        if let directory { config.stateDir = directory.file("state") }
        let environment = RuntimeEnvironment(variables: [:], standardOutput: { _ in }, standardError: { _ in },
                                             outputIsTerminal: false)
        application = try build(config: config, environment: environment,
                                overrides: Overrides(clock: clock, entropy: SeededEntropy(seed: seed), network: network,
                                                     pbkdf2Iterations: 1000), process: process)
        self.clock = clock
        self.directory = directory
    }

    var deps: Dependencies { application.dependencies }
    var host: PairingHost { application.pairingHost }
    var deviceID: DeviceID { get throws { try application.identity.ensureIdentity().deviceID } }
    func peers() throws -> [PeerRecord] { try deps.keyStore.peers() }

    /// Starts the peer listener on a free port.
    func serve() async throws -> any TransportListener {
        try await application.peerService.listen(on: Endpoint(host: "127.0.0.1", port: 0))
    }
}

/// Devices sharing one network and (unless given their own) one clock.
struct World {
    var transport = Config.TransportAdapter.loopback
    var idleTimeoutMS: Int?
    let network = LoopbackNetwork()
    let clock = ManualClock(Date(timeIntervalSince1970: 1_790_000_000))

    func device(_ name: String, seed: UInt64, clock: ManualClock? = nil, keystore: Config.KeyStoreAdapter = .memory,
                maxFailedCodes: Int = 3, sharedTypes: [HealthDataType]? = nil, relays: [String] = [], discovery: [String] = [],
                mailbox: String = "", process: ProcessKind = .service) throws -> WorldDevice {
        try WorldDevice(name, network: network, clock: clock ?? self.clock, seed: seed, keystore: keystore,
                        maxFailedCodes: maxFailedCodes, transport: transport, idleTimeoutMS: idleTimeoutMS,
                        sharedTypes: sharedTypes, relays: relays, discovery: discovery, mailbox: mailbox, process: process)
    }
}

/// The code an expectation's error carries.
func errorCode(_ body: () async throws -> Void) async -> ErrorCode? {
    do {
        try await body()
        return nil
    } catch let error as HealthSyncError {
        return error.code
    } catch {
        return nil
    }
}

/// Waits for the first event matching `match` on a stream.
func firstEvent<T>(_ stream: AsyncStream<Event>, _ match: (Event) -> T?) async -> T? {
    for await event in stream {
        if let value = match(event) { return value }
    }
    return nil
}

extension WorldDevice {
    /// Pairs `joiner` with this (sharing) device by the QR token.
    func pairByToken(_ joiner: WorldDevice, advertising endpoint: Endpoint) async throws -> PeerRecord {
        let invitation = try await host.initiate(advertising: endpoint)
        return try await joiner.application.joining.join(payloadText: invitation.qrText)
    }

    /// Pairs `joiner` by code; the sharing user answers `accept` once the request is pending.
    func pairByCode(_ joiner: WorldDevice, at endpoint: Endpoint, code: String? = nil, accept: Bool = true) async throws -> PeerRecord {
        let invitation = try await host.initiate(advertising: endpoint)
        return try await joinByCode(joiner, at: endpoint, code: code ?? invitation.code, accept: accept)
    }

    /// Joins the running session by code, answering for the sharing user.
    func joinByCode(_ joiner: WorldDevice, at endpoint: Endpoint, code: String, accept: Bool = true) async throws -> PeerRecord {
        let events = application.bus.subscribe()
        let host = self.host
        let waiter = Task {
            let pending = await firstEvent(events) { event -> Bool? in
                if case .pairingRequestPending = event { return true }
                return nil
            }
            if pending == true { try? await host.respond(accept: accept) }
        }
        let result = await Task { try await joiner.application.joining.join(code: code, endpoint: endpoint) }.result
        waiter.cancel()
        return try result.get()
    }
}

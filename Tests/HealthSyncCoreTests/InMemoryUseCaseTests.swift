import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import HealthSyncUseCases
import HealthSyncWiring
import ManualClock
import Synchronization
import Testing

/// Collects what a presenter writes.
final class Recorder: Sendable {
    private let lines = Mutex<[String]>([])
    var text: String { lines.withLock { $0.joined() } }
    func append(_ text: String) { lines.withLock { $0.append(text) } }
}

/// A whole device in memory, built through the same `build(config:)` as the CLI.
struct MemoryDevice {
    let application: Application
    let clock: ManualClock
    let output = Recorder()

    init(name: String = "test-device", seed: UInt64 = 1,
         start: Date = Date(timeIntervalSince1970: 1_790_000_000)) throws {
        var config = Config.inMemory
        config.device.name = name
        let clock = ManualClock(start)
        let output = self.output
        let environment = RuntimeEnvironment(variables: [:], standardOutput: { output.append($0) },
                                             standardError: { output.append($0) }, outputIsTerminal: false)
        application = try build(config: config, environment: environment,
                                overrides: Overrides(clock: clock, entropy: SeededEntropy(seed: seed)))
        self.clock = clock
    }
}

@Suite("Use cases in memory")
struct InMemoryUseCaseTests {
    @Test func aMissingIdentityWithPairingsLeftIsDamageNotAFirstRun() throws {
        let device = try MemoryDevice()
        try device.application.dependencies.keyStore.savePeer(PeerRecord(
            name: "phone", deviceID: DeviceID(bytes: Array(repeating: 7, count: 32))!, role: .sharing,
            caFingerprint: DeviceID(bytes: Array(repeating: 8, count: 32))!, caCertificatePEM: "", issuedSerials: [],
            lastAddress: nil, lastSeen: nil, pairedAt: Date(timeIntervalSince1970: 1_790_000_000)))
        let error = #expect(throws: HealthSyncError.self) { _ = try device.application.identity.ensureIdentity() }
        #expect(error?.code == .keystoreCorrupt)
        #expect(try device.application.identity.existingIdentity() == nil)
    }

    @Test func theIdentityIsCreatedOnFirstNeedAndThenKept() async throws {
        let device = try MemoryDevice()
        let events = device.application.bus.subscribe()
        let first = try device.application.identity.ensureIdentity()
        let second = try device.application.identity.ensureIdentity()
        #expect(first.deviceID == second.deviceID)
        #expect(first.caCertificate.subject == "healthsync-ca")
        #expect(first.serverCertificate.subject == "healthsync-server")
        #expect(first.serverCertificate.issuer == "healthsync-ca")
        #expect(first.serverCertificate.deviceID == first.deviceID)
        #expect(first.caCertificate.isCA && !first.serverCertificate.isCA)
        device.application.bus.finish()
        var seen: [Event] = []
        for await event in events { seen.append(event) }
        #expect(seen == [.identityCreated(first.deviceID)])
    }

    @Test func certificatesUseTheInjectedClock() throws {
        let start = Date(timeIntervalSince1970: 1_767_744_000) // 2026-01-07
        let device = try MemoryDevice(start: start)
        let report = try device.application.certificates.report(caOnly: false)
        let server = try #require(report.certificates.first { $0.kind == "server" })
        let ca = try #require(report.certificates.first { $0.kind == "ca" })
        #expect(server.validFrom == start.addingTimeInterval(-300))
        #expect(server.validTo == Date(timeIntervalSince1970: 1_799_280_000))
        #expect(ca.validTo == Date(timeIntervalSince1970: 1_925_510_400)) // 2031-01-07
        #expect(server.status == .valid)
        #expect(report.missing.map(\.title) == ["Client Certificate"])

        device.clock.advance(by: 400 * 86_400)
        let later = try device.application.certificates.report(caOnly: true)
        #expect(later.certificates.map(\.kind) == ["ca"])
        #expect(try device.application.certificates.report(caOnly: false)
            .certificates.first { $0.kind == "server" }?.status == .expired)
    }

    @Test func aDamagedIdentityIsReportedNeverReplaced() throws {
        let device = try MemoryDevice()
        let good = try device.application.identity.ensureIdentity().identity
        try device.application.dependencies.keyStore.clear()
        let other = try MemoryDevice(seed: 2)
        let foreign = try other.application.identity.ensureIdentity().identity
        // Our key with someone else's certificates: the pieces disagree.
        let mixed = DeviceIdentity(deviceID: good.deviceID, deviceKey: good.deviceKey, caKey: good.caKey,
                                   caCertificatePEM: foreign.caCertificatePEM,
                                   serverCertificatePEM: good.serverCertificatePEM, createdAt: good.createdAt)
        _ = try device.application.dependencies.keyStore.createIdentityIfAbsent(mixed)
        #expect {
            try device.application.identity.ensureIdentity()
        } throws: { ($0 as? HealthSyncError)?.code == .keystoreCorrupt }
        #expect(try device.application.dependencies.keyStore.loadIdentity() == mixed)
    }

    @Test func statusDevicesAndTypesWorkOffline() throws {
        let device = try MemoryDevice(name: "laptop")
        let status = try device.application.devices.status(stateDir: "/x")
        #expect(!status.paired)
        #expect(status.device.name == "laptop")
        #expect(status.enabledTypes == HealthDataType.allCases.count)
        #expect(status.version == Application.version)
        #expect(status.keystore == "memory")
        #expect(try device.application.devices.devices().devices.isEmpty)
        let types = try device.application.devices.types()
        #expect(types.types.filter(\.shared).count == HealthDataType.allCases.count)
        #expect(types.types.allSatisfy { $0.stored == 0 })
        try device.application.dependencies.sampleStore.upsert([
            HealthSample(id: "n", type: HealthDataType(rawValue: "HKQuantityTypeIdentifierNewer")!, value: 1, unit: "x",
                         startDate: Date(timeIntervalSince1970: 0), endDate: Date(timeIntervalSince1970: 0), sourceName: "s"),
            HealthSample(id: "s", type: .steps, value: 1, unit: "count",
                         startDate: Date(timeIntervalSince1970: 0), endDate: Date(timeIntervalSince1970: 0), sourceName: "s"),
        ])
        let present = try device.application.devices.types(presentOnly: true)
        #expect(present.types.map(\.name) == ["steps", "HKQuantityTypeIdentifierNewer"])
        #expect(present.types.map(\.stored) == [1, 1])
    }

    @Test func pairedDevicesAppearInReports() throws {
        let device = try MemoryDevice(name: "laptop")
        let phone = try MemoryDevice(name: "phone", seed: 9)
        let phoneIdentity = try phone.application.identity.ensureIdentity()
        let ours = try device.application.identity.ensureIdentity()
        // The phone's CA issues us a client certificate, as pairing will.
        let deps = phone.application.dependencies
        let request = try device.application.dependencies.crypto.makeSigningRequest(
            key: ours.identity.deviceKey, commonName: CertificatePolicy.clientCommonName)
        let client = try deps.crypto.issueCertificate(
            request: request,
            spec: CertificateSpec(commonName: CertificatePolicy.clientCommonName, serial: [1, 2, 3],
                                  notBefore: deps.clock.now(), notAfter: deps.clock.now().addingTimeInterval(86_400 * 365)),
            role: .client, caKey: phoneIdentity.identity.caKey, caCertificate: phoneIdentity.caCertificate)
        try device.application.dependencies.keyStore.savePeer(PeerRecord(
            name: "phone", deviceID: phoneIdentity.deviceID, role: .sharing,
            caFingerprint: phoneIdentity.caCertificate.fingerprint, caCertificatePEM: phoneIdentity.caCertificate.pem,
            clientCertificatePEM: client.pem, serverCertificatePEM: phoneIdentity.serverCertificate.pem,
            pairedAt: device.clock.now()))

        let status = try device.application.devices.status(stateDir: "/x")
        #expect(status.paired)
        #expect(status.peer?.name == "phone")
        #expect(status.fingerprint == phoneIdentity.caCertificate.fingerprint)
        let devices = try device.application.devices.devices().devices
        #expect(devices.map(\.name) == ["phone"])
        #expect(devices.first?.certificateExpiry == client.notAfter)
        let report = try device.application.certificates.report(caOnly: false)
        #expect(report.certificates.map(\.title) == [
            "Client Certificate", "Server Certificate (cached)", "CA Certificate",
            "Server Certificate (this device)", "CA Certificate (this device)"])
        #expect(report.missing.isEmpty)
        #expect(report.certificates[0].issuer == "healthsync-ca")
    }

    @Test func clearingTheKeystoreStartsOver() throws {
        let device = try MemoryDevice()
        let before = try device.application.identity.ensureIdentity().deviceID
        let cleared = try device.application.devices.clearKeystore()
        #expect(cleared.hadIdentity)
        #expect(try device.application.dependencies.keyStore.loadIdentity() == nil)
        let after = try device.application.identity.ensureIdentity().deviceID
        #expect(after != before)
    }

    @Test func generatingSamplesTwiceAddsNothing() throws {
        let device = try MemoryDevice()
        let first = try device.application.samples.generate(days: 2)
        let second = try device.application.samples.generate(days: 2)
        #expect(first.generated == second.generated)
        #expect(second.totalStored == first.generated)
        #expect(first.types == 31)
        #expect(throws: HealthSyncError.self) { try device.application.samples.generate(days: 0) }
    }
}

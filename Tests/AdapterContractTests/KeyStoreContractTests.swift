import FileKeyStore
import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import MemoryKeyStore
import OpenSSLCrypto
import PosixFileSystem
import SQLiteKeyStore
import Testing

/// Every keystore adapter, for the contract suite.
enum KeyStoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case file, sqlite, memory

    var testDescription: String { rawValue }

    /// A fresh store; `reopen` gives a second instance over the same data.
    func make(in directory: TemporaryDirectory) -> (store: any KeyStore, reopen: @Sendable () -> any KeyStore) {
        let path = directory.file("state")
        switch self {
        case .file:
            return (FileKeyStore(directory: path, fileSystem: PosixFileSystem()),
                    { FileKeyStore(directory: path, fileSystem: PosixFileSystem()) })
        case .sqlite:
            return (SQLiteKeyStore(directory: path, fileSystem: PosixFileSystem()),
                    { SQLiteKeyStore(directory: path, fileSystem: PosixFileSystem()) })
        case .memory:
            let store = MemoryKeyStore()
            return (store, { store })
        }
    }
}

/// Identities and peers built once with real OpenSSL keys.
enum KeyStoreFixtures {
    static let crypto = OpenSSLCrypto()

    static func identity(seconds: Double = 1_790_000_000) throws -> DeviceIdentity {
        let key = try crypto.generatePrivateKey()
        let caKey = try crypto.generatePrivateKey()
        let now = Date(timeIntervalSince1970: seconds)
        let ca = try crypto.makeCertificateAuthority(key: caKey, spec: CertificateSpec(
            commonName: "healthsync-ca", serial: [1], notBefore: now, notAfter: now.addingTimeInterval(86_400)))
        let server = try crypto.issueCertificate(
            request: try crypto.makeSigningRequest(key: key, commonName: "healthsync-server"),
            spec: CertificateSpec(commonName: "healthsync-server", serial: [2], notBefore: now,
                                  notAfter: now.addingTimeInterval(86_400)),
            role: .server, caKey: caKey, caCertificate: ca)
        return DeviceIdentity(deviceID: try crypto.deviceID(ofPrivateKey: key), deviceKey: key, caKey: caKey,
                              caCertificatePEM: ca.pem, serverCertificatePEM: server.pem, createdAt: now)
    }

    static func peer(_ byte: UInt8, name: String = "phone") -> PeerRecord {
        PeerRecord(name: name, deviceID: DeviceID(bytes: Array(repeating: byte, count: 32))!, role: .sharing,
                   caFingerprint: DeviceID(bytes: Array(repeating: byte ^ 0xff, count: 32))!,
                   caCertificatePEM: "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n",
                   issuedSerials: ["0A0B"], lastAddress: "192.168.1.5:8443",
                   lastSeen: Date(millisecondsSince1970: 1_790_000_123_456),
                   pairedAt: Date(timeIntervalSince1970: 1_790_000_000))
    }
}

@Suite("KeyStore contract")
struct KeyStoreContractTests {
    @Test(arguments: KeyStoreKind.allCases)
    func anEmptyStoreHasNothing(_ kind: KeyStoreKind) throws {
        let directory = TemporaryDirectory()
        let (store, _) = kind.make(in: directory)
        #expect(try store.loadIdentity() == nil)
        #expect(try store.peers().isEmpty)
        #expect(try store.revokedCertificates().isEmpty)
        #expect(try store.apiToken() == nil)
        #expect(try store.removePeer(KeyStoreFixtures.peer(1).deviceID) == nil)
        try store.clear()
        #expect(store.adapterName == kind.rawValue)
    }

    @Test(arguments: KeyStoreKind.allCases)
    func theFirstIdentityWinsAndSurvivesReopening(_ kind: KeyStoreKind) throws {
        let directory = TemporaryDirectory()
        let (store, reopen) = kind.make(in: directory)
        let first = try KeyStoreFixtures.identity()
        let second = try KeyStoreFixtures.identity(seconds: 1_790_000_500)
        #expect(try store.createIdentityIfAbsent(first) == first)
        #expect(try store.createIdentityIfAbsent(second) == first)
        #expect(try store.loadIdentity() == first)
        #expect(try reopen().loadIdentity() == first)
    }

    @Test(arguments: KeyStoreKind.allCases)
    func aRenewedServerCertificateReplacesOnlyThatAndSurvivesReopening(_ kind: KeyStoreKind) throws {
        let directory = TemporaryDirectory()
        let (store, reopen) = kind.make(in: directory)
        let error = #expect(throws: HealthSyncError.self) { try store.replaceServerCertificate("x") }
        #expect(error?.code == .keystoreCorrupt)
        let identity = try KeyStoreFixtures.identity()
        _ = try store.createIdentityIfAbsent(identity)
        let renewed = try KeyStoreFixtures.identity(seconds: 1_790_100_000).serverCertificatePEM
        try store.replaceServerCertificate(renewed)
        for loaded in [try store.loadIdentity(), try reopen().loadIdentity()] {
            #expect(loaded?.serverCertificatePEM == renewed)
            #expect(loaded?.deviceKey == identity.deviceKey)
            #expect(loaded?.caKey == identity.caKey)
            #expect(loaded?.caCertificatePEM == identity.caCertificatePEM)
            #expect(loaded?.deviceID == identity.deviceID)
        }
    }

    @Test(arguments: KeyStoreKind.allCases)
    func peersAreSavedReplacedOrderedAndRemoved(_ kind: KeyStoreKind) throws {
        let directory = TemporaryDirectory()
        let (store, reopen) = kind.make(in: directory)
        try store.savePeer(KeyStoreFixtures.peer(9, name: "tablet"))
        try store.savePeer(KeyStoreFixtures.peer(3))
        var renamed = KeyStoreFixtures.peer(3)
        renamed.name = "phone 2"
        try store.savePeer(renamed)
        #expect(try store.peers() == [renamed, KeyStoreFixtures.peer(9, name: "tablet")])
        #expect(try reopen().peers().map(\.name) == ["phone 2", "tablet"])
        #expect(try store.removePeer(renamed.deviceID) == renamed)
        #expect(try store.peers().map(\.name) == ["tablet"])
    }

    @Test(arguments: KeyStoreKind.allCases)
    func revocationsAccumulateOnce(_ kind: KeyStoreKind) throws {
        let directory = TemporaryDirectory()
        let (store, reopen) = kind.make(in: directory)
        let id = KeyStoreFixtures.peer(4).deviceID
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        try store.revoke([RevokedCertificate(serial: "01", deviceID: id, revokedAt: at)])
        try store.revoke([RevokedCertificate(serial: "01", deviceID: id, revokedAt: at),
                          RevokedCertificate(serial: "02", deviceID: id, revokedAt: at)])
        #expect(try reopen().revokedCertificates().map(\.serial) == ["01", "02"])
    }

    @Test(arguments: KeyStoreKind.allCases)
    func theTokenIsStoredAndClearRemovesEverything(_ kind: KeyStoreKind) throws {
        let directory = TemporaryDirectory()
        let (store, reopen) = kind.make(in: directory)
        try store.setAPIToken(SecretBytes(utf8: "0123abcd"))
        #expect(try reopen().apiToken() == SecretBytes(utf8: "0123abcd"))
        _ = try store.createIdentityIfAbsent(try KeyStoreFixtures.identity())
        try store.savePeer(KeyStoreFixtures.peer(5))
        try store.revoke([RevokedCertificate(serial: "09", deviceID: KeyStoreFixtures.peer(5).deviceID,
                                             revokedAt: Date(timeIntervalSince1970: 0))])
        try store.clear()
        let after = reopen()
        #expect(try after.loadIdentity() == nil)
        #expect(try after.peers().isEmpty)
        #expect(try after.revokedCertificates().isEmpty)
        #expect(try after.apiToken() == nil)
    }

    @Test(arguments: [KeyStoreKind.file, .sqlite])
    func secretsAre0600In0700Folders(_ kind: KeyStoreKind) throws {
        let directory = TemporaryDirectory()
        let (store, _) = kind.make(in: directory)
        _ = try store.createIdentityIfAbsent(try KeyStoreFixtures.identity())
        try store.savePeer(KeyStoreFixtures.peer(6))
        try store.setAPIToken(SecretBytes(utf8: "token"))
        let state = directory.file("state")
        #expect(TestFiles.mode(state) == 0o700)
        for (name, _) in TestFiles.snapshot(state) where !name.hasSuffix(".lock") {
            #expect(TestFiles.mode(state + "/" + name) == 0o600, "\(name)")
        }
        for name in ["identity", "peers"] where kind == .file {
            #expect(TestFiles.mode(state + "/" + name) == 0o700)
        }
        #expect(!TestFiles.snapshot(state).keys.contains { $0.contains(".tmp-") || $0.contains(".new") })
    }

    @Test(arguments: KeyStoreKind.allCases)
    func concurrentCreatorsAgreeOnOneIdentity(_ kind: KeyStoreKind) async throws {
        let directory = TemporaryDirectory()
        let (_, reopen) = kind.make(in: directory)
        let candidates = try (0..<4).map { _ in try KeyStoreFixtures.identity() }
        let winners = try await withThrowingTaskGroup(of: DeviceID.self) { group in
            for candidate in candidates {
                group.addTask { try reopen().createIdentityIfAbsent(candidate).deviceID }
            }
            return try await group.reduce(into: Set<DeviceID>()) { $0.insert($1) }
        }
        #expect(winners.count == 1)
        #expect(try reopen().loadIdentity()?.deviceID == winners.first)
    }
}

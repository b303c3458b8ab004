import FileKeyStore
import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import PosixFileSystem
import SQLiteKeyStore
import Testing

@Suite("Keystores refuse damaged state and leave it as it was")
struct KeyStoreDamageTests {
    /// A file keystore holding an identity, a peer, a revocation and a token.
    func populatedFileStore() throws -> (TemporaryDirectory, String) {
        let directory = TemporaryDirectory()
        let state = directory.file("state")
        let store = FileKeyStore(directory: state, fileSystem: PosixFileSystem())
        _ = try store.createIdentityIfAbsent(try KeyStoreFixtures.identity())
        try store.savePeer(KeyStoreFixtures.peer(7))
        try store.revoke([RevokedCertificate(serial: "01", deviceID: KeyStoreFixtures.peer(7).deviceID,
                                             revokedAt: Date(timeIntervalSince1970: 0))])
        try store.setAPIToken(SecretBytes(utf8: "abc"))
        return (directory, state)
    }

    static let damages: [(file: String, damage: String)] = [
        ("identity/device.key", "truncate"), ("identity/ca.key", "empty"), ("identity/ca.pem", "garbage"),
        ("identity/server.pem", "truncate"), ("identity/device.json", "garbage"), ("identity/device.json", "delete"),
        ("peers/" + String(repeating: "07", count: 32) + ".json", "truncate"), ("revoked.json", "garbage"),
        ("api.token", "empty"),
    ]

    @Test(arguments: 0..<damages.count)
    func aDamagedFileIsNamedAndNothingIsRewritten(_ index: Int) throws {
        let (file, damage) = Self.damages[index]
        let (directory, state) = try populatedFileStore()
        let path = state + "/" + file
        let original = try #require(TestFiles.read(path))
        switch damage {
        case "truncate": TestFiles.write(path, String(decoding: original.prefix(original.count / 2), as: UTF8.self))
        case "empty": TestFiles.write(path, "")
        case "delete": try FileManager.default.removeItem(atPath: path)
        default: TestFiles.write(path, "\u{0}\u{1}not what it should be{{{")
        }
        let before = TestFiles.snapshot(state)
        let store = FileKeyStore(directory: state, fileSystem: PosixFileSystem())
        let read: () throws -> Void = {
            _ = try store.loadIdentity()
            _ = try store.peers()
            _ = try store.revokedCertificates()
            _ = try store.apiToken()
        }
        let error = try #require(throws: HealthSyncError.self, performing: read)
        #expect(error.code == .keystoreCorrupt)
        #expect(error.message.contains(path))
        // A damaged identity is never replaced by a new one.
        if file.hasPrefix("identity/") {
            #expect(throws: HealthSyncError.self) { try store.createIdentityIfAbsent(try KeyStoreFixtures.identity()) }
        }
        #expect(TestFiles.snapshot(state) == before)
        _ = directory
    }

    @Test(arguments: ["identity/device.key", "identity", "peers", "revoked.json"])
    func filesOthersCanReadAreRefused(_ file: String) throws {
        let (directory, state) = try populatedFileStore()
        let path = state + "/" + file
        let isFolder = !file.contains(".")
        try FileManager.default.setAttributes([.posixPermissions: isFolder ? 0o755 : 0o644], ofItemAtPath: path)
        let store = FileKeyStore(directory: state, fileSystem: PosixFileSystem())
        let error = try #require(throws: HealthSyncError.self) {
            _ = try store.loadIdentity()
            _ = try store.peers()
            _ = try store.revokedCertificates()
        }
        #expect(error.code == .keystorePermissions)
        #expect(error.message.contains(path))
        _ = directory
    }

    @Test func aGarbageSQLiteFileIsCorruptAndKept() throws {
        let directory = TemporaryDirectory()
        let state = directory.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let database = state + "/keystore.sqlite"
        TestFiles.write(database, String(repeating: "this is not a database ", count: 200))
        let before = TestFiles.read(database)
        let store = SQLiteKeyStore(directory: state, fileSystem: PosixFileSystem())
        let error = try #require(throws: HealthSyncError.self) { try store.loadIdentity() }
        #expect(error.code == .keystoreCorrupt)
        #expect(error.message.contains(database))
        #expect(TestFiles.read(database) == before)
    }

    @Test func aWorldReadableSQLiteFileIsRefused() throws {
        let directory = TemporaryDirectory()
        let state = directory.file("state")
        let store = SQLiteKeyStore(directory: state, fileSystem: PosixFileSystem())
        try store.setAPIToken(SecretBytes(utf8: "x"))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: state + "/keystore.sqlite")
        let reopened = SQLiteKeyStore(directory: state, fileSystem: PosixFileSystem())
        let error = try #require(throws: HealthSyncError.self) { try reopened.apiToken() }
        #expect(error.code == .keystorePermissions)
    }
}

import FileKeyStore
import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import PosixFileSystem
import SQLiteKeyStore
import SQLiteSampleStore
import Testing

/// Issue #10: the state directory held as OpenSSH holds `~/.ssh` — owner and
/// mode checked, no symbolic link followed, nothing outside it touched.
@Suite("State directory")
struct StateDirectoryTests {
    let files = PosixFileSystem()

    func code(_ body: () throws -> Void) -> ErrorCode? {
        do { try body() } catch let error as HealthSyncError { return error.code } catch { return nil }
        return nil
    }

    @Test func aPlantedStagingLinkDeletesNothingElsewhere() throws {
        let directory = TemporaryDirectory()
        let state = directory.file("state"), victim = directory.file("victim")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createDirectory(atPath: victim, withIntermediateDirectories: true)
        TestFiles.write(victim + "/precious.txt", "keep me")
        try FileManager.default.createSymbolicLink(atPath: state + "/.identity.new", withDestinationPath: victim)
        let store = FileKeyStore(directory: state, fileSystem: files)
        #expect(code { _ = try store.createIdentityIfAbsent(try KeyStoreFixtures.identity()) } == .keystorePermissions)
        #expect(TestFiles.read(victim + "/precious.txt") == Array("keep me".utf8))
        #expect(code { _ = try store.clear() } == .keystorePermissions)
        #expect(TestFiles.read(victim + "/precious.txt") == Array("keep me".utf8))
    }

    @Test func aStateDirectoryOthersCanReadIsRefused() throws {
        let directory = TemporaryDirectory()
        let state = directory.file("state")
        let store = FileKeyStore(directory: state, fileSystem: files)
        _ = try store.createIdentityIfAbsent(try KeyStoreFixtures.identity())
        chmod(state, 0o755)
        #expect(code { _ = try store.loadIdentity() } == .keystorePermissions)
        chmod(state, 0o700)
        #expect(try store.loadIdentity() != nil)
    }

    @Test(.enabled(if: getuid() == 0))
    func aStateDirectoryOfAnotherUserIsRefused() throws {
        let directory = TemporaryDirectory()
        let state = directory.file("state")
        let store = FileKeyStore(directory: state, fileSystem: files)
        _ = try store.createIdentityIfAbsent(try KeyStoreFixtures.identity())
        chown(state, 65534, 65534)
        #expect(code { _ = try store.loadIdentity() } == .keystorePermissions)
        #expect(code { try files.checkPrivate(state) } == .keystorePermissions)
    }

    @Test func theHealthDatabaseIsNeverALinkNorOpenToOthers() throws {
        let directory = TemporaryDirectory()
        let state = directory.file("state"), outside = directory.file("outside.sqlite")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        FileManager.default.createFile(atPath: outside, contents: nil, attributes: [.posixPermissions: 0o600])
        try FileManager.default.createSymbolicLink(atPath: state + "/samples.sqlite", withDestinationPath: outside)
        let linked = SQLiteSampleStore(directory: state, fileSystem: files)
        #expect(code { _ = try linked.count(types: nil) } == .keystorePermissions)
        #expect(try FileManager.default.attributesOfItem(atPath: outside)[.size] as? Int == 0)

        try FileManager.default.removeItem(atPath: state + "/samples.sqlite")
        FileManager.default.createFile(atPath: state + "/samples.sqlite", contents: nil, attributes: [.posixPermissions: 0o644])
        let open = SQLiteSampleStore(directory: state, fileSystem: files)
        #expect(code { _ = try open.count(types: nil) } == .keystorePermissions)
        chmod(state + "/samples.sqlite", 0o600)
        #expect(try SQLiteSampleStore(directory: state, fileSystem: files).count(types: nil) == 0)
    }

    @Test func theSQLiteKeyStoreRefusesALinkedDatabase() throws {
        let directory = TemporaryDirectory()
        let state = directory.file("state"), outside = directory.file("keys.sqlite")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        FileManager.default.createFile(atPath: outside, contents: nil, attributes: [.posixPermissions: 0o600])
        try FileManager.default.createSymbolicLink(atPath: state + "/keystore.sqlite", withDestinationPath: outside)
        let store = SQLiteKeyStore(directory: state, fileSystem: files)
        #expect(code { _ = try store.createIdentityIfAbsent(try KeyStoreFixtures.identity()) } == .keystorePermissions)
    }
}

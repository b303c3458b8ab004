import Foundation
import GRDB
import HealthSyncDomain
import HealthSyncPorts
import KeyStoreSupport
import Synchronization

/// The `KeyStore` port as one SQLite database (`keystore.sqlite`, WAL mode)
/// through GRDB: the same content as the file keystore, in tables. Each
/// write is one transaction; the database file is 0600 in a 0700 folder.
public final class SQLiteKeyStore: KeyStore {
    public let adapterName = "sqlite"
    public var location: String { databasePath }

    private let directory: String
    private let databasePath: String
    private let files: any FileSystem
    private let pool = Mutex<DatabasePool?>(nil)

    public init(directory: String, fileSystem: any FileSystem) {
        self.directory = directory
        self.databasePath = directory + "/keystore.sqlite"
        self.files = fileSystem
    }

    // MARK: Identity

    public func loadIdentity() throws -> DeviceIdentity? {
        guard let database = try open(creating: false) else { return nil }
        return try run { try database.read { try Self.readIdentity($0) } }
    }

    public func createIdentityIfAbsent(_ identity: DeviceIdentity) throws -> DeviceIdentity {
        let database = try open(creating: true)!
        return try run {
            try database.write { db in
                if let existing = try Self.readIdentity(db) { return existing }
                try db.execute(sql: """
                    INSERT INTO identity (id, device_id, device_key, ca_key, ca_pem, server_pem, created_at)
                    VALUES (1, ?, ?, ?, ?, ?, ?)
                    """, arguments: [identity.deviceID.hex, Data(identity.deviceKey.bytes), Data(identity.caKey.bytes),
                                     identity.caCertificatePEM, identity.serverCertificatePEM,
                                     identity.createdAt.millisecondsSince1970])
                return identity
            }
        }
    }

    public func replaceServerCertificate(_ pem: String) throws {
        guard let database = try open(creating: false) else {
            throw HealthSyncError(.keystoreCorrupt, "There is no identity in \(databasePath) whose server certificate could be replaced")
        }
        try run {
            try database.write { db in
                try db.execute(sql: "UPDATE identity SET server_pem = ? WHERE id = 1", arguments: [pem])
                guard db.changesCount == 1 else {
                    throw HealthSyncError(.keystoreCorrupt, "There is no identity in \(databasePath) whose server certificate could be replaced")
                }
            }
        }
    }

    private static func readIdentity(_ db: Database) throws -> DeviceIdentity? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM identity WHERE id = 1") else { return nil }
        guard let hex = row["device_id"] as String?, let deviceID = DeviceID(parsing: hex),
              let deviceKey = row["device_key"] as Data?, let caKey = row["ca_key"] as Data?,
              let caPEM = row["ca_pem"] as String?, let serverPEM = row["server_pem"] as String?,
              let created = row["created_at"] as Int64?,
              caPEM.contains("-----END CERTIFICATE-----"), serverPEM.contains("-----END CERTIFICATE-----") else {
            throw Corrupt(table: "identity")
        }
        return DeviceIdentity(deviceID: deviceID, deviceKey: SecretBytes(Array(deviceKey)),
                              caKey: SecretBytes(Array(caKey)), caCertificatePEM: caPEM,
                              serverCertificatePEM: serverPEM,
                              createdAt: Date(millisecondsSince1970: created))
    }

    // MARK: Peers

    public func peers() throws -> [PeerRecord] {
        guard let database = try open(creating: false) else { return [] }
        return try run { try database.read { try Self.readPeers($0) } }
    }

    private static func readPeers(_ db: Database) throws -> [PeerRecord] {
        try Row.fetchAll(db, sql: "SELECT device_id, record FROM peers ORDER BY device_id").map { row in
            guard let json = row["record"] as String?,
                  let peer = try? StateJSON.decoder().decode(PeerRecord.self, from: Data(json.utf8)),
                  peer.deviceID.hex == row["device_id"] as String? else {
                throw Corrupt(table: "peers")
            }
            return peer
        }
    }

    public func savePeer(_ peer: PeerRecord) throws {
        let database = try open(creating: true)!
        let json = String(decoding: try StateJSON.encoder().encode(peer), as: UTF8.self)
        try run {
            try database.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO peers (device_id, record) VALUES (?, ?)",
                               arguments: [peer.deviceID.hex, json])
            }
        }
    }

    public func removePeer(_ deviceID: DeviceID) throws -> PeerRecord? {
        guard let database = try open(creating: false) else { return nil }
        return try run {
            try database.write { db in
                guard let peer = try Self.readPeers(db).first(where: { $0.deviceID == deviceID }) else { return nil }
                try db.execute(sql: "DELETE FROM peers WHERE device_id = ?", arguments: [deviceID.hex])
                return peer
            }
        }
    }

    // MARK: Revocations and token

    public func revokedCertificates() throws -> [RevokedCertificate] {
        guard let database = try open(creating: false) else { return [] }
        return try run {
            try database.read { db in
                try Row.fetchAll(db, sql: "SELECT serial, device_id, revoked_at FROM revoked ORDER BY rowid").map { row in
                    guard let serial = row["serial"] as String?, let hex = row["device_id"] as String?,
                          let deviceID = DeviceID(parsing: hex), let at = row["revoked_at"] as Int64? else {
                        throw Corrupt(table: "revoked")
                    }
                    return RevokedCertificate(serial: serial, deviceID: deviceID,
                                              revokedAt: Date(millisecondsSince1970: at))
                }
            }
        }
    }

    public func revoke(_ certificates: [RevokedCertificate]) throws {
        let database = try open(creating: true)!
        try run {
            try database.write { db in
                for certificate in certificates {
                    try db.execute(sql: "INSERT OR IGNORE INTO revoked (serial, device_id, revoked_at) VALUES (?, ?, ?)",
                                   arguments: [certificate.serial, certificate.deviceID.hex,
                                               certificate.revokedAt.millisecondsSince1970])
                }
            }
        }
    }

    public func apiToken() throws -> SecretBytes? {
        guard let database = try open(creating: false) else { return nil }
        return try run {
            try database.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'api.token'") else {
                    return nil
                }
                guard let value = row["value"] as Data?, !value.isEmpty else { throw Corrupt(table: "settings") }
                return SecretBytes(Array(value))
            }
        }
    }

    public func setAPIToken(_ token: SecretBytes) throws {
        let database = try open(creating: true)!
        try run {
            try database.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO settings (key, value) VALUES ('api.token', ?)",
                               arguments: [Data(token.bytes)])
            }
        }
    }

    public func clear() throws {
        guard let database = try open(creating: false) else { return }
        try run {
            try database.write { db in
                for table in ["identity", "peers", "revoked", "settings"] {
                    try db.execute(sql: "DELETE FROM \(table)")
                }
            }
        }
    }

    // MARK: Opening

    /// The open database, opened (and migrated) on first use; nil when it
    /// does not exist and `creating` is false, so reads never create state.
    private func open(creating: Bool) throws -> DatabasePool? {
        try pool.withLock { pool in
            if let pool { return pool }
            let mode = try files.permissions(databasePath)
            if mode == nil && !creating { return nil }
            try files.checkPrivate(directory)
            for path in [databasePath, databasePath + "-wal", databasePath + "-shm"] { try files.checkPrivate(path) }
            try files.createDirectory(directory, mode: 0o700)
            // Created private before SQLite opens it, so it is never exposed;
            // SQLite gives its -wal and -shm files the same mode.
            try files.createFile(databasePath, mode: 0o600)
            // Two processes opening a new database must not migrate it at once.
            let opened = try files.withLock(databasePath + ".lock", exclusive: true) {
                try run { () throws -> DatabasePool in
                    var configuration = Configuration()
                    configuration.busyMode = .timeout(10)
                    let database = try DatabasePool(path: databasePath, configuration: configuration)
                    try Self.migrator.migrate(database)
                    return database
                }
            }
            pool = opened
            return opened
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE identity (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    device_id TEXT NOT NULL, device_key BLOB NOT NULL, ca_key BLOB NOT NULL,
                    ca_pem TEXT NOT NULL, server_pem TEXT NOT NULL, created_at INTEGER NOT NULL);
                CREATE TABLE peers (device_id TEXT PRIMARY KEY, record TEXT NOT NULL);
                CREATE TABLE revoked (serial TEXT PRIMARY KEY, device_id TEXT NOT NULL, revoked_at INTEGER NOT NULL);
                CREATE TABLE settings (key TEXT PRIMARY KEY, value BLOB NOT NULL);
                """)
        }
        return migrator
    }

    private struct Corrupt: Error {
        let table: String
    }

    /// Runs a database operation, translating GRDB's errors into ours.
    private func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as HealthSyncError {
            throw error
        } catch let error as Corrupt {
            throw HealthSyncError(.keystoreCorrupt, "The keystore \(databasePath) has an unreadable row in '\(error.table)'")
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT, .SQLITE_FORMAT:
                throw HealthSyncError(.keystoreCorrupt, "The keystore \(databasePath) is not a readable SQLite database")
            case .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_CANTOPEN:
                throw HealthSyncError(.keystorePermissions, "The keystore \(databasePath) cannot be opened for writing",
                                      cause: "\(error.resultCode)")
            default:
                throw HealthSyncError(.storageFailure, "The keystore \(databasePath) failed: \(error.message ?? "\(error.resultCode)")")
            }
        } catch {
            throw HealthSyncError(.storageFailure, "The keystore \(databasePath) failed", cause: "\(error)")
        }
    }
}

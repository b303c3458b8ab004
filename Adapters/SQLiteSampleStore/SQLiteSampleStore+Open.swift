import Foundation
import GRDB
import Synchronization

/// Opening `samples.sqlite`: private files, the connection the process's
/// `Access` asks for, and the schema's migrations.
extension SQLiteSampleStore {
    func open() throws -> any DatabaseWriter {
        try pool.withLock { pool in
            if let pool { return pool }
            // On a read-only file system (a mounted backup) the store is read as
            // it is: immutable, so SQLite needs neither a lock nor its -shm file.
            if files.isReadOnly(databasePath), (try? files.permissions(databasePath)) != nil {
                try files.checkPrivate(databasePath)
                var configuration = Configuration()
                configuration.readonly = true
                let uri = "file:" + databasePath.replacing("%", with: "%25").replacing("?", with: "%3f")
                    .replacing("#", with: "%23") + "?immutable=1"
                let database = try run { try DatabaseQueue(path: uri, configuration: configuration) }
                pool = database
                return database
            }
            // Health data is held like the keys: the folder and the files ours
            // alone, no link followed (an existing 0644 database is refused).
            try files.checkPrivate(directory)
            try files.createDirectory(directory, mode: 0o700)
            // Created private before SQLite opens it, so it is never exposed;
            // SQLite gives its -wal and -shm files the same mode.
            try files.createFile(databasePath, mode: 0o600)
            for path in [databasePath, databasePath + "-wal", databasePath + "-shm"] { try files.checkPrivate(path) }
            // Two processes opening a new database must not migrate it at once.
            let opened = try files.withLock(databasePath + ".lock", exclusive: true) {
                try run { () throws -> any DatabaseWriter in
                    var configuration = Configuration()
                    configuration.busyMode = .timeout(10)
                    // The writer's page cache holds more of the ID index, whose random keys touch a
                    // page anywhere on every insert (a sync of 100 000: ~20 % faster than with 2 MB).
                    configuration.prepareDatabase { db in
                        if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)") }
                    }
                    let database: any DatabaseWriter = switch access {
                    case .concurrent: try DatabasePool(path: databasePath, configuration: configuration)
                    case .serial: try Self.serialQueue(path: databasePath, configuration: configuration)
                    }
                    var migrator = DatabaseMigrator()
                    migrator.registerMigration("v1") { db in
                        try db.execute(sql: """
                            CREATE TABLE samples (
                                id TEXT PRIMARY KEY, type TEXT NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL,
                                start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, source_name TEXT NOT NULL,
                                metadata TEXT NOT NULL);
                            CREATE INDEX samples_by_type_start ON samples (type, start_ms, id);
                            CREATE INDEX samples_by_start ON samples (start_ms, id);
                            """)
                    }
                    // v2: sequence numbers of changes (for sync) and how far each paired device was read.
                    migrator.registerMigration("v2") { db in
                        try db.execute(sql: """
                            ALTER TABLE samples ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
                            UPDATE samples SET seq = rowid;
                            CREATE INDEX samples_by_seq ON samples (seq);
                            CREATE TABLE sync_state (device_id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
                            """)
                    }
                    // v3: what an export says of each record beside its value (lossless import).
                    migrator.registerMigration("v3") { db in
                        try db.execute(sql: """
                            ALTER TABLE samples ADD COLUMN text TEXT;
                            ALTER TABLE samples ADD COLUMN utc_offset INTEGER;
                            ALTER TABLE samples ADD COLUMN source_version TEXT;
                            ALTER TABLE samples ADD COLUMN device TEXT;
                            ALTER TABLE samples ADD COLUMN creation_ms INTEGER;
                            ALTER TABLE samples ADD COLUMN details TEXT;
                            ALTER TABLE sync_state ADD COLUMN last_sync_ms INTEGER;
                            ALTER TABLE sync_state ADD COLUMN received INTEGER NOT NULL DEFAULT 0;
                            """)
                    }
                    // Read first: `migrate` takes the write lock and commits (two fsyncs) even
                    // when nothing is left to do, and most opens find the store up to date.
                    if try !database.read(migrator.hasCompletedMigrations) { try migrator.migrate(database) }
                    return database
                }
            }
            pool = opened
            return opened
        }
    }

    /// One connection in WAL mode, as a pool's writer has it, without the
    /// dummy commit GRDB's WAL set-up makes when the -wal file is absent.
    static func serialQueue(path: String, configuration: Configuration) throws -> DatabaseQueue {
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            // A no-op on a store already in WAL mode (the mode is kept in the file).
            try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
        }
        return queue
    }
}

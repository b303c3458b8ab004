import GRDB
import GRDBSQLite
import HealthSyncDomain

/// Writes samples into the `samples` table inside a transaction the caller
/// holds, with its three statements prepared once and bound through SQLite's
/// own API (GRDB's `StatementArguments` box every value: a third of an
/// import's time went there). Each stored or changed row gets the next
/// sequence number; a row identical to the stored one keeps its own.
final class SampleRowWriter {
    static let columns = """
        id, type, value, unit, start_ms, end_ms, source_name, metadata, text, utc_offset, source_version, device, \
        creation_ms, details
        """

    private let db: Database
    private let insert: Statement
    private let update: Statement
    private let storedSequence: Statement
    private let repeatsAfter: Int64
    private var sequence: Int64
    private(set) var counts = UpsertCounts()

    init(_ db: Database, repeatsAfter: Int64) throws {
        self.db = db
        self.repeatsAfter = repeatsAfter
        sequence = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM samples") ?? 0
        insert = try db.makeStatement(sql: """
            INSERT INTO samples (\(Self.columns), seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
            ON CONFLICT(id) DO NOTHING
            """)
        update = try db.makeStatement(sql: """
            UPDATE samples SET type = ?2, value = ?3, unit = ?4, start_ms = ?5, end_ms = ?6, source_name = ?7,
                metadata = ?8, text = ?9, utc_offset = ?10, source_version = ?11, device = ?12,
                creation_ms = ?13, details = ?14, seq = ?15
            WHERE id = ?1 AND (type, value, unit, start_ms, end_ms, source_name, metadata, text, utc_offset,
                               source_version, device, creation_ms, details)
                IS NOT (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
            """)
        storedSequence = try db.makeStatement(sql: "SELECT seq FROM samples WHERE id = ?1")
    }

    func write(_ sample: HealthSample) throws {
        let metadata = StringMapJSON.encode(sample.metadata)
        if try execute(insert, sample, metadata) {
            counts.inserted += 1
            sequence += 1
            return
        }
        if try execute(update, sample, metadata) {
            counts.updated += 1
            sequence += 1
            return
        }
        let statement = storedSequence.sqliteStatement
        sqlite3_reset(statement)
        Self.bind(statement, 1, sample.id)
        let stored = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : 0
        sqlite3_reset(statement)
        if stored > repeatsAfter { counts.repeated += 1 } else { counts.unchanged += 1 }
    }

    /// Runs `statement` with the sample's fields as ?1…?15; whether it changed a row.
    private func execute(_ statement: Statement, _ sample: HealthSample, _ metadata: String) throws -> Bool {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        Self.bind(handle, 1, sample.id)
        Self.bind(handle, 2, sample.type.rawValue)
        sqlite3_bind_double(handle, 3, sample.value)
        Self.bind(handle, 4, sample.unit)
        sqlite3_bind_int64(handle, 5, sample.startDate.millisecondsSince1970)
        sqlite3_bind_int64(handle, 6, sample.endDate.millisecondsSince1970)
        Self.bind(handle, 7, sample.sourceName)
        Self.bind(handle, 8, metadata)
        Self.bind(handle, 9, sample.text)
        Self.bind(handle, 10, sample.utcOffsetMinutes.map(Int64.init))
        Self.bind(handle, 11, sample.sourceVersion)
        Self.bind(handle, 12, sample.device)
        Self.bind(handle, 13, sample.creationDate?.millisecondsSince1970)
        Self.bind(handle, 14, sample.details)
        sqlite3_bind_int64(handle, 15, sequence + 1)
        let result = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard result == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: result), message: db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) })
        }
        return sqlite3_changes(db.sqliteConnection) > 0
    }

    // SQLite copies the bytes (SQLITE_TRANSIENT): the string's buffer lives only for the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ statement: OpaquePointer, _ index: Int32, _ text: String?) {
        guard var text else {
            sqlite3_bind_null(statement, index)
            return
        }
        text.withUTF8 { bytes in
            // An empty buffer may have no address, and SQLite takes a NULL pointer as NULL, not "".
            guard let start = bytes.baseAddress, !bytes.isEmpty else {
                _ = sqlite3_bind_text(statement, index, "", 0, transient)
                return
            }
            _ = start.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(statement, index, $0, Int32(bytes.count), transient)
            }
        }
    }

    private static func bind(_ statement: OpaquePointer, _ index: Int32, _ number: Int64?) {
        if let number { sqlite3_bind_int64(statement, index, number) } else { sqlite3_bind_null(statement, index) }
    }
}

import Foundation
import GRDB
import GRDBSQLite
import HealthSyncDomain

/// Reads samples from a SELECT of `SampleRowWriter.columns` (and `seq`
/// after them, for changes) through SQLite's own API: GRDB's `Row` decodes
/// each value through a generic conversion, and that was most of a page's
/// cost when a peer fetched 100 000 samples. A row whose values are not of
/// the column's storage class is unreadable (nil), never trapped on.
enum SampleRowReader {
    /// Each row of `statement` with `arguments`, in order, until `body` returns false.
    static func rows(of statement: Statement, arguments: StatementArguments, _ body: (OpaquePointer) throws -> Bool) throws {
        try statement.setArguments(arguments)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let result = sqlite3_step(handle)
            if result == SQLITE_DONE { return }
            guard result == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: result),
                                    message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))
            }
            guard try body(handle) else { return }
        }
    }

    /// The sample in the current row; nil when a value is missing or of the wrong kind.
    static func sample(_ row: OpaquePointer) -> HealthSample? {
        guard let id = text(row, 0), let typeName = text(row, 1), let type = HealthDataType(rawValue: typeName),
              let value = real(row, 2), let unit = text(row, 3), let start = integer(row, 4), let end = integer(row, 5),
              let source = text(row, 6), let metadataText = text(row, 7) else { return nil }
        var metadata: [String: String] = [:]
        if metadataText != "{}" {
            guard let decoded = StringMapJSON.decode(metadataText)
                    ?? (try? JSONDecoder().decode([String: String].self, from: Data(metadataText.utf8))) else { return nil }
            metadata = decoded
        }
        guard let valueName = optional(row, 8, Self.text), let offset = optional(row, 9, Self.integer),
              let version = optional(row, 10, Self.text), let device = optional(row, 11, Self.text),
              let creation = optional(row, 12, Self.integer), let details = optional(row, 13, Self.text) else { return nil }
        return HealthSample(id: id, type: type, value: value, unit: unit, startDate: Date(millisecondsSince1970: start),
                            endDate: Date(millisecondsSince1970: end), sourceName: source, metadata: metadata,
                            text: valueName, utcOffsetMinutes: offset.map(Int.init), sourceVersion: version, device: device,
                            creationDate: creation.map(Date.init(millisecondsSince1970:)), details: details)
    }

    static func text(_ row: OpaquePointer, _ column: Int32) -> String? {
        guard sqlite3_column_type(row, column) == SQLITE_TEXT, let start = sqlite3_column_text(row, column) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: start, count: Int(sqlite3_column_bytes(row, column))), as: UTF8.self)
    }

    static func integer(_ row: OpaquePointer, _ column: Int32) -> Int64? {
        sqlite3_column_type(row, column) == SQLITE_INTEGER ? sqlite3_column_int64(row, column) : nil
    }

    static func real(_ row: OpaquePointer, _ column: Int32) -> Double? {
        switch sqlite3_column_type(row, column) {
        case SQLITE_FLOAT, SQLITE_INTEGER: sqlite3_column_double(row, column)
        default: nil
        }
    }

    /// `.some(nil)` for NULL, `.some(value)` for a readable value, nil for an unreadable one.
    static func optional<T>(_ row: OpaquePointer, _ column: Int32, _ read: (OpaquePointer, Int32) -> T?) -> T?? {
        if sqlite3_column_type(row, column) == SQLITE_NULL { return .some(nil) }
        return read(row, column).map { .some($0) }
    }
}

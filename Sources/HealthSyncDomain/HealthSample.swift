import FoundationEssentials

/// One health measurement, as it crosses the wire and sits in a sample store.
/// Beside the value: what the export said of it (time-zone offset, source
/// version, device, creation date, metadata), the value's name for category
/// types, and for the kinds with structure (a workout's events and
/// statistics, a route's points, an ECG's voltages, a FHIR resource…) their
/// `details` as one JSON object.
public struct HealthSample: Sendable, Hashable, Codable {
    /// Bounds on one sample's parts, so no peer or file makes one grow without limit.
    public static let maxDetailsBytes = 4 * 1024 * 1024
    public static let maxTextLength = 2048

    public let id: String
    public let type: HealthDataType
    public let value: Double
    public let unit: String
    public let startDate: Date
    public let endDate: Date
    public let sourceName: String
    public let metadata: [String: String]
    /// A category type's value name (`HKCategoryValueSeverityModerate`).
    public let text: String?
    /// The UTC offset, in minutes, the record's dates were written with.
    public let utcOffsetMinutes: Int?
    public let sourceVersion: String?
    public let device: String?
    public let creationDate: Date?
    /// A JSON object (compact, sorted keys) for the kinds with structure.
    public let details: String?

    public init(id: String, type: HealthDataType, value: Double, unit: String, startDate: Date,
                endDate: Date, sourceName: String, metadata: [String: String] = [:], text: String? = nil,
                utcOffsetMinutes: Int? = nil, sourceVersion: String? = nil, device: String? = nil,
                creationDate: Date? = nil, details: String? = nil) {
        self.id = id
        self.type = type
        self.value = value
        self.unit = unit
        self.startDate = startDate
        self.endDate = endDate
        self.sourceName = sourceName
        self.metadata = metadata
        self.text = text
        self.utcOffsetMinutes = utcOffsetMinutes
        self.sourceVersion = sourceVersion
        self.device = device
        self.creationDate = creationDate
        self.details = details
    }

    /// The same sample with another ID.
    public func with(id: String) -> HealthSample {
        HealthSample(id: id, type: type, value: value, unit: unit, startDate: startDate, endDate: endDate,
                     sourceName: sourceName, metadata: metadata, text: text, utcOffsetMinutes: utcOffsetMinutes,
                     sourceVersion: sourceVersion, device: device, creationDate: creationDate, details: details)
    }

    /// The sample as an older peer (schema 1) reads it: only the fields it
    /// knows (the device as it used to travel, in metadata).
    public var schemaOne: HealthSample {
        var legacy = metadata
        if let device, legacy["HKDevice"] == nil { legacy["HKDevice"] = device }
        return HealthSample(id: id, type: type, value: value, unit: unit, startDate: startDate, endDate: endDate,
                            sourceName: sourceName, metadata: legacy)
    }
}

/// A position in the (startDate, id) order of samples; opaque to clients.
public struct SampleCursor: Sendable, Hashable {
    public let startMillis: Int64
    public let id: String

    public init(startMillis: Int64, id: String) {
        self.startMillis = startMillis
        self.id = id
    }

    public init(after sample: HealthSample) {
        self.init(startMillis: sample.startDate.millisecondsSince1970, id: sample.id)
    }

    /// `<millis>.<hex of id>`: safe in URLs, bounded when parsed.
    public var token: String { "\(startMillis).\(Hex.encode(Array(id.utf8)))" }

    public init(token: String) throws(HealthSyncError) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 600, parts.count == 2, let millis = Int64(parts[0]),
              let idBytes = Hex.decode(String(parts[1])), !idBytes.isEmpty,
              let id = String(validating: idBytes, as: UTF8.self) else {
            throw HealthSyncError(.invalidArgument, "Malformed paging cursor",
                                  hint: "Use the `nextCursor` value of the previous page as it was.")
        }
        self.init(startMillis: millis, id: id)
    }
}

/// A query over a sample store: types, a half-open date range and a page.
public struct SampleQuery: Sendable, Equatable {
    public static let maxPageSize = 10_000
    /// The sample schema this build reads and writes: 2 added every
    /// HealthKit type and the fields beside the value. Peers that do not
    /// say are schema 1 and get the 31 types and fields they know.
    public static let currentSchema = 2

    public let types: [HealthDataType]
    public let since: Date?
    public let until: Date?
    public let limit: Int
    public let cursor: SampleCursor?
    /// The schema the asking peer reads.
    public let schema: Int
    /// Newest first (`--latest`): pages run backwards through (startDate, id).
    public let newestFirst: Bool

    public init(types: [HealthDataType], since: Date? = nil, until: Date? = nil, limit: Int = 100,
                cursor: SampleCursor? = nil, schema: Int = SampleQuery.currentSchema,
                newestFirst: Bool = false) throws(HealthSyncError) {
        guard (1...Self.maxPageSize).contains(limit) else {
            throw HealthSyncError(.invalidArgument, "The limit must be between 1 and \(Self.maxPageSize)")
        }
        if let since, let until, since >= until {
            throw HealthSyncError(.invalidArgument, "--since must be before --until")
        }
        self.types = types
        self.since = since
        self.until = until
        self.limit = limit
        self.cursor = cursor
        self.schema = schema
        self.newestFirst = newestFirst
    }

    /// The same query for the page after `cursor`.
    public func after(_ cursor: SampleCursor?, limit: Int? = nil) throws(HealthSyncError) -> SampleQuery {
        try SampleQuery(types: types, since: since, until: until, limit: limit ?? self.limit, cursor: cursor,
                        schema: schema, newestFirst: newestFirst)
    }

    /// Whether `sample` comes before `other` in this query's order.
    public func orders(_ sample: HealthSample, before other: HealthSample) -> Bool {
        let left = sample.startDate.millisecondsSince1970, right = other.startDate.millisecondsSince1970
        if left == right { return newestFirst ? sample.id > other.id : sample.id < other.id }
        return newestFirst ? left > right : left < right
    }

    /// Whether a sample falls inside the query (ignoring the page).
    public func matches(_ sample: HealthSample) -> Bool {
        guard types.contains(sample.type) else { return false }
        if let since, sample.startDate < since { return false }
        if let until, sample.startDate >= until { return false }
        if let cursor {
            let millis = sample.startDate.millisecondsSince1970
            if newestFirst {
                if millis > cursor.startMillis || (millis == cursor.startMillis && sample.id >= cursor.id) { return false }
            } else if millis < cursor.startMillis || (millis == cursor.startMillis && sample.id <= cursor.id) {
                return false
            }
        }
        return true
    }
}

public struct SamplePage: Sendable, Equatable {
    public let samples: [HealthSample]
    public let nextCursor: SampleCursor?

    public init(samples: [HealthSample], nextCursor: SampleCursor?) {
        self.samples = samples
        self.nextCursor = nextCursor
    }
}

extension Date {
    /// Whole milliseconds since 1970, the precision samples are stored at.
    public var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    public init(millisecondsSince1970 millis: Int64) {
        self.init(timeIntervalSince1970: Double(millis) / 1000)
    }
}

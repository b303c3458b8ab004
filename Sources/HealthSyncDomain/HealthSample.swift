import FoundationEssentials

/// One health measurement, as it crosses the wire and sits in a sample store.
public struct HealthSample: Sendable, Hashable, Codable {
    public let id: String
    public let type: HealthDataType
    public let value: Double
    public let unit: String
    public let startDate: Date
    public let endDate: Date
    public let sourceName: String
    public let metadata: [String: String]

    public init(id: String, type: HealthDataType, value: Double, unit: String, startDate: Date,
                endDate: Date, sourceName: String, metadata: [String: String] = [:]) {
        self.id = id
        self.type = type
        self.value = value
        self.unit = unit
        self.startDate = startDate
        self.endDate = endDate
        self.sourceName = sourceName
        self.metadata = metadata
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

    public let types: [HealthDataType]
    public let since: Date?
    public let until: Date?
    public let limit: Int
    public let cursor: SampleCursor?

    public init(types: [HealthDataType], since: Date? = nil, until: Date? = nil, limit: Int = 100,
                cursor: SampleCursor? = nil) throws(HealthSyncError) {
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
    }

    /// Whether a sample falls inside the query (ignoring the page).
    public func matches(_ sample: HealthSample) -> Bool {
        guard types.contains(sample.type) else { return false }
        if let since, sample.startDate < since { return false }
        if let until, sample.startDate >= until { return false }
        if let cursor {
            let millis = sample.startDate.millisecondsSince1970
            if millis < cursor.startMillis || (millis == cursor.startMillis && sample.id <= cursor.id) {
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

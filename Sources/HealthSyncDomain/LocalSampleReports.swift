import FoundationEssentials

/// How samples are shown or written: a table for people, or a document
/// (a JSON array, NDJSON, CSV, a FHIR R4 Bundle).
public enum SampleFormat: String, Sendable, Codable, CaseIterable {
    case table, json, ndjson, csv, fhir
}

/// What `samples list|count|export` and `fetch` select: types (nil: every
/// type stored), a half-open date range, a limit, the order.
public struct SampleSelection: Sendable, Equatable {
    public static let maxLimit = 10_000_000

    public let types: [HealthDataType]?
    public let since: Date?
    public let until: Date?
    public let limit: Int?
    public let newestFirst: Bool

    public init(types: [HealthDataType]?, since: Date? = nil, until: Date? = nil, limit: Int? = nil,
                newestFirst: Bool = false) throws(HealthSyncError) {
        if let limit, !(1...Self.maxLimit).contains(limit) {
            throw HealthSyncError(.invalidArgument, "--limit must be between 1 and \(Self.maxLimit)")
        }
        if let since, let until, since >= until { throw HealthSyncError(.invalidArgument, "--since must be before --until") }
        self.types = types
        self.since = since
        self.until = until
        self.limit = limit
        self.newestFirst = newestFirst
    }
}

/// `samples list`: samples from the local store.
public struct SampleListReport: Sendable, Codable, Equatable {
    public let format: SampleFormat
    public let samples: [HealthSample]
    /// Whether more samples match than were listed.
    public let more: Bool

    public init(format: SampleFormat, samples: [HealthSample], more: Bool) {
        self.format = format
        self.samples = samples
        self.more = more
    }
}

/// `samples count`: how many samples match, per type.
public struct SampleCountReport: Sendable, Codable, Equatable {
    public let total: Int
    public let types: [String: Int]
    public let since: Date?
    public let until: Date?

    public init(types: [String: Int], since: Date?, until: Date?) {
        self.total = types.values.reduce(0, +)
        self.types = types
        self.since = since
        self.until = until
    }
}

/// `samples export`: what was written where.
public struct SampleExportReport: Sendable, Codable, Equatable {
    public let format: SampleFormat
    /// The file written, nil for standard output.
    public let file: String?
    public let samples: Int

    public init(format: SampleFormat, file: String?, samples: Int) {
        self.format = format
        self.file = file
        self.samples = samples
    }
}

/// One top-level `<Record>` or `<Workout>` of an Apple Health export, as
/// text: the reader only reads, `AppleHealthMapping` decides what it means.
public struct ExportRecord: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case record, workout }

    /// Bounds on what one record may carry (a malformed file cannot make a
    /// record grow without limit).
    public static let maxMetadataEntries = 64
    public static let maxTextLength = 2048

    public let kind: Kind
    /// `type` of a Record (`HKQuantityTypeIdentifier…`), `workoutActivityType` of a Workout.
    public let type: String
    public let unit: String?
    /// `value` of a Record, `duration` of a Workout.
    public let value: String?
    /// `durationUnit` of a Workout.
    public let durationUnit: String?
    public let sourceName: String
    public let device: String?
    public let startDate: String
    public let endDate: String
    /// MetadataEntry key/value pairs, plus a Workout's totals.
    public let metadata: [String: String]

    public init(kind: Kind, type: String, unit: String?, value: String?, durationUnit: String? = nil, sourceName: String,
                device: String?, startDate: String, endDate: String, metadata: [String: String]) {
        self.kind = kind
        self.type = type
        self.unit = unit
        self.value = value
        self.durationUnit = durationUnit
        self.sourceName = sourceName
        self.device = device
        self.startDate = startDate
        self.endDate = endDate
        self.metadata = metadata
    }
}

/// What reading an export found, beside the records.
public struct ExportReadSummary: Sendable, Equatable {
    /// The file inside a zip the export was read from (nil for a plain XML file).
    public let entry: String?
    /// Records nested in Correlations, skipped because the top level repeats them.
    public let nestedInCorrelations: Int
    /// XML errors the parser recovered from.
    public let recoveredErrors: Int

    public init(entry: String?, nestedInCorrelations: Int, recoveredErrors: Int) {
        self.entry = entry
        self.nestedInCorrelations = nestedInCorrelations
        self.recoveredErrors = recoveredErrors
    }
}

/// `samples import`: what was read, stored and left out, and why.
public struct ImportReport: Sendable, Codable, Equatable {
    public let file: String
    public let entry: String?
    /// Top-level Records and Workouts read.
    public let records: Int
    /// Samples stored (new or changed; an identical re-import stores nothing new).
    public let imported: Int
    /// Samples per data type.
    public let types: [String: Int]
    /// Records left out, by reason ("unsupported type HKQuantityTypeIdentifierBloodGlucose", …).
    public let skipped: [String: Int]
    public let nestedInCorrelations: Int
    public let recoveredErrors: Int
    /// Records read and not kept, in all (the sum of `skipped`): 0 only when nothing was left out.
    public let leftOut: Int

    public init(file: String, entry: String?, records: Int, imported: Int, types: [String: Int], skipped: [String: Int],
                nestedInCorrelations: Int, recoveredErrors: Int) {
        self.leftOut = skipped.values.reduce(0, +)
        self.file = file
        self.entry = entry
        self.records = records
        self.imported = imported
        self.types = types
        self.skipped = skipped
        self.nestedInCorrelations = nestedInCorrelations
        self.recoveredErrors = recoveredErrors
    }
}

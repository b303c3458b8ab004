/// One element of an Apple Health export, as text: the reader only reads,
/// `AppleHealthMapping` decides what it means. Everything the element
/// carries is kept: its attributes, its MetadataEntry pairs, its other
/// children (WorkoutEvent, WorkoutStatistics, SensitivityPoint, a route's
/// Location points, HRV beats…), the Records of a Correlation and the
/// routes of a Workout as members, the content of a file it refers to.
public struct ExportRecord: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case record, workout, workoutRoute, correlation, activitySummary, audiogram, clinicalRecord, electrocardiogram
    }

    /// Bounds on what one record may carry (a malformed file cannot make a
    /// record grow without limit).
    public static let maxMetadataEntries = 256
    public static let maxTextLength = 2048
    public static let maxChildren = 200_000
    public static let maxMembers = 1000
    public static let maxSeries = 200_000
    public static let maxAttachmentBytes = 2 * 1024 * 1024

    public let kind: Kind
    /// The element's attributes as written (values at most `maxTextLength`).
    public let attributes: [String: String]
    /// MetadataEntry key/value pairs.
    public let metadata: [String: String]
    /// Other child elements, in file order.
    public let children: [ExportElement]
    /// A Correlation's Records, a Workout's WorkoutRoutes.
    public let members: [ExportRecord]
    /// The text of the file the element refers to (a ClinicalRecord's FHIR JSON).
    public let attachment: String?
    /// Numbers that come as a series (an ECG's voltages).
    public let series: [Double]

    public init(kind: Kind, attributes: [String: String], metadata: [String: String] = [:],
                children: [ExportElement] = [], members: [ExportRecord] = [], attachment: String? = nil,
                series: [Double] = []) {
        self.kind = kind
        self.attributes = attributes
        self.metadata = metadata
        self.children = children
        self.members = members
        self.attachment = attachment
        self.series = series
    }

    public subscript(_ attribute: String) -> String? { attributes[attribute] }

    /// The `type` of a Record, Correlation, Audiogram or ClinicalRecord; a Workout's activity type.
    public var type: String { attributes["type"] ?? attributes["workoutActivityType"] ?? "" }
}

/// A child element: its name and attributes.
public struct ExportElement: Sendable, Equatable {
    public let name: String
    public let attributes: [String: String]

    public init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }
}

/// How much of an export has been read: bytes of its XML, of how many.
public struct ExportPosition: Sendable, Equatable {
    public let bytesRead: Int64
    public let totalBytes: Int64?

    public init(bytesRead: Int64, totalBytes: Int64?) {
        self.bytesRead = bytesRead
        self.totalBytes = totalBytes
    }
}

/// What reading an export found, beside the records.
public struct ExportReadSummary: Sendable, Equatable {
    /// The file inside a zip the export was read from (nil for a plain XML file).
    public let entry: String?
    /// XML errors the parser recovered from.
    public let recoveredErrors: Int
    /// Files the export refers to (routes, clinical records) that are not in it, or not readable.
    public let missingFiles: Int

    public init(entry: String?, recoveredErrors: Int, missingFiles: Int = 0) {
        self.entry = entry
        self.recoveredErrors = recoveredErrors
        self.missingFiles = missingFiles
    }
}

/// `samples import`: what was read, stored, merged and left out, and why.
/// The numbers add up: `read == imported + unchanged + merged + leftOut`,
/// and `types` sums to `read - leftOut`.
public struct ImportReport: Sendable, Codable, Equatable {
    public let file: String
    public let entry: String?
    /// Elements read: Records (those inside Correlations too), Correlations,
    /// Workouts, their routes, ActivitySummaries, Audiograms, ClinicalRecords, ECGs.
    public let read: Int
    /// Samples stored new or changed.
    public let imported: Int
    /// Identical to a sample stored before (an earlier import of the same data).
    public let unchanged: Int
    /// Identical to another element of this export that this import stored
    /// (exports repeat some); on a later import of the same export, the
    /// repeats are `unchanged` like the rest.
    public let merged: Int
    /// Elements read and kept, per data type.
    public let types: [String: Int]
    /// Elements left out, by reason ("unreadable date", …).
    public let skipped: [String: Int]
    /// The sum of `skipped`: 0 only when nothing was left out.
    public let leftOut: Int
    public let recoveredErrors: Int
    /// Referenced files (GPX routes, FHIR records) the export lacks.
    public let missingFiles: Int

    public init(file: String, entry: String?, read: Int, imported: Int, unchanged: Int, merged: Int,
                types: [String: Int], skipped: [String: Int], recoveredErrors: Int, missingFiles: Int) {
        self.file = file
        self.entry = entry
        self.read = read
        self.imported = imported
        self.unchanged = unchanged
        self.merged = merged
        self.types = types
        self.skipped = skipped
        self.leftOut = skipped.values.reduce(0, +)
        self.recoveredErrors = recoveredErrors
        self.missingFiles = missingFiles
    }
}

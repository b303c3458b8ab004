/// A kind of health data: one of the catalogue's names (`steps`,
/// `bloodGlucose`, `workouts`, `electrocardiogram`…, see
/// `HealthDataCatalogue.swift`), or, for a HealthKit identifier newer than
/// the catalogue, that identifier itself, so nothing an export holds is
/// turned away and the name alone says what it was.
public struct HealthDataType: RawRepresentable, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// What a type's samples are, which decides how an export record maps to one.
    public enum Kind: String, Sendable, Codable {
        case quantity, category, workout, workoutRoute, correlation, activitySummary, electrocardiogram, audiogram
        case clinicalRecord
    }

    struct Entry: Sendable {
        let name: String, identifier: String, unit: String, category: String, kind: Kind, sleepValue: String?
        init(_ name: String, _ identifier: String, _ unit: String, _ category: String, _ kind: Kind, _ sleepValue: String?) {
            (self.name, self.identifier, self.unit, self.category, self.kind, self.sleepValue)
                = (name, identifier, unit, category, kind, sleepValue)
        }
    }

    /// How long a name may be (HealthKit's longest identifier is under 70).
    public static let maxNameLength = 96
    /// How many of the catalogue's types the first schema had: older peers know only these.
    public static let schemaOneCount = 31

    public let rawValue: String

    /// A catalogue name, or an identifier (`HK…`) of letters and digits.
    public init?(rawValue: String) {
        if Self.index[rawValue] != nil {
            self.rawValue = rawValue
            return
        }
        let bytes = rawValue.utf8
        guard rawValue.hasPrefix("HK"), bytes.count <= Self.maxNameLength,
              bytes.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5a).contains($0) || (0x61...0x7a).contains($0) })
        else { return nil }
        self.rawValue = rawValue
    }

    init(known name: String) { rawValue = name }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let type = HealthDataType(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "Unknown data type \(text.prefix(100))"))
        }
        self = type
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// Every type of the catalogue, the schema-1 ones first.
    public static let allCases: [HealthDataType] = entries.map { HealthDataType(known: $0.name) }
    /// The types older peers (schema 1) know.
    public static let schemaOne: Set<HealthDataType> = Set(allCases.prefix(schemaOneCount))

    private static let index: [String: Int] = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.name, $0) })
    private static let lowercased: [String: Int] = Dictionary(entries.enumerated().map { ($1.name.lowercased(), $0) },
                                                                uniquingKeysWith: { first, _ in first })
    /// Catalogue types by HealthKit identifier (SleepAnalysis maps to `sleepAnalysis`, not a stage).
    private static let byIdentifier: [String: Int] = Dictionary(
        entries.enumerated().filter { $1.sleepValue == nil }.map { ($1.identifier, $0) }, uniquingKeysWith: { first, _ in first })

    private var entry: Entry? { Self.index[rawValue].map { Self.entries[$0] } }

    /// Whether the type is in the catalogue (not an identifier newer than it).
    public var isCatalogued: Bool { entry != nil }

    /// The HealthKit identifier an Apple Health export uses for this type.
    public var healthKitIdentifier: String { entry?.identifier ?? rawValue }

    /// For sleep stages: the HKCategoryValueSleepAnalysis value that selects them.
    public var sleepAnalysisValue: String? { entry?.sleepValue }

    /// The unit values of this type are stored in (for an uncatalogued
    /// quantity, each sample carries the unit the export gave it).
    public var unit: String { entry?.unit ?? (kind == .category ? "min" : "") }

    /// How people group the types.
    public var category: String { entry?.category ?? "other" }

    public var kind: Kind {
        if let entry { return entry.kind }
        return rawValue.hasPrefix("HKCategoryTypeIdentifier") ? .category : .quantity
    }

    /// The type an export's `type` attribute names: the catalogue's, or the
    /// identifier itself when newer than the catalogue; nil when it is no
    /// HealthKit identifier at all.
    public static func forIdentifier(_ identifier: String) -> HealthDataType? {
        if let position = byIdentifier[identifier] { return allCases[position] }
        guard identifier.hasPrefix("HKQuantityTypeIdentifier") || identifier.hasPrefix("HKCategoryTypeIdentifier") else {
            return nil
        }
        return HealthDataType(rawValue: identifier)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        switch (index[lhs.rawValue], index[rhs.rawValue]) {
        case let (left?, right?): left < right
        case (.some, nil): true
        case (nil, .some): false
        case (nil, nil): lhs.rawValue < rhs.rawValue
        }
    }

    /// Parses a comma-separated list ("steps,heartRate" or "all"), case-insensitively.
    public static func parseList(_ text: String) throws(HealthSyncError) -> [HealthDataType] {
        var result: [HealthDataType] = []
        for raw in text.split(separator: ",") {
            let name = raw.trimmingCharacters(in: " ")
            if name.lowercased() == "all" { return allCases }
            guard let type = named(name) else {
                throw HealthSyncError(.invalidArgument, "Unknown data type '\(name.prefix(100))'",
                                      hint: "Run `healthsync types` to list the data types.")
            }
            if !result.contains(type) { result.append(type) }
        }
        guard !result.isEmpty else {
            throw HealthSyncError(.invalidArgument, "No data type given",
                                  hint: "Run `healthsync types` to list the data types.")
        }
        return result
    }

    /// The type with this short name (any case) or HealthKit identifier.
    public static func named(_ name: String) -> HealthDataType? {
        if let position = lowercased[name.lowercased()] { return allCases[position] }
        return forIdentifier(name) ?? HealthDataType(rawValue: name)
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var text = self
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return String(text)
    }
}

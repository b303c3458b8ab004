import FoundationEssentials

/// `healthsync types`: the catalogue, what is shared, and how many samples
/// of each type this device holds (types newer than the catalogue that an
/// import or a peer brought are listed too).
public struct TypesReport: Sendable, Codable, Equatable {
    public struct Entry: Sendable, Codable, Equatable {
        public let name: String
        public let healthKitIdentifier: String
        public let unit: String
        public let category: String
        public let kind: String
        public let shared: Bool
        /// Samples of the type in the local store.
        public let stored: Int
    }

    public let types: [Entry]

    /// With `presentOnly`, only the types the store holds samples of.
    public init(shared: Set<HealthDataType>, stored: [HealthDataType: Int] = [:], presentOnly: Bool = false) {
        let newer = stored.keys.filter { !$0.isCatalogued }.sorted()
        types = (HealthDataType.allCases + newer).filter { !presentOnly || (stored[$0] ?? 0) > 0 }.map {
            Entry(name: $0.rawValue, healthKitIdentifier: $0.healthKitIdentifier, unit: $0.unit,
                  category: $0.category, kind: $0.kind.rawValue, shared: shared.contains($0), stored: stored[$0] ?? 0)
        }
    }
}

/// `healthsync keychain clear`.
public struct ClearReport: Sendable, Codable, Equatable {
    public let keystore: String
    public let location: String
    public let hadIdentity: Bool
    public let peersRemoved: Int

    public init(keystore: String, location: String, hadIdentity: Bool, peersRemoved: Int) {
        self.keystore = keystore
        self.location = location
        self.hadIdentity = hadIdentity
        self.peersRemoved = peersRemoved
    }
}

/// `healthsync samples generate`.
public struct GenerateReport: Sendable, Codable, Equatable {
    public let generated: Int
    public let days: Int
    public let types: Int
    public let from: Date?
    public let to: Date?
    public let totalStored: Int

    public init(generated: Int, days: Int, types: Int, from: Date?, to: Date?, totalStored: Int) {
        self.generated = generated
        self.days = days
        self.types = types
        self.from = from
        self.to = to
        self.totalStored = totalStored
    }
}

/// `healthsync config show|set|reset`.
public struct ConfigReport: Sendable, Codable, Equatable {
    public struct Entry: Sendable, Codable, Equatable {
        public let key: String
        public let value: String
        /// default | file | env | flag
        public let source: String

        public init(key: String, value: String, source: String) {
            self.key = key
            self.value = value
            self.source = source
        }
    }

    public let action: String
    public let file: String
    public let fileExists: Bool
    public let changedKey: String?
    public let entries: [Entry]

    public init(action: String, file: String, fileExists: Bool, changedKey: String?, entries: [Entry]) {
        self.action = action
        self.file = file
        self.fileExists = fileExists
        self.changedKey = changedKey
        self.entries = entries
    }
}

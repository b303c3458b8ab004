import FoundationEssentials

/// Samples in the order they were stored or last changed (DESIGN §10
/// `sync`): every upsert that changes a sample gives it a new, higher
/// sequence number, so a device that remembers the last number it received
/// gets exactly what is new or changed since — backfilled old data too.
public struct SampleChanges: Sendable, Equatable, Codable {
    public static let maxLimit = 10_000
    /// The longest a long poll for changes is held: under the 30 s a silent
    /// connection is kept, so the connection between two polls never idles out.
    public static let maxWait: Duration = .seconds(25)

    public let samples: [HealthSample]
    /// The sequence number of the last sample returned (the `after` given when none).
    public let last: Int64
    /// Whether more changes follow `last`.
    public let more: Bool

    public init(samples: [HealthSample], last: Int64, more: Bool) {
        self.samples = samples
        self.last = last
        self.more = more
    }
}

/// How far samples from one paired device have been received, when they
/// last were, and how many new or changed samples came from it in all.
public struct SyncRecord: Sendable, Equatable, Codable {
    public let position: Int64
    public let lastSync: Date?
    public let received: Int

    public init(position: Int64 = 0, lastSync: Date? = nil, received: Int = 0) {
        self.position = position
        self.lastSync = lastSync
        self.received = received
    }
}

/// What one upsert did with each sample it was given.
public struct UpsertCounts: Sendable, Equatable {
    public var inserted = 0
    public var updated = 0
    /// Identical to a sample stored before the run began.
    public var unchanged = 0
    /// Identical to a sample the same run stored earlier.
    public var repeated = 0

    public init(inserted: Int = 0, updated: Int = 0, unchanged: Int = 0, repeated: Int = 0) {
        (self.inserted, self.updated, self.unchanged, self.repeated) = (inserted, updated, unchanged, repeated)
    }

    public static func += (lhs: inout UpsertCounts, rhs: UpsertCounts) {
        lhs.inserted += rhs.inserted
        lhs.updated += rhs.updated
        lhs.unchanged += rhs.unchanged
        lhs.repeated += rhs.repeated
    }
}

/// `sync`: what each paired sharing device sent.
public struct SyncReport: Sendable, Codable, Equatable {
    public struct Entry: Sendable, Codable, Equatable {
        public let name: String
        public let deviceID: DeviceID
        /// Samples received (new or changed) in this sync.
        public let received: Int
        /// Where the next sync from this device starts.
        public let position: Int64
        public let error: ErrorSummary?

        public init(name: String, deviceID: DeviceID, received: Int, position: Int64, error: ErrorSummary?) {
            self.name = name
            self.deviceID = deviceID
            self.received = received
            self.position = position
            self.error = error
        }
    }

    public let devices: [Entry]

    public init(devices: [Entry]) { self.devices = devices }
}

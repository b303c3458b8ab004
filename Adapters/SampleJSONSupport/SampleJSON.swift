import FoundationEssentials
import HealthSyncDomain

/// Pages of samples as wire JSON, written by hand: the generic encoder
/// spent most of a 100 000-sample fetch. The output is what `WireCodec`
/// would write (compact, sorted keys, millisecond dates, unescaped
/// slashes), so any JSON reader — ours included — reads it the same way.
public enum SampleJSON {
    /// The page as JSON, or nil when a value has no JSON form (a
    /// non-finite number), for the caller to report through `WireCodec`.
    public static func encode(_ page: SampleJSONPage) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(64 + page.samples.count * 240)
        out.append(contentsOf: #"{"#.utf8)
        if let cursor = page.nextCursor {
            out.append(contentsOf: #""nextCursor":"#.utf8)
            string(cursor, into: &out)
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: #""samples":"#.utf8)
        guard array(page.samples, into: &out) else { return nil }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The changes after a sequence number (GET health/changes, what sync
    /// reads), nil as for `encode`: keys sorted as `WireCodec` writes them.
    public static func encode(_ changes: SampleChanges) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(64 + changes.samples.count * 240)
        out.append(contentsOf: #"{"last":"#.utf8)
        out.append(contentsOf: String(changes.last).utf8)
        out.append(contentsOf: (changes.more ? #","more":true,"samples":"# : #","more":false,"samples":"#).utf8)
        guard array(changes.samples, into: &out) else { return nil }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Samples as a JSON array (`fetch --format json`), nil as for `encode`.
    public static func encode(_ samples: [HealthSample]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(16 + samples.count * 240)
        return array(samples, into: &out) ? out : nil
    }

    private static func array(_ samples: [HealthSample], into out: inout [UInt8]) -> Bool {
        out.append(UInt8(ascii: "["))
        for (index, sample) in samples.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard object(sample, into: &out) else { return false }
        }
        out.append(UInt8(ascii: "]"))
        return true
    }

    /// One sample as a JSON object, appended to `out`; false when its value has no JSON form.
    public static func object(_ sample: HealthSample, into out: inout [UInt8]) -> Bool {
        guard sample.value.isFinite else { return false }
        // Keys in sorted order, optional ones only when present (as WireCodec writes them).
        out.append(UInt8(ascii: "{"))
        if let creation = sample.creationDate {
            out.append(contentsOf: #""creationDate":""#.utf8)
            Timestamp.format(creation, into: &out)
            out.append(contentsOf: #"","#.utf8)
        }
        if let details = sample.details {
            out.append(contentsOf: #""details":"#.utf8)
            string(details, into: &out)
            out.append(UInt8(ascii: ","))
        }
        if let device = sample.device {
            out.append(contentsOf: #""device":"#.utf8)
            string(device, into: &out)
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: #""endDate":""#.utf8)
        Timestamp.format(sample.endDate, into: &out)
        out.append(contentsOf: #"","id":"#.utf8)
        string(sample.id, into: &out)
        out.append(contentsOf: #","metadata":{"#.utf8)
        for (position, key) in (sample.metadata.count < 2 ? Array(sample.metadata.keys) : StringMapJSON.sortedAsJSONEncoder(sample.metadata.keys)).enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            string(key, into: &out)
            out.append(UInt8(ascii: ":"))
            string(sample.metadata[key] ?? "", into: &out)
        }
        out.append(contentsOf: #"},"sourceName":"#.utf8)
        string(sample.sourceName, into: &out)
        if let version = sample.sourceVersion {
            out.append(contentsOf: #","sourceVersion":"#.utf8)
            string(version, into: &out)
        }
        out.append(contentsOf: #","startDate":""#.utf8)
        Timestamp.format(sample.startDate, into: &out)
        out.append(UInt8(ascii: "\""))
        if let text = sample.text {
            out.append(contentsOf: #","text":"#.utf8)
            string(text, into: &out)
        }
        out.append(contentsOf: #","type":"#.utf8)
        string(sample.type.rawValue, into: &out)
        out.append(contentsOf: #","unit":"#.utf8)
        string(sample.unit, into: &out)
        if let offset = sample.utcOffsetMinutes {
            out.append(contentsOf: #","utcOffsetMinutes":"#.utf8)
            out.append(contentsOf: String(offset).utf8)
        }
        out.append(contentsOf: #","value":"#.utf8)
        out.append(contentsOf: number(sample.value).utf8)
        out.append(UInt8(ascii: "}"))
        return true
    }

    /// Integral values without a fraction (as JSONEncoder writes them), others in Swift's shortest form.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }

    /// A JSON string: quotes, backslashes and control characters escaped.
    /// As `WireCodec` writes strings (slashes not escaped).
    static func string(_ text: String, into out: inout [UInt8]) {
        StringMapJSON.string(text, escapingSlashes: false, into: &out)
    }
}

/// A page of samples as its JSON carries it: the samples and the next
/// cursor's token.
public struct SampleJSONPage: Sendable, Equatable, Codable {
    public let samples: [HealthSample]
    public let nextCursor: String?

    public init(samples: [HealthSample], nextCursor: String?) {
        self.samples = samples
        self.nextCursor = nextCursor
    }
}

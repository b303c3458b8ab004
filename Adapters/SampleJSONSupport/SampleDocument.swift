import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// Samples written out as a document, page by page, so an export of
/// millions never sits in memory: a JSON array, NDJSON (one sample per
/// line), CSV (`SampleCSV`) or a FHIR R4 Bundle of Observations.
public struct SampleDocument: SampleEncoder {
    /// The formats that are documents (a table is not).
    public enum Format: String, Sendable, Codable, CaseIterable { case json, ndjson, csv, fhir }

    public let document: Format
    public var format: SampleFormat { SampleFormat(rawValue: document.rawValue) ?? .json }
    private let id: String
    private let timestamp: Date
    private var written = 0

    /// `id` and `timestamp` name the FHIR Bundle.
    public init(format: Format, id: String, timestamp: Date) {
        self.document = format
        self.id = id
        self.timestamp = timestamp
    }

    /// How many samples were written.
    public var count: Int { written }

    public func start() -> [UInt8] {
        switch document {
        case .json: Array("[".utf8)
        case .ndjson: []
        case .csv: Array((SampleCSV.header + "\n").utf8)
        case .fhir: Array(FHIRObservation.bundleStart(id: id, timestamp: timestamp).utf8)
        }
    }

    /// The bytes for `samples`; a value with no JSON form (not finite) is written as `null`.
    public mutating func write(_ samples: [HealthSample]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(samples.count * 300)
        for sample in samples {
            let first = written == 0
            written += 1
            switch document {
            case .json, .ndjson:
                if document == .json && !first { out.append(UInt8(ascii: ",")) }
                if !SampleJSON.object(sample, into: &out) { out += Array(Self.nonFinite(sample).utf8) }
                if document == .ndjson { out.append(0x0a) }
            case .csv:
                out += Array((SampleCSV.row(sample) + "\n").utf8)
            case .fhir:
                if !first { out.append(UInt8(ascii: ",")) }
                out += Array(FHIRObservation.bundleEntry(sample).utf8)
            }
        }
        return out
    }

    public func end() -> [UInt8] {
        switch document {
        case .json: Array("]\n".utf8)
        case .ndjson, .csv: []
        case .fhir: Array((FHIRObservation.bundleEnd + "\n").utf8)
        }
    }

    /// A sample whose value has no JSON form, with the value as null.
    private static func nonFinite(_ sample: HealthSample) -> String {
        var out: [UInt8] = []
        _ = SampleJSON.object(sample.withValue(0), into: &out)
        let text = String(decoding: out, as: UTF8.self)
        return text.hasSuffix(#""value":0}"#) ? String(text.dropLast(2)) + "null}" : text
    }
}

extension HealthSample {
    fileprivate func withValue(_ value: Double) -> HealthSample {
        HealthSample(id: id, type: type, value: value, unit: unit, startDate: startDate, endDate: endDate,
                     sourceName: sourceName, metadata: metadata, text: text, utcOffsetMinutes: utcOffsetMinutes,
                     sourceVersion: sourceVersion, device: device, creationDate: creationDate, details: details)
    }
}

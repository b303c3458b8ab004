import HealthSyncDomain

/// Writes samples as a document in pieces (a JSON array, NDJSON, CSV, a
/// FHIR Bundle): the start, the samples page by page, the end. The bytes
/// of all calls in that order make one well-formed document.
public protocol SampleEncoder: Sendable {
    var format: SampleFormat { get }
    /// The document's opening bytes (a header, `[`…).
    func start() -> [UInt8]
    /// The bytes for the next samples.
    mutating func write(_ samples: [HealthSample]) -> [UInt8]
    /// The closing bytes.
    func end() -> [UInt8]
}

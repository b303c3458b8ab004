import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// `samples import FILE`: an Apple Health export into the local sample
/// store, streamed and written in batches. Records carry no IDs, so each
/// sample's ID is derived from what it is (type, source, dates, value): a
/// second import of the same export adds nothing.
public struct ImportService: Sendable {
    static let batchSize = 5000
    static let idKey = Array("HealthSync Apple Health import v1".utf8)

    private let deps: Dependencies

    public init(_ deps: Dependencies) { self.deps = deps }

    public func importExport(at path: String) throws -> ImportReport {
        var records = 0
        var types: [String: Int] = [:]
        var skipped: [String: Int] = [:]
        var imported = 0
        let summary = try deps.exportReader.records(in: path, batchSize: Self.batchSize) { batch in
            records += batch.count
            var samples: [HealthSample] = []
            samples.reserveCapacity(batch.count)
            for record in batch {
                switch AppleHealthMapping.sample(from: record, id: identify) {
                case .success(let sample):
                    samples.append(sample)
                    types[sample.type.rawValue, default: 0] += 1
                case .failure(let reason):
                    skipped[reason.description, default: 0] += 1
                }
            }
            imported += try deps.sampleStore.upsert(samples)
        }
        return ImportReport(file: path, entry: summary.entry, records: records, imported: imported, types: types,
                            skipped: skipped, nestedInCorrelations: summary.nestedInCorrelations,
                            recoveredErrors: summary.recoveredErrors)
    }

    private func identify(_ identity: String) -> String {
        AppleHealthMapping.uuid(fromDigest: deps.crypto.hmacSHA256(key: Self.idKey, data: Array(identity.utf8)))
    }
}

import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// The samples on this machine (imported, generated, synced or fetched):
/// listed, counted and exported with the filters `fetch` has, page by
/// page so that an export of millions stays in bounded memory.
public struct LocalSamplesService: Sendable {
    static let pageSize = 5_000
    private let deps: Dependencies

    public init(_ deps: Dependencies) { self.deps = deps }

    /// At most `selection.limit` (100 when not given) samples.
    public func list(_ selection: SampleSelection, format: SampleFormat) throws -> SampleListReport {
        var samples: [HealthSample] = []
        let limit = selection.limit ?? 100
        var more = false
        try pages(selection, limit: limit + 1) { page in
            samples += page
        }
        if samples.count > limit {
            more = true
            samples.removeLast(samples.count - limit)
        }
        return SampleListReport(format: format, samples: samples, more: more)
    }

    public func count(_ selection: SampleSelection) throws -> SampleCountReport {
        let counts = try deps.sampleStore.countByType(since: selection.since, until: selection.until)
        let wanted = selection.types.map(Set.init)
        var types: [String: Int] = [:]
        for (type, count) in counts where wanted?.contains(type) ?? true && count > 0 { types[type.rawValue] = count }
        return SampleCountReport(types: types, since: selection.since, until: selection.until)
    }

    /// Writes every matching sample with `encoder` to `file` (replaced
    /// atomically, mode 0600: it is health data) or, when nil, to `output`.
    public func export(_ selection: SampleSelection, encoder: some SampleEncoder, file: String?,
                       output: ([UInt8]) throws -> Void) throws -> SampleExportReport {
        var encoder = encoder
        var count = 0
        func write(_ sink: ([UInt8]) throws -> Void) throws {
            try sink(encoder.start())
            count = try pages(selection) { page in try sink(encoder.write(page)) }
            try sink(encoder.end())
        }
        if let file {
            try deps.files.writeAtomically(file, mode: 0o600) { sink in try write(sink) }
        } else {
            try write(output)
        }
        return SampleExportReport(format: encoder.format, file: file, samples: count)
    }

    /// Hands every matching sample (up to `selection.limit`) to `body`, a page at a time; returns how many.
    @discardableResult
    public func pages(_ selection: SampleSelection, limit: Int? = nil,
                      _ body: ([HealthSample]) throws -> Void) throws -> Int {
        let limit = limit ?? selection.limit ?? Int.max
        var types = selection.types ?? HealthDataType.allCases
        if selection.types == nil {
            // Every type stored, those newer than the catalogue too.
            types += try deps.sampleStore.countByType().keys.filter { !$0.isCatalogued }.sorted()
        }
        var total = 0
        var cursor: SampleCursor?
        repeat {
            let query = try SampleQuery(types: types, since: selection.since, until: selection.until,
                                        limit: min(Self.pageSize, limit - total), cursor: cursor,
                                        newestFirst: selection.newestFirst)
            let page = try deps.sampleStore.query(query)
            if !page.samples.isEmpty { try body(page.samples) }
            total += page.samples.count
            cursor = page.nextCursor
        } while cursor != nil && total < limit
        return total
    }
}

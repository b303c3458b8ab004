import HealthSyncDomain

/// Reads an Apple Health export ("Export All Health Data": `export.zip`, or
/// the `export.xml` inside it).
public protocol HealthExportReader: Sendable {
    /// Streams the elements of the export at `path` to `body` (top-level
    /// Records, Correlations with their Records, Workouts with their routes,
    /// ActivitySummaries, Audiograms, ClinicalRecords with their FHIR file,
    /// then the ECG files), in batches of at most `batchSize`, in file order.
    /// Files the export refers to are read from beside it (the same zip, or
    /// the folder of `export.xml`), never from outside that folder. Memory stays
    /// bounded whatever the file's size. In a zip, the export is the entry
    /// whose content starts a `<HealthData` document, whatever its name.
    /// The inline DTD is skipped and malformed XML recovered from where
    /// possible. `INVALID_ARGUMENT` when the file is missing or holds no
    /// export; errors thrown by `body` stop the reading and are rethrown.
    /// Before each batch, `progress` hears how far into the XML the reading is.
    func records(in path: String, batchSize: Int, progress: (ExportPosition) -> Void,
                 _ body: ([ExportRecord]) throws -> Void) throws -> ExportReadSummary
}

extension HealthExportReader {
    /// `records(in:batchSize:progress:_:)` without progress.
    public func records(in path: String, batchSize: Int, _ body: ([ExportRecord]) throws -> Void) throws -> ExportReadSummary {
        try records(in: path, batchSize: batchSize, progress: { _ in }, body)
    }
}

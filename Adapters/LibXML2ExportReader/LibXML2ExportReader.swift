import CLibXML2
import Foundation
import HealthSyncDomain
import HealthSyncPorts

/// The `HealthExportReader` port over libxml2's streaming `xmlTextReader`
/// (never a tree: exports reach gigabytes), reading `export.xml` or the
/// entry of `export.zip` that holds it, found by content.
public struct LibXML2ExportReader: HealthExportReader {
    /// How much of a zip entry is looked at to tell whether it is the export.
    static let peekBytes = 256 * 1024

    public init() {}

    public func records(in path: String, batchSize: Int, progress: (ExportPosition) -> Void,
                        _ body: ([ExportRecord]) throws -> Void) throws -> ExportReadSummary {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw HealthSyncError(.invalidArgument, "Cannot open \(path): \(String(cString: strerror(errno)))",
                                  hint: "Pass the export.zip (or export.xml) from the Health app's \"Export All Health Data\".")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw HealthSyncError(.invalidArgument, "\(path) is not a file")
        }
        var entry: String?
        var total = Int64(info.st_size)
        let source: any ByteSource
        let files: ExportFiles
        if ZipArchive.isZip(descriptor) {
            let archive = try ZipArchive(descriptor: descriptor, fileSize: Int64(info.st_size))
            guard let found = try Self.exportEntry(in: archive) else {
                throw HealthSyncError(.invalidArgument, "\(path) holds no Apple Health export (no <HealthData> document)",
                                      hint: "Pass the export.zip from the Health app's \"Export All Health Data\".")
            }
            entry = found.name
            total = found.size
            source = try archive.open(found)
            files = ExportFiles(archive: archive, entry: found.name)
        } else {
            source = FileRegion(descriptor: descriptor, offset: 0, length: Int64(info.st_size))
            files = ExportFiles(xmlPath: path)
        }
        let context = ReadContext(XMLInputFilter(source))
        let summary = try context.run(entry: entry, path: path, files: files, batchSize: max(1, batchSize)) { batch in
            progress(ExportPosition(bytesRead: context.bytesRead, totalBytes: total))
            try body(batch)
        }
        // ECGs are files of their own beside export.xml.
        var missing = summary.missingFiles
        var batch: [ExportRecord] = []
        for name in files.electrocardiograms() {
            guard let record = files.read(name, maxBytes: ExportFiles.maxECGBytes).flatMap({ ECGReader.record($0, file: name) })
            else {
                missing += 1
                continue
            }
            batch.append(record)
            if batch.count >= max(1, min(batchSize, 100)) {
                try body(batch)
                batch.removeAll()
            }
        }
        if !batch.isEmpty { try body(batch) }
        return ExportReadSummary(entry: entry, recoveredErrors: summary.recoveredErrors, missingFiles: missing)
    }

    /// The entry whose content starts a HealthData document: `.xml` names
    /// first, macOS resource forks (`__MACOSX/`, `._x`) never.
    static let maxPeekedEntries = 32

    static func exportEntry(in archive: ZipArchive) throws -> ZipArchive.Entry? {
        let candidates = archive.entries.filter { entry in
            !entry.name.hasSuffix("/") && !entry.name.hasPrefix("__MACOSX/") && !entry.name.contains("/._")
                && !entry.name.hasPrefix("._") && !entry.encrypted
        }
        let ordered = candidates.filter { $0.name.lowercased().hasSuffix(".xml") }
            + candidates.filter { !$0.name.lowercased().hasSuffix(".xml") }
        let markers = [Array("<HealthData".utf8), Array("<!DOCTYPE HealthData".utf8)]
        // `export.xml` is found among the first few: an archive of 200 000
        // small entries must not be inflated one by one.
        let named = ordered.filter { $0.name.lowercased().hasSuffix("export.xml") }
        for entry in (named + ordered).prefix(maxPeekedEntries) {
            guard let source = try? archive.open(entry) else { continue }
            var peeked: [UInt8] = []
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
            defer { chunk.deallocate() }
            while peeked.count < peekBytes, let count = try? source.read(into: chunk), count > 0 {
                peeked += chunk[0..<count]
                if markers.contains(where: { XMLInputFilter.firstIndex(of: $0, in: peeked, from: 0) != nil }) { return entry }
            }
        }
        return nil
    }
}

/// One reading: the byte source libxml2 pulls from through C callbacks, the
/// count of errors it recovered from, and the walk over its nodes.
/// `@unchecked Sendable` is not claimed: it lives on one thread, for one call.
final class ReadContext {
    private let source: any ByteSource
    var readError: (any Error)?
    var recoveredErrors = 0
    /// Bytes handed to libxml2 so far.
    var bytesRead: Int64 = 0

    init(_ source: any ByteSource) { self.source = source }

    func run(entry: String?, path: String, files: ExportFiles, batchSize: Int,
             _ body: ([ExportRecord]) throws -> Void) throws -> ExportReadSummary {
        let xml = try XMLLibrary.shared.get()
        let opaque = Unmanaged.passUnretained(self).toOpaque()
        let options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
            | XML_PARSE_NOWARNING.rawValue | XML_PARSE_COMPACT.rawValue)
        guard let reader = xml.readerForIO({ context, buffer, length in
            guard let context, let buffer, length > 0 else { return -1 }
            let reading = Unmanaged<ReadContext>.fromOpaque(context).takeUnretainedValue()
            do {
                let count = try reading.source.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(length)))
                reading.bytesRead += Int64(count)
                return Int32(count)
            } catch {
                reading.readError = error
                return -1
            }
        }, nil, opaque, "export.xml", nil, options) else {
            throw HealthSyncError(.cryptoFailure, "libxml2 could not start reading \(path)")
        }
        defer { xml.freeReader(reader) }
        xml.setErrorHandler(reader, { context, _, _, _ in
            guard let context else { return }
            Unmanaged<ReadContext>.fromOpaque(context).takeUnretainedValue().recoveredErrors += 1
        }, opaque)
        var walker = NodeWalker(xml, reader: reader, files: files)
        try walker.walk(batchSize: batchSize, body)
        if let readError { throw HealthSyncError.wrap(readError, as: .invalidArgument, "\(path) cannot be read") }
        if !walker.sawRoot {
            throw HealthSyncError(.invalidArgument, "\(path) is not an Apple Health export (no <HealthData> document)",
                                  hint: "Pass the export.zip (or export.xml) from the Health app's \"Export All Health Data\".")
        }
        return ExportReadSummary(entry: entry, recoveredErrors: recoveredErrors, missingFiles: walker.missingFiles)
    }
}

import CLibXML2
import HealthSyncDomain

/// Walks libxml2's reader over `<HealthData>`: each top-level element
/// HealthSync keeps (Record, Correlation, Workout, ActivitySummary,
/// Audiogram, ClinicalRecord) becomes an `ExportRecord` with everything
/// inside it; the files Workouts' routes and ClinicalRecords refer to are
/// read through `files`. `ExportDate` and `Me` are passed over.
struct NodeWalker {
    private static let element: Int32 = 1
    private static let endElement: Int32 = 15
    static let kinds: [String: ExportRecord.Kind] = [
        "Record": .record, "Workout": .workout, "Correlation": .correlation, "ActivitySummary": .activitySummary,
        "Audiogram": .audiogram, "ClinicalRecord": .clinicalRecord,
    ]
    /// Which child elements are records of their own, per parent.
    private static let memberNames: [String: (name: String, kind: ExportRecord.Kind)] = [
        "Correlation": ("Record", .record), "Workout": ("WorkoutRoute", .workoutRoute),
    ]

    let xml: XMLLibrary
    let reader: xmlTextReaderPtr
    let files: ExportFiles
    private(set) var sawRoot = false
    private(set) var missingFiles = 0

    init(_ xml: XMLLibrary, reader: xmlTextReaderPtr, files: ExportFiles) {
        self.xml = xml
        self.reader = reader
        self.files = files
    }

    mutating func walk(batchSize: Int, _ body: ([ExportRecord]) throws -> Void) throws {
        var batch: [ExportRecord] = []
        batch.reserveCapacity(batchSize)
        while xml.read(reader) == 1 {
            guard xml.nodeType(reader) == Self.element else { continue }
            let depth = xml.depth(reader)
            let name = localName()
            if depth == 0 {
                guard name == "HealthData" else { return }
                sawRoot = true
                continue
            }
            guard depth == 1, let kind = Self.kinds[name] else { continue }
            batch.append(readElement(name: name, kind: kind, depth: 1))
            if batch.count >= batchSize {
                try body(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try body(batch) }
    }

    /// The element at the reader (a start tag at `depth`), read up to its end tag.
    private mutating func readElement(name: String, kind: ExportRecord.Kind, depth: Int32) -> ExportRecord {
        let attributes = self.attributes()
        var metadata: [String: String] = [:]
        var children: [ExportElement] = []
        var members: [ExportRecord] = []
        let member = Self.memberNames[name]
        if xml.isEmptyElement(reader) == 0 {
            while xml.read(reader) == 1 {
                let type = xml.nodeType(reader), at = xml.depth(reader)
                if type == Self.endElement && at == depth { break }
                guard type == Self.element else { continue }
                let child = localName()
                if at == depth + 1, let member, child == member.name, members.count < ExportRecord.maxMembers {
                    members.append(readElement(name: child, kind: member.kind, depth: at))
                } else if at == depth + 1, child == "MetadataEntry" {
                    let entry = self.attributes()
                    if let key = entry["key"], let value = entry["value"], metadata.count < ExportRecord.maxMetadataEntries {
                        metadata[key] = value
                    }
                } else if children.count < ExportRecord.maxChildren {
                    // Containers without attributes (HeartRateVariabilityMetadataList) add nothing of their own.
                    let values = self.attributes()
                    if !values.isEmpty { children.append(ExportElement(name: child, attributes: values)) }
                }
            }
        }
        var attachment: String?
        switch kind {
        case .workoutRoute where !children.contains(where: { $0.name == "Location" }):
            if let path = children.first(where: { $0.name == "FileReference" })?.attributes["path"] {
                if let points = files.read(path, maxBytes: ExportFiles.maxRouteBytes).flatMap(GPXReader.locations) {
                    children += points.prefix(ExportRecord.maxChildren)
                } else {
                    missingFiles += 1
                }
            }
        case .clinicalRecord:
            if let path = attributes["resourceFilePath"] {
                attachment = files.read(path, maxBytes: ExportRecord.maxAttachmentBytes)
                    .flatMap { String(validating: $0, as: UTF8.self) }
                if attachment == nil { missingFiles += 1 }
            }
        default:
            break
        }
        return ExportRecord(kind: kind, attributes: attributes, metadata: metadata, children: children,
                            members: members, attachment: attachment)
    }

    /// The current element's attributes (values bounded in length).
    private func attributes() -> [String: String] {
        var attributes: [String: String] = [:]
        attributes.reserveCapacity(Int(max(0, xml.attributeCount(reader))))
        while xml.moveToNextAttribute(reader) == 1 {
            guard let name = xml.localName(reader), let value = xml.value(reader) else { continue }
            let text = String(cString: value)
            // Counting UTF-8 bytes is cheap; walking characters for `prefix` is not, and is rarely needed.
            attributes[String(cString: name)] = text.utf8.count <= ExportRecord.maxTextLength ? text
                : String(text.prefix(ExportRecord.maxTextLength))
        }
        _ = xml.moveToElement(reader)
        return attributes
    }

    private func localName() -> String {
        xml.localName(reader).map { String(cString: $0) } ?? ""
    }
}

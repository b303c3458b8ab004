import CLibXML2
import HealthSyncDomain

/// Walks libxml2's reader over `<HealthData>`: top-level Records and
/// Workouts become `ExportRecord`s (with their MetadataEntry children);
/// Records inside Correlations are counted and skipped (the top level
/// repeats them); everything else is passed over.
struct NodeWalker {
    private static let element: Int32 = 1
    private static let endElement: Int32 = 15

    let reader: xmlTextReaderPtr
    private(set) var sawRoot = false

    init(reader: xmlTextReaderPtr) { self.reader = reader }

    /// Returns how many Records sat inside Correlations.
    mutating func walk(batchSize: Int, _ body: ([ExportRecord]) throws -> Void) throws -> Int {
        var batch: [ExportRecord] = []
        batch.reserveCapacity(batchSize)
        var nested = 0
        var topLevel = ""
        while xmlTextReaderRead(reader) == 1 {
            guard xmlTextReaderNodeType(reader) == Self.element else { continue }
            let depth = xmlTextReaderDepth(reader)
            let name = localName()
            switch depth {
            case 0:
                guard name == "HealthData" else { return nested }
                sawRoot = true
            case 1:
                topLevel = name
                guard name == "Record" || name == "Workout" else { continue }
                if let record = readRecord(workout: name == "Workout") { batch.append(record) }
                if batch.count >= batchSize {
                    try body(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            case 2 where name == "Record" && topLevel == "Correlation":
                nested += 1
            default:
                break
            }
        }
        if !batch.isEmpty { try body(batch) }
        return nested
    }

    /// The record at the reader (a start tag at depth 1), reading up to its end tag.
    private func readRecord(workout: Bool) -> ExportRecord? {
        let attributes = self.attributes()
        var metadata: [String: String] = [:]
        if xmlTextReaderIsEmptyElement(reader) == 0 {
            while xmlTextReaderRead(reader) == 1 {
                let type = xmlTextReaderNodeType(reader), depth = xmlTextReaderDepth(reader)
                if type == Self.endElement && depth == 1 { break }
                guard type == Self.element, depth == 2, localName() == "MetadataEntry",
                      metadata.count < ExportRecord.maxMetadataEntries else { continue }
                let entry = self.attributes()
                if let key = entry["key"], let value = entry["value"] { metadata[key] = value }
            }
        }
        guard let start = attributes["startDate"], let end = attributes["endDate"] else { return nil }
        if workout {
            for (total, unit) in [("totalDistance", "totalDistanceUnit"), ("totalEnergyBurned", "totalEnergyBurnedUnit")] {
                if let value = attributes[total] { metadata[total] = value + (attributes[unit].map { " " + $0 } ?? "") }
            }
            guard let activity = attributes["workoutActivityType"] else { return nil }
            return ExportRecord(kind: .workout, type: activity, unit: nil, value: attributes["duration"],
                                durationUnit: attributes["durationUnit"], sourceName: attributes["sourceName"] ?? "",
                                device: attributes["device"], startDate: start, endDate: end, metadata: metadata)
        }
        guard let type = attributes["type"] else { return nil }
        return ExportRecord(kind: .record, type: type, unit: attributes["unit"], value: attributes["value"],
                            sourceName: attributes["sourceName"] ?? "", device: attributes["device"], startDate: start,
                            endDate: end, metadata: metadata)
    }

    /// The current element's attributes (values bounded in length).
    private func attributes() -> [String: String] {
        var attributes: [String: String] = [:]
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            guard let name = xmlTextReaderConstLocalName(reader), let value = xmlTextReaderConstValue(reader) else { continue }
            attributes[String(cString: name)] = String(String(cString: value).prefix(ExportRecord.maxTextLength))
        }
        xmlTextReaderMoveToElement(reader)
        return attributes
    }

    private func localName() -> String {
        xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
    }
}

import CLibXML2
import HealthSyncDomain

/// The track points of a GPX file (the routes an export keeps in
/// `workout-routes/`), as the `Location` elements an inline route has:
/// `lat`/`lon`/`ele`/`time` and Apple's extensions become `latitude`,
/// `longitude`, `altitude`, `date`, `speed`, `course`,
/// `horizontalAccuracy`, `verticalAccuracy`.
enum GPXReader {
    private static let names = [
        "ele": "altitude", "time": "date", "speed": "speed", "course": "course",
        "hAcc": "horizontalAccuracy", "vAcc": "verticalAccuracy",
    ]

    /// The points, or nil when the bytes are not a GPX document.
    static func locations(_ bytes: [UInt8]) -> [ExportElement]? {
        guard let xml = try? XMLLibrary.shared.get() else { return nil }
        // No network, no entity substitution (libxml2's default): a hostile GPX reaches nothing.
        let options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
            | XML_PARSE_NOWARNING.rawValue)
        return bytes.withUnsafeBufferPointer { buffer -> [ExportElement]? in
            guard let base = buffer.baseAddress,
                  let reader = base.withMemoryRebound(to: CChar.self, capacity: buffer.count, {
                      xml.readerForMemory($0, Int32(clamping: buffer.count), "route.gpx", nil, options)
                  }) else { return nil }
            defer { xml.freeReader(reader) }
            var points: [ExportElement] = []
            var sawRoot = false
            var point: [String: String]?
            var field: String?
            while xml.read(reader) == 1, points.count < ExportRecord.maxChildren {
                let type = xml.nodeType(reader)
                let name = xml.localName(reader).map { String(cString: $0) } ?? ""
                switch type {
                case 1:
                    if name == "gpx" { sawRoot = true }
                    if name == "trkpt" {
                        var attributes: [String: String] = [:]
                        while xml.moveToNextAttribute(reader) == 1 {
                            guard let key = xml.localName(reader),
                                  let value = xml.value(reader) else { continue }
                            let text = String(String(cString: value).prefix(64))
                            switch String(cString: key) {
                            case "lat": attributes["latitude"] = text
                            case "lon": attributes["longitude"] = text
                            default: break
                            }
                        }
                        _ = xml.moveToElement(reader)
                        point = attributes
                        if xml.isEmptyElement(reader) != 0 {
                            points.append(ExportElement(name: "Location", attributes: attributes))
                            point = nil
                        }
                    } else if point != nil {
                        field = names[name]
                    }
                case 3, 4:
                    if let key = field, point != nil, let value = xml.value(reader) {
                        point?[key] = String(String(cString: value).prefix(64))
                    }
                case 15:
                    if name == "trkpt", let finished = point {
                        points.append(ExportElement(name: "Location", attributes: finished))
                        point = nil
                    }
                    field = nil
                default:
                    break
                }
            }
            return sawRoot ? points : nil
        }
    }
}

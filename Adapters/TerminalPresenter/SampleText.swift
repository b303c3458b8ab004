import Foundation
import HealthSyncDomain
import SampleJSONSupport

/// Samples for people (a table) or as a document (`--format
/// json|ndjson|csv|fhir`), for `samples list` and `fetch`; `samples count`
/// and `samples export`'s summary.
enum SampleText {
    /// `samples` in `format`; `table` lays them out with `caption` below.
    static func render(_ samples: [HealthSample], format: SampleFormat, caption: String, empty: String) -> String {
        guard let documentFormat = SampleDocument.Format(rawValue: format.rawValue) else {
            guard !samples.isEmpty else { return empty }
            let rows = samples.map {
                [TerminalStyle.minute($0.startDate), $0.type.rawValue, $0.text ?? value($0.value), $0.unit, $0.sourceName]
            }
            return TerminalStyle.table(["START", "TYPE", "VALUE", "UNIT", "SOURCE"], rows) + "\n\n" + caption
        }
        var document = SampleDocument(format: documentFormat, id: samples.first?.id ?? "empty", timestamp: Date())
        let bytes = document.start() + document.write(samples) + document.end()
        var text = String(decoding: bytes, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    static func render(_ report: SampleListReport) -> String {
        let caption = "\(report.samples.count) samples" + (report.more ? " (more match: raise --limit)." : ".")
        return render(report.samples, format: report.format, caption: caption, empty: "No samples match.")
    }

    static func render(_ report: SampleCountReport) -> String {
        guard report.total > 0 else { return "No samples match." }
        let rows = report.types.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }
            .map { [$0.key, String($0.value)] }
        return TerminalStyle.table(["TYPE", "SAMPLES"], rows) + "\n\n\(report.total) samples of \(report.types.count) types."
    }

    static func render(_ report: SampleExportReport) -> String {
        "Exported \(report.samples) samples as \(report.format.rawValue)" + (report.file.map { " to \($0)." } ?? ".")
    }

    static func value(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}

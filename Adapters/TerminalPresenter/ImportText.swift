import HealthSyncDomain

/// `samples import`: what was read and stored, per type, and what was left
/// out; the numbers add up to what was read.
enum ImportText {
    static func render(_ report: ImportReport) -> String {
        var lines = ["Read \(report.read) records from \(report.file)" + (report.entry.map { " (\($0))" } ?? "") + "."]
        lines.append(report.imported == 0 && report.read > 0 && report.leftOut < report.read
                     ? "Nothing new: every sample was already stored."
                     : "Stored \(report.imported) new or changed samples.")
        if report.unchanged > 0 { lines.append("\(report.unchanged) were already stored, unchanged.") }
        if report.merged > 0 { lines.append("\(report.merged) repeated another record of the export exactly and were merged into it.") }
        if report.leftOut > 0 { lines.append("\(report.leftOut) were left out (below).") }
        if !report.types.isEmpty {
            let rows = report.types.sorted { $0.key < $1.key }.map { [$0.key, String($0.value)] }
            lines += ["", TerminalStyle.table(["TYPE", "RECORDS"], rows)]
        }
        if !report.skipped.isEmpty {
            lines.append("\nLeft out:")
            for (reason, count) in report.skipped.sorted(by: { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }) {
                lines.append("  \(count) × \(reason)")
            }
        }
        if report.missingFiles > 0 {
            lines.append("\n\(report.missingFiles) files the export refers to (routes, clinical records) are not in it.")
        }
        if report.recoveredErrors > 0 {
            lines.append("\nThe file had \(report.recoveredErrors) XML errors; reading recovered from them.")
        }
        return lines.joined(separator: "\n")
    }
}

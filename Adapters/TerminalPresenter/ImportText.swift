import HealthSyncDomain

/// `samples import`: what was read and stored, per type, and what was left out.
enum ImportText {
    static func render(_ report: ImportReport) -> String {
        var lines = ["Read \(report.records) records from \(report.file)" + (report.entry.map { " (\($0))" } ?? "") + "."]
        lines.append(report.imported == 0 && report.records > 0
                     ? "Nothing new: every sample was already stored."
                     : "Stored \(report.imported) new or changed samples.")
        if !report.types.isEmpty {
            let rows = report.types.sorted { $0.key < $1.key }.map { [$0.key, String($0.value)] }
            lines += ["", TerminalStyle.table(["TYPE", "SAMPLES"], rows)]
        }
        if report.nestedInCorrelations > 0 {
            lines.append("\n\(report.nestedInCorrelations) records inside correlations were counted once, at the top level.")
        }
        if !report.skipped.isEmpty {
            lines.append("\nLeft out:")
            for (reason, count) in report.skipped.sorted(by: { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }) {
                lines.append("  \(count) × \(reason)")
            }
        }
        if report.recoveredErrors > 0 {
            lines.append("\nThe file had \(report.recoveredErrors) XML errors; reading recovered from them.")
        }
        return lines.joined(separator: "\n")
    }
}

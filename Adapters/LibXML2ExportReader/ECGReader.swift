import HealthSyncDomain

/// An ECG as the Health app exports it (`electrocardiograms/ecg_….csv`):
/// `Key,Value` header lines (Name, Recorded Date, Classification, Sample
/// Rate, Lead, Unit…), a blank line, then one voltage per line.
enum ECGReader {
    static let maxHeaderLines = 64

    /// The ECG, or nil when the bytes are not one (no header or no voltages).
    static func record(_ bytes: [UInt8], file: String) -> ExportRecord? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        var header: [String: String] = ["file": file]
        var voltages: [Double] = []
        var inHeader = true
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if inHeader {
                if line.isEmpty {
                    if header.count > 1 { inHeader = false }
                    continue
                }
                if let number = number(line) {
                    inHeader = false
                    voltages.append(number)
                    continue
                }
                guard header.count <= maxHeaderLines, let comma = line.firstIndex(of: ",") else { return nil }
                let key = String(line[..<comma].prefix(80))
                header[key] = unquote(line[line.index(after: comma)...])
            } else if !line.isEmpty {
                guard let number = number(line), voltages.count < ExportRecord.maxSeries else { return nil }
                voltages.append(number)
            }
        }
        guard header["Recorded Date"] != nil, !voltages.isEmpty else { return nil }
        return ExportRecord(kind: .electrocardiogram, attributes: header, series: voltages)
    }

    /// A voltage: `-108.603`, or `-108,603` where the decimal mark is a comma.
    private static func number(_ line: Substring) -> Double? {
        if let value = Double(line), value.isFinite { return value }
        guard line.filter({ $0 == "," }).count == 1, !line.contains(".") else { return nil }
        return Double(line.replacing(",", with: ".")).flatMap { $0.isFinite ? $0 : nil }
    }

    private static func unquote(_ value: Substring) -> String {
        var text = String(value.prefix(ExportRecord.maxTextLength))
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
            text = String(text.dropFirst().dropLast()).replacing("\"\"", with: "\"")
        }
        return text
    }
}

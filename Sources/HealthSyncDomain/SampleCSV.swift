import FoundationEssentials

/// Samples as CSV (RFC 4180): one header, one row per sample, every field
/// of the sample in a column of its own (metadata and details as JSON).
/// A cell a spreadsheet would take for a formula (one starting `=`, `+`,
/// `-`, `@`, tab or carriage return) is neutralised with a leading `'`, as
/// OWASP's CSV-injection guidance advises; numbers stay numbers.
public enum SampleCSV {
    public static let header = "id,type,value,unit,startDate,endDate,sourceName,sourceVersion,device,creationDate,"
        + "utcOffsetMinutes,text,metadata,details"

    public static func row(_ sample: HealthSample) -> String {
        let metadata = sample.metadata.isEmpty ? "" : JSONValue.object(sample.metadata.mapValues(JSONValue.string)).text
        return [
            cell(sample.id), cell(sample.type.rawValue), number(sample.value), cell(sample.unit),
            Timestamp.format(sample.startDate), Timestamp.format(sample.endDate), cell(sample.sourceName),
            cell(sample.sourceVersion ?? ""), cell(sample.device ?? ""), sample.creationDate.map(Timestamp.format) ?? "",
            sample.utcOffsetMinutes.map(String.init) ?? "", cell(sample.text ?? ""), cell(metadata), cell(sample.details ?? ""),
        ].joined(separator: ",")
    }

    /// A text cell: neutralised when it could start a formula, quoted when it holds `,` `"` or a line break.
    public static func cell(_ text: String) -> String {
        var value = text
        if let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacing("\"", with: "\"\"") + "\""
    }

    /// A value: integral ones without a fraction, the others in Swift's shortest form.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

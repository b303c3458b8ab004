import HealthSyncDomain

/// A QR code in a terminal, two modules per character cell with half
/// blocks, light modules drawn as blocks (for dark terminals) and a
/// 2-module quiet zone: the same text as `qrencode -t UTF8 -m 2`.
enum QRText {
    static let margin = 2

    static func render(_ code: QRCode) -> String {
        let width = code.size + 2 * margin
        let full = "█", upper = "▀", lower = "▄", empty = " "
        var lines: [String] = []
        for _ in 0..<(margin / 2) { lines.append(String(repeating: full, count: width)) }
        for y in stride(from: 0, to: code.size, by: 2) {
            var line = String(repeating: full, count: margin)
            for x in 0..<code.size {
                let top = code.isDark(x: x, y: y), bottom = code.isDark(x: x, y: y + 1)
                line += top ? (bottom ? empty : lower) : (bottom ? upper : full)
            }
            line += String(repeating: full, count: margin)
            lines.append(line)
        }
        for _ in 0..<(margin / 2) { lines.append(String(repeating: full, count: width)) }
        return lines.joined(separator: "\n")
    }
}

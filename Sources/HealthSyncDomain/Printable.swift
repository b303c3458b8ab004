/// Text from outside (peer names, error messages of hosts dialled,
/// discovery answers, sample fields) made safe to print: no control
/// character reaches a terminal, so nothing received can set the window
/// title, clear the screen, write the clipboard (OSC 52), move the cursor,
/// reverse the text direction, or print a line that looks like ours.
public enum Printable {
    /// `text` with every C0 control (but newline and tab when `multiline`),
    /// DEL, C1 control, bidirectional override or isolate and line or
    /// paragraph separator replaced by U+FFFD, cut to `maxLength` characters.
    public static func clean(_ text: String, multiline: Bool = false, maxLength: Int = 4096) -> String {
        var out = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            guard count < maxLength else { break }
            count += 1
            if multiline && (scalar == "\n" || scalar == "\t") {
                out.append(scalar)
            } else if isUnsafe(scalar) {
                out.append("\u{FFFD}")
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Text about to be written to a terminal: as `clean(multiline: true)`,
    /// except for the SGR colour sequences (`ESC [ digits m`) the terminal
    /// presenter itself writes.
    public static func terminal(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\u{1B}", let end = sgrEnd(scalars, from: index) {
                out.append(contentsOf: scalars[index...end])
                index = end + 1
                continue
            }
            if scalar == "\n" || scalar == "\t" {
                out.append(scalar)
            } else if isUnsafe(scalar) {
                out.append("\u{FFFD}")
            } else {
                out.append(scalar)
            }
            index += 1
        }
        return String(out)
    }

    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029, 0x061C: true
        default: false
        }
    }

    /// The index of the `m` ending an SGR sequence at `start`, if it is one (at most 16 parameters' worth).
    private static func sgrEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard start + 2 < scalars.count, scalars[start + 1] == "[" else { return nil }
        var index = start + 2
        while index < scalars.count, index - start < 20 {
            let scalar = scalars[index]
            if scalar == "m" { return index }
            guard ("0"..."9").contains(scalar) || scalar == ";" else { return nil }
            index += 1
        }
        return nil
    }
}

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
            out.append(safe(scalar, multiline: multiline))
        }
        return String(out)
    }

    /// Text about to be written to a terminal: as `clean(multiline: true)`,
    /// except for the SGR colour sequences (`ESC [ digits m`) the terminal
    /// presenter itself writes.
    public static func terminal(_ text: String) -> String {
        // Most output (a 30 MB `fetch --format json` included) has nothing to
        // replace: one pass over the bytes says so, without copying.
        if isPlainly(text) { return text }
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
            out.append(safe(scalar, multiline: true))
            index += 1
        }
        return String(out)
    }

    /// True when no byte of `text` can start an unsafe character: no C0
    /// control but newline and tab, no DEL, and none of the UTF-8 lead
    /// sequences of C1 controls (C2 80–9F), bidi and separator characters
    /// (E2 80 8E/8F/A8–AE, E2 81 A6–A9) or the Arabic letter mark (D8 9C).
    static func isPlainly(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                if byte < 0x20 {
                    if byte != 0x0a && byte != 0x09 { return false }
                } else if byte == 0x7f {
                    return false
                } else if byte == 0xc2 || byte == 0xd8 || byte == 0xe2 {
                    guard index + 1 < count else { return false }
                    let next = bytes[index + 1]
                    if byte == 0xc2 && (0x80...0x9f).contains(next) { return false }
                    if byte == 0xd8 && next == 0x9c { return false }
                    if byte == 0xe2 && (next == 0x80 || next == 0x81) {
                        guard index + 2 < count else { return false }
                        let third = bytes[index + 2]
                        if next == 0x80 && (third == 0x8e || third == 0x8f || (0xa8...0xae).contains(third)) { return false }
                        if next == 0x81 && (0xa6...0xa9).contains(third) { return false }
                    }
                }
                index += 1
            }
            return true
        }
    }

    /// `scalar`, or U+FFFD in its place when it is unsafe (newline and tab
    /// kept when `multiline`).
    private static func safe(_ scalar: Unicode.Scalar, multiline: Bool) -> Unicode.Scalar {
        if multiline && (scalar == "\n" || scalar == "\t") { return scalar }
        return isUnsafe(scalar) ? "\u{FFFD}" : scalar
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

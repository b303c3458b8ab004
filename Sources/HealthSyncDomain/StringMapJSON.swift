/// A `[String: String]` as the JSON `JSONEncoder` writes with `.sortedKeys`
/// (compact, `/` escaped as `\/`), byte for byte, without the encoder:
/// the sample store writes one per sample, and the generic encoder cost
/// more than the row's insert.
public enum StringMapJSON {
    public static func encode(_ map: [String: String]) -> String {
        if map.isEmpty { return "{}" }
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(2 + map.count * 48)
        for (index, key) in (map.count == 1 ? Array(map.keys) : sortedAsJSONEncoder(map.keys)).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            string(key, into: &out)
            out.append(UInt8(ascii: ":"))
            string(map[key] ?? "", into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The map in `text` when it is written as `encode` writes maps (compact,
    /// no `\u` escapes); nil otherwise, for a general JSON reader to take.
    public static func decode(_ text: String) -> [String: String]? {
        var text = text
        return text.withUTF8 { bytes -> [String: String]? in
            var index = 0
            func next() -> UInt8? { index < bytes.count ? bytes[index] : nil }
            func string() -> String? {
                guard next() == UInt8(ascii: "\"") else { return nil }
                index += 1
                var out: [UInt8] = []
                var run = index
                while let byte = next() {
                    switch byte {
                    case UInt8(ascii: "\""):
                        let value: String
                        if out.isEmpty {
                            value = String(decoding: UnsafeBufferPointer(rebasing: bytes[run..<index]), as: UTF8.self)
                        } else {
                            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                            value = String(decoding: out, as: UTF8.self)
                        }
                        index += 1
                        return value
                    case UInt8(ascii: "\\"):
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                        guard index + 1 < bytes.count else { return nil }
                        switch bytes[index + 1] {
                        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                        case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
                        case UInt8(ascii: "b"): out.append(0x08)
                        case UInt8(ascii: "f"): out.append(0x0c)
                        case UInt8(ascii: "n"): out.append(0x0a)
                        case UInt8(ascii: "r"): out.append(0x0d)
                        case UInt8(ascii: "t"): out.append(0x09)
                        default: return nil
                        }
                        index += 2
                        run = index
                    case 0..<0x20: return nil
                    default: index += 1
                    }
                }
                return nil
            }
            guard next() == UInt8(ascii: "{") else { return nil }
            index += 1
            var map: [String: String] = [:]
            if next() == UInt8(ascii: "}") { return index + 1 == bytes.count ? map : nil }
            while true {
                guard let key = string(), next() == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let value = string() else { return nil }
                map[key] = value
                switch next() {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"): return index + 1 == bytes.count ? map : nil
                default: return nil
                }
            }
        }
    }

    /// Keys in JSONEncoder's `.sortedKeys` order: by their UTF-8 bytes
    /// (`String`'s `<` compares normalized text, and puts "e\u{301}" after "l").
    public static func sortedAsJSONEncoder(_ keys: some Sequence<String>) -> [String] {
        keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// `text` as a JSON string, escaped as JSONEncoder escapes it; `/` too
    /// unless `escapingSlashes` is false (`.withoutEscapingSlashes`, as the wire codec writes).
    public static func string(_ text: String, escapingSlashes: Bool = true, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        // Runs of bytes that need no escape are copied at once: most strings are one run.
        text.withUTF8 { bytes in
            var run = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
                        || (byte == UInt8(ascii: "/") && escapingSlashes) else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                escape(byte, into: &out)
                run = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func escape(_ byte: UInt8, into out: inout [UInt8]) {
        let hex: StaticString = "0123456789abcdef"
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0c: out.append(UInt8(ascii: "f"))
        case 0x0a: out.append(UInt8(ascii: "n"))
        case 0x0d: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0..<0x20:
            out.append(contentsOf: "u00".utf8)
            out.append(hex.utf8Start[Int(byte >> 4)])
            out.append(hex.utf8Start[Int(byte & 0x0f)])
        default: out.append(byte)
        }
    }
}

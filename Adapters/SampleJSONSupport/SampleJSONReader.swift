import FoundationEssentials
import HealthSyncDomain

/// Reads pages of samples straight from wire JSON without the generic
/// decoder. Strict: anything unexpected (an unknown or repeated key, a bad
/// escape, trailing bytes) gives nil, and the caller falls back to
/// `WireCodec`, which then reports the input's error properly.
public struct SampleJSONReader {
    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    public static func page(_ bytes: [UInt8]) -> SampleJSONPage? {
        var reader = SampleJSONReader(bytes)
        guard let page = reader.readPage() else { return nil }
        reader.skipSpace()
        return reader.index == bytes.count ? page : nil
    }

    /// The changes JSON `SampleJSON.encode(_: SampleChanges)` writes (keys in any order).
    public static func changes(_ bytes: [UInt8]) -> SampleChanges? {
        var reader = SampleJSONReader(bytes)
        var samples: [HealthSample]?, last: Int64?, more: Bool?
        let complete = reader.readObject { reader, key in
            switch key {
            case "samples" where samples == nil:
                samples = reader.readSamples()
                return samples != nil
            case "last" where last == nil:
                // A whole number a Double holds exactly, as sequence numbers are.
                guard let number = reader.readNumber(), number >= 0, number <= 9_007_199_254_740_992,
                      number == number.rounded(.towardZero) else { return false }
                last = Int64(number)
                return true
            case "more" where more == nil:
                more = reader.readBool()
                return more != nil
            default:
                return false
            }
        }
        reader.skipSpace()
        guard complete, reader.index == bytes.count, let samples, let last, let more else { return nil }
        return SampleChanges(samples: samples, last: last, more: more)
    }

    private mutating func readBool() -> Bool? {
        skipSpace()
        for (literal, value) in [("true", true), ("false", false)] {
            let length = literal.utf8.count
            if bytes.count - index >= length, bytes[index..<(index + length)].elementsEqual(literal.utf8) {
                index += length
                return value
            }
        }
        return nil
    }

    private mutating func readPage() -> SampleJSONPage? {
        var samples: [HealthSample]?
        var cursor: String??
        let complete = readObject { reader, key in
            switch key {
            case "samples" where samples == nil:
                samples = reader.readSamples()
                return samples != nil
            case "nextCursor" where cursor == nil:
                if reader.readNull() {
                    cursor = .some(nil)
                    return true
                }
                guard let text = reader.readString() else { return false }
                cursor = .some(text)
                return true
            default:
                return false
            }
        }
        guard complete, let samples else { return nil }
        return SampleJSONPage(samples: samples, nextCursor: cursor ?? nil)
    }

    private mutating func readSamples() -> [HealthSample]? {
        skipSpace()
        guard take(UInt8(ascii: "[")) else { return nil }
        var samples: [HealthSample] = []
        skipSpace()
        if take(UInt8(ascii: "]")) { return samples }
        repeat {
            guard let sample = readSample() else { return nil }
            samples.append(sample)
            skipSpace()
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? samples : nil
    }

    private mutating func readSample() -> HealthSample? {
        var id: String?, type: HealthDataType?, value: Double?, unit: String?, source: String?
        var start: Date?, end: Date?, metadata: [String: String]?
        var text: String??, offset: Double??, version: String??, device: String??, creation: Date??, details: String??
        let complete = readObject { reader, key in
            switch key {
            case "id" where id == nil: id = reader.readString(); return id != nil
            case "type" where type == nil: type = reader.readString().flatMap(HealthDataType.init(rawValue:)); return type != nil
            case "value" where value == nil: value = reader.readNumber(); return value != nil
            case "unit" where unit == nil: unit = reader.readString(); return unit != nil
            case "sourceName" where source == nil: source = reader.readString(); return source != nil
            case "startDate" where start == nil: start = reader.readString().flatMap(Timestamp.parse); return start != nil
            case "endDate" where end == nil: end = reader.readString().flatMap(Timestamp.parse); return end != nil
            case "metadata" where metadata == nil: metadata = reader.readStringMap(); return metadata != nil
            case "text" where text == nil: text = reader.readString().map { $0 }; return text != nil
            case "utcOffsetMinutes" where offset == nil: offset = reader.readNumber().map { $0 }; return offset != nil
            case "sourceVersion" where version == nil: version = reader.readString().map { $0 }; return version != nil
            case "device" where device == nil: device = reader.readString().map { $0 }; return device != nil
            case "creationDate" where creation == nil:
                creation = reader.readString().flatMap(Timestamp.parse).map { $0 }
                return creation != nil
            case "details" where details == nil: details = reader.readString().map { $0 }; return details != nil
            default: return false
            }
        }
        guard complete, let id, let type, let value, let unit, let source, let start, let end, let metadata else {
            return nil
        }
        // The UTC offset is a whole number of minutes within a day.
        var minutes: Int?
        if let offset = offset ?? nil {
            guard offset == offset.rounded(), abs(offset) < 1440 else { return nil }
            minutes = Int(offset)
        }
        return HealthSample(id: id, type: type, value: value, unit: unit, startDate: start, endDate: end,
                            sourceName: source, metadata: metadata, text: text ?? nil, utcOffsetMinutes: minutes,
                            sourceVersion: version ?? nil, device: device ?? nil, creationDate: creation ?? nil,
                            details: details ?? nil)
    }

    private mutating func readStringMap() -> [String: String]? {
        var map: [String: String] = [:]
        let complete = readObject { reader, key in
            guard map[key] == nil, let value = reader.readString() else { return false }
            map[key] = value
            return true
        }
        return complete ? map : nil
    }

    /// `{ "key": value, … }`, `member` reading each value.
    private mutating func readObject(_ member: (inout SampleJSONReader, String) -> Bool) -> Bool {
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return false }
        skipSpace()
        if take(UInt8(ascii: "}")) { return true }
        repeat {
            skipSpace()
            guard let key = readString() else { return false }
            skipSpace()
            guard take(UInt8(ascii: ":")), member(&self, key) else { return false }
            skipSpace()
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    private mutating func readNull() -> Bool {
        skipSpace()
        guard bytes.count - index >= 4, bytes[index..<(index + 4)].elementsEqual("null".utf8) else { return false }
        index += 4
        return true
    }

    /// A number in JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    private mutating func readNumber() -> Double? {
        skipSpace()
        let start = index
        func digits() -> Int {
            let first = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index - first
        }
        _ = take(UInt8(ascii: "-"))
        let leading = index
        guard digits() > 0, !(bytes[leading] == UInt8(ascii: "0") && index - leading > 1) else { return nil }
        if take(UInt8(ascii: ".")) { guard digits() > 0 else { return nil } }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            guard digits() > 0 else { return nil }
        }
        guard index - start <= 32, let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)),
              value.isFinite else { return nil }
        return value
    }

    private mutating func readString() -> String? {
        skipSpace()
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        var high: UInt8 = 0
        // The common case: no escapes, one slice.
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
            guard bytes[index] >= 0x20 else { return nil }
            high |= bytes[index]
            index += 1
        }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "\"") {
            defer { index += 1 }
            return Self.text(bytes, start..<index, ascii: high < 0x80)
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return Self.text(out, 0..<out.count, ascii: false)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "u"):
                    guard var scalar = readHex4() else { return nil }
                    if (0xd800..<0xdc00).contains(scalar) {
                        guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = readHex4(),
                              (0xdc00..<0xe000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                    }
                    guard let character = Unicode.Scalar(scalar) else { return nil }
                    out += Array(String(Character(character)).utf8)
                default:
                    return nil
                }
            default:
                guard byte >= 0x20 else { return nil }
                out.append(byte)
            }
        }
        return nil
    }

    /// The UTF-8 in `range` of `bytes` as a string; nil when it is not valid
    /// UTF-8. Not `String(validating:as:)`: it is generic, unspecialized
    /// here, and its metadata lookups took a lock two decoding threads fought over.
    static func text(_ bytes: [UInt8], _ range: Range<Int>, ascii: Bool) -> String? {
        bytes.withUnsafeBufferPointer { buffer in
            let slice = UnsafeBufferPointer(rebasing: buffer[range])
            let text = String(decoding: slice, as: UTF8.self)
            // Decoding repairs what is not UTF-8: the text is the same bytes exactly when there was nothing to repair.
            return ascii || text.utf8.elementsEqual(slice) ? text : nil
        }
    }

    private mutating func readHex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = value << 4 | UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
        return value
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x0a, 0x0d, 0x09].contains(bytes[index]) { index += 1 }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }
}

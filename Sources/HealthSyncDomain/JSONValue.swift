import FoundationEssentials

/// Any JSON value, for the parts of a sample whose shape is the source's
/// (a FHIR resource, a workout's statistics): decoded with a bound, written
/// back compact with sorted keys so the same value always has the same text.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The value of a JSON text of at most `maxBytes`; nil when it is not JSON.
    public static func parse(_ text: String, maxBytes: Int) -> JSONValue? {
        guard text.utf8.count <= maxBytes else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// Compact JSON with sorted keys and unescaped slashes.
    public var text: String {
        // Written by hand when it holds no number (an export's child elements
        // never do): JSONEncoder took a tenth of an import's time. Numbers
        // keep JSONEncoder's own form. Byte for byte the same either way
        // (JSONValueTextTests): the text is part of a sample's identity.
        var out: [UInt8] = []
        if Self.writeWithoutNumbers(self, into: &out) { return String(decoding: out, as: UTF8.self) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A JSONValue holds only finite numbers (none other parses), so encoding cannot fail.
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    /// Appends `value` as JSONEncoder writes it with sorted keys and unescaped
    /// slashes (keys in the order of their UTF-8 bytes, as FoundationEssentials
    /// sorts them: not `String`'s `<`, which compares them normalized);
    /// false, with `out` half-written, at the first number.
    static func writeWithoutNumbers(_ value: JSONValue, into out: inout [UInt8]) -> Bool {
        switch value {
        case .null: out += "null".utf8
        case .bool(let flag): out += (flag ? "true" : "false").utf8
        case .number: return false
        case .string(let text): StringMapJSON.string(text, escapingSlashes: false, into: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                guard writeWithoutNumbers(element, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, key) in StringMapJSON.sortedAsJSONEncoder(members.keys).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                StringMapJSON.string(key, escapingSlashes: false, into: &out)
                out.append(UInt8(ascii: ":"))
                guard let member = members[key], writeWithoutNumbers(member, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        }
        return true
    }

    public subscript(_ key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }
}

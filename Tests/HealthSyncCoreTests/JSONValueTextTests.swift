import Foundation
import HealthSyncDomain
import Testing

/// `JSONValue.text` is part of a sample's identity: the hand-written form
/// must be JSONEncoder's (sorted keys, unescaped slashes) byte for byte.
@Suite("JSONValue text")
struct JSONValueTextTests {
    static let pieces = ["", "a", "A", "a10", "a2", "_x", "é", "e\u{301}", "HKMetadataKeyX", "/path/to", "quote\"d",
                         "back\\slash", "tab\there", "line\nbreak", "\u{01}\u{1f}\u{7f}", "\u{8}\u{c}\r", "⌚️", "𝄞", "<>&'"]

    static func randomValue(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        func piece() -> String {
            (0..<Int(random.next() % 3 + 1)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
        }
        switch depth > 2 ? random.next() % 3 : random.next() % 6 {
        case 0: return .string(piece())
        case 1: return random.next() % 2 == 0 ? .bool(random.next() % 2 == 0) : .null
        case 2: return .string(piece())
        case 3: return .array((0..<Int(random.next() % 4)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int(random.next() % 6) { members[piece()] = randomValue(&random, depth: depth + 1) }
            return .object(members)
        }
    }

    static func encoderText(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func valuesWithoutNumbersAreWrittenAsJSONEncoderWritesThem() throws {
        var random = SplitMix64(seed: 0x5eed)
        for _ in 0..<2000 {
            let value = Self.randomValue(&random, depth: 0)
            let expected = try Self.encoderText(value)
            #expect(value.text == expected, "\(Array(value.text.utf8)) != \(Array(expected.utf8))")
        }
    }

    @Test func numbersKeepJSONEncodersForm() throws {
        let value = JSONValue.object(["n": .array([.number(1), .number(0.5), .number(1e20), .number(-0.0), .number(1e-7)]),
                                      "s": .string("x/y")])
        #expect(value.text == (try Self.encoderText(value)))
        #expect(value.text == #"{"n":[1,0.5,1e+20,-0,1e-07],"s":"x/y"}"#)
    }
}

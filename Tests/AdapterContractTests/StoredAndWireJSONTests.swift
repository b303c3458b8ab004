import Foundation
import HealthSyncDomain
import HealthSyncWire
import KeyStoreSupport
import SampleJSONSupport
import Testing

@Suite("Stored JSON")
struct StateJSONTests {
    struct Stamp: Codable, Equatable { let at: Date }

    @Test(arguments: [Int64(0), 1_790_000_123_456, 1_790_000_123_001, 1_790_000_123_000, -1_500])
    func datesRoundTripAtMillisecondPrecision(_ millis: Int64) throws {
        let stamp = Stamp(at: Date(millisecondsSince1970: millis))
        let data = try StateJSON.encoder().encode(stamp)
        #expect(try StateJSON.decoder().decode(Stamp.self, from: data) == stamp)
    }

    /// The hand-written formatter and parser agree with Foundation's ISO 8601
    /// style over four centuries of pseudo-random instants and leap days.
    @Test func datesAgreeWithFoundationsISO8601() throws {
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        var samples: [Int64] = [951_782_400_000, 4_107_542_399_999, 1_709_164_800_000, -2_208_988_800_000, 0]
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            samples.append(Int64(state >> 20) % 12_000_000_000_000 - 2_000_000_000_000)
        }
        for millis in samples {
            let date = Date(millisecondsSince1970: millis)
            let text = Timestamp.format(date)
            let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
            let reference = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle())
            #expect(text.prefix(19) == reference.prefix(19), "\(millis)")
            #expect(Timestamp.parse(text) == date, "\(text)")
            // The presenter's documents: what JSONEncoder's .iso8601 would have written.
            let iso = JSONEncoder()
            iso.dateEncodingStrategy = .iso8601
            let expected = String(decoding: try iso.encode([date]), as: UTF8.self)
            #expect("[\"\(Timestamp.formatSeconds(date))\"]" == expected, "\(millis)")
        }
    }

    @Test func datesAreReadableAndGarbageIsRefused() throws {
        let data = try StateJSON.encoder().encode(Stamp(at: Date(millisecondsSince1970: 1_767_781_230_456)))
        #expect(String(decoding: data, as: UTF8.self).contains("2026-01-07T10:20:30.456Z"))
        for bad in ["\"yesterday\"", "\"2026-01-07T10:20:30.4567Z\"", "\"2026-01-07T10:20:30\"", "12",
                    "\"2026-02-29T10:20:30Z\"", "\"2026-13-01T10:20:30Z\"", "\"2026-01-07T24:00:00Z\"",
                    "\"2026-01-07T10:60:00Z\"", "\"2026-01-07 10:20:30Z\"", "\"2026-01-07T10:20:30.Z\"",
                    "\"2026-01-07T10:20:30+01:00\"", "\"+026-01-07T10:20:30Z\""] {
            #expect(throws: (any Error).self) {
                try StateJSON.decoder().decode(Stamp.self, from: Data("{\"at\":\(bad)}".utf8))
            }
        }
    }
}

@Suite("Hand-written sample JSON")
struct SampleJSONTests {
    static func sample(_ id: String, value: Double, metadata: [String: String] = [:], source: String = "Watch") -> HealthSample {
        HealthSample(id: id, type: .heartRate, value: value, unit: "count/min",
                     startDate: Date(millisecondsSince1970: 1_790_000_000_123), endDate: Date(millisecondsSince1970: 1_790_000_060_000),
                     sourceName: source, metadata: metadata)
    }

    @Test func readsBackAsTheGenericEncoderWritesIt() throws {
        let page = SampleJSONPage(samples: [
            Self.sample("a", value: 58),
            Self.sample("b/\"quoted\"\\", value: 0.1, metadata: ["HKDevice": "Apple Watch ⌚ & co", "z": "line\nbreak\u{1}"]),
            Self.sample("c", value: -1.5e-7, source: "Tab\there"),
            Self.sample("d", value: 123_456_789_012_345_678),
        ], nextCursor: "cursor/1")
        let fast = try #require(SampleJSON.encode(page))
        let generic = try WireCodec.encode(page)
        let fromFast = try WireCodec.decode(SampleJSONPage.self, from: fast)
        let fromGeneric = try WireCodec.decode(SampleJSONPage.self, from: generic)
        #expect(fromFast.samples == page.samples)
        #expect(fromFast.samples == fromGeneric.samples)
        #expect(fromFast.nextCursor == "cursor/1")
        // Same keys in the same order, and the same bytes for plain values.
        let plain = SampleJSONPage(samples: [Self.sample("a", value: 58, metadata: ["k": "v"])], nextCursor: nil)
        #expect(SampleJSON.encode(plain) == (try WireCodec.encode(plain)))
        // Escapes too: slashes as they are, control characters as JSONEncoder writes them.
        let escaped = SampleJSONPage(samples: [Self.sample("a/b", value: 1, metadata: ["k": "\u{8}\u{c}\u{1f}\n\"\\/é"])],
                                     nextCursor: nil)
        #expect(SampleJSON.encode(escaped) == (try WireCodec.encode(escaped)))
    }

    /// Schema 2's fields beside the value: the same bytes from both encoders, read back by both readers.
    static let lossless = HealthSample(
        id: "full", type: HealthDataType(rawValue: "HKQuantityTypeIdentifierNewInIOS27")!, value: 4.5, unit: "mmol<180.16>/L",
        startDate: Date(millisecondsSince1970: 1_790_000_000_123), endDate: Date(millisecondsSince1970: 1_790_000_060_000),
        sourceName: "Watch", metadata: ["HKMetadataKeyHeartRateMotionContext": "1"], text: "HKCategoryValue \"x\"",
        utcOffsetMinutes: -450, sourceVersion: "10.2", device: "<<HKDevice: 0x1>, name:Watch>",
        creationDate: Date(millisecondsSince1970: 1_790_000_061_000), details: #"{"points":[{"latitude":"1.5"}],"s":"a\/b"}"#)

    /// What sync reads (GET health/changes): the same bytes as the generic encoder, read back by both readers.
    @Test func changesAreWrittenAndReadAsTheGenericCodecDoes() throws {
        for changes in [SampleChanges(samples: [Self.lossless, Self.sample("plain", value: 1, metadata: ["k": "v"])], last: 9_001, more: true),
                        SampleChanges(samples: [], last: 0, more: false)] {
            let fast = try #require(SampleJSON.encode(changes))
            #expect(fast == (try WireCodec.encode(changes)))
            #expect(SampleJSONReader.changes(fast) == changes)
            #expect(try WireCodec.decode(SampleChanges.self, from: fast) == changes)
        }
        // Keys in another order and spaces are read; anything off is left to the generic codec.
        #expect(SampleJSONReader.changes(Array(#" { "samples" : [ ] , "more" : false , "last" : 7 } "#.utf8))
                == SampleChanges(samples: [], last: 7, more: false))
        for wrong in [#"{"last":1.5,"more":false,"samples":[]}"#, #"{"last":-1,"more":false,"samples":[]}"#,
                      #"{"last":1,"samples":[]}"#, #"{"last":1,"more":0,"samples":[]}"#,
                      #"{"last":1,"more":true,"more":true,"samples":[]}"#, #"{"last":1,"more":true,"samples":[]}x"#,
                      #"{"last":1,"more":true,"samples":[],"extra":1}"#, #"{"last":1e300,"more":true,"samples":[]}"#] {
            #expect(SampleJSONReader.changes(Array(wrong.utf8)) == nil, "\(wrong)")
        }
    }

    @Test func theFieldsBesideTheValueTravelAlike() throws {
        let page = SampleJSONPage(samples: [Self.lossless, Self.sample("plain", value: 1)], nextCursor: nil)
        let fast = try #require(SampleJSON.encode(page))
        #expect(fast == (try WireCodec.encode(page)))
        #expect(SampleJSONReader.page(fast)?.samples == page.samples)
        #expect(try WireCodec.decode(SampleJSONPage.self, from: fast).samples == page.samples)
        // What an older peer gets: the fields it knows, the device in metadata as before.
        let old = Self.lossless.schemaOne
        #expect(old.text == nil && old.details == nil && old.device == nil && old.utcOffsetMinutes == nil)
        #expect(old.metadata["HKDevice"] == "<<HKDevice: 0x1>, name:Watch>")
        let oldJSON = String(decoding: try #require(SampleJSON.encode([old])), as: UTF8.self)
        for key in ["details", "text", "device", "sourceVersion", "creationDate", "utcOffsetMinutes"] {
            #expect(!oldJSON.contains("\"\(key)\":"), "\(key)")
        }
    }

    /// The store's hand-written metadata JSON is what JSONEncoder(.sortedKeys) writes, byte for byte.
    @Test func metadataJSONIsTheGenericEncodersOwn() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let maps: [[String: String]] = [
            [:], ["k": "v"], ["b": "2", "a": "1", "HKTimeZone": "Europe/Paris"],
            ["note": "quote \" back\\slash /slash\n\r\t\u{1}\u{8}\u{c}\u{1f} é 😀", "Meal": "x", "meal": "y", "": ""],
        ]
        for map in maps + [["e\u{301}x": "decomposed", "l": "after it in String order, before it in bytes", "é": "composed"]] {
            #expect(StringMapJSON.encode(map) == String(decoding: try encoder.encode(map), as: UTF8.self), "\(map)")
            // What the store wrote, it reads back without the generic decoder (\u escapes excepted: they go to it).
            let encoded = StringMapJSON.encode(map)
            #expect(StringMapJSON.decode(encoded) == (encoded.contains("\\u") ? nil : map), "\(map)")
        }
        // Anything else is left to a general JSON reader: \u escapes, spaces, trailing bytes, bad escapes.
        for text in [#"{"a":"\u00e9"}"#, #"{ "a":"b"}"#, #"{"a":"b"}x"#, #"{"a":"\q"}"#, #"{"a":1}"#, #"{"a":"b""#, "", "[]",
                     "{\"a\":\"\u{1}\"}"] {
            #expect(StringMapJSON.decode(text) == nil, "\(text)")
        }
        #expect(StringMapJSON.decode(#"{"a\"\\\/\b\f\n\r\t":"v"}"#) == ["a\"\\/\u{8}\u{c}\n\r\t": "v"])
    }

    @Test func peersSayWhichSchemaTheyRead() throws {
        #expect(SampleQueryString.schema([:]) == 1)
        #expect(SampleQueryString.schema(["schema": "2"]) == 2)
        #expect(SampleQueryString.schema(["schema": "9"]) == SampleQuery.currentSchema)
        #expect(SampleQueryString.schema(["schema": "x"]) == 1)
        #expect(SampleQueryString.schema(["schema": "-5"]) == 1)
        let query = try SampleQuery(types: [.steps], limit: 5)
        #expect(SampleQueryString.items(for: query)["schema"] == "2")
        #expect(try SampleQueryString.query(from: ["types": "steps"]).schema == 1)
        // A status lists only the 31 schema-1 types where older peers read, all of them beside.
        let glucose = try #require(HealthDataType(rawValue: "bloodGlucose"))
        let status = PeerStatus(name: "phone", deviceID: try #require(DeviceID(bytes: Array(repeating: 7, count: 32))), version: "1",
                                sharedTypes: [.steps, glucose])
        let json = try JSONSerialization.jsonObject(with: Data(try WireCodec.encode(status))) as? [String: Any]
        #expect(json?["sharedTypes"] as? [String] == ["steps"])
        #expect(json?["allSharedTypes"] as? [String] == ["steps", "bloodGlucose"])
        #expect(try WireCodec.decode(PeerStatus.self, from: try WireCodec.encode(status)).sharedTypes == [.steps, glucose])
        let older = Array(#"{"name":"p","deviceID":"\#(String(repeating: "07", count: 32))","version":"1","sharedTypes":["steps","weight"]}"#.utf8)
        #expect(try WireCodec.decode(PeerStatus.self, from: older).sharedTypes == [.steps, .weight])
        let newer = Array(#"{"name":"p","deviceID":"\#(String(repeating: "07", count: 32))","version":"9","sharedTypes":[],"allSharedTypes":["steps","fromTheFuture"]}"#.utf8)
        #expect(try WireCodec.decode(PeerStatus.self, from: newer).sharedTypes == [.steps])
    }

    @Test func nonFiniteValuesAreLeftToTheGenericEncoder() {
        #expect(SampleJSON.encode(SampleJSONPage(samples: [Self.sample("x", value: .nan)], nextCursor: nil)) == nil)
    }
}

@Suite("Direct sample JSON reader")
struct SampleJSONReaderTests {
    static let page = SampleJSONPage(samples: [
        SampleJSONTests.sample("a", value: 58),
        SampleJSONTests.sample("b/\"q\"\\", value: 0.1, metadata: ["HKDevice": "Apple Watch ⌚ & co", "z": "line\nbreak\u{1}"]),
        SampleJSONTests.sample("c", value: -1.5e-7, source: "Tab\there 😀"),
    ], nextCursor: "next")

    @Test func readsWhatBothEncodersWrite() throws {
        let fast = try #require(SampleJSON.encode(Self.page))
        #expect(SampleJSONReader.page(fast)?.samples == Self.page.samples)
        #expect(SampleJSONReader.page(fast)?.nextCursor == "next")
        // The generic encoder, pretty-printed, with whitespace everywhere.
        let encoder = StateJSON.encoder()
        let pretty = Array(try encoder.encode(Self.page))
        #expect(SampleJSONReader.page(pretty)?.samples == Self.page.samples)
        let escaped = Array(#"{"samples":[{"endDate":"2026-01-07T10:20:30Z","id":"\u00e9\ud83d\ude00\/","metadata":{},"sourceName":"s","startDate":"2026-01-07T10:20:30.5Z","type":"steps","unit":"count","value":1e3}],"nextCursor":null}"#.utf8)
        let read = try #require(SampleJSONReader.page(escaped))
        #expect(read.samples.first?.id == "é😀/")
        #expect(read.samples.first?.value == 1000)
        #expect(read.nextCursor == nil)
    }

    @Test func anythingUnexpectedIsLeftToTheGenericDecoder() throws {
        let good = String(decoding: try #require(SampleJSON.encode(Self.page)), as: UTF8.self)
        let bad = [
            good + "x", String(good.dropLast()), good.replacingOccurrences(of: "\"unit\"", with: "\"units\""),
            good.replacingOccurrences(of: "\"value\":58", with: "\"value\":58,\"value\":59"),
            good.replacingOccurrences(of: "heartRate", with: "heartrate"),
            good.replacingOccurrences(of: "\"value\":58", with: "\"value\":\"58\""),
            good.replacingOccurrences(of: "2026-09-21T14:14", with: "2026-02-30T14:14"), "", "[]", "{}", "{\"samples\":[1]}",
            #"{"samples":[],"nextCursor":"\x"}"#, #"{"samples":[],"nextCursor":"\ud800"}"#,
            "{\"samples\":[],\"nextCursor\":\"a\u{1}\"}", #"{"samples":[],"nextCursor":NaN}"#,
        ]
        for text in bad { #expect(SampleJSONReader.page(Array(text.utf8)) == nil, "\(text.prefix(80))") }
    }

    /// Random corruptions never crash it, and whatever it accepts the
    /// generic decoder reads the same way.
    @Test func agreesWithTheGenericDecoderOnCorruptedInput() throws {
        let good = try #require(SampleJSON.encode(Self.page))
        var state: UInt64 = 42
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        let alphabet = Array(#"{}[]":,\ "0123456789eE.-+nulltruefalseuabcdefZT"#.utf8)
        for _ in 0..<3000 {
            var bytes = good
            for _ in 0...(next() % 3) {
                let position = next() % bytes.count
                switch next() % 3 {
                case 0: bytes[position] = alphabet[next() % alphabet.count]
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[next() % alphabet.count], at: position)
                }
            }
            guard let fast = SampleJSONReader.page(bytes) else { continue }
            let generic = try? WireCodec.decode(SampleJSONPage.self, from: bytes)
            #expect(generic?.samples == fast.samples, "\(String(decoding: bytes, as: UTF8.self).prefix(200))")
        }
    }
}

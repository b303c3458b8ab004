import HealthSyncDomain
import LibYAMLConfigReader
import Testing

@Suite("libyaml config reader")
struct LibYAMLConfigReaderTests {
    let reader = LibYAMLConfigReader()

    func parse(_ text: String) throws -> YAMLNode? { try reader.parse(Array(text.utf8), source: "test.yaml") }

    func failure(_ text: String) throws -> HealthSyncError {
        try #require(throws: HealthSyncError.self) { try parse(text) }
    }

    @Test func nestedMappingsKeepTheirPositions() throws {
        let root = try #require(try parse("# comment\ntransport:\n  listen:\n    port: 8443\nshare:\n  types: [steps, \"heartRate\"]\n"))
        guard case .mapping(let top, _) = root else { Issue.record("not a mapping"); return }
        #expect(top.map(\.key) == ["transport", "share"])
        #expect(top[0].keyMark == YAMLNode.Mark(line: 2, column: 1))
        guard case .mapping(let transport, _) = top[0].value, case .mapping(let listen, _) = transport[0].value else {
            Issue.record("not nested"); return
        }
        #expect(listen[0].value == .scalar("8443", YAMLNode.Mark(line: 4, column: 11), plain: true))
        guard case .mapping(let share, _) = top[1].value, case .sequence(let items, _) = share[0].value else {
            Issue.record("no list"); return
        }
        #expect(items.map { if case .scalar(let text, _, let plain) = $0 { return "\(text):\(plain)" } else { return "" } }
            == ["steps:true", "heartRate:false"])
    }

    @Test func anEmptyDocumentIsNil() throws {
        #expect(try parse("") == nil)
        #expect(try parse("# only a comment\n") == nil)
    }

    @Test func brokenYAMLNamesLineAndColumn() throws {
        let error = try failure("transport:\n  listen: [1, 2\n")
        #expect(error.code == .configInvalid)
        #expect(error.message.contains("test.yaml: line "))
        #expect(error.message.contains("column"))
    }

    @Test func anchorsAliasesAndDuplicatesAreRefused() throws {
        #expect(try failure("a: &x 1\nb: *x\n").message.contains("aliases"))
        #expect(try failure("a: 1\na: 2\n").message.contains("appears twice"))
        #expect(try failure("a: 1\n---\nb: 2\n").message.contains("one YAML document"))
        #expect(try failure("? [a]\n: 1\n").message.contains("plain names"))
    }

    @Test func inputsAreBounded() throws {
        #expect(try failure(String(repeating: "[", count: 40) + String(repeating: "]", count: 40)).message
            .contains("too deep"))
        #expect(try failure(String(repeating: "# padding\n", count: 7_000)).message.contains("larger than"))
        let many = "a: [" + Array(repeating: "1", count: 5_000).joined(separator: ",") + "]\n"
        #expect(try failure(many).message.contains("too many"))
    }
}

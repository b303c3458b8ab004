import CYAML
import HealthSyncDomain

/// Parses configuration YAML with system libyaml's event API into a
/// `YAMLNode` tree. Bounded: input size, nesting depth and node count are
/// capped, and anchors/aliases are refused (no billion-laughs expansion).
/// Every failure is `CONFIG_INVALID` naming the source, line and column.
public struct LibYAMLConfigReader: Sendable {
    public static let maxBytes = 64 * 1024
    public static let maxDepth = 16
    public static let maxNodes = 4_096

    public init() {}

    /// The document's root node; nil for an empty document (comments only).
    public func parse(_ text: [UInt8], source: String) throws -> YAMLNode? {
        guard text.count <= Self.maxBytes else {
            throw HealthSyncError(.configInvalid, "\(source) is larger than \(Self.maxBytes) bytes")
        }
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw HealthSyncError(.configInvalid, "libyaml could not start")
        }
        defer { yaml_parser_delete(parser) }
        return try text.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            var builder = TreeBuilder(source: source)
            let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
            defer { event.deallocate() }
            while true {
                guard yaml_parser_parse(parser, event) == 1 else { throw syntaxError(parser, source: source) }
                defer { yaml_event_delete(event) }
                if try builder.consume(event.pointee) { break }
            }
            return builder.root
        }
    }

    private func syntaxError(_ parser: UnsafeMutablePointer<yaml_parser_t>, source: String) -> HealthSyncError {
        let problem = parser.pointee.problem.map { String(cString: $0) } ?? "malformed YAML"
        let mark = parser.pointee.problem_mark
        return HealthSyncError(.configInvalid,
                               "\(source): line \(mark.line + 1), column \(mark.column + 1): \(problem)",
                               hint: "Fix the YAML syntax there, or run `healthsync config reset`.")
    }
}

/// Assembles nodes from libyaml events with an explicit stack (no recursion).
private struct TreeBuilder {
    enum Frame {
        case mapping([YAMLNode.Entry], pendingKey: (String, YAMLNode.Mark)?, YAMLNode.Mark)
        case sequence([YAMLNode], YAMLNode.Mark)
    }

    let source: String
    var stack: [Frame] = []
    var root: YAMLNode?
    var nodes = 0
    var documents = 0

    init(source: String) { self.source = source }

    /// Takes one event; true at the end of the stream.
    mutating func consume(_ event: yaml_event_t) throws -> Bool {
        let mark = YAMLNode.Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_STREAM_END_EVENT:
            return true
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 { throw invalid(mark, "only one YAML document is allowed") }
        case YAML_ALIAS_EVENT:
            throw invalid(mark, "anchors and aliases are not allowed in the configuration")
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            if scalar.anchor != nil { throw invalid(mark, "anchors and aliases are not allowed in the configuration") }
            let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            try attach(.scalar(value, mark, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE), mark: mark)
        case YAML_MAPPING_START_EVENT, YAML_SEQUENCE_START_EVENT:
            guard stack.count < LibYAMLConfigReader.maxDepth else { throw invalid(mark, "nesting is too deep") }
            try count(mark)
            stack.append(event.type == YAML_MAPPING_START_EVENT ? .mapping([], pendingKey: nil, mark) : .sequence([], mark))
        case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
            switch stack.removeLast() {
            case .mapping(let entries, _, let start): try attach(.mapping(entries, start), mark: start, counted: true)
            case .sequence(let items, let start): try attach(.sequence(items, start), mark: start, counted: true)
            }
        default:
            break
        }
        return false
    }

    private mutating func count(_ mark: YAMLNode.Mark) throws {
        nodes += 1
        if nodes > LibYAMLConfigReader.maxNodes { throw invalid(mark, "the configuration has too many entries") }
    }

    private mutating func attach(_ node: YAMLNode, mark: YAMLNode.Mark, counted: Bool = false) throws {
        if !counted { try count(mark) }
        guard let top = stack.popLast() else {
            root = node
            return
        }
        switch top {
        case .sequence(var items, let start):
            items.append(node)
            stack.append(.sequence(items, start))
        case .mapping(var entries, let pendingKey, let start):
            if let (key, keyMark) = pendingKey {
                entries.append(YAMLNode.Entry(key: key, keyMark: keyMark, value: node))
                stack.append(.mapping(entries, pendingKey: nil, start))
            } else {
                guard case .scalar(let key, let keyMark, _) = node else {
                    throw invalid(mark, "mapping keys must be plain names")
                }
                if entries.contains(where: { $0.key == key }) {
                    throw invalid(keyMark, "the key '\(key)' appears twice")
                }
                stack.append(.mapping(entries, pendingKey: (key, keyMark), start))
            }
        }
    }

    private func invalid(_ mark: YAMLNode.Mark, _ problem: String) -> HealthSyncError {
        HealthSyncError(.configInvalid, "\(source): \(mark): \(problem)",
                        hint: "Fix the YAML there, or run `healthsync config reset`.")
    }
}

/// A YAML document as a tree whose every node remembers where it stood, so
/// configuration errors can name the line and column.
public indirect enum YAMLNode: Sendable, Equatable {
    case scalar(String, Mark, plain: Bool)
    case mapping([Entry], Mark)
    case sequence([YAMLNode], Mark)

    /// A 1-based position in the source text.
    public struct Mark: Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let column: Int

        public init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }

        public var description: String { "line \(line), column \(column)" }
    }

    public struct Entry: Sendable, Equatable {
        public let key: String
        public let keyMark: Mark
        public let value: YAMLNode

        public init(key: String, keyMark: Mark, value: YAMLNode) {
            self.key = key
            self.keyMark = keyMark
            self.value = value
        }
    }

    public var mark: Mark {
        switch self {
        case .scalar(_, let mark, _), .mapping(_, let mark), .sequence(_, let mark): return mark
        }
    }

    /// "a scalar", "a mapping" or "a list", for error messages.
    public var kindName: String {
        switch self {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }
}

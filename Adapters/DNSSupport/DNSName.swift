/// A domain name as DNS carries it (RFC 1035 §3.1): labels of at most 63
/// bytes, at most 255 bytes in all. Compared without regard to ASCII case,
/// as DNS compares names.
public struct DNSName: Sendable, Hashable, CustomStringConvertible {
    public static let maxLength = 255
    public static let maxLabel = 63

    public let labels: [String]

    /// `name` split at its dots (a trailing dot is allowed); nil when a label
    /// is empty or too long, or the whole is too long.
    public init?(_ name: String) {
        var text = Substring(name)
        if text.hasSuffix(".") { text = text.dropLast() }
        let labels = text.isEmpty ? [] : text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        self.init(labels: labels)
    }

    public init?(labels: [String]) {
        guard labels.allSatisfy({ !$0.isEmpty && $0.utf8.count <= Self.maxLabel }),
              labels.reduce(1, { $0 + $1.utf8.count + 1 }) <= Self.maxLength else { return nil }
        self.labels = labels
    }

    /// The name with `label` in front (a DNS-SD instance name may hold dots and spaces).
    public func prepending(_ label: String) -> DNSName? { DNSName(labels: [label] + labels) }

    public var description: String { labels.joined(separator: ".") + "." }

    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        lhs.labels.count == rhs.labels.count && zip(lhs.labels, rhs.labels).allSatisfy { $0.lowercased() == $1.lowercased() }
    }

    public func hash(into hasher: inout Hasher) {
        for label in labels { hasher.combine(label.lowercased()) }
    }
}

/// Bytes that must never be printed or logged: private keys, tokens. The
/// descriptions are redacted and equality is constant-time.
public struct SecretBytes: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(utf8 text: String) { self.bytes = Array(text.utf8) }

    public var description: String { "<secret: \(bytes.count) bytes>" }
    public var debugDescription: String { description }

    public static func == (lhs: SecretBytes, rhs: SecretBytes) -> Bool {
        ConstantTime.equals(lhs.bytes, rhs.bytes)
    }
}

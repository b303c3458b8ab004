/// Percent-encoding of request-targets (RFC 3986 unreserved characters
/// pass, every other byte is `%XX`), and query strings, each bounded.
public enum PercentEncoding {
    private static let unreserved = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~".utf8)
    /// Query items beyond this many are ignored.
    public static let maxItems = 32

    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// Percent-decoded, or nil when not valid percent-encoding or not UTF-8.
    public static func decode(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// `/path?a=1&b=2` into the path and its decoded items.
    public static func split(_ uri: String) -> (path: String, query: [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var items: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&").prefix(maxItems) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(String(parts[0])) ?? ""
            items[key] = parts.count > 1 ? (decode(String(parts[1])) ?? "") : ""
        }
        return (String(uri[..<mark]), items)
    }

    /// The path followed by the encoded query, items sorted by key.
    public static func join(path: String, query: [String: String]) -> String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.sorted { $0.key < $1.key }.map { encode($0.key) + "=" + encode($0.value) }
            .joined(separator: "&")
    }
}

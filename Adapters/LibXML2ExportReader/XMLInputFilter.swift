import Glibc
import HealthSyncDomain

/// What libxml2 reads: the export without its inline DTD (iOS 16 exports
/// ship one with an unclosed ATTLIST, and nothing in it is needed) and with
/// control characters that XML forbids (a raw `\x0b` happens) made spaces.
/// A start tag with more than `maxAttributes` attributes stops the read:
/// libxml2's duplicate check is quadratic in them (100 000 on one element
/// took 16 s), and no Health export element has more than a dozen.
final class XMLInputFilter: ByteSource {
    /// The prolog (XML declaration and DTD) is read whole, up to this much.
    static let maxProlog = 4 * 1024 * 1024
    static let maxAttributes = 256

    /// Where the scan for attributes stands, across reads.
    private enum Scan { case text, tagOpen, startTag, quoted(UInt8), otherMarkup }
    private var scan = Scan.text
    private var attributes = 0

    private let source: any ByteSource
    private var prolog: [UInt8]?
    private var prologOffset = 0

    init(_ source: any ByteSource) { self.source = source }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if prolog == nil { prolog = try Self.withoutDoctype(try readProlog()) }
        let count: Int
        if let prolog, prologOffset < prolog.count {
            count = min(buffer.count, prolog.count - prologOffset)
            buffer.copyBytes(from: prolog[prologOffset..<(prologOffset + count)])
            prologOffset += count
        } else {
            count = try source.read(into: buffer)
        }
        guard count > 0, let base = buffer.baseAddress else { return count }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        // A tight loop over the bytes (the compiler vectorises it), then the
        // scan, which jumps over text and quoted values with memchr: byte by
        // byte through a state machine, this was a tenth of an import.
        for index in 0..<count where Self.isForbidden(bytes[index]) { bytes[index] = 0x20 }
        var index = 0
        while index < count {
            switch scan {
            case .text:
                guard let found = memchr(bytes + index, Int32(UInt8(ascii: "<")), count - index) else { return count }
                index = bytes.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                scan = .tagOpen
            case .quoted(let quote):
                guard let found = memchr(bytes + index, Int32(quote), count - index) else { return count }
                index = bytes.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                scan = .startTag
            default:
                try track(bytes[index])
                index += 1
            }
        }
        return count
    }

    /// Counts the attributes of each start tag (`=` outside quotes).
    private func track(_ byte: UInt8) throws {
        switch scan {
        case .text:
            if byte == UInt8(ascii: "<") { scan = .tagOpen }
        case .tagOpen:
            // `<!…>` and `<?…?>` are not start tags; `</…>` has no attributes either.
            scan = byte == UInt8(ascii: "!") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "/") ? .otherMarkup : .startTag
            attributes = 0
        case .startTag:
            if byte == UInt8(ascii: ">") {
                scan = .text
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                scan = .quoted(byte)
            } else if byte == UInt8(ascii: "=") {
                attributes += 1
                guard attributes <= Self.maxAttributes else {
                    throw HealthSyncError(.invalidArgument, "An element of the export has more than \(Self.maxAttributes) attributes",
                                          hint: "This is not an Apple Health export as the Health app writes it; export it again.")
                }
            }
        case .quoted(let quote):
            if byte == quote { scan = .startTag }
        case .otherMarkup:
            if byte == UInt8(ascii: ">") { scan = .text }
        }
    }

    /// Everything up to the root element's start (or all of a short file).
    private func readProlog() throws -> [UInt8] {
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { chunk.deallocate() }
        let root = Array("<HealthData".utf8)
        while bytes.count < Self.maxProlog {
            let count = try source.read(into: chunk)
            if count == 0 { break }
            let searchFrom = max(0, bytes.count - root.count)
            bytes += chunk[0..<count]
            if Self.firstIndex(of: root, in: bytes, from: searchFrom) != nil { break }
        }
        return bytes
    }

    /// `bytes` with `<!DOCTYPE …>` (and its internal subset `[…]`) removed.
    static func withoutDoctype(_ bytes: [UInt8]) -> [UInt8] {
        guard let start = firstIndex(of: Array("<!DOCTYPE".utf8), in: bytes, from: 0) else { return bytes }
        let close = bytes[start...].firstIndex(of: UInt8(ascii: ">")) ?? bytes.count
        let open = bytes[start...].firstIndex(of: UInt8(ascii: "["))
        var end = close
        if let open, open < close {
            // The subset ends at "]" followed (after spaces) by ">"; the first such pair outside quotes is enough here.
            var index = open
            end = bytes.count - 1
            while let bracket = bytes[index...].firstIndex(of: UInt8(ascii: "]")) {
                var after = bracket + 1
                while after < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[after]) { after += 1 }
                if after < bytes.count, bytes[after] == UInt8(ascii: ">") {
                    end = after
                    break
                }
                index = bracket + 1
            }
        }
        guard end < bytes.count else { return Array(bytes[..<start]) }
        return Array(bytes[..<start]) + Array(bytes[(end + 1)...])
    }

    /// C0 controls XML 1.0 does not allow (tab, newline and return are fine).
    static func isForbidden(_ byte: UInt8) -> Bool {
        byte < 0x20 && byte != 0x09 && byte != 0x0a && byte != 0x0d
    }

    static func firstIndex(of pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= pattern.count, start <= bytes.count - pattern.count else { return nil }
        var index = start
        while index <= bytes.count - pattern.count {
            if bytes[index] == pattern[0], bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }
}

/// Reads a DNS message, every step bounded by the bytes there are.
struct DNSReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func u8() throws(DNSMessageError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(DNSMessageError) -> UInt16 { UInt16(try u8()) << 8 | UInt16(try u8()) }

    mutating func u32() throws(DNSMessageError) -> UInt32 { UInt32(try u16()) << 16 | UInt32(try u16()) }

    mutating func take(_ count: Int) throws(DNSMessageError) -> [UInt8] {
        guard count >= 0, offset + count <= bytes.count else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// A name at the current offset, following compression pointers. A
    /// pointer must point before the label it replaces: names can only
    /// refer back, so no chain of pointers can loop.
    mutating func name() throws(DNSMessageError) -> DNSName {
        var labels: [String] = []
        var length = 1
        var position = offset
        var resume: Int?
        var pointers = 0
        while true {
            guard position < bytes.count else { throw .truncated }
            let byte = bytes[position]
            switch byte & 0xc0 {
            case 0x00:
                let count = Int(byte)
                if count == 0 {
                    offset = resume ?? position + 1
                    guard let name = DNSName(labels: labels) else { throw .badName }
                    return name
                }
                guard position + 1 + count <= bytes.count else { throw .truncated }
                length += count + 1
                guard length <= DNSName.maxLength else { throw .badName }
                labels.append(String(decoding: bytes[(position + 1)...(position + count)], as: UTF8.self))
                position += 1 + count
            case 0xc0:
                guard position + 1 < bytes.count else { throw .truncated }
                let target = Int(byte & 0x3f) << 8 | Int(bytes[position + 1])
                pointers += 1
                guard target < position, pointers <= DNSMessage.maxPointers else { throw .badPointer }
                if resume == nil { resume = position + 2 }
                position = target
            default:
                // 0x40 and 0x80 label types are obsolete or unassigned.
                throw .badName
            }
        }
    }

    mutating func record() throws(DNSMessageError) -> DNSRecord {
        let owner = try name()
        let type = DNSRecordType(rawValue: try u16())
        let classField = try u16()
        let ttl = try u32()
        let length = Int(try u16())
        guard offset + length <= bytes.count else { throw .truncated }
        let end = offset + length
        let data: DNSRecord.Data
        switch type {
        case .a:
            guard length == 4 else { throw .badRecord }
            data = .a(try take(4))
        case .aaaa:
            guard length == 16 else { throw .badRecord }
            data = .aaaa(try take(16))
        case .ptr:
            data = .ptr(try name())
        case .srv:
            guard length >= 7 else { throw .badRecord }
            data = .srv(priority: try u16(), weight: try u16(), port: try u16(), target: try name())
        case .txt:
            var strings: [[UInt8]] = []
            while offset < end {
                let count = Int(try u8())
                guard offset + count <= end else { throw .badRecord }
                strings.append(try take(count))
            }
            data = .txt(strings)
        default:
            data = .other(type: type, bytes: try take(length))
        }
        // The data must fill exactly the length the record claims.
        guard offset == end else { throw .badRecord }
        return DNSRecord(name: owner, data: data, ttl: ttl, cacheFlush: classField & 0x8000 != 0)
    }
}

/// Writes a DNS message, compressing each name against the names (and
/// their suffixes) written before it.
struct DNSWriter {
    var bytes: [UInt8] = []
    private var offsets: [DNSName: Int] = [:]

    mutating func u16(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xff)] }

    mutating func u32(_ value: UInt32) {
        u16(UInt16(value >> 16))
        u16(UInt16(value & 0xffff))
    }

    mutating func name(_ name: DNSName) {
        var labels = name.labels[...]
        while !labels.isEmpty {
            // Every suffix of a valid name is valid.
            let suffix = DNSName(labels: Array(labels))!
            if let at = offsets[suffix] {
                u16(0xc000 | UInt16(at))
                return
            }
            // Pointers have 14 bits: only names in the first 16 KiB can be pointed at.
            if bytes.count < 0x4000 { offsets[suffix] = bytes.count }
            let label = Array(labels.first!.utf8)
            bytes.append(UInt8(label.count))
            bytes += label
            labels = labels.dropFirst()
        }
        bytes.append(0)
    }

    mutating func record(_ record: DNSRecord) {
        name(record.name)
        u16(record.type.rawValue)
        u16((record.cacheFlush ? 0x8000 : 0) | DNSRecord.classIN)
        u32(record.ttl)
        let lengthAt = bytes.count
        u16(0)
        let start = bytes.count
        switch record.data {
        case .a(let address), .aaaa(let address):
            bytes += address
        case .ptr(let target):
            name(target)
        case .srv(let priority, let weight, let port, let target):
            u16(priority)
            u16(weight)
            u16(port)
            name(target)
        case .txt(let strings):
            // As given: records we make hold at least one string (RFC 6763 §6.1).
            for string in strings {
                let bounded = string.prefix(255)
                bytes.append(UInt8(bounded.count))
                bytes += bounded
            }
        case .other(_, let data):
            bytes += data
        }
        let length = bytes.count - start
        bytes[lengthAt] = UInt8(length >> 8)
        bytes[lengthAt + 1] = UInt8(length & 0xff)
    }
}

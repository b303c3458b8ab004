/// One DNS message as multicast DNS uses it (RFC 1035 §4, RFC 6762 §18):
/// header, questions and resource records of the types DNS-SD needs (A,
/// AAAA, PTR, SRV, TXT; anything else kept as bytes). Decoding is bounded
/// against hostile packets: the message size, the record counts, name
/// lengths, and compression pointers, which must point backwards (so they
/// cannot loop) and are followed at most `maxPointers` times per name.
public struct DNSMessage: Sendable, Equatable {
    /// mDNS messages fit one Ethernet jumbo frame at most (RFC 6762 §17).
    public static let maxBytes = 9000
    /// Questions and records in one message, in all.
    public static let maxEntries = 256
    static let maxPointers = 32

    public var id: UInt16
    public var isResponse: Bool
    public var isAuthoritative: Bool
    public var questions: [DNSQuestion]
    public var answers: [DNSRecord]
    public var authorities: [DNSRecord]
    public var additionals: [DNSRecord]

    public init(id: UInt16 = 0, isResponse: Bool, isAuthoritative: Bool = false, questions: [DNSQuestion] = [],
                answers: [DNSRecord] = [], authorities: [DNSRecord] = [], additionals: [DNSRecord] = []) {
        self.id = id
        self.isResponse = isResponse
        self.isAuthoritative = isAuthoritative
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
    }

    /// Every record, answers first.
    public var records: [DNSRecord] { answers + authorities + additionals }

    // MARK: Encoding

    /// The message in wire form, names compressed against earlier ones.
    public func encoded() -> [UInt8] {
        var writer = DNSWriter()
        writer.u16(id)
        writer.u16((isResponse ? 0x8000 : 0) | (isAuthoritative ? 0x0400 : 0))
        for count in [questions.count, answers.count, authorities.count, additionals.count] { writer.u16(UInt16(count)) }
        for question in questions {
            writer.name(question.name)
            writer.u16(question.type.rawValue)
            writer.u16((question.unicastResponse ? 0x8000 : 0) | DNSRecord.classIN)
        }
        for record in answers + authorities + additionals { writer.record(record) }
        return writer.bytes
    }

    // MARK: Decoding

    /// Decodes `bytes`; `DNSMessageError` for anything malformed or past a bound.
    public init(decoding bytes: [UInt8]) throws(DNSMessageError) {
        guard bytes.count <= Self.maxBytes else { throw .tooLarge }
        var reader = DNSReader(bytes: bytes)
        id = try reader.u16()
        let flags = try reader.u16()
        isResponse = flags & 0x8000 != 0
        isAuthoritative = flags & 0x0400 != 0
        // Only standard queries and responses (opcode 0); mDNS ignores the rest.
        guard (flags >> 11) & 0xf == 0 else { throw .unsupported }
        let counts = [try reader.u16(), try reader.u16(), try reader.u16(), try reader.u16()].map(Int.init)
        guard counts.reduce(0, +) <= Self.maxEntries else { throw .tooManyEntries }
        questions = []
        for _ in 0..<counts[0] {
            let name = try reader.name()
            let type = DNSRecordType(rawValue: try reader.u16())
            let classField = try reader.u16()
            questions.append(DNSQuestion(name: name, type: type, unicastResponse: classField & 0x8000 != 0))
        }
        var sections: [[DNSRecord]] = [[], [], []]
        for section in 0..<3 {
            for _ in 0..<counts[section + 1] { sections[section].append(try reader.record()) }
        }
        answers = sections[0]
        authorities = sections[1]
        additionals = sections[2]
    }
}

/// Why a DNS message was not decoded.
public enum DNSMessageError: Error, Sendable, Equatable {
    case tooLarge, tooManyEntries, truncated, badName, badPointer, badRecord, unsupported
}

/// What a question asks for.
public struct DNSQuestion: Sendable, Equatable {
    public let name: DNSName
    public let type: DNSRecordType
    /// mDNS's QU bit: the asker wants a unicast answer.
    public let unicastResponse: Bool

    public init(name: DNSName, type: DNSRecordType, unicastResponse: Bool = false) {
        self.name = name
        self.type = type
        self.unicastResponse = unicastResponse
    }
}

/// A record type (RFC 1035, RFC 2782, RFC 3596, RFC 6762).
public struct DNSRecordType: RawRepresentable, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let ptr = DNSRecordType(rawValue: 12)
    public static let txt = DNSRecordType(rawValue: 16)
    public static let aaaa = DNSRecordType(rawValue: 28)
    public static let srv = DNSRecordType(rawValue: 33)
    public static let nsec = DNSRecordType(rawValue: 47)
    public static let any = DNSRecordType(rawValue: 255)
}

/// One resource record.
public struct DNSRecord: Sendable, Equatable {
    static let classIN: UInt16 = 1

    public enum Data: Sendable, Equatable {
        case a([UInt8])
        case aaaa([UInt8])
        case ptr(DNSName)
        case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
        /// Character strings of at most 255 bytes each (DNS-SD: `key=value`).
        case txt([[UInt8]])
        case other(type: DNSRecordType, bytes: [UInt8])

        public var type: DNSRecordType {
            switch self {
            case .a: .a
            case .aaaa: .aaaa
            case .ptr: .ptr
            case .srv: .srv
            case .txt: .txt
            case .other(let type, _): type
            }
        }
    }

    public let name: DNSName
    public let data: Data
    public let ttl: UInt32
    /// mDNS's cache-flush bit: this record replaces others of its name and type.
    public let cacheFlush: Bool

    public init(name: DNSName, data: Data, ttl: UInt32, cacheFlush: Bool = false) {
        self.name = name
        self.data = data
        self.ttl = ttl
        self.cacheFlush = cacheFlush
    }

    public var type: DNSRecordType { data.type }

    /// A TXT record's `key=value` strings as a dictionary (keys lower-cased,
    /// the first of a repeated key wins, RFC 6763 §6.4); nil for other records.
    public var textAttributes: [String: String]? {
        guard case .txt(let strings) = data else { return nil }
        var attributes: [String: String] = [:]
        for string in strings {
            let text = String(decoding: string, as: UTF8.self)
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = parts.first, !key.isEmpty else { continue }
            let name = key.lowercased()
            if attributes[name] == nil { attributes[name] = parts.count > 1 ? String(parts[1]) : "" }
        }
        return attributes
    }
}

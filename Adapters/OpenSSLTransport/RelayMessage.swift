import HealthSyncDomain

/// A Syncthing relay protocol v1 message (`man 7 syncthing-relay`): a
/// 12-byte header (magic 0x9E79BC40, type, length, big-endian) and an XDR
/// body. Decoding is bounded: a frame over `maxLength` or a field over its
/// XDR bound is `PROTOCOL_ERROR`, never a large allocation.
enum RelayMessage: Equatable, Sendable {
    case ping
    case pong
    case joinRelayRequest
    case joinSessionRequest(key: [UInt8])
    case response(code: Int32, message: String)
    case connectRequest(id: [UInt8])
    case sessionInvitation(RelayInvitation)

    static let magic: UInt32 = 0x9E79_BC40
    static let headerLength = 12
    /// No relay message is longer (the longest, an invitation, is ~110 bytes).
    static let maxLength = 1024

    /// Response codes the relay sends.
    enum Code {
        static let success: Int32 = 0
        static let notFound: Int32 = 1
        static let alreadyConnected: Int32 = 2
    }

    var type: Int32 {
        switch self {
        case .ping: 0
        case .pong: 1
        case .joinRelayRequest: 2
        case .joinSessionRequest: 3
        case .response: 4
        case .connectRequest: 5
        case .sessionInvitation: 6
        }
    }

    /// Header and body, ready to send.
    var encoded: [UInt8] {
        var body = XDRWriter()
        switch self {
        case .ping, .pong, .joinRelayRequest: break
        case .joinSessionRequest(let key): body.opaque(key)
        case .response(let code, let message):
            body.int32(code)
            body.opaque(Array(message.utf8))
        case .connectRequest(let id): body.opaque(id)
        case .sessionInvitation(let invitation):
            body.opaque(invitation.from)
            body.opaque(invitation.key)
            body.opaque(invitation.address)
            body.int32(Int32(invitation.port))
            body.int32(invitation.serverSocket ? 1 : 0)
        }
        var header = XDRWriter()
        header.int32(Int32(bitPattern: Self.magic))
        header.int32(type)
        header.int32(Int32(body.bytes.count))
        return header.bytes + body.bytes
    }

    /// The body length a header announces, after checking its magic and bound.
    static func bodyLength(header: ArraySlice<UInt8>) throws(HealthSyncError) -> Int {
        var reader = XDRReader(header)
        guard try reader.uint32() == magic else {
            throw HealthSyncError(.protocolError, "The relay sent something that is not a relay message")
        }
        _ = try reader.uint32()
        let length = Int(try reader.uint32())
        guard length <= maxLength else {
            throw HealthSyncError(.protocolError, "The relay sent a message of \(length) bytes (at most \(maxLength) are read)")
        }
        return length
    }

    /// Decodes one whole frame (header and body).
    init(frame: ArraySlice<UInt8>) throws(HealthSyncError) {
        var reader = XDRReader(frame)
        _ = try reader.uint32()
        let type = try reader.uint32()
        _ = try reader.uint32()
        switch type {
        case 0: self = .ping
        case 1: self = .pong
        case 2: self = .joinRelayRequest
        case 3: self = .joinSessionRequest(key: try reader.opaque(max: 32))
        case 4:
            let code = Int32(bitPattern: try reader.uint32())
            let text = try reader.opaque(max: 512)
            self = .response(code: code, message: String(decoding: text, as: UTF8.self))
        case 5: self = .connectRequest(id: try reader.opaque(max: 32))
        case 6:
            let from = try reader.opaque(max: 32), key = try reader.opaque(max: 32), address = try reader.opaque(max: 32)
            let port = try reader.uint32()
            let server = try reader.uint32()
            guard port <= 65535, server <= 1 else {
                throw HealthSyncError(.protocolError, "The relay sent an invitation with port \(port)")
            }
            self = .sessionInvitation(RelayInvitation(from: from, key: key, address: address, port: Int(port),
                                                      serverSocket: server == 1))
        default:
            throw HealthSyncError(.protocolError, "The relay sent a message of unknown type \(type)")
        }
    }
}

/// A relay's invitation to a session: who is on the other side, the key to
/// join with, where (an empty or all-zero address: the relay's own) and
/// which side of TLS this end takes.
struct RelayInvitation: Equatable, Sendable {
    let from: [UInt8]
    let key: [UInt8]
    let address: [UInt8]
    let port: Int
    let serverSocket: Bool

    /// Where to join: the invitation's IPv4 or IPv6 address, or `relay`'s host.
    func endpoint(relay: Endpoint) -> Endpoint {
        guard address.contains(where: { $0 != 0 }) else { return Endpoint(host: relay.host, port: port) }
        if address.count == 4 { return Endpoint(host: address.map(String.init).joined(separator: "."), port: port) }
        if address.count == 16 {
            if address.prefix(10).allSatisfy({ $0 == 0 }) && address[10] == 0xff && address[11] == 0xff {
                return Endpoint(host: address.suffix(4).map(String.init).joined(separator: "."), port: port)
            }
            let groups = stride(from: 0, to: 16, by: 2).map { String(UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]), radix: 16) }
            return Endpoint(host: groups.joined(separator: ":"), port: port)
        }
        return Endpoint(host: relay.host, port: port)
    }
}

/// XDR (RFC 4506) as the relay protocol uses it: 32-bit big-endian integers
/// and opaque data (a length, the bytes, zero padding to a multiple of 4).
struct XDRWriter {
    var bytes: [UInt8] = []

    mutating func int32(_ value: Int32) {
        let bits = UInt32(bitPattern: value)
        bytes += [UInt8(bits >> 24), UInt8(bits >> 16 & 0xff), UInt8(bits >> 8 & 0xff), UInt8(bits & 0xff)]
    }

    mutating func opaque(_ data: [UInt8]) {
        int32(Int32(data.count))
        bytes += data
        bytes += [UInt8](repeating: 0, count: (4 - data.count % 4) % 4)
    }
}

struct XDRReader {
    private var data: ArraySlice<UInt8>

    init(_ data: ArraySlice<UInt8>) { self.data = data }

    private static let short = HealthSyncError(.protocolError, "The relay sent a message shorter than its fields")

    mutating func uint32() throws(HealthSyncError) -> UInt32 {
        guard data.count >= 4 else { throw Self.short }
        let value = data.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        data = data.dropFirst(4)
        return value
    }

    mutating func opaque(max: Int) throws(HealthSyncError) -> [UInt8] {
        let length = Int(try uint32())
        guard length <= max else {
            throw HealthSyncError(.protocolError, "The relay sent a field of \(length) bytes (at most \(max))")
        }
        let padded = length + (4 - length % 4) % 4
        guard data.count >= padded else { throw Self.short }
        let value = Array(data.prefix(length))
        data = data.dropFirst(padded)
        return value
    }
}

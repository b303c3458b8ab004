import HealthSyncDomain
@testable import OpenSSLTransport
import Testing

/// The relay protocol codec: what `man 7 syncthing-relay` lays out, and
/// bounded against a hostile relay.
@Suite("Relay messages")
struct RelayMessageTests {
    @Test func messagesRoundTripInTheManualsLayout() throws {
        let invitation = RelayInvitation(from: Array(repeating: 1, count: 32), key: Array(repeating: 2, count: 32),
                                         address: [127, 0, 0, 1], port: 22067, serverSocket: true)
        let messages: [RelayMessage] = [.ping, .pong, .joinRelayRequest, .joinSessionRequest(key: Array(repeating: 9, count: 32)),
                                        .response(code: 1, message: "not found"), .connectRequest(id: Array(repeating: 3, count: 32)),
                                        .sessionInvitation(invitation)]
        for message in messages {
            let bytes = message.encoded
            #expect(Array(bytes.prefix(4)) == [0x9E, 0x79, 0xBC, 0x40])
            let (decoded, used) = try #require(try RelayFrames.frame(in: bytes[...]))
            #expect(decoded == message && used == bytes.count)
        }
        // Response{0,"success"}: code, then the string padded to four bytes.
        #expect(RelayMessage.response(code: 0, message: "success").encoded.suffix(16)
                == [0, 0, 0, 0, 0, 0, 0, 7] + Array("success".utf8) + [0])
        #expect(invitation.endpoint(relay: Endpoint(host: "relay.example", port: 1)) == Endpoint(host: "127.0.0.1", port: 22067))
        let unspecified = RelayInvitation(from: [], key: [], address: Array(repeating: 0, count: 16), port: 5, serverSocket: false)
        #expect(unspecified.endpoint(relay: Endpoint(host: "203.0.113.7", port: 22067)) == Endpoint(host: "203.0.113.7", port: 5))
    }

    @Test func aHostileRelayGetsAnErrorNotAnAllocation() throws {
        func header(_ type: UInt32, _ length: UInt32, magic: UInt32 = 0x9E79_BC40) -> [UInt8] {
            var bytes: [UInt8] = []
            for value: UInt32 in [magic, type, length] {
                let big: [UInt8] = [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
                bytes += big
            }
            return bytes
        }
        // Incomplete: wait for more.
        #expect(try RelayFrames.frame(in: header(0, 0).prefix(11)) == nil)
        #expect(try RelayFrames.frame(in: header(4, 8)[...]) == nil)
        for bad in [header(0, 0, magic: 0x1603_0100),                      // not a relay message
                    header(4, 0xFFFF_FFFF),                                 // 4 GiB announced
                    header(99, 0),                                          // unknown type
                    header(3, 8) + [0, 0, 0, 200, 1, 2, 3, 4],              // a key of 200 bytes (at most 32)
                    header(4, 4) + [0, 0, 0, 0],                            // a response without its message
                    header(6, 4) + [0, 0, 0, 0]] {                          // a truncated invitation
            #expect(throws: HealthSyncError.self) { _ = try RelayFrames.frame(in: bad[...]) }
        }
        var port = XDRWriter()
        for _ in 0..<3 { port.opaque([]) }
        port.int32(70_000)
        port.int32(0)
        #expect(throws: HealthSyncError.self) { _ = try RelayFrames.frame(in: (header(6, UInt32(port.bytes.count)) + port.bytes)[...]) }
    }
}

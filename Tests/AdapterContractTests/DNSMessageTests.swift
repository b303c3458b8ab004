import Foundation
import HealthSyncTestSupport
import HealthSyncDomain
import DNSSupport
import MulticastDNSDiscovery
import Testing

/// The DNS message codec multicast DNS rests on (RFC 1035, RFC 6762),
/// bounded against hostile packets.
@Suite("DNS messages")
struct DNSMessageTests {
    static let service = DNSName("_healthsync._tcp.local")!

    func seed(_ name: String) throws -> [UInt8] {
        try #require(TestFiles.read(Fixtures.path("fuzz/dns/" + name)))
    }

    @Test func aCompressedServiceResponseDecodes() throws {
        let message = try DNSMessage(decoding: try seed("response-service.bin"))
        #expect(message.isResponse && message.isAuthoritative && message.answers.count == 4)
        let instance = try #require(Self.service.prepending("phone"))
        #expect(message.answers[0] == DNSRecord(name: Self.service, data: .ptr(instance), ttl: 4500))
        #expect(message.answers[1].data == .srv(priority: 0, weight: 0, port: 8443, target: DNSName("phone.local")!))
        #expect(message.answers[1].cacheFlush)
        #expect(message.answers[2].textAttributes == [
            "v": "1", "id": "SHA256:70cf3ed039a05b8728f649640f34df9ebe84e6ba6799b81fda7e1db7baff26bc", "ver": "1.0.0"])
        #expect(message.answers[3].data == .a([192, 0, 2, 2]))
        // Encoding compresses as well as the hand-made packet, and decodes to the same message.
        let encoded = message.encoded()
        #expect(encoded.count <= (try seed("response-service.bin")).count)
        #expect(try DNSMessage(decoding: encoded) == message)
    }

    @Test func aQueryAsksForTheServiceWithTheUnicastBit() throws {
        let message = try DNSMessage(decoding: try seed("query-ptr.bin"))
        #expect(!message.isResponse)
        #expect(message.questions == [DNSQuestion(name: Self.service, type: .ptr, unicastResponse: true)])
        #expect(message.encoded() == (try seed("query-ptr.bin")))
    }

    @Test func namesCompareWithoutCaseAndRefuseWhatDNSCannotCarry() {
        #expect(DNSName("_HealthSync._TCP.Local.") == Self.service)
        #expect(DNSName(String(repeating: "a", count: 64) + ".local") == nil)
        #expect(DNSName("a..local") == nil)
        #expect(DNSName(labels: Array(repeating: String(repeating: "b", count: 63), count: 4)) == nil)
        #expect(DNSName("my phone.local")?.labels == ["my phone", "local"])
    }

    /// Hostile packets: each is refused with its reason, never followed for ever.
    @Test(arguments: [
        ("a pointer to itself", [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 12, 0, 1], DNSMessageError.badPointer),
        ("a pointer forward", [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 1, 0x61, 0, 0, 12, 0, 1], .badPointer),
        ("a truncated header", [0, 0, 0], .truncated),
        ("a label past the end", [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, 0x61], .truncated),
        ("an obsolete label type", [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0], .badName),
        ("65 535 claimed questions", [0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0], .tooManyEntries),
        ("an A record of 5 bytes", [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 5, 1, 2, 3, 4, 5],
         .badRecord),
        ("a TXT string past its record", [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 16, 0, 1, 0, 0, 0, 1, 0, 2, 5, 0x61],
         .badRecord),
        ("an inverse query", [0, 0, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0], .unsupported),
    ] as [(String, [UInt8], DNSMessageError)])
    func hostilePacketsAreRefused(_ what: String, _ bytes: [UInt8], _ expected: DNSMessageError) {
        #expect(throws: expected, "\(what)") { _ = try DNSMessage(decoding: bytes) }
    }

    @Test func aPointerChainIsBoundedAndAHugePacketIsNotRead() throws {
        // A record of an unknown type whose data is 40 pointers, each to the one
        // before; a second record's name points at the last: 41 hops, past the 32 allowed.
        var bytes: [UInt8] = [0, 0, 0x84, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0x61, 0, 0, 99, 0, 1, 0, 0, 0, 0, 0, 80]
        for index in 0..<40 {
            let target = index == 0 ? 12 : 25 + 2 * (index - 1)
            bytes += [0xc0, UInt8(target)]
        }
        let withinBounds = bytes + [0xc0, 25, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 10, 0, 0, 1]
        #expect(try DNSMessage(decoding: withinBounds).answers[1].name == DNSName("a"))
        let chained = bytes + [0xc0, 103, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 10, 0, 0, 1]
        #expect(throws: DNSMessageError.badPointer) { _ = try DNSMessage(decoding: chained) }
        #expect(throws: DNSMessageError.tooLarge) { _ = try DNSMessage(decoding: [UInt8](repeating: 0, count: 9001)) }
    }

    @Test func aServiceAnswersABrowseAndTheAnswerNamesTheDevice() throws {
        let id = try #require(DeviceID(bytes: Array(repeating: 0x5a, count: 32)))
        let announcement = DiscoveryAnnouncement(name: "Kim's phone", deviceID: id, port: 8443, version: "1.0.0")
        let service = try #require(ServiceRecords.Service(announcement: announcement, addresses: ["192.0.2.7", "fd00::7"]))
        let query = try DNSMessage(decoding: ServiceRecords.browseQuery(id: 7).encoded())
        let answer = try #require(service.answer(to: query))
        #expect(answer.id == 7 && answer.answers.map(\.type) == [.ptr])
        let decoded = try DNSMessage(decoding: answer.encoded())
        let devices = ServiceRecords.devices(in: decoded, source: "198.51.100.1")
        #expect(devices == [DiscoveredDevice(announcement: announcement, host: "192.0.2.7")])
        // Questions about other services, and responses, get no answer; a goodbye names nobody.
        #expect(service.answer(to: DNSMessage(isResponse: false, questions: [DNSQuestion(name: DNSName("_ipp._tcp.local")!, type: .ptr)])) == nil)
        #expect(service.answer(to: answer) == nil)
        #expect(ServiceRecords.devices(in: service.announcement(goodbye: true), source: "x").isEmpty)
        // A TXT record without a device ID is not HealthSync's.
        let stranger = DNSMessage(isResponse: true, answers: [
            DNSRecord(name: ServiceRecords.serviceType, data: .ptr(ServiceRecords.serviceType.prepending("x")!), ttl: 120),
            DNSRecord(name: ServiceRecords.serviceType.prepending("x")!, data: .srv(priority: 0, weight: 0, port: 1, target: DNSName("h.local")!), ttl: 120),
            DNSRecord(name: ServiceRecords.serviceType.prepending("x")!, data: .txt([Array("v=1".utf8)]), ttl: 120),
        ])
        #expect(ServiceRecords.devices(in: stranger, source: "x").isEmpty)
    }
}

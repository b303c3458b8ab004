import Foundation
import HealthSyncDomain
import Testing

/// Addresses are hints: what a peer record keeps, in which order, and what a
/// QR payload may carry besides its main address.
@Suite("Address book")
struct AddressBookTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    func record() -> PeerRecord {
        PeerRecord(name: "phone", deviceID: DeviceID(bytes: Array(repeating: 0xab, count: 32))!, role: .sharing,
                   caFingerprint: SHA256Fingerprint(bytes: Array(repeating: 1, count: 32))!, caCertificatePEM: "",
                   pairedAt: start)
    }

    @Test func theFreshestEvidenceComesFirst() {
        var peer = record()
        peer.learn("192.168.1.20:8443", from: .pairing, at: start, succeeded: true)
        // Heard since at two other addresses: the device moved, so those go first.
        peer.learn("10.0.0.7:8443", from: .discovery, at: start + 60)
        peer.learn("[fd77::1]:8443", from: .discovery, at: start + 120)
        #expect(peer.addresses.map(\.address) == ["[fd77::1]:8443", "10.0.0.7:8443", "192.168.1.20:8443"])
        peer.learn("10.0.0.7:8443", from: .command, at: start + 180, succeeded: true)
        #expect(peer.addresses.first?.address == "10.0.0.7:8443")
        // At the same moment, the address that answered wins.
        peer.learn("10.0.0.9:8443", from: .discovery, at: start + 180)
        #expect(peer.addresses.prefix(2).map(\.address) == ["10.0.0.7:8443", "10.0.0.9:8443"])
        // An address keeps where it was first learned from.
        #expect(peer.addresses.first?.source == .discovery)
        #expect(peer.lastAddress == "10.0.0.7:8443")
        for index in 0..<20 { peer.learn("10.1.0.\(index):8443", from: .discovery, at: start + 200 + Double(index)) }
        #expect(peer.addresses.count == PeerRecord.maxAddresses)
        #expect(peer.addresses.first?.address == "10.1.0.19:8443")
        // The two that answered outlast the addresses only heard.
        #expect(Set(peer.addresses.map(\.address)).isSuperset(of: ["10.0.0.7:8443", "192.168.1.20:8443"]))
    }

    @Test func aRecordFromBeforeTheAddressBookKeepsItsLastAddress() throws {
        let json = #"{"name":"phone","deviceID":"SHA256:\#(String(repeating: "ab", count: 32))","role":"sharing","caFingerprint":"SHA256:\#(String(repeating: "01", count: 32))","caCertificatePEM":"","issuedSerials":[],"lastAddress":"192.168.1.20:8443","pairedAt":0}"#
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        let peer = try decoder.decode(PeerRecord.self, from: Data(json.utf8))
        #expect(peer.addresses.map(\.address) == ["192.168.1.20:8443"])
    }

    @Test func aPayloadCarriesAtMostFourOtherAddresses() throws {
        let base = PairingPayload(endpoint: Endpoint(host: "192.168.1.20", port: 8443), code: "123456",
                                  token: Array(repeating: 7, count: 16), expiresAt: start,
                                  caFingerprint: SHA256Fingerprint(bytes: Array(repeating: 1, count: 32))!,
                                  alternates: ["fd77::1", "10.0.0.7"])
        let parsed = try PairingPayload(parsing: base.text)
        #expect(parsed.endpoints.map(\.description) == ["192.168.1.20:8443", "[fd77::1]:8443", "10.0.0.7:8443"])
        // Older payloads have no list.
        let old = base.text.replacingOccurrences(of: #","hosts":["fd77::1","10.0.0.7"]"#, with: "")
        #expect(try PairingPayload(parsing: old).endpoints.count == 1)
        // Bracketed IPv6 literals are fine; a port of its own is not.
        let bracketed = base.text.replacingOccurrences(of: #""fd77::1""#, with: #""[fd77::2]""#)
        #expect(try PairingPayload(parsing: bracketed).endpoints[1] == Endpoint(host: "fd77::2", port: 8443))
        for hosts in [#"["a","b","c","d","e"]"#, #"["not a host!"]"#, #"["[fd77::1]:1"]"#, #"["10.0.0.7:99"]"#] {
            let bad = base.text.replacingOccurrences(of: #"["fd77::1","10.0.0.7"]"#, with: hosts)
            #expect(throws: HealthSyncError.self) { try PairingPayload(parsing: bad) }
        }
    }
}

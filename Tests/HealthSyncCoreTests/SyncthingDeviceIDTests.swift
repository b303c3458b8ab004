import Foundation
import HealthSyncDomain
import HealthSyncTestSupport
import OpenSSLCrypto
import Testing

/// Device IDs in Syncthing's form, checked against Syncthing itself: the ID
/// `syncthing generate` printed for its certificate, and the manual's example.
@Suite("Syncthing device IDs")
struct SyncthingDeviceIDTests {
    @Test func theIDSyncthingPrintedForItsCertificate() throws {
        let pem = try String(contentsOfFile: Fixtures.path("syncthing/cert.pem"), encoding: .utf8)
        let certificate = try OpenSSLCrypto().parseCertificate(pem: pem)
        let id = SyncthingDeviceID(certificateFingerprint: certificate.fingerprint)
        #expect(id.description == "3ABBGJ7-FUOGBRY-EBOLLXR-J4NRY3G-FFLFOA6-HNG356V-UZ2TRVW-O4633QP")
        #expect(SyncthingDeviceID(parsing: id.description) == id)
        #expect(SyncthingDeviceID(parsing: "3abbgj7fuogbryebollxrj4nry3gfflfoa6hng356vuz2trvwo4633qp") == id)
    }

    @Test func theManualsExample() throws {
        // man 7 syncthing-device-ids: the 32 bytes whose base32 is
        // MFZWI3DBONSGYYLTMRWGC43ENRQXGZDMMFZWI3DBONSGYYLTMRWA, and the ID they become.
        let fingerprint = try #require(SHA256Fingerprint(bytes: Array("asdlasdlasdlasdlasdlasdlasdlasdl".utf8)))
        let id = SyncthingDeviceID(certificateFingerprint: fingerprint)
        #expect(id.description == "MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWAD")
        #expect(SyncthingDeviceID(parsing: id.description)?.bytes == fingerprint.bytes)
    }

    @Test func wrongCheckCharactersAndGarbageAreRefused() {
        let good = "3ABBGJ7-FUOGBRY-EBOLLXR-J4NRY3G-FFLFOA6-HNG356V-UZ2TRVW-O4633QP"
        #expect(SyncthingDeviceID(parsing: good.replacingOccurrences(of: "QP", with: "QQ")) == nil)
        #expect(SyncthingDeviceID(parsing: good.replacingOccurrences(of: "3AB", with: "3AC")) == nil)
        #expect(SyncthingDeviceID(parsing: "") == nil)
        #expect(SyncthingDeviceID(parsing: String(good.dropLast())) == nil)
        #expect(SyncthingDeviceID(parsing: good.replacingOccurrences(of: "3", with: "1")) == nil)
        #expect(SyncthingDeviceID(parsing: String(repeating: "A", count: 10_000)) == nil)
    }
}

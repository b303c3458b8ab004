import HealthSyncDomain
import Testing

@Suite("Device IDs, fingerprints, hex and secrets")
struct IdentifierTests {
    let hex = "9875241651ed1cd55502213a9b694da1a45adce31f180244bf14f0fe3be3f787"

    @Test func deviceIDsAreShownAsSHA256Hex() throws {
        let id = try #require(DeviceID(parsing: hex))
        #expect(id.description == "SHA256:" + hex)
        #expect(id.short == "SHA256:9875241651ed1cd5")
        #expect(DeviceID(parsing: "SHA256:" + hex) == id)
        #expect(DeviceID(parsing: "sha256:" + hex.uppercased()) == id)
    }

    @Test func malformedIDsAreRefused() {
        #expect(DeviceID(parsing: "") == nil)
        #expect(DeviceID(parsing: String(hex.dropLast())) == nil)
        #expect(DeviceID(parsing: hex + "00") == nil)
        #expect(DeviceID(parsing: String(hex.dropLast()) + "g") == nil)
        #expect(DeviceID(bytes: [1, 2, 3]) == nil)
    }

    @Test func theSubjectAltNameURIRoundTrips() throws {
        let id = try #require(DeviceID(parsing: hex))
        #expect(id.uri == "urn:healthsync:device:" + hex)
        #expect(DeviceID(uri: id.uri) == id)
        #expect(DeviceID(uri: "urn:other:" + hex) == nil)
        #expect(DeviceID(uri: "urn:healthsync:device:" + hex + "ff") == nil)
    }

    @Test func hexRoundTripsAndRejectsGarbage() {
        let bytes: [UInt8] = [0, 1, 0x7f, 0x80, 0xff]
        #expect(Hex.encode(bytes) == "00017f80ff")
        #expect(Hex.decode("00017F80ff") == bytes)
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }

    @Test func secretsAreRedactedAndComparedByValue() {
        let secret = SecretBytes(utf8: "hunter2")
        #expect(!"\(secret)".contains("hunter2"))
        #expect(!String(reflecting: secret).contains("hunter2"))
        #expect(secret == SecretBytes(utf8: "hunter2"))
        #expect(secret != SecretBytes(utf8: "hunter3"))
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
    }
}

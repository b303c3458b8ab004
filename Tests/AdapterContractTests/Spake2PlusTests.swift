import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import OpenSSLCrypto
import Testing

@Suite("SPAKE2+ (RFC 9383) over OpenSSL")
struct Spake2PlusTests {
    let pake = OpenSSLSpake2Plus()

    /// Tests/Fixtures/vectors/rfc9383-spake2plus-p256-sha256.json (RFC 9383, Appendix C).
    static func vector() throws -> [String: String] {
        let url = URL(fileURLWithPath: Fixtures.path("vectors/rfc9383-spake2plus-p256-sha256.json"))
        let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) as? [String: String]
        return try #require(object)
    }

    func bytes(_ vector: [String: String], _ key: String) throws -> [UInt8] {
        let text = try #require(vector[key])
        return try #require(Hex.decode(text))
    }

    @Test func theRFCVectorIsReproducedByteForByte() throws {
        let v = try Self.vector()
        let identities = SpakeIdentities(context: Array(v["Context"]!.utf8), prover: Array(v["idProver"]!.utf8),
                                         verifier: Array(v["idVerifier"]!.utf8))
        let w0 = SecretBytes(try bytes(v, "w0")), w1 = SecretBytes(try bytes(v, "w1"))
        let x = SecretBytes(try bytes(v, "x")), y = SecretBytes(try bytes(v, "y"))

        let registration = try pake.registrationRecord(w1: w1)
        #expect(registration == (try bytes(v, "L")))
        let shareP = try pake.proverShare(w0: w0, x: x)
        #expect(shareP == (try bytes(v, "shareP")))
        let (shareV, verifierKeys) = try pake.verifierRespond(identities: identities, w0: w0, registration: registration,
                                                              y: y, shareP: shareP)
        #expect(shareV == (try bytes(v, "shareV")))
        let proverKeys = try pake.proverFinish(identities: identities, w0: w0, w1: w1, x: x, shareP: shareP, shareV: shareV)
        for keys in [verifierKeys, proverKeys] {
            #expect(keys.confirmP == (try bytes(v, "confirmP")))
            #expect(keys.confirmV == (try bytes(v, "confirmV")))
            #expect(keys.sharedKey == SecretBytes(try bytes(v, "K_shared")))
        }
    }

    func pair(code: String, verifierCode: String? = nil, context: String = "ctx") throws -> (SpakeKeys, SpakeKeys) {
        let salt = Array(repeating: UInt8(7), count: 16)
        let (w0, w1) = try pake.deriveScalars(code: code, salt: salt, iterations: 1000)
        let (v0, v1) = try pake.deriveScalars(code: verifierCode ?? code, salt: salt, iterations: 1000)
        let ids = SpakeIdentities(context: Array(context.utf8), prover: [], verifier: [])
        let x = SecretBytes(Array(repeating: 0x11, count: 40)), y = SecretBytes(Array(repeating: 0x22, count: 40))
        let shareP = try pake.proverShare(w0: w0, x: x)
        let (shareV, verifier) = try pake.verifierRespond(identities: ids, w0: v0, registration: try pake.registrationRecord(w1: v1),
                                                          y: y, shareP: shareP)
        let prover = try pake.proverFinish(identities: ids, w0: w0, w1: w1, x: x, shareP: shareP, shareV: shareV)
        return (prover, verifier)
    }

    @Test func theSameCodeAgreesAndAnotherCodeDoesNot() throws {
        let (prover, verifier) = try pair(code: "847293")
        #expect(prover == verifier)
        let (wrongProver, wrongVerifier) = try pair(code: "847294", verifierCode: "847293")
        #expect(!ConstantTime.equals(wrongProver.confirmV, wrongVerifier.confirmV))
        #expect(!ConstantTime.equals(wrongProver.confirmP, wrongVerifier.confirmP))
        #expect(wrongProver.sharedKey != wrongVerifier.sharedKey)
    }

    @Test func derivationDependsOnSaltAndIterations() throws {
        let a = try pake.deriveScalars(code: "123987", salt: Array(repeating: 1, count: 16), iterations: 1000)
        let b = try pake.deriveScalars(code: "123987", salt: Array(repeating: 2, count: 16), iterations: 1000)
        let c = try pake.deriveScalars(code: "123987", salt: Array(repeating: 1, count: 16), iterations: 1001)
        #expect(a.w0 != b.w0 && a.w0 != c.w0 && a.w1 != b.w1)
        #expect(a.w0.bytes.count == 32 && a.w1.bytes.count == 32)
        #expect(throws: HealthSyncError.self) { try pake.deriveScalars(code: "1", salt: [1], iterations: 1000) }
        #expect(throws: HealthSyncError.self) { try pake.deriveScalars(code: "1", salt: Array(repeating: 1, count: 16), iterations: 0) }
    }

    @Test func malformedSharesAreRejected() throws {
        let v = try Self.vector()
        let ids = SpakeIdentities(context: [], prover: [], verifier: [])
        let w0 = SecretBytes(try bytes(v, "w0")), w1 = SecretBytes(try bytes(v, "w1"))
        let y = SecretBytes(try bytes(v, "y")), x = SecretBytes(try bytes(v, "x"))
        let registration = try bytes(v, "L")
        let good = try bytes(v, "shareP")
        var offCurve = good
        offCurve[64] ^= 0x01
        var hybrid6 = good, hybrid7 = good
        hybrid6[0] = 0x06
        hybrid7[0] = 0x07
        let bad: [[UInt8]] = [
            [], [0x00], [0x04], Array(good.prefix(64)), good + [0], offCurve, hybrid6, hybrid7,
            [0x02] + Array(good[1..<33]), [UInt8](repeating: 0, count: 65), [0x04] + [UInt8](repeating: 0, count: 64),
        ]
        for share in bad {
            let error = try #require(throws: HealthSyncError.self) {
                try pake.verifierRespond(identities: ids, w0: w0, registration: registration, y: y, shareP: share)
            }
            #expect(error.code == .invalidPairingCode)
            #expect(throws: HealthSyncError.self) {
                try pake.proverFinish(identities: ids, w0: w0, w1: w1, x: x, shareP: good, shareV: share)
            }
        }
    }

    @Test func aShareThatUnmasksToTheIdentityIsRejected() throws {
        let w0 = SecretBytes(Array(repeating: 0x05, count: 32))
        let ids = SpakeIdentities(context: [], prover: [], verifier: [])
        // w0·M is a valid point, but X − w0·M is the identity.
        let w0M = try pake.proverMask(w0: w0)
        let error = try #require(throws: HealthSyncError.self) {
            try pake.verifierRespond(identities: ids, w0: w0, registration: try pake.registrationRecord(w1: w0),
                                     y: SecretBytes([9]), shareP: w0M)
        }
        #expect(error.code == .invalidPairingCode)
        #expect(error.message.contains("identity"))
    }
}

import COpenSSL
import Foundation
import HealthSyncDomain
import HealthSyncPorts

/// SPAKE2+-P256-SHA256-HKDF-SHA256-HMAC-SHA256 (RFC 9383) over OpenSSL's
/// EC_POINT arithmetic.
public struct OpenSSLSpake2Plus: PasswordKeyExchange {
    /// RFC 9383's M and N for P-256 (compressed SEC1).
    static let mHex = "02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f"
    static let nHex = "03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49"
    static let maxIterations = 10_000_000

    public init() {}

    public func deriveScalars(code: String, salt: [UInt8], iterations: Int) throws -> (w0: SecretBytes, w1: SecretBytes) {
        guard (1...Self.maxIterations).contains(iterations), (16...64).contains(salt.count), code.utf8.count <= 64 else {
            throw HealthSyncError(.protocolError, "Unacceptable PBKDF2 parameters")
        }
        var output = [UInt8](repeating: 0, count: 80)
        let password = Array(code.utf8)
        let ok = password.withUnsafeBufferPointer { pass in
            pass.withMemoryRebound(to: CChar.self) { pass in
                PKCS5_PBKDF2_HMAC(pass.baseAddress, Int32(pass.count), salt, Int32(salt.count), Int32(iterations),
                                  EVP_sha256(), 80, &output)
            }
        }
        guard ok == 1 else { throw HealthSyncError(.cryptoFailure, "PBKDF2 failed", cause: OpenSSLSupport.lastError()) }
        let curve = try Curve()
        return (SecretBytes(try curve.reduce(Array(output[0..<40]))), SecretBytes(try curve.reduce(Array(output[40..<80]))))
    }

    public func registrationRecord(w1: SecretBytes) throws -> [UInt8] {
        let curve = try Curve()
        return try curve.encode(try curve.generatorTimes(try curve.scalar(w1.bytes)))
    }

    public func proverShare(w0: SecretBytes, x: SecretBytes) throws -> [UInt8] {
        let curve = try Curve()
        let masked = try curve.add(try curve.generatorTimes(try curve.scalar(x.bytes)),
                                   try curve.times(try curve.scalar(w0.bytes), try curve.decode(Hex.decode(Self.mHex)!)))
        return try curve.encode(masked)
    }

    /// w0·M, the mask the prover adds to its share. A share equal to it
    /// unmasks to the identity; tests use it to check that case is refused.
    public func proverMask(w0: SecretBytes) throws -> [UInt8] {
        let curve = try Curve()
        return try curve.encode(try curve.times(try curve.scalar(w0.bytes), try curve.decode(Hex.decode(Self.mHex)!)))
    }

    public func verifierRespond(identities: SpakeIdentities, w0: SecretBytes, registration: [UInt8], y: SecretBytes,
                                shareP: [UInt8]) throws -> (shareV: [UInt8], keys: SpakeKeys) {
        let curve = try Curve()
        let w0Scalar = try curve.scalar(w0.bytes), yScalar = try curve.scalar(y.bytes)
        let m = try curve.decode(Hex.decode(Self.mHex)!), n = try curve.decode(Hex.decode(Self.nHex)!)
        let x = try curve.decodeShare(shareP)
        let shareV = try curve.encode(try curve.add(try curve.generatorTimes(yScalar), try curve.times(w0Scalar, n)))
        // Unmask X, then multiply: Z = y·(X − w0·M), V = y·L.
        let unmasked = try curve.subtract(x, try curve.times(w0Scalar, m))
        try curve.requireNotIdentity(unmasked)
        let z = try curve.encode(try curve.times(yScalar, unmasked))
        let v = try curve.encode(try curve.times(yScalar, try curve.decodeShare(registration)))
        let keys = keySchedule(identities: identities, m: try curve.encode(m), n: try curve.encode(n), shareP: shareP,
                               shareV: shareV, z: z, v: v, w0: try curve.fixed(w0Scalar))
        return (shareV, keys)
    }

    public func proverFinish(identities: SpakeIdentities, w0: SecretBytes, w1: SecretBytes, x: SecretBytes,
                             shareP: [UInt8], shareV: [UInt8]) throws -> SpakeKeys {
        let curve = try Curve()
        let w0Scalar = try curve.scalar(w0.bytes)
        let m = try curve.decode(Hex.decode(Self.mHex)!), n = try curve.decode(Hex.decode(Self.nHex)!)
        let y = try curve.decodeShare(shareV)
        // Unmask Y, then multiply: Z = x·(Y − w0·N), V = w1·(Y − w0·N).
        let unmasked = try curve.subtract(y, try curve.times(w0Scalar, n))
        try curve.requireNotIdentity(unmasked)
        let z = try curve.encode(try curve.times(try curve.scalar(x.bytes), unmasked))
        let v = try curve.encode(try curve.times(try curve.scalar(w1.bytes), unmasked))
        return keySchedule(identities: identities, m: try curve.encode(m), n: try curve.encode(n), shareP: shareP,
                           shareV: shareV, z: z, v: v, w0: try curve.fixed(w0Scalar))
    }

    /// TT = each field prefixed by its 8-byte little-endian length; K_main = SHA-256(TT);
    /// confirmation keys and the shared key by HKDF; confirmations by HMAC.
    private func keySchedule(identities: SpakeIdentities, m: [UInt8], n: [UInt8], shareP: [UInt8], shareV: [UInt8],
                             z: [UInt8], v: [UInt8], w0: [UInt8]) -> SpakeKeys {
        var transcript: [UInt8] = []
        for field in [identities.context, identities.prover, identities.verifier, m, n, shareP, shareV, z, v, w0] {
            withUnsafeBytes(of: UInt64(field.count).littleEndian) { transcript += $0 }
            transcript += field
        }
        let main = OpenSSLSupport.sha256(transcript)
        let confirmation = HMACSHA256.hkdf(ikm: main, salt: [], info: Array("ConfirmationKeys".utf8), length: 64)
        let shared = HMACSHA256.hkdf(ikm: main, salt: [], info: Array("SharedKey".utf8), length: 32)
        return SpakeKeys(confirmP: HMACSHA256.mac(key: Array(confirmation[0..<32]), data: shareV),
                         confirmV: HMACSHA256.mac(key: Array(confirmation[32..<64]), data: shareP),
                         sharedKey: SecretBytes(shared))
    }
}

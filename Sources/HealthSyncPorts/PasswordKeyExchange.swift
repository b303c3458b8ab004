import HealthSyncDomain

/// What both sides of a SPAKE2+ exchange bind into the transcript.
public struct SpakeIdentities: Sendable, Equatable {
    public let context: [UInt8]
    public let prover: [UInt8]
    public let verifier: [UInt8]

    public init(context: [UInt8], prover: [UInt8], verifier: [UInt8]) {
        self.context = context
        self.prover = prover
        self.verifier = verifier
    }
}

/// The keys a SPAKE2+ exchange ends with (RFC 9383 §3.4).
public struct SpakeKeys: Sendable, Equatable {
    /// HMAC(K_confirmP, shareV): sent by the prover.
    public let confirmP: [UInt8]
    /// HMAC(K_confirmV, shareP): sent by the verifier.
    public let confirmV: [UInt8]
    /// The shared secret for use after both confirmations verify.
    public let sharedKey: SecretBytes

    public init(confirmP: [UInt8], confirmV: [UInt8], sharedKey: SecretBytes) {
        self.confirmP = confirmP
        self.confirmV = confirmV
        self.sharedKey = sharedKey
    }
}

/// SPAKE2+ on P-256 with SHA-256, HKDF and HMAC (RFC 9383), keyed by a
/// pairing code. The prover is the joining device, the verifier the
/// sharing device.
///
/// Every share received is validated: exactly 65 bytes, uncompressed
/// (0x04), on the curve, not the identity, and not the identity after
/// unmasking; otherwise `INVALID_PAIRING_CODE` is thrown. Scalars are
/// multiplied one at a time (never the variable-time combined form).
/// Scalars given as bytes are reduced modulo the group order; zero is refused.
public protocol PasswordKeyExchange: Sendable {
    /// w0 and w1 from the code: PBKDF2-HMAC-SHA256(code, salt, iterations)
    /// gives 80 bytes; each 40-byte half is reduced modulo the order.
    func deriveScalars(code: String, salt: [UInt8], iterations: Int) throws -> (w0: SecretBytes, w1: SecretBytes)
    /// The verifier's registration record L = w1·P.
    func registrationRecord(w1: SecretBytes) throws -> [UInt8]
    /// The prover's share X = x·P + w0·M.
    func proverShare(w0: SecretBytes, x: SecretBytes) throws -> [UInt8]
    /// The verifier's share Y = y·P + w0·N and the keys, from the prover's share.
    func verifierRespond(identities: SpakeIdentities, w0: SecretBytes, registration: [UInt8], y: SecretBytes,
                         shareP: [UInt8]) throws -> (shareV: [UInt8], keys: SpakeKeys)
    /// The prover's keys, from the verifier's share.
    func proverFinish(identities: SpakeIdentities, w0: SecretBytes, w1: SecretBytes, x: SecretBytes,
                      shareP: [UInt8], shareV: [UInt8]) throws -> SpakeKeys
}

/// Random bytes for serials, tokens and codes.
///
/// The production adapter is a CSPRNG; tests inject a seeded one. Throws
/// `CRYPTO_FAILURE` when no randomness can be had; never returns fewer bytes.
public protocol EntropySource: Sendable {
    func bytes(_ count: Int) throws -> [UInt8]
}

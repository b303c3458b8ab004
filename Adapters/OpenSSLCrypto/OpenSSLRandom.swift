import COpenSSL
import HealthSyncDomain
import HealthSyncPorts

/// The `EntropySource` port over OpenSSL's CSPRNG (`RAND_bytes`).
public struct OpenSSLRandom: EntropySource {
    public init() { _ = OpenSSLSupport.initialized }

    public func bytes(_ count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else {
            throw HealthSyncError(.cryptoFailure, "The system random generator failed",
                                  cause: OpenSSLSupport.lastError())
        }
        return bytes
    }
}

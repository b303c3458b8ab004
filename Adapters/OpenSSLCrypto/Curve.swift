import COpenSSL
import HealthSyncDomain

/// P-256 arithmetic for SPAKE2+, one scalar multiplication per call (the
/// combined `EC_POINT_mul(g, n, P, m)` form is not constant time in
/// OpenSSL 3.0). Owns its group, context and every point and scalar it
/// makes, freeing them when released.
final class Curve {
    private let group: OpaquePointer
    private let context: OpaquePointer
    private var owned: [OpaquePointer] = []
    private var ownedNumbers: [OpaquePointer] = []

    init() throws {
        guard let group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1) else {
            throw HealthSyncError(.cryptoFailure, "P-256 is unavailable", cause: OpenSSLSupport.lastError())
        }
        guard let context = BN_CTX_new() else {
            EC_GROUP_free(group)
            throw HealthSyncError(.cryptoFailure, "Out of memory")
        }
        self.group = group
        self.context = context
    }

    deinit {
        owned.forEach { EC_POINT_free($0) }
        ownedNumbers.forEach { BN_clear_free($0) }
        BN_CTX_free(context)
        EC_GROUP_free(group)
    }

    private func newPoint() throws -> OpaquePointer {
        guard let point = EC_POINT_new(group) else { throw HealthSyncError(.cryptoFailure, "Out of memory") }
        owned.append(point)
        return point
    }

    private func newNumber() throws -> OpaquePointer {
        guard let number = BN_new() else { throw HealthSyncError(.cryptoFailure, "Out of memory") }
        ownedNumbers.append(number)
        return number
    }

    /// Big-endian bytes reduced modulo the group order, as 32 bytes.
    func reduce(_ bytes: [UInt8]) throws -> [UInt8] { try fixed(try scalar(bytes)) }

    /// A scalar in [1, n−1] from big-endian bytes (reduced modulo n).
    func scalar(_ bytes: [UInt8]) throws -> OpaquePointer {
        guard !bytes.isEmpty, bytes.count <= 64 else { throw HealthSyncError(.cryptoFailure, "Bad scalar length") }
        let value = try newNumber()
        let reduced = try newNumber()
        guard BN_bin2bn(bytes, Int32(bytes.count), value) != nil,
              BN_nnmod(reduced, value, EC_GROUP_get0_order(group), context) == 1 else {
            throw HealthSyncError(.cryptoFailure, "Bad scalar", cause: OpenSSLSupport.lastError())
        }
        guard BN_is_zero(reduced) == 0 else { throw HealthSyncError(.cryptoFailure, "A scalar is zero") }
        BN_set_flags(reduced, BN_FLG_CONSTTIME)
        return reduced
    }

    /// A scalar as exactly 32 big-endian bytes.
    func fixed(_ scalar: OpaquePointer) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        guard BN_bn2binpad(scalar, &out, 32) == 32 else { throw HealthSyncError(.cryptoFailure, "Bad scalar") }
        return out
    }

    func generatorTimes(_ scalar: OpaquePointer) throws -> OpaquePointer {
        let result = try newPoint()
        guard EC_POINT_mul(group, result, scalar, nil, nil, context) == 1 else {
            throw HealthSyncError(.cryptoFailure, "Scalar multiplication failed", cause: OpenSSLSupport.lastError())
        }
        return result
    }

    func times(_ scalar: OpaquePointer, _ point: OpaquePointer) throws -> OpaquePointer {
        let result = try newPoint()
        guard EC_POINT_mul(group, result, nil, point, scalar, context) == 1 else {
            throw HealthSyncError(.cryptoFailure, "Scalar multiplication failed", cause: OpenSSLSupport.lastError())
        }
        return result
    }

    func add(_ a: OpaquePointer, _ b: OpaquePointer) throws -> OpaquePointer {
        let result = try newPoint()
        guard EC_POINT_add(group, result, a, b, context) == 1 else {
            throw HealthSyncError(.cryptoFailure, "Point addition failed", cause: OpenSSLSupport.lastError())
        }
        return result
    }

    func subtract(_ a: OpaquePointer, _ b: OpaquePointer) throws -> OpaquePointer {
        let negated = try newPoint()
        guard EC_POINT_copy(negated, b) == 1, EC_POINT_invert(group, negated, context) == 1 else {
            throw HealthSyncError(.cryptoFailure, "Point negation failed", cause: OpenSSLSupport.lastError())
        }
        return try add(a, negated)
    }

    func requireNotIdentity(_ point: OpaquePointer) throws {
        guard EC_POINT_is_at_infinity(group, point) == 0 else {
            throw HealthSyncError(.invalidPairingCode, "The peer's share is invalid (identity after unmasking)")
        }
    }

    /// A point from trusted constant bytes (compressed or uncompressed).
    func decode(_ bytes: [UInt8]) throws -> OpaquePointer {
        let point = try newPoint()
        guard EC_POINT_oct2point(group, point, bytes, bytes.count, context) == 1 else {
            throw HealthSyncError(.cryptoFailure, "Bad curve constant", cause: OpenSSLSupport.lastError())
        }
        return point
    }

    /// A point received from a peer: exactly 65 bytes, 0x04 first (OpenSSL
    /// 3.0 would also take a lone 0x00 and hybrid 0x06/0x07 forms), on the
    /// curve and not the identity.
    func decodeShare(_ bytes: [UInt8]) throws -> OpaquePointer {
        let invalid = HealthSyncError(.invalidPairingCode, "The peer's share is not a valid P-256 point")
        guard bytes.count == 65, bytes[0] == 0x04 else { throw invalid }
        let point = try newPoint()
        guard EC_POINT_oct2point(group, point, bytes, 65, context) == 1,
              EC_POINT_is_on_curve(group, point, context) == 1,
              EC_POINT_is_at_infinity(group, point) == 0 else {
            ERR_clear_error()
            throw invalid
        }
        return point
    }

    func encode(_ point: OpaquePointer) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 65)
        guard EC_POINT_is_at_infinity(group, point) == 0,
              EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, &out, 65, context) == 65 else {
            throw HealthSyncError(.cryptoFailure, "Cannot encode a point")
        }
        return out
    }
}

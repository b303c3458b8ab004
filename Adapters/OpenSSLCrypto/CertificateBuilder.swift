import COpenSSL
import Foundation
import HealthSyncDomain
import HealthSyncPorts

/// Builds X.509 v3 certificates step by step; every pointer it returns is
/// owned by the caller.
enum CertificateBuilder {
    /// A new certificate with version, serial, names, validity and key set.
    static func start(spec: CertificateSpec, publicKey: OpaquePointer, issuer: OpaquePointer?) throws -> OpaquePointer {
        guard let x509 = X509_new() else { throw HealthSyncError(.cryptoFailure, "Out of memory") }
        do {
            let subject = try OpenSSLSupport.name(commonName: spec.commonName)
            defer { X509_NAME_free(subject) }
            guard X509_set_version(x509, 2) == 1,
                  try setSerial(x509, spec.serial),
                  X509_set_subject_name(x509, subject) == 1,
                  X509_set_issuer_name(x509, issuer.map { X509_get_subject_name($0) } ?? subject) == 1,
                  ASN1_TIME_set(X509_getm_notBefore(x509), time_t(spec.notBefore.timeIntervalSince1970)) != nil,
                  ASN1_TIME_set(X509_getm_notAfter(x509), time_t(spec.notAfter.timeIntervalSince1970)) != nil,
                  X509_set_pubkey(x509, publicKey) == 1 else {
                throw HealthSyncError(.cryptoFailure, "Cannot build a certificate", cause: OpenSSLSupport.lastError())
            }
            return x509
        } catch {
            X509_free(x509)
            throw error
        }
    }

    /// Serials are positive: the top bit is cleared, and an all-zero serial becomes 1.
    private static func setSerial(_ x509: OpaquePointer, _ serial: [UInt8]) throws -> Bool {
        guard (1...20).contains(serial.count) else {
            throw HealthSyncError(.cryptoFailure, "A serial number must have 1 to 20 bytes")
        }
        var bytes = serial
        bytes[0] &= 0x7f
        if bytes.allSatisfy({ $0 == 0 }) { bytes[bytes.count - 1] = 1 }
        guard let bignum = BN_bin2bn(bytes, Int32(bytes.count), nil) else { return false }
        defer { BN_free(bignum) }
        guard let integer = BN_to_ASN1_INTEGER(bignum, nil) else { return false }
        defer { ASN1_INTEGER_free(integer) }
        return X509_set_serialNumber(x509, integer) == 1
    }

    static func addExtensions(_ x509: OpaquePointer, issuer: OpaquePointer, _ extensions: [(Int32, String)]) throws {
        for (nid, value) in extensions where hs_x509_add_ext(x509, issuer, nid, value) != 1 {
            throw HealthSyncError(.cryptoFailure, "Cannot add the extension \(value)", cause: OpenSSLSupport.lastError())
        }
    }

    static func sign(_ x509: OpaquePointer, with key: OpaquePointer) throws {
        guard X509_sign(x509, key, EVP_sha256()) > 0 else {
            throw HealthSyncError(.cryptoFailure, "Cannot sign a certificate", cause: OpenSSLSupport.lastError())
        }
    }
}

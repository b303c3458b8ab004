import COpenSSL
import Foundation
import HealthSyncDomain

/// Turns PEM/DER into OpenSSL objects and OpenSSL certificates into values.
enum CertificateParser {
    static func load(pem: String) throws -> OpaquePointer {
        let bytes = Array(pem.utf8)
        guard bytes.count <= OpenSSLSupport.maxPEMBytes, pem.contains("-----BEGIN CERTIFICATE-----") else {
            throw HealthSyncError(.cryptoFailure, "Not a PEM certificate")
        }
        ERR_clear_error()
        guard let x509 = try OpenSSLSupport.withReadBIO(bytes, { PEM_read_bio_X509($0, nil, nil, nil) }) else {
            throw HealthSyncError(.cryptoFailure, "The certificate cannot be parsed", cause: OpenSSLSupport.lastError())
        }
        return x509
    }

    static func load(der: [UInt8]) throws -> OpaquePointer {
        guard !der.isEmpty, der.count <= OpenSSLSupport.maxPEMBytes else {
            throw HealthSyncError(.cryptoFailure, "The certificate cannot be parsed")
        }
        let x509 = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
        guard let x509 else {
            throw HealthSyncError(.cryptoFailure, "The certificate cannot be parsed", cause: OpenSSLSupport.lastError())
        }
        return x509
    }

    /// Parses a CSR and checks that it is signed by the key it requests for.
    static func loadRequest(_ pem: String) throws -> OpaquePointer {
        let bytes = Array(pem.utf8)
        guard bytes.count <= OpenSSLSupport.maxPEMBytes, pem.contains("-----BEGIN CERTIFICATE REQUEST-----") else {
            throw HealthSyncError(.protocolError, "Not a PEM certificate signing request")
        }
        ERR_clear_error()
        guard let request = try OpenSSLSupport.withReadBIO(bytes, { PEM_read_bio_X509_REQ($0, nil, nil, nil) }) else {
            throw HealthSyncError(.protocolError, "The signing request cannot be parsed", cause: OpenSSLSupport.lastError())
        }
        guard let key = X509_REQ_get0_pubkey(request), hs_pkey_is_p256(key) == 1,
              X509_REQ_verify(request, key) == 1 else {
            ERR_clear_error()
            X509_REQ_free(request)
            throw HealthSyncError(.protocolError, "The signing request is not a valid P-256 request")
        }
        return request
    }

    /// The certificate `x509` holds; `given` is the PEM it was read from,
    /// kept (its storage shared, not copied) when it is what OpenSSL writes.
    static func certificate(from x509: OpaquePointer, given: String? = nil) throws -> Certificate {
        let der = try OpenSSLSupport.certificateDER(x509)
        let pem = try OpenSSLSupport.collect { PEM_write_bio_X509($0, x509) == 1 }
        let text = given.flatMap { $0.utf8.elementsEqual(pem) ? $0 : nil } ?? String(decoding: pem, as: UTF8.self)
        guard X509_get0_pubkey(x509) != nil,
              let notBefore = OpenSSLSupport.date(X509_get0_notBefore(x509)),
              let notAfter = OpenSSLSupport.date(X509_get0_notAfter(x509)) else {
            throw HealthSyncError(.cryptoFailure, "The certificate lacks a key or validity")
        }
        var names: [String] = []
        if let text = hs_x509_san_text(x509) {
            names = String(cString: text).split(separator: "\n").map(String.init)
            free(text)
        }
        let isCA = X509_check_ca(x509) >= 1
        ERR_clear_error()
        return Certificate(
            der: der, pem: text,
            subject: OpenSSLSupport.commonName(X509_get_subject_name(x509)),
            issuer: OpenSSLSupport.commonName(X509_get_issuer_name(x509)),
            serial: serialHex(x509), notBefore: notBefore, notAfter: notAfter, subjectAltNames: names,
            fingerprint: SHA256Fingerprint(bytes: OpenSSLSupport.sha256(der))!,
            publicKeyID: DeviceID(bytes: OpenSSLSupport.sha256(try OpenSSLSupport.publicKeyDER(ofCertificate: x509)))!,
            isCA: isCA)
    }

    private static func serialHex(_ x509: OpaquePointer) -> String {
        guard let integer = X509_get0_serialNumber(x509),
              let bignum = ASN1_INTEGER_to_BN(integer, nil) else { return "" }
        defer { BN_free(bignum) }
        guard let hex = BN_bn2hex(bignum) else { return "" }
        defer { hs_openssl_free(hex) }
        return String(cString: hex)
    }
}

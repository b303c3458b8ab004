import COpenSSL
import Foundation
import HealthSyncDomain
import HealthSyncPorts

/// The `Crypto` port over system OpenSSL 3: P-256 keys, ECDSA-SHA256
/// certificates and CSRs, chain verification at a given time, SHA-256.
public struct OpenSSLCrypto: Crypto {
    public init() { _ = OpenSSLSupport.initialized }

    /// Starts OpenSSL's one-time set-up on a thread of its own: its first key
    /// decode reads the configuration and builds every provider's decoders
    /// (1.5 ms of a 20 ms `status`), which the command's own first use then
    /// finds done, or waits for, instead of doing it after parsing its arguments.
    public static func prepareInBackground() {
        Thread.detachNewThread {
            _ = OpenSSLSupport.initialized
            _ = hs_warm_decoders()
        }
    }

    public func generatePrivateKey() throws -> SecretBytes {
        ERR_clear_error()
        guard let pkey = hs_ec_p256_generate() else {
            throw HealthSyncError(.cryptoFailure, "Cannot generate a P-256 key", cause: OpenSSLSupport.lastError())
        }
        defer { EVP_PKEY_free(pkey) }
        let pem = try OpenSSLSupport.collect { PEM_write_bio_PrivateKey($0, pkey, nil, nil, 0, nil, nil) == 1 }
        return SecretBytes(pem)
    }

    public func deviceID(ofPrivateKey key: SecretBytes) throws -> DeviceID {
        let pkey = try OpenSSLSupport.loadPrivateKey(key)
        defer { EVP_PKEY_free(pkey) }
        return DeviceID(bytes: OpenSSLSupport.sha256(try OpenSSLSupport.publicKeyDER(pkey)))!
    }

    public func makeCertificateAuthority(key: SecretBytes, spec: CertificateSpec) throws -> Certificate {
        let pkey = try OpenSSLSupport.loadPrivateKey(key)
        defer { EVP_PKEY_free(pkey) }
        let x509 = try CertificateBuilder.start(spec: spec, publicKey: pkey, issuer: nil)
        defer { X509_free(x509) }
        try CertificateBuilder.addExtensions(x509, issuer: x509, [
            (NID_basic_constraints, "critical,CA:TRUE,pathlen:0"),
            (NID_key_usage, "critical,keyCertSign,cRLSign"),
            (NID_subject_key_identifier, "hash"),
        ])
        try CertificateBuilder.sign(x509, with: pkey)
        return try CertificateParser.certificate(from: x509)
    }

    public func makeSigningRequest(key: SecretBytes, commonName: String) throws -> String {
        let pkey = try OpenSSLSupport.loadPrivateKey(key)
        defer { EVP_PKEY_free(pkey) }
        guard let request = X509_REQ_new() else { throw HealthSyncError(.cryptoFailure, "Out of memory") }
        defer { X509_REQ_free(request) }
        let name = try OpenSSLSupport.name(commonName: commonName)
        defer { X509_NAME_free(name) }
        let deviceID = DeviceID(bytes: OpenSSLSupport.sha256(try OpenSSLSupport.publicKeyDER(pkey)))!
        guard X509_REQ_set_version(request, 0) == 1, X509_REQ_set_subject_name(request, name) == 1,
              X509_REQ_set_pubkey(request, pkey) == 1,
              hs_req_add_san(request, "URI:" + deviceID.uri) == 1,
              X509_REQ_sign(request, pkey, EVP_sha256()) > 0 else {
            throw HealthSyncError(.cryptoFailure, "Cannot build a signing request", cause: OpenSSLSupport.lastError())
        }
        let pem = try OpenSSLSupport.collect { PEM_write_bio_X509_REQ($0, request) == 1 }
        return String(decoding: pem, as: UTF8.self)
    }

    public func inspectSigningRequest(_ pem: String) throws -> SigningRequest {
        let request = try CertificateParser.loadRequest(pem)
        defer { X509_REQ_free(request) }
        let pkey = X509_REQ_get0_pubkey(request)!
        return SigningRequest(
            commonName: OpenSSLSupport.commonName(X509_REQ_get_subject_name(request)),
            deviceID: DeviceID(bytes: OpenSSLSupport.sha256(try OpenSSLSupport.publicKeyDER(pkey)))!)
    }

    public func issueCertificate(request pem: String, spec: CertificateSpec, role: CertificateRole,
                                 caKey: SecretBytes, caCertificate: Certificate) throws -> Certificate {
        let request = try CertificateParser.loadRequest(pem)
        defer { X509_REQ_free(request) }
        let subjectKey = X509_REQ_get0_pubkey(request)!
        let signingKey = try OpenSSLSupport.loadPrivateKey(caKey)
        defer { EVP_PKEY_free(signingKey) }
        let ca = try CertificateParser.load(pem: caCertificate.pem)
        defer { X509_free(ca) }
        guard X509_check_private_key(ca, signingKey) == 1 else {
            ERR_clear_error()
            throw HealthSyncError(.keystoreCorrupt, "The CA key does not match the CA certificate")
        }
        let deviceID = DeviceID(bytes: OpenSSLSupport.sha256(try OpenSSLSupport.publicKeyDER(subjectKey)))!
        let x509 = try CertificateBuilder.start(spec: spec, publicKey: subjectKey, issuer: ca)
        defer { X509_free(x509) }
        let names = (["URI:" + deviceID.uri] + spec.extraSubjectAltNames).joined(separator: ",")
        try CertificateBuilder.addExtensions(x509, issuer: ca, [
            (NID_basic_constraints, "critical,CA:FALSE"),
            (NID_key_usage, "critical,digitalSignature"),
            (NID_ext_key_usage, role == .server ? "serverAuth" : "clientAuth"),
            (NID_subject_key_identifier, "hash"),
            (NID_authority_key_identifier, "keyid:always"),
            (NID_subject_alt_name, names),
        ])
        try CertificateBuilder.sign(x509, with: signingKey)
        return try CertificateParser.certificate(from: x509)
    }

    public func parseCertificate(pem: String) throws -> Certificate {
        let x509 = try CertificateParser.load(pem: pem)
        defer { X509_free(x509) }
        return try CertificateParser.certificate(from: x509, given: pem)
    }

    public func verify(_ leaf: Certificate, intermediates: [Certificate], anchor: Certificate,
                       role: CertificateRole?, host: String?, at time: Date) -> ChainCheck {
        do {
            let leafX509 = try CertificateParser.load(der: leaf.der)
            defer { X509_free(leafX509) }
            let anchorX509 = try CertificateParser.load(der: anchor.der)
            defer { X509_free(anchorX509) }
            var untrusted: [OpaquePointer?] = try intermediates.map { try CertificateParser.load(der: $0.der) }
            defer { untrusted.forEach { X509_free($0) } }
            let purpose = switch role {
            case .server: X509_PURPOSE_SSL_SERVER
            case .client: X509_PURPOSE_SSL_CLIENT
            case nil: Int32(0)
            }
            ERR_clear_error()
            let code = untrusted.withUnsafeMutableBufferPointer { buffer in
                hs_x509_verify(leafX509, buffer.baseAddress, Int32(buffer.count), anchorX509, time_t(time.timeIntervalSince1970.rounded(.down)),
                               purpose, host)
            }
            ERR_clear_error()
            return Self.chainCheck(forVerifyError: code)
        } catch {
            return .badSignature
        }
    }

    /// X509_check_private_key's test (the certificate holds the key's public
    /// half), as equal hashes of the two SubjectPublicKeyInfo encodings: the
    /// certificate is not parsed again (each parse runs OpenSSL 3.0's decoder
    /// lookup for its key), and any difference in encoding is a mismatch.
    public func certificate(_ certificate: Certificate, matches key: SecretBytes) -> Bool {
        guard let id = try? deviceID(ofPrivateKey: key) else { return false }
        return id == certificate.publicKeyID
    }

    public func sha256(_ bytes: [UInt8]) -> [UInt8] { OpenSSLSupport.sha256(bytes) }

    public func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] { HMACSHA256.mac(key: key, data: data) }

    public func hmacSHA256(key: [UInt8]) -> @Sendable ([UInt8]) -> [UInt8] {
        let keyed = KeyedHMACSHA256(key: key)
        return { keyed.mac($0) }
    }

    /// Maps X509_V_ERR_* codes onto what the trust policy decides on.
    static func chainCheck(forVerifyError code: Int32) -> ChainCheck {
        switch code {
        case X509_V_OK: return .verified
        case X509_V_ERR_CERT_HAS_EXPIRED: return .expired
        case X509_V_ERR_CERT_NOT_YET_VALID: return .notYetValid
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
            return .selfSignedInChain
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_INVALID_PURPOSE:
            return .unknownIssuer
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            return .hostMismatch
        case X509_V_ERR_CERT_REVOKED:
            return .revoked
        default:
            return .badSignature
        }
    }
}

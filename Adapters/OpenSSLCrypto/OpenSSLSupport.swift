import COpenSSL
import Foundation
import HealthSyncDomain

/// Small helpers over OpenSSL's C API: memory BIOs, the error queue, DER
/// encodings. All pointers are created and freed inside one call.
enum OpenSSLSupport {
    /// OpenSSL initialised without its exit handler: OPENSSL_cleanup freed
    /// every provider, decoder and table at each command's exit (about half
    /// a millisecond), memory the kernel takes back with the process anyway.
    /// Evaluated by the adapters' initialisers, before any other OpenSSL call.
    static let initialized: Bool = {
        OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil) == 1
    }()

    /// PEM inputs larger than this are refused before OpenSSL sees them.
    static let maxPEMBytes = 64 * 1024

    /// The oldest error on this thread's queue as text; the queue is cleared.
    static func lastError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "unknown OpenSSL error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Runs `body` with a read-only memory BIO over `bytes`.
    static func withReadBIO<T>(_ bytes: [UInt8], _ body: (OpaquePointer) throws -> T) throws -> T {
        try bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                throw HealthSyncError(.cryptoFailure, "Out of memory", cause: lastError())
            }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    /// Runs `write` on a fresh memory BIO and returns what it wrote.
    static func collect(_ write: (OpaquePointer) -> Bool) throws -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else {
            throw HealthSyncError(.cryptoFailure, "Out of memory", cause: lastError())
        }
        defer { BIO_free(bio) }
        guard write(bio) else {
            throw HealthSyncError(.cryptoFailure, "Encoding failed", cause: lastError())
        }
        var data: UnsafeMutablePointer<CChar>?
        let length = hs_bio_mem_data(bio, &data)
        guard length > 0, let data else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    /// The DER encoding of a key's public half (SubjectPublicKeyInfo).
    static func publicKeyDER(_ pkey: OpaquePointer) throws -> [UInt8] {
        var spki = [UInt8](repeating: 0, count: 91)
        if hs_p256_spki(pkey, &spki) == 91 { return spki }
        return try der(pkey, i2d_PUBKEY, what: "a public key")
    }

    /// A certificate's SubjectPublicKeyInfo as it holds it: encoded again from
    /// the parsed structure, not from the key (no encoder lookup).
    static func publicKeyDER(ofCertificate x509: OpaquePointer) throws -> [UInt8] {
        guard let key = X509_get_X509_PUBKEY(x509) else {
            throw HealthSyncError(.cryptoFailure, "The certificate has no public key")
        }
        return try der(key, i2d_X509_PUBKEY, what: "a certificate's public key")
    }

    static func certificateDER(_ x509: OpaquePointer) throws -> [UInt8] {
        try der(x509, i2d_X509, what: "a certificate")
    }

    /// Runs an `i2d_*` encoder twice: once for the length, once to fill.
    private static func der(_ object: OpaquePointer,
                            _ encode: (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32,
                            what: String) throws -> [UInt8] {
        let length = encode(object, nil)
        guard length > 0 else { throw HealthSyncError(.cryptoFailure, "Cannot encode \(what)", cause: lastError()) }
        var der = [UInt8](repeating: 0, count: Int(length))
        der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            _ = encode(object, &cursor)
        }
        return der
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { raw in
            EVP_Digest(raw.baseAddress, raw.count, &digest, &length, EVP_sha256(), nil)
        }
        // EVP_Digest with SHA-256 fails only when out of memory.
        precondition(ok == 1 && length == 32, "SHA-256 failed: \(lastError())")
        return digest
    }

    /// Loads a PEM private key and checks it is P-256. The caller frees it.
    static func loadPrivateKey(_ key: SecretBytes) throws -> OpaquePointer {
        guard key.bytes.count <= maxPEMBytes else {
            throw HealthSyncError(.keystoreCorrupt, "The stored private key is too large")
        }
        ERR_clear_error()
        let pkey = try withReadBIO(key.bytes) { PEM_read_bio_PrivateKey($0, nil, nil, nil) }
        guard let pkey else {
            ERR_clear_error()
            throw HealthSyncError(.keystoreCorrupt, "The stored private key cannot be read")
        }
        guard hs_pkey_is_p256(pkey) == 1 else {
            EVP_PKEY_free(pkey)
            throw HealthSyncError(.keystoreCorrupt, "The stored private key is not a P-256 key")
        }
        return pkey
    }

    /// A text value of a name's common name, "" when absent.
    static func commonName(_ name: OpaquePointer?) -> String {
        guard let name else { return "" }
        let index = X509_NAME_get_index_by_NID(name, NID_commonName, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index),
              let data = X509_NAME_ENTRY_get_data(entry) else { return "" }
        var out: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&out, data)
        guard length >= 0, let out else { return "" }
        defer { hs_openssl_free(out) }
        return String(decoding: UnsafeBufferPointer(start: out, count: Int(length)), as: UTF8.self)
    }

    /// A new X509_NAME with one CN; the caller frees it.
    static func name(commonName: String) throws -> OpaquePointer {
        guard let name = X509_NAME_new() else { throw HealthSyncError(.cryptoFailure, "Out of memory") }
        let ok = commonName.withCString { cn in
            cn.withMemoryRebound(to: UInt8.self, capacity: commonName.utf8.count + 1) {
                X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, $0, -1, -1, 0)
            }
        }
        guard ok == 1 else {
            X509_NAME_free(name)
            throw HealthSyncError(.cryptoFailure, "Invalid common name", cause: lastError())
        }
        return name
    }

    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}

import COpenSSL
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWire

/// An `SSL_CTX` set up for HealthSync: TLS 1.3 only, peer certificates
/// requested and checked by HealthSync after the handshake, ALPN.
/// `@unchecked Sendable`: the context is configured once in `init` and
/// only read afterwards (OpenSSL allows concurrent `SSL_new` from it).
public final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer
    let isServer: Bool
    /// The protocols a client offers instead of HealthSync's (`bep-relay`
    /// to a Syncthing relay, `http/1.1` to a discovery server).
    private let alpn: [String]?

    /// A context; a server's `credentials` are loaded into it once, so each
    /// connection's `SSL` inherits them instead of parsing PEM again. A
    /// server resumes sessions (from a cache of its own, at most
    /// `sessionCacheSize` for an hour each) and, for sessions made with
    /// `requireKnownClient`, verifies at the handshake that the client's
    /// certificate chains to `clientCA`.
    public init(server: Bool, credentials: TransportCredentials? = nil, clientCA: Certificate? = nil,
                alpn: [String]? = nil) throws {
        self.alpn = alpn
        guard let context = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()) else {
            throw HealthSyncError(.cryptoFailure, "Cannot create a TLS context", cause: TLSErrors.drain())
        }
        guard hs_ssl_ctx_tls13_only(context) == 1 else {
            SSL_CTX_free(context)
            throw HealthSyncError(.cryptoFailure, "TLS 1.3 is not available", cause: TLSErrors.drain())
        }
        hs_ssl_ctx_request_peer_certificate(context)
        if server { hs_ssl_ctx_server_alpn(context) }
        self.context = context
        self.isServer = server
        if let credentials { try Self.use(credentials, on: context) }
        if server {
            guard hs_ssl_ctx_enable_resumption(context, Self.sessionCacheSize) == 1 else {
                throw HealthSyncError(.cryptoFailure, "Cannot set up TLS session resumption", cause: TLSErrors.drain())
            }
        }
        if let clientCA {
            let x509 = try PEMObjects.certificate(clientCA.pem)
            defer { X509_free(x509) }
            guard hs_ssl_ctx_set_client_ca(context, x509) == 1 else {
                throw HealthSyncError(.cryptoFailure, "Cannot set the CA clients must chain to", cause: TLSErrors.drain())
            }
        }
    }

    deinit { SSL_CTX_free(context) }

    /// Sessions a server keeps for resumption: HealthSync's own client does
    /// not resume, and the tools a user points at it need a few (one in use
    /// is kept at the front). Each holds its client's certificate (~5 KB),
    /// and long-lived ones scattered through the heap keep glibc from giving
    /// back what a burst of handshakes used.
    static let sessionCacheSize = 64

    /// A session for one connection, presenting `credentials` (if any);
    /// with `requireKnownClient`, the handshake fails unless the client
    /// presents a certificate from the context's client CA.
    public func makeSession(credentials: TransportCredentials? = nil, requireKnownClient: Bool = false) throws -> SSLSession {
        let ssl = try makeSSL(credentials: credentials)
        if requireKnownClient { hs_ssl_require_known_client(ssl) }
        return try SSLSession(ssl)
    }

    /// A new `SSL` presenting `credentials` (if any); the caller owns it.
    func makeSSL(credentials: TransportCredentials?) throws -> OpaquePointer {
        guard let ssl = SSL_new(context) else {
            throw HealthSyncError(.cryptoFailure, "Cannot create a TLS session", cause: TLSErrors.drain())
        }
        do {
            if let credentials { try use(credentials, on: ssl) }
            if !isServer {
                if let alpn {
                    let wire = alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
                    _ = SSL_set_alpn_protos(ssl, wire, UInt32(wire.count))
                } else {
                    _ = hs_ssl_client_alpn(ssl)
                }
            }
            return ssl
        } catch {
            SSL_free(ssl)
            throw error
        }
    }

    private static func use(_ credentials: TransportCredentials, on context: OpaquePointer) throws {
        let key = try PEMObjects.privateKey(credentials.key)
        defer { EVP_PKEY_free(key) }
        let leaf = try PEMObjects.certificate(credentials.certificate.pem)
        defer { X509_free(leaf) }
        guard SSL_CTX_use_certificate(context, leaf) == 1, SSL_CTX_use_PrivateKey(context, key) == 1,
              SSL_CTX_check_private_key(context) == 1 else {
            throw HealthSyncError(.keystoreCorrupt, "The TLS key does not match its certificate", cause: TLSErrors.drain())
        }
        for certificate in credentials.chain {
            let x509 = try PEMObjects.certificate(certificate.pem)
            defer { X509_free(x509) }
            guard hs_ssl_ctx_add_chain_certificate(context, x509) == 1 else {
                throw HealthSyncError(.cryptoFailure, "Cannot add the CA to the TLS chain", cause: TLSErrors.drain())
            }
        }
    }

    private func use(_ credentials: TransportCredentials, on ssl: OpaquePointer) throws {
        let key = try PEMObjects.privateKey(credentials.key)
        defer { EVP_PKEY_free(key) }
        let leaf = try PEMObjects.certificate(credentials.certificate.pem)
        defer { X509_free(leaf) }
        guard SSL_use_certificate(ssl, leaf) == 1, SSL_use_PrivateKey(ssl, key) == 1, SSL_check_private_key(ssl) == 1 else {
            throw HealthSyncError(.keystoreCorrupt, "The TLS key does not match its certificate", cause: TLSErrors.drain())
        }
        for certificate in credentials.chain {
            let x509 = try PEMObjects.certificate(certificate.pem)
            defer { X509_free(x509) }
            guard hs_ssl_add_chain_certificate(ssl, x509) == 1 else {
                throw HealthSyncError(.cryptoFailure, "Cannot add the CA to the TLS chain", cause: TLSErrors.drain())
            }
        }
    }
}

/// PEM to OpenSSL objects (the caller frees them).
enum PEMObjects {
    static func privateKey(_ key: SecretBytes) throws -> OpaquePointer {
        try withBIO(key.bytes) { bio in
            guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
                throw HealthSyncError(.keystoreCorrupt, "The device key cannot be read", cause: TLSErrors.drain())
            }
            return key
        }
    }

    static func certificate(_ pem: String) throws -> OpaquePointer {
        try withBIO(Array(pem.utf8)) { bio in
            guard let x509 = PEM_read_bio_X509(bio, nil, nil, nil) else {
                throw HealthSyncError(.keystoreCorrupt, "A certificate cannot be read", cause: TLSErrors.drain())
            }
            return x509
        }
    }

    private static func withBIO<T>(_ bytes: [UInt8], _ body: (OpaquePointer) throws -> T) throws -> T {
        try bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                throw HealthSyncError(.cryptoFailure, "Out of memory")
            }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }
}

/// OpenSSL's per-thread error queue, shared by every channel on an event
/// loop: cleared before each call and drained after a failure.
enum TLSErrors {
    static func drain() -> String { drainIsProtocolVersion().1 }

    /// Drains the queue and says why the server refused our certificate at
    /// the handshake, as HealthSync reports it (nil: it did not).
    static func drainCertificateRefusal() -> HealthSyncError? {
        var refusal: Int32 = 0
        while case let code = ERR_get_error(), code != 0 {
            refusal = max(refusal, hs_error_certificate_refusal(code))
        }
        switch refusal {
        case 1: return HandshakeRefusal.noPairingSession
        case 2: return HandshakeRefusal.untrustedCertificate
        default: return nil
        }
    }

    /// Drains the queue and tells whether it says "older TLS version".
    static func drainIsProtocolVersion() -> (Bool, String) {
        var version = false
        var messages: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            if hs_error_is_protocol_version(code) == 1 { version = true }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return (version, messages.isEmpty ? "no OpenSSL error" : messages.joined(separator: "; "))
    }
}

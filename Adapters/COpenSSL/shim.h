// A small C shim over system OpenSSL 3: Swift cannot import function-like
// macros, variadic functions or the STACK_OF helpers, so the few we need are
// wrapped here as static inline functions. Everything else is called directly.
#ifndef HEALTHSYNC_COPENSSL_SHIM_H
#define HEALTHSYNC_COPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <time.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

/// A fresh P-256 key (EVP_EC_gen is a variadic macro).
static inline EVP_PKEY *hs_ec_p256_generate(void) {
    return EVP_EC_gen("P-256");
}

/// Length and pointer of a memory BIO's contents (BIO_get_mem_data is a macro).
static inline long hs_bio_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

static inline void hs_openssl_free(void *p) { OPENSSL_free(p); }

/// 1 when the key is an EC key on P-256.
static inline int hs_pkey_is_p256(EVP_PKEY *pkey) {
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) return 0;
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, "group", group, sizeof group, &len) != 1) return 0;
    return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
}

/// Writes the SubjectPublicKeyInfo DER of a P-256 key whose point is
/// uncompressed (91 bytes: the fixed header, then the point) and returns 91;
/// 0 for any other key. i2d_PUBKEY gives the same bytes through OpenSSL 3.0's
/// encoder framework, a lookup of every encoder on each call.
static inline int hs_p256_spki(EVP_PKEY *pkey, unsigned char out[91]) {
    static const unsigned char header[26] = {
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
        0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    };
    size_t length = 0;
    if (!hs_pkey_is_p256(pkey)) return 0;
    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out + 26, 65, &length) != 1
        || length != 65 || out[26] != 0x04) {
        ERR_clear_error();
        return 0;
    }
    memcpy(out, header, sizeof header);
    return 91;
}

/// Loads what OpenSSL 3.0 builds at its first key decode (the configuration,
/// the default provider, every decoder it offers): a context for decoding a PEM
/// EC key pair, made and freed, decodes nothing. 1 on success.
static inline int hs_warm_decoders(void) {
    EVP_PKEY *pkey = NULL;
    OSSL_DECODER_CTX *ctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, "EC", EVP_PKEY_KEYPAIR, NULL, NULL);
    int ok = ctx != NULL && OSSL_DECODER_CTX_get_num_decoders(ctx) > 0;
    OSSL_DECODER_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

/// Adds one X.509v3 extension given in openssl.cnf syntax ("critical,CA:TRUE").
static inline int hs_x509_add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL) return 0;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/// Adds a subjectAltName request extension to a CSR.
static inline int hs_req_add_san(X509_REQ *req, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, NULL, NULL, req, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, value);
    if (ext == NULL) return 0;
    STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
    if (exts == NULL) { X509_EXTENSION_free(ext); return 0; }
    sk_X509_EXTENSION_push(exts, ext);
    int ok = X509_REQ_add_extensions(req, exts);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return ok;
}

/// The subjectAltName entries of a certificate as "URI:…\nDNS:…\nIP:…\n",
/// malloc'ed (free with free()); NULL when there are none.
static inline char *hs_x509_san_text(X509 *cert) {
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    if (names == NULL) return NULL;
    size_t cap = 256, used = 0;
    char *out = malloc(cap);
    if (out == NULL) { GENERAL_NAMES_free(names); return NULL; }
    out[0] = 0;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        char item[320];
        item[0] = 0;
        if (name->type == GEN_URI || name->type == GEN_DNS) {
            ASN1_IA5STRING *s = name->d.ia5;
            int len = ASN1_STRING_length(s);
            if (len > 256) continue;
            snprintf(item, sizeof item, "%s:%.*s\n", name->type == GEN_URI ? "URI" : "DNS",
                     len, (const char *)ASN1_STRING_get0_data(s));
        } else if (name->type == GEN_IPADD) {
            const unsigned char *ip = ASN1_STRING_get0_data(name->d.ip);
            int len = ASN1_STRING_length(name->d.ip);
            char buf[INET6_ADDRSTRLEN] = {0};
            if (len == 4) inet_ntop(AF_INET, ip, buf, sizeof buf);
            else if (len == 16) inet_ntop(AF_INET6, ip, buf, sizeof buf);
            else continue;
            snprintf(item, sizeof item, "IP:%s\n", buf);
        } else {
            continue;
        }
        size_t n = strlen(item);
        if (used + n + 1 > cap) {
            cap = (used + n + 1) * 2;
            char *grown = realloc(out, cap);
            if (grown == NULL) { free(out); GENERAL_NAMES_free(names); return NULL; }
            out = grown;
        }
        memcpy(out + used, item, n + 1);
        used += n;
    }
    GENERAL_NAMES_free(names);
    return out;
}

/// Verifies `leaf` (with optional untrusted intermediates) against the single
/// trust anchor at the given time. Returns the X509_V_ERR_* code (0 = valid).
/// `purpose` is X509_PURPOSE_SSL_CLIENT/SERVER or 0; `host` may be NULL.
static inline int hs_x509_verify(X509 *leaf, X509 **untrusted, int untrusted_count,
                                 X509 *anchor, time_t at, int purpose, const char *host) {
    int result = X509_V_ERR_UNSPECIFIED;
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *chain = sk_X509_new_null();
    if (store == NULL || ctx == NULL || chain == NULL) goto done;
    if (anchor != NULL && X509_STORE_add_cert(store, anchor) != 1) goto done;
    for (int i = 0; i < untrusted_count; i++) sk_X509_push(chain, untrusted[i]);
    if (X509_STORE_CTX_init(ctx, store, leaf, chain) != 1) goto done;
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_time(param, at);
    X509_VERIFY_PARAM_set_depth(param, 4);
    if (purpose != 0) X509_STORE_CTX_set_purpose(ctx, purpose);
    if (host != NULL) {
        if (X509_VERIFY_PARAM_set1_ip_asc(param, host) != 1) {
            ERR_clear_error();
            X509_VERIFY_PARAM_set1_host(param, host, 0);
        }
    }
    result = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
    if (result == X509_V_OK && X509_STORE_CTX_get_error(ctx) != X509_V_OK)
        result = X509_STORE_CTX_get_error(ctx);
done:
    if (chain) sk_X509_free(chain);
    if (ctx) X509_STORE_CTX_free(ctx);
    if (store) X509_STORE_free(store);
    return result;
}


// ---- TLS (used by the OpenSSL transport) ----

/// TLS 1.3 only, small idle buffers, and only the key-exchange groups that
/// cost little: X25519, P-256, P-384 (FFDHE's 8192-bit groups cost a server
/// over 100 ms per handshake, an easy way to burn its CPU).
static inline int hs_ssl_ctx_tls13_only(SSL_CTX *ctx) {
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    return SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) == 1
        && SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1
        && SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") == 1;
}

/// Replaces an SSL's memory BIOs that hold no data but a buffer over
/// `above` bytes (what a handshake's flights or a large response grew them
/// to: a memory BIO never shrinks) with new, empty ones; the old ones are
/// freed. An idle connection then keeps only what it needs.
static inline void hs_ssl_release_idle_bios(SSL *ssl, size_t above) {
    BIO *bios[2] = { SSL_get_rbio(ssl), SSL_get_wbio(ssl) };
    for (int index = 0; index < 2; index++) {
        BIO *bio = bios[index];
        BUF_MEM *memory = NULL;
        if (bio == NULL || BIO_ctrl_pending(bio) != 0 || BIO_get_mem_ptr(bio, &memory) != 1 || memory == NULL
            || memory->max <= above) continue;
        BIO *fresh = BIO_new(BIO_s_mem());
        if (fresh == NULL) continue;
        if (index == 0) SSL_set0_rbio(ssl, fresh); else SSL_set0_wbio(ssl, fresh);
    }
}

/// HMAC-SHA256 keyed once, for `hs_hmac_sha256_with` to copy: the one-shot
/// HMAC() fetches the algorithm and hashes the key again on every call.
static inline EVP_MAC_CTX *hs_hmac_sha256_keyed(const unsigned char *key, size_t key_length) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *context = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (context == NULL) return NULL;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_init(context, key, key_length, params) != 1) {
        EVP_MAC_CTX_free(context);
        return NULL;
    }
    return context;
}

/// HMAC-SHA256 of `data` with a context from `hs_hmac_sha256_keyed` (left as it is: a copy is used).
static inline int hs_hmac_sha256_with(const EVP_MAC_CTX *keyed, const unsigned char *data, size_t length,
                                      unsigned char out[32]) {
    EVP_MAC_CTX *context = EVP_MAC_CTX_dup(keyed);
    if (context == NULL) return 0;
    size_t written = 0;
    int ok = EVP_MAC_update(context, data, length) == 1 && EVP_MAC_final(context, out, &written, 32) == 1 && written == 32;
    EVP_MAC_CTX_free(context);
    return ok;
}

/// OpenSSL's session cache drops its oldest entry when full, whether or
/// not a client still resumes it: a resumed session is put back at the
/// front, so what is in use stays while the tickets each handshake issues
/// push out what is not.
static inline void hs_ssl_keep_resumed_session(const SSL *ssl, int where, int ret) {
    (void)ret;
    if ((where & SSL_CB_ACCEPT_LOOP) == 0 || SSL_get_state(ssl) != TLS_ST_SR_FINISHED) return;
    if (!SSL_session_reused((SSL *)ssl)) return;
    SSL_SESSION *session = SSL_get_session(ssl);
    if (session != NULL) SSL_CTX_add_session(SSL_get_SSL_CTX(ssl), session);
}

/// Session resumption for a server context: a session ID context (without
/// one OpenSSL answers every resumption of a verified session with an
/// internal_error alert) and sessions kept in this context's own cache,
/// at most `cache_size` of them (the oldest go first) for an hour each.
/// TLS 1.3 "stateful" tickets: a ticket only names a cached session, so
/// no session state ever leaves this process under a ticket key, and
/// neither issuing a ticket nor resuming one encodes and decodes the
/// session again, as OpenSSL 3.0 does with every stateless ticket (the
/// client's certificate parsed once more each time: a third of a full
/// handshake's cost, in a profile). One ticket per handshake: HealthSync's
/// own client does not resume, and a client that does needs one.
static inline int hs_ssl_ctx_enable_resumption(SSL_CTX *ctx, long cache_size) {
    static const unsigned char context[] = "healthsync/1";
    if (SSL_CTX_set_session_id_context(ctx, context, sizeof(context) - 1) != 1) return 0;
    SSL_CTX_set_timeout(ctx, 3600);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, cache_size);
    SSL_CTX_set_info_callback(ctx, hs_ssl_keep_resumed_session);
    return SSL_CTX_set_num_tickets(ctx, 1);
}

/// Whether the session was resumed (SSL_session_reused is a macro in some versions).
static inline int hs_ssl_session_reused(SSL *ssl) { return (int)SSL_session_reused(ssl); }

/// The handshake's verification when no pairing session is open: a client
/// certificate is required and must chain to `ca` (times are HealthSync's
/// to judge, by its clock, after the handshake).
static inline int hs_ssl_ctx_set_client_ca(SSL_CTX *ctx, X509 *ca) {
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    if (store == NULL || X509_STORE_add_cert(store, ca) != 1) return 0;
    X509_VERIFY_PARAM *param = SSL_CTX_get0_param(ctx);
    return X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME) == 1;
}

/// OpenSSL's own verdict on the chain (against the store with the client CA).
static inline int hs_keep_verdict(int preverify_ok, X509_STORE_CTX *ctx) {
    (void)ctx;
    return preverify_ok;
}

/// A NULL callback would leave the context's accept-anything callback in
/// place (SSL_set_verify keeps the old one), and a stranger's certificate
/// would pass the handshake: the verdict must be OpenSSL's own.
static inline void hs_ssl_require_known_client(SSL *ssl) {
    SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, hs_keep_verdict);
}

/// Why the server refused our certificate at the handshake: 1 when it
/// wanted one we did not send, 2 when it does not trust the one we sent, 0
/// for anything else.
static inline int hs_error_certificate_refusal(unsigned long code) {
    int reason = ERR_GET_REASON(code);
    if (reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED) return 1;
    if (reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA || reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE
        || reason == SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE) return 2;
    return 0;
}

/// Accepts whatever chain the peer sends: HealthSync verifies it after the
/// handshake against the CA pinned for that peer (or the QR fingerprint).
static inline int hs_accept_any_certificate(int preverify_ok, X509_STORE_CTX *ctx) {
    (void)preverify_ok; (void)ctx;
    return 1;
}

/// Asks the peer for a certificate without requiring one (pairing routes
/// are open to clients that have none yet).
static inline void hs_ssl_ctx_request_peer_certificate(SSL_CTX *ctx) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, hs_accept_any_certificate);
}

/// Server ALPN: healthsync/1 when offered, else http/1.1 (curl offers h2,http/1.1).
static inline int hs_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                 const unsigned char *in, unsigned int inlen, void *arg) {
    static const unsigned char preferred[] = "\x0chealthsync/1\x08http/1.1";
    (void)ssl; (void)arg;
    if (SSL_select_next_proto((unsigned char **)out, outlen, preferred, sizeof(preferred) - 1, in, inlen)
        == OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_OK;
    return SSL_TLSEXT_ERR_NOACK;
}

static inline void hs_ssl_ctx_server_alpn(SSL_CTX *ctx) {
    SSL_CTX_set_alpn_select_cb(ctx, hs_alpn_select, NULL);
}

static inline int hs_ssl_client_alpn(SSL *ssl) {
    static const unsigned char offered[] = "\x0chealthsync/1\x08http/1.1";
    return SSL_set_alpn_protos(ssl, offered, sizeof(offered) - 1) == 0;
}

static inline int hs_ssl_add_chain_certificate(SSL *ssl, X509 *x509) { return (int)SSL_add1_chain_cert(ssl, x509); }
static inline int hs_ssl_ctx_add_chain_certificate(SSL_CTX *context, X509 *x509) { return (int)SSL_CTX_add1_chain_cert(context, x509); }

static inline size_t hs_bio_pending(BIO *bio) { return BIO_ctrl_pending(bio); }

/// The peer's certificates as concatenated PEM, leaf first; malloc'ed, NULL when none.
static inline char *hs_ssl_peer_chain_pem(SSL *ssl, int is_server) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return NULL;
    X509 *leaf = SSL_get1_peer_certificate(ssl);
    if (leaf == NULL) { BIO_free(bio); return NULL; }
    PEM_write_bio_X509(bio, leaf);
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    // A client's chain includes the leaf; a server's view of a client's does not.
    for (int i = is_server ? 0 : 1; chain != NULL && i < sk_X509_num(chain) && i < 8; i++)
        PEM_write_bio_X509(bio, sk_X509_value(chain, i));
    X509_free(leaf);
    char *data = NULL;
    long length = BIO_get_mem_data(bio, &data);
    char *copy = malloc((size_t)length + 1);
    if (copy != NULL) { memcpy(copy, data, (size_t)length); copy[length] = 0; }
    BIO_free(bio);
    return copy;
}

/// 1 when the last error means the peer speaks an older TLS than 1.3.
static inline int hs_error_is_protocol_version(unsigned long code) {
    int reason = ERR_GET_REASON(code);
    return reason == SSL_R_UNSUPPORTED_PROTOCOL || reason == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION
        || reason == SSL_R_NO_PROTOCOLS_AVAILABLE || reason == SSL_R_WRONG_VERSION_NUMBER
        || reason == SSL_R_UNSUPPORTED_SSL_VERSION;
}

#endif

import COpenSSL
import HealthSyncDomain

/// Owns one `SSL` and its two memory BIOs. `@unchecked Sendable`: it is
/// touched only on its channel's event loop, and freed in `deinit` (never
/// while a handler method may still run, since NIO can re-enter
/// `channelInactive` from inside a failing write).
public final class SSLSession: @unchecked Sendable {
    let ssl: OpaquePointer
    private(set) var network: OpaquePointer   // our side of the wbio: ciphertext to send
    private(set) var incoming: OpaquePointer  // the rbio: ciphertext received

    /// Buffers over this size are given back when their BIO is empty (a
    /// request's kilobyte kept by each of 10 000 idle connections was 10 MB).
    static let idleBufferBytes = 256

    /// Swaps a drained BIO whose buffer grew (a handshake's flights, a page
    /// of samples) for a new one: 10 000 idle connections held ~7 KB each in them.
    func releaseIdleBuffers() {
        hs_ssl_release_idle_bios(ssl, Self.idleBufferBytes)
        if let rbio = SSL_get_rbio(ssl) { incoming = rbio }
        if let wbio = SSL_get_wbio(ssl) { network = wbio }
    }

    public init(_ ssl: OpaquePointer) throws {
        guard let incoming = BIO_new(BIO_s_mem()), let network = BIO_new(BIO_s_mem()) else {
            throw HealthSyncError(.cryptoFailure, "Out of memory")
        }
        SSL_set_bio(ssl, incoming, network)  // the SSL now owns both
        self.ssl = ssl
        self.network = network
        self.incoming = incoming
    }

    deinit {
        // SSL_free drops the session from a server's cache unless the
        // connection was shut down with close_notify, which HealthSync's
        // peers (and curl, and s_time) mostly do not send. A session whose
        // handshake finished stays resumable, as a stateless ticket would:
        // OpenSSL has already dropped it if a fatal alert ended the
        // connection, and every resumed connection is checked again.
        if SSL_is_init_finished(ssl) == 1 { SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_SENT_SHUTDOWN) }
        SSL_free(ssl)
    }
}

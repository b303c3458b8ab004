import Synchronization

/// A client `TLSContext` made on first use and kept: an SSL_CTX costs
/// OpenSSL a few milliseconds of algorithm fetching, which commands that
/// never connect (`status --offline`, `samples list`) should not pay at
/// start-up.
public final class LazyTLSContext: Sendable {
    private let alpn: [String]?
    private let made = Mutex<TLSContext?>(nil)

    /// `alpn`: the protocols offered instead of HealthSync's, as for `TLSContext`.
    public init(alpn: [String]? = nil) { self.alpn = alpn }

    /// The context, made now if it was not yet (an error is thrown again on the next call).
    public func get() throws -> TLSContext {
        try made.withLock { made in
            if let context = made { return context }
            let context = try TLSContext(server: false, alpn: alpn)
            made = context
            return context
        }
    }
}

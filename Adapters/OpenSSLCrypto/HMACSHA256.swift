import COpenSSL

/// HMAC-SHA256 and HKDF-SHA256 (RFC 5869) over OpenSSL's HMAC.
enum HMACSHA256 {
    static func mac(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { keyBytes in
            data.withUnsafeBytes { dataBytes in
                HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(key.count), dataBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                     data.count, &out, &length)
            }
        }
        // HMAC-SHA256 fails only when out of memory.
        precondition(result != nil && length == 32, "HMAC-SHA256 failed")
        return out
    }

    static func hkdf(ikm: [UInt8], salt: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        precondition(length <= 255 * 32)
        let prk = mac(key: salt.isEmpty ? [UInt8](repeating: 0, count: 32) : salt, data: ikm)
        var output: [UInt8] = [], block: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < length {
            block = mac(key: prk, data: block + info + [counter])
            output += block
            counter += 1
        }
        return Array(output.prefix(length))
    }
}

/// HMAC-SHA256 keyed once for many messages (an import MACs every element
/// with one key): the one-shot `HMAC()` fetches the algorithm and hashes the
/// key again each time. Its context is freed with it.
final class KeyedHMACSHA256: Sendable {
    // Safe to share across threads: the context is only ever read (EVP_MAC_CTX_dup copies it for each MAC).
    private nonisolated(unsafe) let context: OpaquePointer?
    private let key: [UInt8]

    init(key: [UInt8]) {
        self.key = key
        context = key.withUnsafeBufferPointer { hs_hmac_sha256_keyed($0.baseAddress, $0.count) }
    }

    deinit { EVP_MAC_CTX_free(context) }

    func mac(_ data: [UInt8]) -> [UInt8] {
        guard let context else { return HMACSHA256.mac(key: key, data: data) }
        var out = [UInt8](repeating: 0, count: 32)
        let ok = data.withUnsafeBufferPointer { hs_hmac_sha256_with(context, $0.baseAddress, $0.count, &out) }
        // It fails only when out of memory.
        precondition(ok == 1, "HMAC-SHA256 failed")
        return out
    }
}

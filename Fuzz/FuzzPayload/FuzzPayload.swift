// libFuzzer harness (scripts/fuzz.sh): what a person scans or pastes, and
// addresses and fingerprints typed or received.
import HealthSyncDomain

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPayload(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? PairingPayload(parsing: text)
    _ = PairingPayload.extract(from: text)
    _ = try? Endpoint(parsing: text, defaultPort: 8443)
    _ = Endpoint.isLoopback(text)
    _ = SHA256Fingerprint(parsing: text)
    _ = SHA256Fingerprint(uri: text)
    _ = PairingCode.isWellFormed(text)
    _ = Printable.clean(text)
    _ = Printable.terminal(text)
    return 0
}

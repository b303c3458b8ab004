// libFuzzer harness (scripts/fuzz.sh): every packet that reaches port 5353.
// What decodes must encode again and decode to the same message.
import DNSSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDNS(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard let message = try? DNSMessage(decoding: Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    for record in message.records { _ = record.textAttributes }
    let again = message.encoded()
    if again.count <= DNSMessage.maxBytes, (try? DNSMessage(decoding: again)) != message {
        fatalError("a decoded message did not survive encoding")
    }
    return 0
}

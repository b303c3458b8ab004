// libFuzzer harness (scripts/fuzz.sh): every body and request-target a peer,
// a discovery answer or the control API can receive, through the decoders
// the routers use. Built in debug, so the wire's internal types are testable.
import HealthSyncDomain
@testable import HealthSyncWire
import SampleJSONSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWire(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? WireCodec.decode(PairingWire.TokenRequest.self, from: bytes)
    _ = try? WireCodec.decode(PairingWire.CodeParameters.self, from: bytes)
    _ = try? WireCodec.decode(PairingWire.CodeShare.self, from: bytes)
    _ = try? WireCodec.decode(PairingWire.CodeShareReply.self, from: bytes)
    _ = try? WireCodec.decode(PairingWire.CodeConfirm.self, from: bytes)
    _ = try? WireCodec.decode(PairingWire.Exchange.self, from: bytes)
    _ = try? WireCodec.decode(PairingWire.Finish.self, from: bytes)
    _ = try? WireCodec.decode(PeerWire.RenewalRequest.self, from: bytes)
    _ = try? WireCodec.decode(PeerStatus.self, from: bytes)
    _ = try? WireCodec.decode(SampleChanges.self, from: bytes)
    _ = try? WireCodec.decode(DiscoveryAnnouncement.self, from: bytes)
    _ = try? WireCodec.decode(ControlJoin.self, from: bytes)
    _ = try? WireCodec.decode(ControlPairingState.self, from: bytes)
    _ = WireCodec.error(from: WireResponse(status: 400, body: bytes))
    _ = try? PeerWire.page(from: WireResponse(status: 200, body: bytes))
    _ = SampleJSONReader.page(bytes)
    let request = WireRequest(method: "GET", uri: text)
    _ = try? SampleQueryString.query(from: request.query)
    _ = PercentEncoding.decode(text)
    return 0
}

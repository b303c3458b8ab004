import CQREncode
import HealthSyncDomain
import HealthSyncPorts

/// The `QREncoder` port over libqrencode.
public struct LibQREncodeEncoder: QREncoder {
    /// The payloads HealthSync encodes are a few hundred bytes at most.
    static let maxTextBytes = 1024

    public init() {}

    public func encode(_ text: String) throws -> QRCode {
        guard !text.isEmpty, text.utf8.count <= Self.maxTextBytes, !text.utf8.contains(0) else {
            throw HealthSyncError(.invalidArgument, "A QR code holds 1 to \(Self.maxTextBytes) bytes of text without NUL")
        }
        let qrencode = try QREncodeLibrary.shared.get()
        let bytes = Array(text.utf8)
        guard let symbol = qrencode.encodeData(Int32(bytes.count), bytes, 0, QR_ECLEVEL_M) else {
            throw HealthSyncError(.invalidArgument, "libqrencode could not encode \(bytes.count) bytes")
        }
        defer { qrencode.free(symbol) }
        let size = Int(symbol.pointee.width)
        // Bit 0 of each byte is the module's colour; the other bits are libqrencode's bookkeeping.
        let modules = (0..<(size * size)).map { symbol.pointee.data[$0] & 1 == 1 }
        return QRCode(size: size, modules: modules)
    }
}

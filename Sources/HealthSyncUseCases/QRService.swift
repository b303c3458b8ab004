import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// Pairing payloads as QR codes: drawn for the terminal, saved as PNG, and
/// read back from an image.
public struct QRService: Sendable {
    /// Phone screenshots are a few megabytes; nothing larger is read.
    public static let maxImageBytes = 16 * 1024 * 1024
    public static let maxImagePixels = 40_000_000
    static let pngScale = 8
    static let margin = 2

    private let deps: Dependencies

    public init(_ deps: Dependencies) { self.deps = deps }

    public func code(for payload: String) throws -> QRCode { try deps.qrEncoder.encode(payload) }

    /// Saves `payload` as a PNG QR code at `path` (0600, atomically: it
    /// holds a live pairing token).
    public func savePNG(_ payload: String, to path: String) throws {
        let png = try deps.qrImages.png(of: try code(for: payload), scale: Self.pngScale, margin: Self.margin)
        try deps.files.writeAtomically(path, png, mode: 0o600)
    }

    /// The pairing payload in the image at `path`: the first QR code there
    /// that is a HealthSync payload.
    public func payload(inImageAt path: String) throws -> String {
        guard let bytes = try deps.files.read(path, maxBytes: Self.maxImageBytes) else {
            throw HealthSyncError(.invalidArgument, "There is no file at \(path)")
        }
        let texts = try deps.qrImages.decode(png: bytes, maxPixels: Self.maxImagePixels)
        guard !texts.isEmpty else {
            throw HealthSyncError(.invalidQRPayload, "No QR code was found in \(path)",
                                  hint: "Take the picture again with the whole QR code in view, or use `healthsync pair --code`.")
        }
        guard let payload = texts.first(where: { (try? PairingPayload(parsing: $0)) != nil }) else {
            throw HealthSyncError(.invalidQRPayload, "The QR code in \(path) is not a HealthSync pairing code")
        }
        return payload
    }
}

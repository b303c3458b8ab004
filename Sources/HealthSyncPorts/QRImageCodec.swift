import HealthSyncDomain

/// QR codes as image files: PNG out, the texts of QR codes found in a PNG in.
public protocol QRImageCodec: Sendable {
    /// A PNG of `code`: 8-bit grey, `scale` pixels per module, a
    /// `margin`-module quiet zone.
    func png(of code: QRCode, scale: Int, margin: Int) throws -> [UInt8]

    /// The texts of every QR code in the PNG `bytes`, in the order found;
    /// empty when there is none. Throws `INVALID_QR_PAYLOAD` for data that
    /// is not a PNG or an image larger than `maxPixels`.
    func decode(png bytes: [UInt8], maxPixels: Int) throws -> [String]
}

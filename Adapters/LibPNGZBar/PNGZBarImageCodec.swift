import CPNG
import CZBar
import HealthSyncDomain
import HealthSyncPorts

/// The `QRImageCodec` port: PNG through libpng's simplified API, QR codes
/// found by libzbar.
public struct PNGZBarImageCodec: QRImageCodec {
    public init() {}

    public func png(of code: QRCode, scale: Int, margin: Int) throws -> [UInt8] {
        guard (1...32).contains(scale), (0...16).contains(margin) else {
            throw HealthSyncError(.invalidArgument, "A QR image takes 1 to 32 pixels per module and a margin of 0 to 16")
        }
        let (pixels, width) = code.greyPixels(scale: scale, margin: margin)
        var length = 0
        var message = [CChar](repeating: 0, count: 256)
        guard let encoded = hs_png_encode_gray(pixels, UInt32(width), UInt32(width), &length, &message, message.count) else {
            throw HealthSyncError(.storageFailure, "libpng could not encode the QR image: \(Self.text(message))")
        }
        defer { hs_png_free(encoded) }
        return Array(UnsafeBufferPointer(start: encoded, count: length))
    }

    public func decode(png bytes: [UInt8], maxPixels: Int) throws -> [String] {
        var width: UInt32 = 0
        var height: UInt32 = 0
        var message = [CChar](repeating: 0, count: 256)
        guard let grey = hs_png_decode_gray(bytes, bytes.count, UInt64(maxPixels), &width, &height,
                                            &message, message.count) else {
            throw HealthSyncError(.invalidQRPayload, "The image is not a readable PNG: \(Self.text(message))",
                                  hint: "Save the QR code as a PNG file and pass it with --image.")
        }
        defer { hs_png_free(grey) }
        guard let scanner = zbar_image_scanner_create() else {
            throw HealthSyncError(.cryptoFailure, "libzbar could not create a scanner")
        }
        defer { zbar_image_scanner_destroy(scanner) }
        // Only QR codes: other symbologies would only add false reads.
        zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0)
        zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1)
        guard let image = zbar_image_create() else {
            throw HealthSyncError(.cryptoFailure, "libzbar could not create an image")
        }
        defer { zbar_image_destroy(image) }
        zbar_image_set_format(image, hs_zbar_y800())
        zbar_image_set_size(image, width, height)
        // No cleanup handler: `grey` outlives the image and is freed above.
        zbar_image_set_data(image, grey, UInt(width) * UInt(height), nil)
        guard zbar_scan_image(scanner, image) >= 0 else { return [] }
        var texts: [String] = []
        var symbol = zbar_image_first_symbol(image)
        while let current = symbol {
            if let data = zbar_symbol_get_data(current) {
                let length = Int(zbar_symbol_get_data_length(current))
                texts.append(String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self))
            }
            symbol = zbar_symbol_next(current)
        }
        return texts
    }

    private static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

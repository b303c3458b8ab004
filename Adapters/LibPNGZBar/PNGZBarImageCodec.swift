import CPNG
import CZBar
import HealthSyncDomain
import HealthSyncPorts

/// The `QRImageCodec` port: PNG through libpng's simplified API, QR codes
/// found by libzbar; both opened when first needed.
public struct PNGZBarImageCodec: QRImageCodec {
    public init() {}

    public func png(of code: QRCode, scale: Int, margin: Int) throws -> [UInt8] {
        guard (1...32).contains(scale), (0...16).contains(margin) else {
            throw HealthSyncError(.invalidArgument, "A QR image takes 1 to 32 pixels per module and a margin of 0 to 16")
        }
        let (pixels, width) = code.greyPixels(scale: scale, margin: margin)
        var api = try PNGLibrary.shared.get().api
        var length = 0
        var message = [CChar](repeating: 0, count: 256)
        guard let encoded = hs_png_encode_gray(&api, pixels, UInt32(width), UInt32(width), &length, &message, message.count) else {
            throw HealthSyncError(.storageFailure, "libpng could not encode the QR image: \(Self.text(message))")
        }
        defer { hs_png_free(encoded) }
        return Array(UnsafeBufferPointer(start: encoded, count: length))
    }

    public func decode(png bytes: [UInt8], maxPixels: Int) throws -> [String] {
        var api = try PNGLibrary.shared.get().api
        let zbar = try ZBarLibrary.shared.get()
        var width: UInt32 = 0
        var height: UInt32 = 0
        var message = [CChar](repeating: 0, count: 256)
        guard let grey = hs_png_decode_gray(&api, bytes, bytes.count, UInt64(maxPixels), &width, &height,
                                            &message, message.count) else {
            throw HealthSyncError(.invalidQRPayload, "The image is not a readable PNG: \(Self.text(message))",
                                  hint: "Save the QR code as a PNG file and pass it with --image.")
        }
        defer { hs_png_free(grey) }
        guard let scanner = zbar.scannerCreate() else {
            throw HealthSyncError(.cryptoFailure, "libzbar could not create a scanner")
        }
        defer { zbar.scannerDestroy(scanner) }
        // Only QR codes: other symbologies would only add false reads.
        _ = zbar.scannerSetConfig(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0)
        _ = zbar.scannerSetConfig(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1)
        guard let image = zbar.imageCreate() else {
            throw HealthSyncError(.cryptoFailure, "libzbar could not create an image")
        }
        defer { zbar.imageDestroy(image) }
        zbar.imageSetFormat(image, hs_zbar_y800())
        zbar.imageSetSize(image, width, height)
        // No cleanup handler: `grey` outlives the image and is freed above.
        zbar.imageSetData(image, grey, UInt(width) * UInt(height), nil)
        guard zbar.scanImage(scanner, image) >= 0 else { return [] }
        var texts: [String] = []
        var symbol = zbar.imageFirstSymbol(image)
        while let current = symbol {
            if let data = zbar.symbolGetData(current) {
                let length = Int(zbar.symbolGetDataLength(current))
                texts.append(String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self))
            }
            symbol = zbar.symbolNext(current)
        }
        return texts
    }

    private static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

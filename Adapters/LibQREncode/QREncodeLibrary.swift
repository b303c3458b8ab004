import CQREncode
import DynamicLibrarySupport
import HealthSyncDomain

/// libqrencode's functions, opened on first use (once per process).
struct QREncodeLibrary: Sendable {
    let encodeData: hs_qrcode_encode_data_fn
    let free: hs_qrcode_free_fn

    /// The library, or why it cannot be loaded (asked again, it says the same).
    static let shared = Result { try QREncodeLibrary(DynamicLibrary("libqrencode.so.4", package: "libqrencode4")) }

    private init(_ library: DynamicLibrary) throws {
        encodeData = try library.function("QRcode_encodeData", as: hs_qrcode_encode_data_fn.self)
        free = try library.function("QRcode_free", as: hs_qrcode_free_fn.self)
    }
}

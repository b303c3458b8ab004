import CPNG
import CZBar
import DynamicLibrarySupport
import HealthSyncDomain

/// libpng's simplified API, opened on first use (once per process).
struct PNGLibrary: Sendable {
    let api: hs_png_api

    /// The library, or why it cannot be loaded (asked again, it says the same).
    static let shared = Result { try PNGLibrary(DynamicLibrary("libpng16.so.16", package: "libpng16-16")) }

    private init(_ library: DynamicLibrary) throws {
        api = hs_png_api(
            write_to_memory: try library.function("png_image_write_to_memory", as: hs_png_write_to_memory_fn.self),
            begin_read_from_memory: try library.function("png_image_begin_read_from_memory",
                                                         as: hs_png_begin_read_from_memory_fn.self),
            finish_read: try library.function("png_image_finish_read", as: hs_png_finish_read_fn.self),
            image_free: try library.function("png_image_free", as: hs_png_image_free_fn.self))
    }
}

/// libzbar's functions, opened on first use (once per process): it brings
/// X11, D-Bus and V4L with it, which only `scan --image` needs.
struct ZBarLibrary: Sendable {
    let scannerCreate: hs_zbar_image_scanner_create_fn
    let scannerDestroy: hs_zbar_image_scanner_destroy_fn
    let scannerSetConfig: hs_zbar_image_scanner_set_config_fn
    let imageCreate: hs_zbar_image_create_fn
    let imageDestroy: hs_zbar_image_destroy_fn
    let imageSetFormat: hs_zbar_image_set_format_fn
    let imageSetSize: hs_zbar_image_set_size_fn
    let imageSetData: hs_zbar_image_set_data_fn
    let scanImage: hs_zbar_scan_image_fn
    let imageFirstSymbol: hs_zbar_image_first_symbol_fn
    let symbolGetData: hs_zbar_symbol_get_data_fn
    let symbolGetDataLength: hs_zbar_symbol_get_data_length_fn
    let symbolNext: hs_zbar_symbol_next_fn

    /// The library, or why it cannot be loaded (asked again, it says the same).
    static let shared = Result { try ZBarLibrary(DynamicLibrary("libzbar.so.0", package: "libzbar0")) }

    private init(_ library: DynamicLibrary) throws {
        scannerCreate = try library.function("zbar_image_scanner_create", as: hs_zbar_image_scanner_create_fn.self)
        scannerDestroy = try library.function("zbar_image_scanner_destroy", as: hs_zbar_image_scanner_destroy_fn.self)
        scannerSetConfig = try library.function("zbar_image_scanner_set_config", as: hs_zbar_image_scanner_set_config_fn.self)
        imageCreate = try library.function("zbar_image_create", as: hs_zbar_image_create_fn.self)
        imageDestroy = try library.function("zbar_image_destroy", as: hs_zbar_image_destroy_fn.self)
        imageSetFormat = try library.function("zbar_image_set_format", as: hs_zbar_image_set_format_fn.self)
        imageSetSize = try library.function("zbar_image_set_size", as: hs_zbar_image_set_size_fn.self)
        imageSetData = try library.function("zbar_image_set_data", as: hs_zbar_image_set_data_fn.self)
        scanImage = try library.function("zbar_scan_image", as: hs_zbar_scan_image_fn.self)
        imageFirstSymbol = try library.function("zbar_image_first_symbol", as: hs_zbar_image_first_symbol_fn.self)
        symbolGetData = try library.function("zbar_symbol_get_data", as: hs_zbar_symbol_get_data_fn.self)
        symbolGetDataLength = try library.function("zbar_symbol_get_data_length", as: hs_zbar_symbol_get_data_length_fn.self)
        symbolNext = try library.function("zbar_symbol_next", as: hs_zbar_symbol_next_fn.self)
    }
}

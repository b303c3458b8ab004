#include <zbar.h>

/* zbar_fourcc is a macro: the Y800 (8-bit grey) format code. */
static inline unsigned long hs_zbar_y800(void) { return zbar_fourcc('Y', '8', '0', '0'); }

/* libzbar (with X11, D-Bus and V4L behind it) is opened when an image is
 * first scanned (dlopen), not at start-up: the prototypes of the functions
 * HealthSync takes from it. */
typedef __typeof__(&zbar_image_scanner_create) hs_zbar_image_scanner_create_fn;
typedef __typeof__(&zbar_image_scanner_destroy) hs_zbar_image_scanner_destroy_fn;
typedef __typeof__(&zbar_image_scanner_set_config) hs_zbar_image_scanner_set_config_fn;
typedef __typeof__(&zbar_image_create) hs_zbar_image_create_fn;
typedef __typeof__(&zbar_image_destroy) hs_zbar_image_destroy_fn;
typedef __typeof__(&zbar_image_set_format) hs_zbar_image_set_format_fn;
typedef __typeof__(&zbar_image_set_size) hs_zbar_image_set_size_fn;
typedef __typeof__(&zbar_image_set_data) hs_zbar_image_set_data_fn;
typedef __typeof__(&zbar_scan_image) hs_zbar_scan_image_fn;
typedef __typeof__(&zbar_image_first_symbol) hs_zbar_image_first_symbol_fn;
typedef __typeof__(&zbar_symbol_get_data) hs_zbar_symbol_get_data_fn;
typedef __typeof__(&zbar_symbol_get_data_length) hs_zbar_symbol_get_data_length_fn;
typedef __typeof__(&zbar_symbol_next) hs_zbar_symbol_next_fn;

#include <qrencode.h>

/* libqrencode is opened when a QR code is first drawn (dlopen), not at
 * start-up: the prototypes of the functions HealthSync takes from it. */
typedef __typeof__(&QRcode_encodeData) hs_qrcode_encode_data_fn;
typedef __typeof__(&QRcode_free) hs_qrcode_free_fn;

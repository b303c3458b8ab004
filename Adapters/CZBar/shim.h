#include <zbar.h>

/* zbar_fourcc is a macro: the Y800 (8-bit grey) format code. */
static inline unsigned long hs_zbar_y800(void) { return zbar_fourcc('Y', '8', '0', '0'); }

#include <zlib.h>

/* inflateInit2 is a macro: raw deflate streams (ZIP entries) use -MAX_WBITS. */
static inline int hs_inflate_init_raw(z_stream *stream) { return inflateInit2(stream, -MAX_WBITS); }

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libpng is opened when an image is first written or read (dlopen), not at
 * start-up: the functions HealthSync takes from it, with their own prototypes. */
typedef struct hs_png_api {
    __typeof__(&png_image_write_to_memory) write_to_memory;
    __typeof__(&png_image_begin_read_from_memory) begin_read_from_memory;
    __typeof__(&png_image_finish_read) finish_read;
    __typeof__(&png_image_free) image_free;
} hs_png_api;
typedef __typeof__(&png_image_write_to_memory) hs_png_write_to_memory_fn;
typedef __typeof__(&png_image_begin_read_from_memory) hs_png_begin_read_from_memory_fn;
typedef __typeof__(&png_image_finish_read) hs_png_finish_read_fn;
typedef __typeof__(&png_image_free) hs_png_image_free_fn;

/* libpng's simplified API (no setjmp): 8-bit grey images to and from memory.
 * PNG_IMAGE_VERSION, PNG_FORMAT_GRAY and PNG_IMAGE_SIZE are macros, hence
 * these helpers. Each returns a malloc'd buffer (free with hs_png_free) or
 * NULL with a message in `error`. */

static inline void hs_png_free(void *buffer) { free(buffer); }

static inline unsigned char *hs_png_encode_gray(const hs_png_api *api, const unsigned char *pixels, unsigned width, unsigned height,
                                                size_t *length, char *error, size_t error_length) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = width;
    image.height = height;
    image.format = PNG_FORMAT_GRAY;
    png_alloc_size_t size = 0;
    if (!api->write_to_memory(&image, NULL, &size, 0, pixels, 0, NULL)) {
        snprintf(error, error_length, "%s", image.message);
        api->image_free(&image);
        return NULL;
    }
    unsigned char *out = malloc(size);
    if (out == NULL) {
        snprintf(error, error_length, "out of memory");
        return NULL;
    }
    if (!api->write_to_memory(&image, out, &size, 0, pixels, 0, NULL)) {
        snprintf(error, error_length, "%s", image.message);
        api->image_free(&image);
        free(out);
        return NULL;
    }
    *length = size;
    return out;
}

static inline unsigned char *hs_png_decode_gray(const hs_png_api *api, const unsigned char *data, size_t data_length,
                                                unsigned long long max_pixels, unsigned *width, unsigned *height,
                                                char *error, size_t error_length) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!api->begin_read_from_memory(&image, data, data_length)) {
        snprintf(error, error_length, "%s", image.message);
        api->image_free(&image);
        return NULL;
    }
    if (image.width == 0 || image.height == 0
        || (unsigned long long)image.width * (unsigned long long)image.height > max_pixels) {
        snprintf(error, error_length, "the image is %ux%u pixels, more than allowed", image.width, image.height);
        api->image_free(&image);
        return NULL;
    }
    image.format = PNG_FORMAT_GRAY;
    unsigned char *buffer = malloc(PNG_IMAGE_SIZE(image));
    if (buffer == NULL) {
        snprintf(error, error_length, "out of memory");
        api->image_free(&image);
        return NULL;
    }
    /* Transparent pixels are composed onto white, as a screen shows them. */
    png_color white = { 255, 255, 255 };
    if (!api->finish_read(&image, &white, buffer, 0, NULL)) {
        snprintf(error, error_length, "%s", image.message);
        api->image_free(&image);
        free(buffer);
        return NULL;
    }
    *width = image.width;
    *height = image.height;
    return buffer;
}

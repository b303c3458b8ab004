#include <libxml/xmlversion.h>
/* Debian's libxml2 is built with ICU, and its encoding header then pulls in
 * the system ICU headers, which clash with the ICU Foundation ships. Nothing
 * here uses libxml2's ICU converters (the struct that holds them is only
 * ever handled by pointer inside libxml2), so the headers are read without. */
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlreader.h>
#include <libxml/parser.h>

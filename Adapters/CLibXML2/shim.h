#include <libxml/xmlversion.h>
/* Debian's libxml2 is built with ICU, and its encoding header then pulls in
 * the system ICU headers, which clash with the ICU Foundation ships. Nothing
 * here uses libxml2's ICU converters (the struct that holds them is only
 * ever handled by pointer inside libxml2), so the headers are read without. */
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlreader.h>
#include <libxml/parser.h>

/* libxml2 (with ICU and liblzma behind it: a millisecond of every start-up,
 * for the dynamic loader alone) is opened when an export is first read
 * (dlopen): the prototypes of the functions HealthSync takes from it. */
typedef __typeof__(&xmlReaderForIO) hs_xmlReaderForIO_fn;
typedef __typeof__(&xmlReaderForMemory) hs_xmlReaderForMemory_fn;
typedef __typeof__(&xmlFreeTextReader) hs_xmlFreeTextReader_fn;
typedef __typeof__(&xmlTextReaderSetErrorHandler) hs_xmlTextReaderSetErrorHandler_fn;
typedef __typeof__(&xmlTextReaderRead) hs_xmlTextReaderRead_fn;
typedef __typeof__(&xmlTextReaderNodeType) hs_xmlTextReaderNodeType_fn;
typedef __typeof__(&xmlTextReaderDepth) hs_xmlTextReaderDepth_fn;
typedef __typeof__(&xmlTextReaderIsEmptyElement) hs_xmlTextReaderIsEmptyElement_fn;
typedef __typeof__(&xmlTextReaderAttributeCount) hs_xmlTextReaderAttributeCount_fn;
typedef __typeof__(&xmlTextReaderMoveToNextAttribute) hs_xmlTextReaderMoveToNextAttribute_fn;
typedef __typeof__(&xmlTextReaderMoveToElement) hs_xmlTextReaderMoveToElement_fn;
typedef __typeof__(&xmlTextReaderConstLocalName) hs_xmlTextReaderConstLocalName_fn;
typedef __typeof__(&xmlTextReaderConstValue) hs_xmlTextReaderConstValue_fn;

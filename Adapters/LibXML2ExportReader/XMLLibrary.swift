import CLibXML2
import DynamicLibrarySupport
import HealthSyncDomain

/// libxml2's reader functions, opened on first use (once per process): the
/// library brings ICU and liblzma with it, which every other command and the
/// daemon would otherwise load and relocate at start-up.
struct XMLLibrary: Sendable {
    let readerForIO: hs_xmlReaderForIO_fn
    let readerForMemory: hs_xmlReaderForMemory_fn
    let freeReader: hs_xmlFreeTextReader_fn
    let setErrorHandler: hs_xmlTextReaderSetErrorHandler_fn
    let read: hs_xmlTextReaderRead_fn
    let nodeType: hs_xmlTextReaderNodeType_fn
    let depth: hs_xmlTextReaderDepth_fn
    let isEmptyElement: hs_xmlTextReaderIsEmptyElement_fn
    let attributeCount: hs_xmlTextReaderAttributeCount_fn
    let moveToNextAttribute: hs_xmlTextReaderMoveToNextAttribute_fn
    let moveToElement: hs_xmlTextReaderMoveToElement_fn
    let localName: hs_xmlTextReaderConstLocalName_fn
    let value: hs_xmlTextReaderConstValue_fn

    /// The library, or why it cannot be loaded (asked again, it says the same).
    static let shared = Result { try XMLLibrary(DynamicLibrary("libxml2.so.2", package: "libxml2")) }

    private init(_ library: DynamicLibrary) throws {
        readerForIO = try library.function("xmlReaderForIO", as: hs_xmlReaderForIO_fn.self)
        readerForMemory = try library.function("xmlReaderForMemory", as: hs_xmlReaderForMemory_fn.self)
        freeReader = try library.function("xmlFreeTextReader", as: hs_xmlFreeTextReader_fn.self)
        setErrorHandler = try library.function("xmlTextReaderSetErrorHandler", as: hs_xmlTextReaderSetErrorHandler_fn.self)
        read = try library.function("xmlTextReaderRead", as: hs_xmlTextReaderRead_fn.self)
        nodeType = try library.function("xmlTextReaderNodeType", as: hs_xmlTextReaderNodeType_fn.self)
        depth = try library.function("xmlTextReaderDepth", as: hs_xmlTextReaderDepth_fn.self)
        isEmptyElement = try library.function("xmlTextReaderIsEmptyElement", as: hs_xmlTextReaderIsEmptyElement_fn.self)
        attributeCount = try library.function("xmlTextReaderAttributeCount", as: hs_xmlTextReaderAttributeCount_fn.self)
        moveToNextAttribute = try library.function("xmlTextReaderMoveToNextAttribute",
                                                   as: hs_xmlTextReaderMoveToNextAttribute_fn.self)
        moveToElement = try library.function("xmlTextReaderMoveToElement", as: hs_xmlTextReaderMoveToElement_fn.self)
        localName = try library.function("xmlTextReaderConstLocalName", as: hs_xmlTextReaderConstLocalName_fn.self)
        value = try library.function("xmlTextReaderConstValue", as: hs_xmlTextReaderConstValue_fn.self)
    }
}

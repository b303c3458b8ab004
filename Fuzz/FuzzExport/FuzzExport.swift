// libFuzzer harness (scripts/fuzz.sh): an Apple Health export, XML or zip,
// read from a file as `samples import` reads it.
#if canImport(Glibc)
import Glibc
#endif
import HealthSyncDomain
import LibXML2ExportReader

/// One temporary file, rewritten for each input (the reader takes a path).
nonisolated(unsafe) private var path: String = {
    var template = Array("/tmp/healthsync-fuzz-export-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    close(fd)
    return String(cString: template)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExport(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let fd = open(path, O_WRONLY | O_TRUNC)
    guard fd >= 0 else { return 0 }
    _ = write(fd, data, size)
    close(fd)
    _ = try? LibXML2ExportReader().records(in: path, batchSize: 512) { _ in }
    return 0
}

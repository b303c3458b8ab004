// libFuzzer harness (scripts/fuzz.sh): config.yaml as libyaml and our
// bounded node reader see it.
import LibYAMLConfigReader

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = try? LibYAMLConfigReader().parse(Array(UnsafeBufferPointer(start: data, count: size)), source: "fuzz")
    return 0
}

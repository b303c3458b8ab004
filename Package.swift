// swift-tools-version: 6.1
// HealthSync: hexagonal layout. The target graph below is the architecture:
// domain, ports, bus and use cases know no adapter; adapters know only the
// domain, the ports, shared support targets (the wire protocol, the NIO
// plumbing, the keystores' file format) and shared C modules — never another
// adapter; HealthSyncWiring is the only target that imports adapters.
// ArchitectureTests reads this manifest and enforces it.
import Foundation
import PackageDescription

let domain: Target.Dependency = "HealthSyncDomain"
let ports: Target.Dependency = "HealthSyncPorts"

/// An adapter target under Adapters/<Name>: it sees the domain, the ports and
/// the C modules it names, nothing else of ours.
func adapter(_ name: String, _ extra: [Target.Dependency] = []) -> Target {
    .target(name: name, dependencies: [domain, ports] + extra, path: "Adapters/\(name)")
}

/// A support target under Adapters/<Name>: code several adapters share (as
/// NIOCore is shared by NIOPosix and NIOEmbedded). It is no adapter itself
/// and may use other support targets.
func support(_ name: String, _ extra: [Target.Dependency] = []) -> Target {
    .target(name: name, dependencies: [domain, ports] + extra, path: "Adapters/\(name)")
}

let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let nioHTTP1: Target.Dependency = .product(name: "NIOHTTP1", package: "swift-nio")

// The release binary is linked by lld with its relative relocations packed
// (RELR: 2.5 MB of .rela.dyn become 20 KB, none of it read at start-up any
// more) and without the dynamic symbol table the Swift driver gives every
// executable: 23 000 symbols nothing looks up, which the loader searched
// first for each symbol of every library. The daemon's resident memory: -5 MB.
let releaseLinking: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
                 .when(configuration: .release)),
]

let package = Package(
    name: "HealthSync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "healthsync", targets: ["healthsync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Core: pure Swift, no I/O libraries.
        .target(name: "HealthSyncDomain"),
        .target(name: "HealthSyncPorts", dependencies: [domain]),
        .target(name: "HealthSyncBus", dependencies: [domain]),
        .target(name: "HealthSyncUseCases", dependencies: [domain, ports, "HealthSyncBus"]),

        // C modules over system libraries (shared by adapters).
        .systemLibrary(name: "COpenSSL", path: "Adapters/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CYAML", path: "Adapters/CYAML", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CQREncode", path: "Adapters/CQREncode",
                       providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CPNG", path: "Adapters/CPNG",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZBar", path: "Adapters/CZBar",
                       providers: [.apt(["libzbar-dev"])]),
        // No pkgConfig: it would link libxml2 (and ICU, liblzma) into every start-up;
        // LibXML2ExportReader opens it when an export is read, and names its headers.
        .systemLibrary(name: "CLibXML2", path: "Adapters/CLibXML2", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CZlib", path: "Adapters/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // Support shared by adapters.
        support("SampleJSONSupport"),
        support("HealthSyncWire", ["SampleJSONSupport"]),
        support("KeyStoreSupport"),
        support("DynamicLibrarySupport"),
        support("NIOHTTPSupport", ["HealthSyncWire", "COpenSSL", nioCore, nioPosix, nioHTTP1]),
        support("DiscoverySupport", [nioCore, nioPosix]),
        support("DNSSupport"),

        // Driven adapters.
        adapter("OpenSSLCrypto", ["COpenSSL"]),
        adapter("PosixFileSystem"),
        adapter("FileKeyStore", ["KeyStoreSupport"]),
        adapter("SQLiteKeyStore", ["KeyStoreSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        adapter("MemoryKeyStore"),
        adapter("SQLiteSampleStore", [.product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        adapter("MemorySampleStore"),
        adapter("LibYAMLConfigReader", ["CYAML"]),
        adapter("LoopbackTransport", ["HealthSyncWire"]),
        adapter("OpenSSLTransport", ["HealthSyncWire", "NIOHTTPSupport", nioCore, nioPosix]),
        adapter("NIOControlChannel", ["HealthSyncWire", "NIOHTTPSupport", nioCore, nioPosix]),
        adapter("UDPLocalDiscovery", ["HealthSyncWire", "DiscoverySupport", nioCore, nioPosix]),
        adapter("MulticastDNSDiscovery", ["DiscoverySupport", "DNSSupport", nioCore, nioPosix]),
        adapter("WormholeRendezvous", [nioCore, nioPosix, nioHTTP1, .product(name: "NIOWebSocket", package: "swift-nio")]),
        adapter("SyncthingGlobalDiscovery", ["HealthSyncWire", "NIOHTTPSupport", nioCore, nioPosix]),
        .target(name: "LibXML2ExportReader", dependencies: [domain, ports, "CLibXML2", "CZlib", "DynamicLibrarySupport"],
                path: "Adapters/LibXML2ExportReader",
                swiftSettings: [.unsafeFlags(["-Xcc", "-I/usr/include/libxml2"])]),
        adapter("LibQREncode", ["CQREncode", "DynamicLibrarySupport"]),
        adapter("LibPNGZBar", ["CPNG", "CZBar", "DynamicLibrarySupport"]),
        adapter("TerminalPresenter", ["SampleJSONSupport"]),
        adapter("TerminalPrompt"),
        adapter("ShellClipboard"),
        adapter("JSONPresenter"),
        adapter("SystemClock"),
        adapter("ManualClock"),

        // Composition root and the driving CLI.
        .target(name: "HealthSyncWiring", dependencies: [
            domain, ports, "HealthSyncBus", "HealthSyncUseCases",
            "OpenSSLCrypto", "PosixFileSystem", "FileKeyStore", "SQLiteKeyStore", "MemoryKeyStore",
            "SQLiteSampleStore", "MemorySampleStore", "LibYAMLConfigReader",
            "TerminalPresenter", "JSONPresenter", "SystemClock", "LoopbackTransport",
            "OpenSSLTransport", "NIOControlChannel", "LibQREncode", "LibPNGZBar", "UDPLocalDiscovery", "MulticastDNSDiscovery",
            "SyncthingGlobalDiscovery", "WormholeRendezvous", "LibXML2ExportReader",
            "TerminalPrompt", "ShellClipboard", "SampleJSONSupport",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "healthsync", dependencies: [
            domain, ports, "HealthSyncUseCases", "HealthSyncWiring",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: releaseLinking),

        // scripts/bench.sh's helper: holds many mutual-TLS connections open.
        .executableTarget(name: "healthsync-bench", dependencies: [domain, ports, "HealthSyncWiring"]),

        // Tests.
        .target(name: "HealthSyncTestSupport", dependencies: [domain, ports], path: "Tests/TestSupport"),
        .testTarget(name: "HealthSyncCoreTests", dependencies: [
            domain, ports, "HealthSyncBus", "HealthSyncUseCases", "HealthSyncWiring", "HealthSyncTestSupport",
            "ManualClock", "LoopbackTransport",
        ]),
        .testTarget(name: "AdapterContractTests", dependencies: [
            domain, ports, "HealthSyncTestSupport", "OpenSSLCrypto", "PosixFileSystem", "FileKeyStore", "SQLiteKeyStore",
            "MemoryKeyStore", "SQLiteSampleStore", "MemorySampleStore", "LibYAMLConfigReader",
            "TerminalPresenter", "JSONPresenter", "ManualClock", "NIOControlChannel", "LoopbackTransport", "UDPLocalDiscovery",
            "LibQREncode", "LibPNGZBar", "LibXML2ExportReader", "OpenSSLTransport", "HealthSyncWire", "KeyStoreSupport",
            "SampleJSONSupport", "TerminalPrompt", "NIOHTTPSupport", "MulticastDNSDiscovery", "DNSSupport",
            "SyncthingGlobalDiscovery", "WormholeRendezvous", "DynamicLibrarySupport",
        ]),
        .testTarget(name: "WiringTests", dependencies: [domain, ports, "HealthSyncWiring", "HealthSyncTestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["healthsync", domain, "HealthSyncTestSupport"]),
    ]
)

// scripts/fuzz.sh only (HEALTHSYNC_FUZZ=1, --sanitize=fuzzer --sanitize=address):
// one libFuzzer harness per parser, whose entry point is libFuzzer's own main.
if ProcessInfo.processInfo.environment["HEALTHSYNC_FUZZ"] != nil {
    func harness(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
        .executableTarget(name: name, dependencies: dependencies, path: "Fuzz/\(name)",
                          swiftSettings: [.unsafeFlags(["-parse-as-library"])])
    }
    package.targets += [
        harness("FuzzPayload", [domain]),
        harness("FuzzWire", [domain, "HealthSyncWire", "SampleJSONSupport"]),
        harness("FuzzYAML", ["LibYAMLConfigReader"]),
        harness("FuzzExport", [domain, "LibXML2ExportReader"]),
        harness("FuzzDNS", ["DNSSupport"]),
    ]
}

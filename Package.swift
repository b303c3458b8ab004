// swift-tools-version: 6.1
// HealthSync: hexagonal layout. The target graph below is the architecture:
// domain, ports, bus and use cases know no adapter; adapters know only the
// domain, the ports and shared C modules; HealthSyncWiring is the only target
// that imports adapters. ArchitectureTests reads this manifest and enforces it.
import PackageDescription

let domain: Target.Dependency = "HealthSyncDomain"
let ports: Target.Dependency = "HealthSyncPorts"

/// An adapter target under Adapters/<Name>: it sees the domain, the ports and
/// the C modules it names, nothing else of ours.
func adapter(_ name: String, _ extra: [Target.Dependency] = []) -> Target {
    .target(name: name, dependencies: [domain, ports] + extra, path: "Adapters/\(name)")
}

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
        .systemLibrary(name: "CQREncode", path: "Adapters/CQREncode", pkgConfig: "libqrencode",
                       providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CPNG", path: "Adapters/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZBar", path: "Adapters/CZBar", pkgConfig: "zbar",
                       providers: [.apt(["libzbar-dev"])]),
        .systemLibrary(name: "CLibXML2", path: "Adapters/CLibXML2", pkgConfig: "libxml-2.0",
                       providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CZlib", path: "Adapters/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // Driven adapters.
        adapter("OpenSSLCrypto", ["COpenSSL"]),
        adapter("PosixFileSystem"),
        adapter("FileKeyStore"),
        adapter("SQLiteKeyStore", [.product(name: "GRDB", package: "GRDB.swift")]),
        adapter("MemoryKeyStore"),
        adapter("SQLiteSampleStore", [.product(name: "GRDB", package: "GRDB.swift")]),
        adapter("MemorySampleStore"),
        adapter("LibYAMLConfigReader", ["CYAML"]),
        adapter("LoopbackTransport"),
        adapter("OpenSSLTransport", ["COpenSSL", .product(name: "NIOCore", package: "swift-nio"),
                                     .product(name: "NIOPosix", package: "swift-nio"),
                                     .product(name: "NIOHTTP1", package: "swift-nio")]),
        adapter("NIOControlChannel", [.product(name: "NIOCore", package: "swift-nio"),
                                      .product(name: "NIOPosix", package: "swift-nio"),
                                      .product(name: "NIOHTTP1", package: "swift-nio")]),
        adapter("UDPLocalDiscovery", [.product(name: "NIOCore", package: "swift-nio"),
                                      .product(name: "NIOPosix", package: "swift-nio")]),
        adapter("LibXML2ExportReader", ["CLibXML2", "CZlib"]),
        adapter("LibQREncode", ["CQREncode"]),
        adapter("LibPNGZBar", ["CPNG", "CZBar"]),
        adapter("TerminalPresenter"),
        adapter("JSONPresenter"),
        adapter("SystemClock"),
        adapter("ManualClock"),

        // Composition root and the driving CLI.
        .target(name: "HealthSyncWiring", dependencies: [
            domain, ports, "HealthSyncBus", "HealthSyncUseCases",
            "OpenSSLCrypto", "PosixFileSystem", "FileKeyStore", "SQLiteKeyStore", "MemoryKeyStore",
            "SQLiteSampleStore", "MemorySampleStore", "LibYAMLConfigReader",
            "TerminalPresenter", "JSONPresenter", "SystemClock", "ManualClock", "LoopbackTransport",
            "OpenSSLTransport", "NIOControlChannel", "LibQREncode", "LibPNGZBar", "UDPLocalDiscovery", "LibXML2ExportReader",
        ]),
        .executableTarget(name: "healthsync", dependencies: [
            domain, ports, "HealthSyncUseCases", "HealthSyncWiring",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),

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
            "LibQREncode", "LibPNGZBar", "LibXML2ExportReader",
        ]),
        .testTarget(name: "WiringTests", dependencies: [domain, ports, "HealthSyncWiring", "HealthSyncTestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["healthsync", domain, "HealthSyncTestSupport"]),
    ]
)

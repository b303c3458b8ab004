import Foundation
import HealthSyncTestSupport
import Testing

/// Reads the package manifest (`swift package describe`) and the sources,
/// and enforces the hexagon: the core knows no adapter, no C module and no
/// wire format; adapters know no other adapter, only shared support targets;
/// the CLI only parses and presents; tests read nothing outside the repository.
@Suite("Architecture")
struct ArchitectureTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let core: Set = ["HealthSyncDomain", "HealthSyncPorts", "HealthSyncBus", "HealthSyncUseCases"]

    struct Target {
        let name: String
        let path: String
        let type: String
        let targets: [String]
        let products: [String]
    }

    /// The manifest as SwiftPM describes it. A scratch path of its own keeps
    /// it from waiting on the `.build` lock that `swift test` holds.
    static func describe() async throws -> [Target] {
        let swift = try #require(ProcessRunner.which("swift") ?? (FileManager.default.isExecutableFile(
            atPath: "/opt/swift/usr/bin/swift") ? "/opt/swift/usr/bin/swift" : nil))
        let scratch = TemporaryDirectory("describe")
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFTPM_ENABLE_PLUGINS"] = "0"
        let result = try await ProcessRunner.runDetached(
            swift, ["package", "--scratch-path", scratch.path, "describe", "--type", "json"],
            environment: environment, directory: repository)
        try #require(result.status == 0, "swift package describe failed: \(result.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let targets = try #require(json["targets"] as? [[String: Any]])
        return targets.map {
            Target(name: $0["name"] as? String ?? "", path: $0["path"] as? String ?? "", type: $0["type"] as? String ?? "",
                   targets: $0["target_dependencies"] as? [String] ?? [],
                   products: $0["product_dependencies"] as? [String] ?? [])
        }
    }

    @Test func theTargetGraphKeepsTheHexagon() async throws {
        let targets = try await Self.describe()
        let byName = Dictionary(uniqueKeysWithValues: targets.map { ($0.name, $0) })
        let cModules = Set(targets.filter { $0.type == "system-target" }.map(\.name))
        let supports = Set(targets.filter { Self.isSupport($0) }.map(\.name))
        let adapters = Set(targets.filter { $0.path.hasPrefix("Adapters/") && $0.type != "system-target" && !Self.isSupport($0) }
            .map(\.name))

        for name in Self.core {
            let target = try #require(byName[name], "missing core target \(name)")
            #expect(Set(target.targets).isSubset(of: Self.core), "\(name) depends on \(target.targets)")
            #expect(target.products.isEmpty, "\(name) depends on packages \(target.products)")
            #expect(target.path == "Sources/\(name)")
        }
        #expect(byName["HealthSyncDomain"]?.targets.isEmpty == true)
        #expect(byName["HealthSyncPorts"]?.targets == ["HealthSyncDomain"])
        #expect(!adapters.isEmpty)
        #expect(supports == ["HealthSyncWire", "NIOHTTPSupport", "KeyStoreSupport", "SampleJSONSupport", "DiscoverySupport", "DNSSupport",
                             "DynamicLibrarySupport"])
        for name in adapters.union(supports) {
            let target = try #require(byName[name])
            let allowed = Self.core.union(cModules).union(supports)
            #expect(Set(target.targets).isSubset(of: allowed), "\(name) depends on \(target.targets)")
            #expect(Set(target.targets).isDisjoint(with: adapters), "\(name) depends on another adapter")
            #expect(!target.targets.contains("HealthSyncUseCases") && !target.targets.contains("HealthSyncBus"))
        }
        for name in ["COpenSSL", "CYAML"] { #expect(cModules.contains(name)) }
        // Only the composition root imports adapters (tests aside).
        for target in targets where target.type != "test" && !target.path.hasPrefix("Tests/")
            && target.name != "HealthSyncWiring" && !adapters.contains(target.name) {
            #expect(Set(target.targets).isDisjoint(with: adapters), "\(target.name) imports an adapter")
        }
    }

    /// Shared support under Adapters/: the wire protocol and `*Support` targets.
    static func isSupport(_ target: Target) -> Bool {
        target.path.hasPrefix("Adapters/") && target.type != "system-target"
            && (target.name == "HealthSyncWire" || target.name.hasSuffix("Support"))
    }

    /// The Swift files of a folder of the repository, with their text.
    static func sources(_ folder: String) throws -> [(String, String)] {
        let root = repository + "/" + folder
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".swift") }.sorted()
        return try files.map { ("\(folder)/\($0)", try String(contentsOfFile: root + "/" + $0, encoding: .utf8)) }
    }

    /// The wire protocol lives at the edge: no HTTP method, `/api/` path,
    /// status code or header name in the domain, the ports or the use cases.
    @Test func theCoreKnowsNoWireProtocol() throws {
        let forbidden: [(String, String)] = [
            (#""(GET|POST|PUT|DELETE|PATCH|HEAD)""#, "an HTTP method"),
            (#"/api/"#, "an /api/ path"),
            (#"(?i)\bstatus\w*\s*(:|==|=|\()\s*[1-5][0-9][0-9]\b|\bstatus\(for"#, "an HTTP status"),
            (#"(?i)\bX-[A-Za-z]+-[A-Za-z]+|Content-(Type|Length)|Cache-Control|\bHTTP\b"#, "a header or HTTP"),
        ]
        var scanned = 0
        for module in ["HealthSyncDomain", "HealthSyncPorts", "HealthSyncUseCases"] {
            for (file, text) in try Self.sources("Sources/" + module) {
                scanned += 1
                for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                    for (pattern, what) in forbidden {
                        #expect(line.range(of: pattern, options: .regularExpression) == nil, "\(file) has \(what): \(line)")
                    }
                }
            }
        }
        #expect(scanned > 50)
    }

    /// The CLI parses arguments and hands results to the presenter: no
    /// loops over events, no child processes, no interface lists.
    @Test func theCLIOnlyParsesAndPresents() throws {
        let files = try Self.sources("Sources/healthsync")
        #expect(!files.isEmpty)
        for (file, text) in files {
            for needle in ["for await", "subscribe(", "Process(", "getifaddrs", "readLine(", "Thread.", "Task {", "bus.publish"] {
                #expect(!text.contains(needle), "\(file) contains \(needle)")
            }
        }
    }

    /// A clone alone passes the tests: no test reads beside the repository.
    @Test func testsReadOnlyInsideTheRepository() throws {
        let files = try Self.sources("Tests")
        #expect(files.count > 20)
        for (file, text) in files where !file.hasSuffix("ArchitectureTests.swift") {
            #expect(!text.contains("shared/fixtures") && !text.contains("shared/vectors") && !text.contains("../shared"),
                    "\(file) reads outside the repository")
        }
    }

    @Test func coreSourcesImportNoAdapterLibrary() throws {
        let forbidden = ["COpenSSL", "CYAML", "GRDB", "NIO", "Foundation\n", "Glibc", "ArgumentParser"]
        for module in Self.core {
            let folder = Self.repository + "/Sources/" + module
            for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".swift") {
                let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
                for line in text.split(separator: "\n") where line.hasPrefix("import ") {
                    let imported = line.dropFirst("import ".count) + "\n"
                    #expect(!forbidden.contains { imported.hasPrefix($0) }, "\(module)/\(file): \(line)")
                }
            }
        }
    }
}

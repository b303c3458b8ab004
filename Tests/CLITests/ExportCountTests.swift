import Foundation
import HealthSyncDomain
import HealthSyncTestSupport
import Testing

/// Every element of an export is kept and the report adds up to the XML:
/// counts taken straight from each file by Python's own XML parser
/// (Tests/Fixtures/scripts/export_counts.py), per HealthKit type, against
/// `samples import --json` and what the store then holds; and where the
/// peer importer healthkit-to-sqlite differs, and why.
@Suite("Import counts against the XML")
struct ExportCountTests {
    static let fixtures = Fixtures.path("apple-health")
    static let scripts = Fixtures.path("scripts")

    /// Each fixture (see Tests/Fixtures/apple-health/README.md for sources and licences).
    static let files = [
        "apple-health-parser/export.xml", "apple-health-parser/export.zip", "applehealthdata/export6s3sample.xml",
        "duckdb-apple-health/export.xml", "healthkit-to-sqlite/export.xml",
        "healthkit-to-sqlite/zip_contents/apple_health_export/export.xml", "hkimport/export.xml",
    ]

    static func xmlCounts(_ path: String) async throws -> [String: Int] {
        let result = try await ProcessRunner.runDetached("/usr/bin/python3", [scripts + "/export_counts.py", path], environment: [:])
        try #require(result.status == 0, "\(result.standardError)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Int])
    }

    /// Imports `path` into a fresh store and checks the report against the XML.
    static func check(_ path: String) async throws -> (report: [String: Any], stored: [String: Int]) {
        let cli = CLI()
        let expected = try await xmlCounts(path)
        let report = try await cli.json("samples", "import", path)
        let read = report["read"] as? Int ?? -1, imported = report["imported"] as? Int ?? -1
        let unchanged = report["unchanged"] as? Int ?? -1, merged = report["merged"] as? Int ?? -1
        let leftOut = report["leftOut"] as? Int ?? -1
        #expect(read == expected.values.reduce(0, +), "\(path)")
        #expect(leftOut == 0, "\(path): \(report["skipped"] ?? "")")
        #expect(read == imported + unchanged + merged + leftOut, "\(path)")
        var byIdentifier: [String: Int] = [:]
        for (name, count) in report["types"] as? [String: Int] ?? [:] {
            let type = try #require(HealthDataType(rawValue: name), "\(name)")
            byIdentifier[type.healthKitIdentifier, default: 0] += count
        }
        #expect(byIdentifier == expected, "\(path)")
        // What the store holds: every sample the report says it stored, of every kind.
        let types = try await cli.json("types", "--present")["types"] as? [[String: Any]] ?? []
        var stored: [String: Int] = [:]
        for entry in types { stored[entry["name"] as? String ?? "", default: 0] += entry["stored"] as? Int ?? 0 }
        #expect(stored.values.reduce(0, +) == imported, "\(path)")
        return (report, stored)
    }

    @Test(arguments: files)
    func eachFixtureIsKeptWhole(_ file: String) async throws {
        _ = try await Self.check(Self.fixtures + "/" + file)
    }

    /// A generated export with every kind (routes in GPX, an Audiogram, a
    /// ClinicalRecord with its FHIR file, ECGs, types outside and newer than
    /// the catalogue) and the traps of real ones (broken DTD, a raw \x0b).
    @Test func aGeneratedExportWithEveryKindIsKeptWhole() async throws {
        let directory = TemporaryDirectory()
        let file = directory.file("export.zip")
        let made = try await ProcessRunner.runDetached("/usr/bin/python3", [Self.scripts + "/gen_export.py", file, "3000", "--all-kinds",
                                                              "--broken-dtd", "--entry", "apple_health_export/exportar.xml"],
                                         environment: [:])
        try #require(made.status == 0, "\(made.standardError)")
        let (report, stored) = try await Self.check(file)
        let types = report["types"] as? [String: Int] ?? [:]
        for kind in ["workoutRoute", "audiogram", "clinicalRecord", "electrocardiogram", "activitySummary", "bloodPressure",
                     "dietaryWater", "mindfulSession", "appleStandTime", "HKQuantityTypeIdentifierFutureThing"] {
            #expect((types[kind] ?? 0) > 0, "\(kind)")
            #expect((stored[kind] ?? 0) > 0, "\(kind)")
        }
        #expect(types["electrocardiogram"] == 2)
        // Blood pressure is both at the top level and inside the Correlations: stored once.
        #expect(stored["bloodPressureSystolic"] == (types["bloodPressureSystolic"] ?? 0) / 2)
        #expect(report["missingFiles"] as? Int == 0)
    }

    /// healthkit-to-sqlite (the peer importer, from PyPI) on the same files.
    @Test func whereHealthkitToSQLiteDiffers() async throws {
        let python = ProcessInfo.processInfo.environment["HEALTHSYNC_TEST_PYTHON"] ?? ""
        let peer = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("healthkit-to-sqlite").path
        try #require(FileManager.default.isExecutableFile(atPath: peer),
                     "run the tests with `bash scripts/test.sh`: it installs healthkit-to-sqlite in .venv-test")
        let directory = TemporaryDirectory()
        func peerImport(_ path: String, xml: Bool) async throws -> (status: Int32, database: String) {
            let database = directory.file(UUID().uuidString + ".db")
            let result = try await ProcessRunner.runDetached(peer, ["-s"] + (xml ? ["--xml"] : []) + [path, database],
                                               environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"])
            return (result.status, database)
        }
        func rows(_ database: String, _ table: String) async throws -> Int {
            let result = try await ProcessRunner.runDetached("/usr/bin/sqlite3", [database, "SELECT COUNT(*) FROM \(table)"], environment: [:])
            return Int(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        // It counts the Records inside a Correlation a second time: two systolic
        // readings where the file has one reading written twice; HealthSync stores one.
        let duckdb = Self.fixtures + "/duckdb-apple-health/export.xml"
        let theirs = try await peerImport(duckdb, xml: true)
        #expect(theirs.status == 0)
        #expect(try await rows(theirs.database, "rBloodPressureSystolic") == 2)
        let (_, ours) = try await Self.check(duckdb)
        #expect(ours["bloodPressureSystolic"] == 1)
        // It stops on the hkimport export (two metadata keys that differ only
        // in case become one column twice) and on a raw \x0b; HealthSync reads both whole.
        #expect(try await peerImport(Self.fixtures + "/hkimport/export.xml", xml: true).status != 0)
        let trapped = directory.file("trapped.zip")
        _ = try await ProcessRunner.runDetached("/usr/bin/python3", [Self.scripts + "/gen_export.py", trapped, "300"], environment: [:])
        #expect(try await peerImport(trapped, xml: false).status != 0)
        _ = try await Self.check(trapped)
    }
}

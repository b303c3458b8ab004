import Foundation
import HealthSyncTestSupport
import Testing

/// `samples list|count|export`: the data on this machine, read without
/// sqlite3, checked by programs nobody here wrote (Python's csv and json,
/// fhir.resources for FHIR R4).
@Suite("samples list, count and export")
struct LocalSamplesTests {
    static let scripts = Fixtures.path("scripts")

    /// An export whose values a spreadsheet would run: formulas in the
    /// source name and in metadata, and known dates for the order.
    static let crafted = """
        <?xml version="1.0" encoding="UTF-8"?>
        <HealthData locale="en_US">
         <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)" unit="count/min" startDate="2024-05-01 08:00:00 +0200" endDate="2024-05-01 08:00:00 +0200" value="61">
          <MetadataEntry key="note" value="+cmd|' /C calc'!A0"/>
         </Record>
         <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="@SUM(1+1)" unit="count/min" startDate="2024-05-03 08:00:00 +0200" endDate="2024-05-03 08:00:00 +0200" value="-5"/>
         <Record type="HKQuantityTypeIdentifierBloodGlucose" sourceName="Meter, Inc." unit="mmol&lt;180.1558800000541&gt;/L" startDate="2024-05-02 08:00:00 +0200" endDate="2024-05-02 08:00:00 +0200" value="5.5"/>
         <Record type="HKCategoryTypeIdentifierHeadache" sourceName="Phone" value="HKCategoryValueSeverityMild" startDate="2024-05-02 09:00:00 +0200" endDate="2024-05-02 10:00:00 +0200"/>
         <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Phone" unit="count" startDate="2024-05-02 09:00:00 +0200" endDate="2024-05-02 10:00:00 +0200" value="1200"/>
        </HealthData>
        """

    static func importCrafted(_ cli: CLI) async throws {
        let file = cli.home.file("export.xml")
        try Data(crafted.utf8).write(to: URL(fileURLWithPath: file))
        #expect(try await cli.json("samples", "import", file)["imported"] as? Int == 5)
    }

    @Test func listAndCountReadTheLocalStore() async throws {
        let cli = CLI()
        try await Self.importCrafted(cli)
        let latest = try await cli.json("samples", "list", "--latest", "--limit", "1")
        let newest = try #require((latest["samples"] as? [[String: Any]])?.first)
        #expect(newest["sourceName"] as? String == "@SUM(1+1)")
        #expect(latest["more"] as? Bool == true)
        let oldest = try await cli.json("samples", "list", "--limit", "1", "--types", "heartRate")
        #expect(((oldest["samples"] as? [[String: Any]])?.first?["value"] as? Double) == 61)
        let counted = try await cli.json("samples", "count")
        #expect(counted["total"] as? Int == 5)
        #expect((counted["types"] as? [String: Int]) == ["heartRate": 2, "bloodGlucose": 1, "headache": 1, "steps": 1])
        let since = try await cli.json("samples", "count", "--since", "2024-05-02", "--types", "heartRate")
        #expect(since["total"] as? Int == 1)
        let table = try await cli.run("samples", "list", "--types", "headache")
        #expect(table.standardOutput.contains("HKCategoryValueSeverityMild"))
        let unknown = try await cli.run("samples", "list", "--types", "nothing")
        #expect(unknown.status != 0 && unknown.standardError.contains("Unknown data type 'nothing'"))
        #expect(try await cli.run("samples", "list", "--types", "nothing", "--json").errorCode == "INVALID_ARGUMENT")
    }

    @Test func csvCellsThatWouldBeFormulasAreNeutralised() async throws {
        let cli = CLI()
        try await Self.importCrafted(cli)
        let file = cli.home.file("out/samples.csv")
        try FileManager.default.createDirectory(atPath: cli.home.file("out"), withIntermediateDirectories: true)
        let report = try await cli.json("samples", "export", "--format", "csv", "--output", file)
        #expect(report["samples"] as? Int == 5 && report["file"] as? String == file)
        #expect(TestFiles.mode(file) == 0o600)
        // Python's csv module reads it back: one row per sample, every cell as we meant it.
        let read = try await ProcessRunner.runDetached("/usr/bin/python3", ["-c", """
            import csv, json, sys
            rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
            print(json.dumps(rows))
            """, file], environment: [:])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(read.standardOutput.utf8)) as? [[String: String]])
        #expect(rows.count == 5)
        let sources = Set(rows.map { $0["sourceName"] ?? "" })
        #expect(sources.contains("'=HYPERLINK(\"http://evil.example\",\"x\")"))
        #expect(sources.contains("'@SUM(1+1)") && sources.contains("Meter, Inc."))
        #expect(!sources.contains { $0.first.map { "=+-@".contains($0) } ?? false })
        let metadata = try #require(rows.first { $0["sourceName"]?.contains("HYPERLINK") == true }?["metadata"])
        #expect(metadata == #"{"note":"+cmd|' /C calc'!A0"}"#)
        // A negative number is a number, not a formula.
        #expect(rows.contains { $0["value"] == "-5" })
        #expect(rows.first { $0["type"] == "bloodGlucose" }?["value"].flatMap(Double.init).map { abs($0 - 99.08573) < 0.001 } == true)
    }

    @Test func jsonAndNDJSONAreWhatJSONReadersRead() async throws {
        let cli = CLI()
        try await Self.importCrafted(cli)
        let json = try await cli.run("samples", "export", "--format", "json")
        #expect(json.status == 0)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: Any]])
        #expect(array.count == 5)
        #expect(json.standardError.contains("Exported 5 samples as json."))
        let lines = try await cli.run("samples", "export", "--format", "ndjson", "--types", "heartRate")
        let objects = lines.standardOutput.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.count == 2 && objects.allSatisfy { $0["utcOffsetMinutes"] as? Int == 120 })
        #expect(try await cli.run("samples", "export", "--json").errorCode == "INVALID_ARGUMENT")
        #expect(try await cli.run("samples", "export", "--format", "table", "--json", "-o", cli.home.file("t")).errorCode
            == "INVALID_ARGUMENT")
    }

    /// fhir.resources (pydantic models of FHIR R4, from PyPI) validates the
    /// Bundle; the same check refuses a Bundle with a field FHIR lacks.
    @Test func theFHIRBundleIsValidR4() async throws {
        let python = ProcessInfo.processInfo.environment["HEALTHSYNC_TEST_PYTHON"] ?? ""
        try #require(FileManager.default.isExecutableFile(atPath: python),
                     "run the tests with `bash scripts/test.sh`: it installs fhir.resources in .venv-test")
        let cli = CLI()
        try await Self.importCrafted(cli)
        _ = try await cli.json("samples", "generate", "--days", "2")
        let file = cli.home.file("bundle.json")
        let report = try await cli.json("samples", "export", "--format", "fhir", "-o", file)
        let total = try #require(report["samples"] as? Int)
        let checked = try await ProcessRunner.runDetached(python, [Self.scripts + "/validate_fhir.py", file], environment: [:])
        try #require(checked.status == 0, "\(checked.standardError)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(checked.standardOutput.utf8)) as? [String: Any])
        #expect(summary["type"] as? String == "collection")
        #expect((summary["resources"] as? [String: Int])?["Observation"] == total)
        let loinc = try #require(summary["loinc"] as? [String: String])
        #expect(loinc["8867-4"] == "/min")       // heart rate
        #expect(loinc["2339-0"] == "mg/dL")      // blood glucose, converted from mmol/L
        #expect(loinc["29463-7"] == "kg")        // body weight
        #expect(loinc["8480-6"] == "mm[Hg]")     // systolic blood pressure
        #expect(loinc["59408-5"] == "%")         // oxygen saturation, a percentage in FHIR
        #expect(loinc["55423-8"] == "1")         // steps
        // The validator is not a rubber stamp.
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let broken = cli.home.file("broken.json")
        try Data(text.replacingOccurrences(of: #""status":"final""#, with: #""status":"final","colour":"red""#).utf8)
            .write(to: URL(fileURLWithPath: broken))
        #expect(try await ProcessRunner.runDetached(python, [Self.scripts + "/validate_fhir.py", broken], environment: [:]).status != 0)
    }
}

@Suite("File names")
struct FileNameTests {
    /// A name that is not UTF-8 (Latin-1 `café.zip`) is still a name the OS accepts.
    @Test func anExportWhoseNameIsNotUTF8IsImported() async throws {
        let cli = CLI()
        let fixture = Fixtures.path("apple-health") + "/apple-health-parser/export.zip"
        // The file is made and the command run by the shell, which passes the bytes as they are.
        let name = cli.home.path + "/caf\\351.zip"
        let result = try await ProcessRunner.runDetached("/bin/sh", ["-c", #"cp "$1" "$(printf "$2")" && exec "$3" samples import "$(printf "$2")" --json"#,
                                                                      "sh", fixture, name, CLI.binary],
                                                         environment: cli.environment)
        #expect(result.status == 0, "\(result.standardOutput) \(result.standardError)")
        #expect(result.json?["imported"] as? Int == 8)
        let file = result.json?["file"] as? String ?? ""
        #expect(file.unicodeScalars.suffix(5).map(\.value) == [0xFFFD, 0x2e, 0x7a, 0x69, 0x70], "\(file)")
    }
}

/// The progress bar: drawn on a terminal (a pseudo-terminal from util-linux
/// `script`), never into a pipe or with --json; the summary either way.
@Suite("Progress")
struct ProgressTests {
    static func export(_ directory: TemporaryDirectory) async throws -> String {
        let file = directory.file("export.zip")
        let made = try await ProcessRunner.runDetached("/usr/bin/python3", [Fixtures.path("scripts") + "/gen_export.py", file, "12000"],
                                         environment: [:])
        try #require(made.status == 0, "\(made.standardError)")
        return file
    }

    /// Runs `healthsync ARGS` on a pseudo-terminal; what the terminal showed.
    static func onTerminal(_ cli: CLI, _ arguments: [String]) async throws -> String {
        let command = ([CLI.binary] + arguments).map { "'" + $0 + "'" }.joined(separator: " ")
        let result = try await ProcessRunner.runDetached("/usr/bin/script", ["-qec", command, "/dev/null"],
                                                         environment: cli.environment.merging(["TERM": "xterm"]) { $1 })
        #expect(result.status == 0, "\(result.standardOutput)")
        return result.standardOutput
    }

    @Test func aBarOnATerminalAndNoneElsewhere() async throws {
        let directory = TemporaryDirectory()
        let file = try await Self.export(directory)
        let cli = CLI()
        let shown = try await Self.onTerminal(cli, ["samples", "import", file])
        #expect(shown.contains("\r\u{1B}[Kimport  ["))
        #expect(shown.contains("% ") && shown.contains("MB of "))
        #expect(shown.contains("Read ") && shown.contains(" records from "))
        // Into a pipe: the summary alone.
        let piped = try await cli.run("samples", "import", file)
        #expect(piped.status == 0 && piped.standardOutput.contains("Nothing new"))
        #expect(!piped.standardError.contains("\r") && !piped.standardOutput.contains("\r"))
        // With --json, on a terminal too: one document and no bar.
        let json = try await Self.onTerminal(CLI(), ["samples", "import", file, "--json"])
        #expect(!json.contains("import  ["))
        #expect(json.contains("\"imported\""))
    }
}

/// Read-only commands on a state folder mounted read-only (a backup, a live
/// image): a real read-only bind mount in a mount namespace of the test's
/// own (util-linux unshare; root), where even root cannot write.
@Suite("A read-only state folder", .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"),
                                            "needs root and util-linux unshare for a read-only bind mount"))
struct ReadOnlyStateTests {
    @Test func readOnlyCommandsWorkAndWritesFailCleanly() async throws {
        let cli = CLI()
        _ = try await cli.json("samples", "generate", "--days", "1")
        _ = try await cli.json("status", "--offline")
        func readOnly(_ arguments: [String]) async throws -> ProcessResult {
            let command = ([CLI.binary] + arguments + ["--json"]).map { "'" + $0 + "'" }.joined(separator: " ")
            return try await ProcessRunner.runDetached(
                "/usr/bin/unshare", ["-m", "/bin/sh", "-c",
                                     "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" && exec \(command)", cli.state],
                environment: cli.environment)
        }
        for arguments in [["status", "--offline"], ["devices"], ["types", "--present"], ["samples", "count"],
                          ["samples", "list", "--limit", "3"], ["cert", "info"],
                          ["samples", "export", "--format", "csv", "-o", cli.home.file("copy.csv")]] {
            let result = try await readOnly(arguments)
            #expect(result.status == 0, "\(arguments): \(result.standardOutput) \(result.standardError)")
        }
        #expect(try await readOnly(["samples", "count"]).json?["total"] as? Int == 155)
        // A write says why it cannot, and the store is as it was.
        let write = try await readOnly(["samples", "generate", "--days", "2"])
        #expect(write.status != 0 && write.errorCode == "STORAGE_FAILURE", "\(write.standardOutput)")
        #expect(try await cli.json("samples", "count")["total"] as? Int == 155)
    }
}

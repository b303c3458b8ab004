import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import LibXML2ExportReader
import Testing

/// The export reader over real exports from other projects
/// (Tests/Fixtures/apple-health, each under its own licence; see the
/// README there for sources) and over files made to break it.
@Suite("Apple Health export reader (libxml2)")
struct LibXML2ExportReaderTests {
    static let fixtures = Fixtures.path("apple-health")

    struct Read {
        let records: [ExportRecord]
        let summary: ExportReadSummary
        let batches: [Int]
    }

    static func read(_ path: String, batchSize: Int = 5000) throws -> Read {
        var records: [ExportRecord] = [], batches: [Int] = []
        let summary = try LibXML2ExportReader().records(in: path, batchSize: batchSize) { batch in
            records += batch
            batches.append(batch.count)
        }
        return Read(records: records, summary: summary, batches: batches)
    }

    /// simonw/healthkit-to-sqlite tests/export.xml (Apache-2.0).
    @Test func metadataEscapesDevicesAndWorkoutsAreRead() throws {
        let read = try Self.read(Self.fixtures + "/healthkit-to-sqlite/export.xml")
        #expect(read.records.map(\.kind) == [.record, .record, .workout])
        let bmi = read.records[0]
        #expect(bmi.metadata.count == 5)
        #expect(bmi.metadata["Withings Link"] == "withings-bd2://timeline/measure?userid=12345&date=482685932&type=1")
        let heart = read.records[1]
        #expect(heart.sourceName == "Apple\u{00a0}Watch")
        #expect(heart.device?.hasPrefix("<<HKDevice: 0x282a45810>, name:Apple Watch") == true)
        let workout = read.records[2]
        #expect(workout.durationUnit == "min")
        #expect(workout.metadata["totalDistance"]?.hasSuffix(" mi") == true)
    }

    /// tdda/applehealthdata export6s3sample.xml (MIT © 2016 Nicholas J. Radcliffe): full inline DTD.
    @Test func theInlineDTDIsSkipped() throws {
        let read = try Self.read(Self.fixtures + "/applehealthdata/export6s3sample.xml")
        #expect(read.records.count == 16)
        #expect(read.records.contains { $0.unit == "km" })
    }

    /// alxdrcirilo/apple-health-parser export.xml and export.zip (MIT © 2024 Alexandre Cirilo).
    @Test func theZipEntryIsFoundByContentBesideMacOSJunk() throws {
        let plain = try Self.read(Self.fixtures + "/apple-health-parser/export.xml")
        let zipped = try Self.read(Self.fixtures + "/apple-health-parser/export.zip")
        #expect(zipped.records == plain.records)
        #expect(plain.records.count == 8)
        #expect(zipped.summary.entry?.hasPrefix("__MACOSX") == false)
        #expect(zipped.summary.entry?.hasSuffix("export.xml") == true)
        #expect(plain.summary.entry == nil)
    }

    /// Mjboothaus/duckdb-apple-health test/data/export.xml (MIT © 2026 DataBooth).
    @Test func recordsInsideCorrelationsAreCountedNotRead() throws {
        let read = try Self.read(Self.fixtures + "/duckdb-apple-health/export.xml")
        #expect(read.summary.nestedInCorrelations == 2)
        #expect(read.records.filter { $0.type == "HKQuantityTypeIdentifierBloodPressureSystolic" }.count == 1)
    }

    /// ashtom/hkimport Data/export.xml (MIT © 2017 Nutrino): 11 101 Records, 61 Workouts, in batches.
    @Test func aRealExportIsStreamedInBatches() throws {
        let read = try Self.read(Self.fixtures + "/hkimport/export.xml", batchSize: 1000)
        #expect(read.records.count + read.summary.nestedInCorrelations == 11_101 + 61)
        #expect(read.records.filter { $0.kind == .workout }.count == 61)
        #expect(read.batches.dropLast().allSatisfy { $0 == 1000 })
        #expect(read.batches.count == 11)
    }

    static let body = """
        <HealthData locale="en_US">
         <ExportDate value="2023-01-01 10:00:00 +0000"/>
         <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Phone" unit="count" startDate="2023-01-01 08:00:00 +0000" endDate="2023-01-01 08:10:00 +0000" value="12\u{0b}"/>
         <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" startDate="2023-01-01 08:00:00 +0000" endDate="2023-01-01 08:00:00 +0000" value="61"/>
        </HealthData>
        """

    /// iOS 16 exports have an unclosed ATTLIST in the DTD and may hold a raw \\x0b.
    @Test func aBrokenDTDAndAControlCharacterAreSurvived() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE HealthData [
            <!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout)*)>
            <!ATTLIST HealthData
              locale CDATA #REQUIRED
            <!ATTLIST ExportDate value CDATA #REQUIRED>
            ]>
            """ + Self.body
        let directory = TemporaryDirectory()
        let file = directory.file("export.xml")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let read = try Self.read(file)
        #expect(read.records.map(\.type) == ["HKQuantityTypeIdentifierStepCount", "HKQuantityTypeIdentifierHeartRate"])
        #expect(read.records.first?.value == "12 ")
    }

    @Test(arguments: [false, true])
    func anExportAnywhereInAZipUnderAnyNameIsFound(_ zip64: Bool) throws {
        let directory = TemporaryDirectory()
        let file = directory.file("export.zip")
        let archive = ZipBuilder.archive([
            (name: "apple_health_export/", data: []),
            (name: "__MACOSX/apple_health_export/._导出.xml", data: Array("junk".utf8)),
            (name: "apple_health_export/workout-routes/route_1.gpx", data: Array("<?xml version=\"1.0\"?><gpx/>".utf8)),
            (name: "apple_health_export/导出.xml", data: Array(Self.body.utf8)),
        ], zip64: zip64)
        try Data(archive).write(to: URL(fileURLWithPath: file))
        let read = try Self.read(file)
        #expect(read.summary.entry == "apple_health_export/导出.xml")
        #expect(read.records.count == 2)
    }

    @Test func whatIsNotAnExportIsRefusedWithACode() throws {
        let directory = TemporaryDirectory()
        func code(_ contents: [UInt8]?, name: String = "file") -> ErrorCode? {
            let path = directory.file(name)
            if let contents { try? Data(contents).write(to: URL(fileURLWithPath: path)) }
            do {
                _ = try Self.read(path)
                return nil
            } catch let error as HealthSyncError {
                return error.code
            } catch {
                return nil
            }
        }
        #expect(code(nil, name: "missing.zip") == .invalidArgument)
        #expect(code(Array("<gpx><trk/></gpx>".utf8), name: "route.gpx") == .invalidArgument)
        #expect(code([0x89, 0x50, 0x4e, 0x47], name: "picture.png") == .invalidArgument)
        #expect(code(ZipBuilder.archive([(name: "notes.txt", data: Array("hello".utf8))]), name: "other.zip") == .invalidArgument)
        let whole = ZipBuilder.archive([(name: "export.xml", data: Array(Self.body.utf8))])
        #expect(code(Array(whole.prefix(whole.count - 30)), name: "truncated.zip") == .invalidArgument)
        #expect(code([], name: "empty.xml") == .invalidArgument)
        #expect(throws: HealthSyncError.self) { try Self.read(directory.path) }
    }

    /// A file cut off in the middle yields what came before the cut.
    @Test func aTruncatedExportYieldsWhatItHolds() throws {
        let directory = TemporaryDirectory()
        let file = directory.file("export.xml")
        let text = Self.body
        let cut = text.range(of: "<Record type=\"HKQuantityTypeIdentifierHeartRate\"")!.lowerBound
        try Data(text[..<cut].utf8).write(to: URL(fileURLWithPath: file))
        let read = try Self.read(file)
        #expect(read.records.count == 1)
        #expect(read.summary.recoveredErrors > 0)
    }
}

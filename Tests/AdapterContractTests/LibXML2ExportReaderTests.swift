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
        #expect(read.records.map(\.kind) == [.record, .record, .workout, .activitySummary, .activitySummary])
        let bmi = read.records[0]
        #expect(bmi.metadata.count == 5)
        #expect(bmi.metadata["Withings Link"] == "withings-bd2://timeline/measure?userid=12345&date=482685932&type=1")
        let heart = read.records[1]
        #expect(heart["sourceName"] == "Apple\u{00a0}Watch")
        #expect(heart["device"]?.hasPrefix("<<HKDevice: 0x282a45810>, name:Apple Watch") == true)
        #expect(heart["sourceVersion"] == "4.3.1" && heart["creationDate"] == "2018-09-10 02:47:35 -0700")
        let workout = read.records[2]
        #expect(workout["durationUnit"] == "min" && workout["totalDistanceUnit"] == "mi")
        // Its inline route, with the Location points.
        #expect(workout.members.map(\.kind) == [.workoutRoute])
        #expect(workout.members[0].children.filter { $0.name == "Location" }.count > 0)
    }

    /// simonw/healthkit-to-sqlite tests/zip_contents (Apache-2.0): a route kept as a GPX file beside export.xml.
    @Test func routesAreReadFromTheirGPXFiles() throws {
        let read = try Self.read(Self.fixtures + "/healthkit-to-sqlite/zip_contents/apple_health_export/export.xml")
        let route = try #require(read.records.first { $0.kind == .workout }?.members.first)
        let points = route.children.filter { $0.name == "Location" }
        #expect(points.count == 3)
        #expect(points[0].attributes["latitude"] == "37.781672" && points[0].attributes["longitude"] == "-122.396397")
        #expect(points[0].attributes["altitude"] == "4.076904" && points[0].attributes["date"] == "2019-06-11T22:00:42Z")
        #expect(points[0].attributes["horizontalAccuracy"] == "8.063116")
        #expect(read.summary.missingFiles == 0)
    }

    /// tdda/applehealthdata export6s3sample.xml (MIT © 2016 Nicholas J. Radcliffe): full inline DTD.
    @Test func theInlineDTDIsSkipped() throws {
        let read = try Self.read(Self.fixtures + "/applehealthdata/export6s3sample.xml")
        #expect(read.records.count == 18)
        #expect(read.records.contains { $0["unit"] == "km" })
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
    @Test func recordsInsideCorrelationsAreItsMembers() throws {
        let read = try Self.read(Self.fixtures + "/duckdb-apple-health/export.xml")
        let correlation = try #require(read.records.first { $0.kind == .correlation })
        #expect(correlation.members.map(\.type) == ["HKQuantityTypeIdentifierBloodPressureSystolic",
                                                     "HKQuantityTypeIdentifierBloodPressureDiastolic"])
        #expect(read.records.filter { $0.type == "HKQuantityTypeIdentifierBloodPressureSystolic" }.count == 1)
        #expect(read.records.first { $0.kind == .workout }?.children.map(\.name) == ["WorkoutEvent"])
    }

    /// ashtom/hkimport Data/export.xml (MIT © 2017 Nutrino): 10 939 top-level Records, 34 Correlations
    /// holding 162 more, 61 Workouts, in batches.
    @Test func aRealExportIsStreamedInBatches() throws {
        let read = try Self.read(Self.fixtures + "/hkimport/export.xml", batchSize: 1000)
        #expect(read.records.count == 10_939 + 34 + 61)
        #expect(read.records.filter { $0.kind == .correlation }.map(\.members.count).reduce(0, +) == 162)
        #expect(read.records.filter { $0.kind == .workout }.count == 61)
        #expect(read.batches.dropLast().allSatisfy { $0 == 1000 })
        #expect(read.batches.count == 12)
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
        #expect(read.records.first?["value"] == "12 ")
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

    /// The files an export refers to come from beside it: GPX routes, FHIR
    /// records and ECG CSVs in the same zip; a path that climbs out is not followed.
    @Test func routesClinicalRecordsAndECGsComeFromTheZip() throws {
        let xml = """
            <HealthData locale="en_US">
             <Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="10" durationUnit="min" sourceName="Watch" startDate="2023-01-01 08:00:00 +0000" endDate="2023-01-01 08:10:00 +0000">
              <WorkoutRoute sourceName="Watch" startDate="2023-01-01 08:00:00 +0000" endDate="2023-01-01 08:10:00 +0000"><FileReference path="/workout-routes/route_1.gpx"/></WorkoutRoute>
              <WorkoutRoute sourceName="Watch" startDate="2023-01-01 08:00:00 +0000" endDate="2023-01-01 08:10:00 +0000"><FileReference path="/../../../etc/passwd"/></WorkoutRoute>
             </Workout>
             <ClinicalRecord type="HKClinicalTypeIdentifierLabResultRecord" identifier="1" sourceName="Clinic" fhirVersion="4.0.1" receivedDate="2023-01-02 09:00:00 +0000" resourceFilePath="/clinical-records/Observation-1.json"/>
             <Audiogram type="HKDataTypeIdentifierAudiogram" sourceName="Mimi" startDate="2023-01-03 09:00:00 +0000" endDate="2023-01-03 09:05:00 +0000"><SensitivityPoint frequencyValue="500" frequencyUnit="Hz" leftEarValue="10" leftEarUnit="dBHL" rightEarValue="15" rightEarUnit="dBHL"/></Audiogram>
            </HealthData>
            """
        let gpx = #"<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg><trkpt lat="1.5" lon="2.5"><ele>3</ele><time>2023-01-01T08:00:00Z</time></trkpt></trkseg></trk></gpx>"#
        let ecg = "Name,Jane\nRecorded Date,2023-01-04 10:00:00 +0100\nClassification,Sinus Rhythm\nSample Rate,512 hertz\nUnit,µV\n\n-1.5\n2.25\n3\n"
        let directory = TemporaryDirectory()
        let file = directory.file("export.zip")
        try Data(ZipBuilder.archive([
            (name: "apple_health_export/export.xml", data: Array(xml.utf8)),
            (name: "apple_health_export/workout-routes/route_1.gpx", data: Array(gpx.utf8)),
            (name: "apple_health_export/clinical-records/Observation-1.json", data: Array(#"{"resourceType":"Observation"}"#.utf8)),
            (name: "apple_health_export/electrocardiograms/ecg_2023-01-04.csv", data: Array(ecg.utf8)),
        ])).write(to: URL(fileURLWithPath: file))
        let read = try Self.read(file)
        #expect(read.records.map(\.kind) == [.workout, .clinicalRecord, .audiogram, .electrocardiogram])
        let routes = read.records[0].members
        #expect(routes[0].children.filter { $0.name == "Location" }.map(\.attributes)
            == [["latitude": "1.5", "longitude": "2.5", "altitude": "3", "date": "2023-01-01T08:00:00Z"]])
        #expect(routes[1].children.filter { $0.name == "Location" }.isEmpty)
        #expect(read.summary.missingFiles == 1)
        #expect(read.records[1].attachment == #"{"resourceType":"Observation"}"#)
        #expect(read.records[2].children.first?.attributes["leftEarValue"] == "10")
        #expect(read.records[3].series == [-1.5, 2.25, 3])
        #expect(read.records[3]["Classification"] == "Sinus Rhythm" && read.records[3]["file"] == "electrocardiograms/ecg_2023-01-04.csv")
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

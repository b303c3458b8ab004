import Foundation
import HealthSyncDomain
import Testing

@Suite("Apple Health export mapping")
struct AppleHealthMappingTests {
    static func record(_ type: String, unit: String?, value: String?, start: String = "2024-03-31 01:30:00 +0200",
                       end: String = "2024-03-31 02:00:00 +0200", kind: ExportRecord.Kind = .record,
                       extra: [String: String] = [:], metadata: [String: String] = [:],
                       children: [ExportElement] = [], members: [ExportRecord] = []) -> ExportRecord {
        var attributes = ["sourceName": "Watch", "startDate": start, "endDate": end].merging(extra) { $1 }
        attributes[kind == .workout ? "workoutActivityType" : "type"] = type
        if let unit { attributes[kind == .workout ? "durationUnit" : "unit"] = unit }
        if let value { attributes[kind == .workout ? "duration" : "value"] = value }
        return ExportRecord(kind: kind, attributes: attributes, metadata: metadata, children: children, members: members)
    }

    static func samples(_ record: ExportRecord) -> [Result<HealthSample, AppleHealthMapping.Skip>] {
        AppleHealthMapping.samples(from: record, id: { "id:" + String($0.count) + ":" + String($0.hashValue) })
    }

    static func sample(_ record: ExportRecord) -> HealthSample? { try? samples(record).first?.get() }

    @Test func datesCarryTheirOffset() {
        #expect(AppleHealthMapping.parseDate("2019-07-19 10:36:11 -0700") == Date(timeIntervalSince1970: 1_563_557_771))
        #expect(AppleHealthMapping.parseDate("2024-03-31 01:30:00 +0200") == Date(timeIntervalSince1970: 1_711_841_400))
        #expect(AppleHealthMapping.parseDate("2020-02-29 00:00:00 +0000") != nil)
        #expect(AppleHealthMapping.parseOffsetMinutes("2019-07-19 10:36:11 -0730") == -450)
        for bad in ["2019-02-29 00:00:00 +0000", "2019-07-19 10:36:11", "2019-07-19T10:36:11 -0700", "2019-07-19 24:00:00 +0000",
                    "2019-07-19 10:36:11 -07:00", "", "yesterday"] {
            #expect(AppleHealthMapping.parseDate(bad) == nil, "\(bad)")
        }
    }

    @Test func unitsBecomeEachTypesOwnUnit() throws {
        let cases: [(String, String, String, HealthDataType, Double)] = [
            ("HKQuantityTypeIdentifierDistanceWalkingRunning", "km", "1.5", .distanceWalkingRunning, 1500),
            ("HKQuantityTypeIdentifierDistanceCycling", "mi", "2", .distanceCycling, 3218.688),
            ("HKQuantityTypeIdentifierActiveEnergyBurned", "kJ", "418.4", .activeEnergyBurned, 100),
            ("HKQuantityTypeIdentifierBasalEnergyBurned", "Cal", "70", .basalEnergyBurned, 70),
            ("HKQuantityTypeIdentifierBodyMass", "lb", "150", .weight, 68.038856),
            ("HKQuantityTypeIdentifierBodyTemperature", "degF", "98.6", .bodyTemperature, 37),
            ("HKQuantityTypeIdentifierOxygenSaturation", "%", "0.97", .bloodOxygen, 0.97),
            ("HKQuantityTypeIdentifierVO2Max", "mL/min·kg", "45.2", .vo2Max, 45.2),
            ("HKQuantityTypeIdentifierHeight", "cm", "180", .height, 1.8),
            ("HKQuantityTypeIdentifierStepCount", "count", "1234", .steps, 1234),
            ("HKQuantityTypeIdentifierBloodGlucose", "mmol<180.1558800000541>/L", "5", HealthDataType(rawValue: "bloodGlucose")!, 90.07794),
            ("HKQuantityTypeIdentifierDietaryWater", "fl_oz_us", "8", HealthDataType(rawValue: "dietaryWater")!, 236.588236),
        ]
        for (type, unit, value, expected, converted) in cases {
            let sample = try #require(Self.sample(Self.record(type, unit: unit, value: value)), "\(type)")
            #expect(sample.type == expected)
            #expect(sample.unit == expected.unit)
            #expect(abs(sample.value - converted) < 1e-5, "\(type): \(sample.value)")
        }
    }

    @Test func everyHealthKitTypeIsKeptWithItsUnitOrValueName() throws {
        // A catalogued type in a unit with no known conversion keeps the unit it came in.
        let odd = try #require(Self.sample(Self.record("HKQuantityTypeIdentifierStepCount", unit: "furlongs", value: "1")))
        #expect(odd.type == .steps && odd.unit == "furlongs" && odd.value == 1)
        // An identifier newer than the catalogue is kept under its own name.
        let newer = try #require(Self.sample(Self.record("HKQuantityTypeIdentifierSomethingFromIOS27", unit: "zz", value: "4")))
        #expect(newer.type.rawValue == "HKQuantityTypeIdentifierSomethingFromIOS27" && newer.unit == "zz" && !newer.type.isCatalogued)
        let mindful = try #require(Self.sample(Self.record("HKCategoryTypeIdentifierMindfulSession", unit: nil,
                                                           value: "HKCategoryValueNotApplicable")))
        #expect(mindful.type.rawValue == "mindfulSession" && mindful.value == 30 && mindful.unit == "min")
        #expect(mindful.text == "HKCategoryValueNotApplicable")
        let headache = try #require(Self.sample(Self.record("HKCategoryTypeIdentifierHeadache", unit: nil,
                                                            value: "HKCategoryValueSeverityModerate")))
        #expect(headache.type.kind == .category && headache.text == "HKCategoryValueSeverityModerate")
    }

    @Test func whatTheExportSaysBesideTheValueSurvives() throws {
        let sample = try #require(Self.sample(Self.record(
            "HKQuantityTypeIdentifierHeartRate", unit: "count/min", value: "72",
            extra: ["sourceVersion": "10.2", "device": "<<HKDevice: 0x1>, name:Apple Watch>",
                    "creationDate": "2024-03-31 02:01:00 +0200"],
            metadata: ["HKMetadataKeyHeartRateMotionContext": "1"],
            children: [ExportElement(name: "InstantaneousBeatsPerMinute", attributes: ["bpm": "71", "time": "1:30:01.00 AM"])])))
        #expect(sample.utcOffsetMinutes == 120)
        #expect(sample.sourceVersion == "10.2" && sample.device == "<<HKDevice: 0x1>, name:Apple Watch>")
        #expect(sample.creationDate == AppleHealthMapping.parseDate("2024-03-31 02:01:00 +0200"))
        #expect(sample.metadata == ["HKMetadataKeyHeartRateMotionContext": "1"])
        let details = try #require(sample.details.flatMap { JSONValue.parse($0, maxBytes: 10_000) })
        #expect(details["InstantaneousBeatsPerMinute"] == .array([.object(["bpm": .string("71"), "time": .string("1:30:01.00 AM")])]))
    }

    @Test func sleepStandHoursWorkoutsAndTheirRoutes() throws {
        let core = try #require(Self.sample(Self.record("HKCategoryTypeIdentifierSleepAnalysis", unit: nil,
                                                        value: "HKCategoryValueSleepAnalysisAsleepCore")))
        #expect(core.type == .sleepCore && core.value == 30 && core.text == "HKCategoryValueSleepAnalysisAsleepCore")
        let old = try #require(Self.sample(Self.record("HKCategoryTypeIdentifierSleepAnalysis", unit: nil,
                                                       value: "HKCategoryValueSleepAnalysisAsleep")))
        #expect(old.type == .sleepAsleep)
        let stood = try #require(Self.sample(Self.record("HKCategoryTypeIdentifierAppleStandHour", unit: nil,
                                                         value: "HKCategoryValueAppleStandHourStood")))
        #expect(stood.type == .standHours && stood.value == 1)
        let route = Self.record("", unit: nil, value: nil, kind: .workoutRoute, children: [
            ExportElement(name: "Location", attributes: ["latitude": "37.78", "longitude": "-122.39", "date": "2024-03-31 01:31:00 +0200"]),
        ])
        let results = Self.samples(Self.record(
            "HKWorkoutActivityTypeRunning", unit: "hr", value: "0.5", kind: .workout,
            extra: ["totalDistance": "3.1", "totalDistanceUnit": "mi"],
            children: [ExportElement(name: "WorkoutEvent", attributes: ["type": "HKWorkoutEventTypePause"]),
                       ExportElement(name: "WorkoutStatistics", attributes: ["type": "HKQuantityTypeIdentifierHeartRate", "average": "150"])],
            members: [route]))
        #expect(results.count == 2)
        let workout = try results[0].get(), path = try results[1].get()
        #expect(workout.type == .workouts && workout.value == 30)
        #expect(workout.metadata["HKWorkoutActivityType"] == "HKWorkoutActivityTypeRunning")
        #expect(workout.metadata["totalDistance"] == "3.1 mi")
        let details = try #require(workout.details.flatMap { JSONValue.parse($0, maxBytes: 10_000) })
        #expect(details["WorkoutEvent"] != nil && details["WorkoutStatistics"] != nil)
        #expect(details["workoutActivityType"] == .string("HKWorkoutActivityTypeRunning"))
        #expect(path.type == .workoutRoute && path.value == 1)
        let points = try #require(path.details.flatMap { JSONValue.parse($0, maxBytes: 10_000) })
        #expect(points["workout"] == .string(workout.id))
    }

    @Test func correlationsKeepTheirRecords() throws {
        let systolic = Self.record("HKQuantityTypeIdentifierBloodPressureSystolic", unit: "mmHg", value: "120")
        let diastolic = Self.record("HKQuantityTypeIdentifierBloodPressureDiastolic", unit: "mmHg", value: "80")
        let results = Self.samples(Self.record("HKCorrelationTypeIdentifierBloodPressure", unit: nil, value: nil,
                                               kind: .correlation, members: [systolic, diastolic]))
        let samples = try results.map { try $0.get() }
        #expect(samples.map(\.type) == [HealthDataType(rawValue: "bloodPressure")!, .bloodPressureSystolic, .bloodPressureDiastolic])
        let members = try #require(samples[0].details.flatMap { JSONValue.parse($0, maxBytes: 10_000) })
        #expect(members["members"] == .array([.string(samples[1].id), .string(samples[2].id)]))
        // The Record inside is the same sample as its top-level copy.
        #expect(Self.sample(systolic)?.id == samples[1].id)
    }

    @Test func activitySummariesAudiogramsClinicalRecordsAndECGs() throws {
        let summary = try #require(Self.sample(ExportRecord(kind: .activitySummary, attributes: [
            "dateComponents": "2016-11-15", "activeEnergyBurned": "2470", "activeEnergyBurnedUnit": "kJ", "appleStandHours": "13",
        ])))
        #expect(summary.type == .activitySummary && abs(summary.value - 590.344) < 0.001)
        #expect(summary.details.flatMap { JSONValue.parse($0, maxBytes: 10_000) }?["appleStandHours"] == .string("13"))
        let audiogram = try #require(Self.sample(Self.record("HKDataTypeIdentifierAudiogram", unit: nil, value: nil, kind: .audiogram,
            children: [ExportElement(name: "SensitivityPoint", attributes: ["frequencyValue": "500", "leftEarValue": "10"])])))
        #expect(audiogram.type == .audiogram && audiogram.value == 1)
        let clinical = try #require(Self.sample(ExportRecord(
            kind: .clinicalRecord,
            attributes: ["type": "HKClinicalTypeIdentifierLabResultRecord", "receivedDate": "2019-04-01 10:00:00 -0700",
                         "sourceName": "Clinic", "resourceFilePath": "/clinical-records/Observation-1.json"],
            attachment: #"{"resourceType":"Observation","id":"1"}"#)))
        #expect(clinical.type == .clinicalRecord && clinical.text == "HKClinicalTypeIdentifierLabResultRecord")
        #expect(clinical.details.flatMap { JSONValue.parse($0, maxBytes: 10_000) }?["resource"]?["resourceType"] == .string("Observation"))
        let broken = Self.samples(ExportRecord(kind: .clinicalRecord, attributes: ["receivedDate": "2019-04-01 10:00:00 -0700"],
                                               attachment: "not json"))
        #expect(broken.count == 1 && (try? broken[0].get()) == nil)
        let ecg = try #require(Self.sample(ExportRecord(
            kind: .electrocardiogram,
            attributes: ["Recorded Date": "2020-09-20 10:21:44 +0200", "Classification": "Sinus Rhythm", "Sample Rate": "512 hertz"],
            series: Array(repeating: 12.5, count: 1024))))
        #expect(ecg.type == .electrocardiogram && ecg.value == 1024 && ecg.text == "Sinus Rhythm")
        #expect(ecg.endDate.timeIntervalSince(ecg.startDate) == 2)
    }

    @Test func whatCannotBeReadIsLeftOutWithAReason() {
        func skip(_ record: ExportRecord) -> String? {
            if case .failure(let reason) = Self.samples(record).first { return reason.description }
            return nil
        }
        #expect(skip(Self.record("Banana", unit: "mg/dL", value: "90")) == "type Banana is no HealthKit identifier")
        #expect(skip(Self.record("HKQuantityTypeIdentifierStepCount", unit: "count", value: "many"))
            == "unreadable value for steps")
        #expect(skip(Self.record("HKQuantityTypeIdentifierStepCount", unit: "count", value: "nan"))
            == "unreadable value for steps")
        #expect(skip(Self.record("HKQuantityTypeIdentifierStepCount", unit: "count", value: "1", start: "soon"))
            == "unreadable date for steps")
        #expect(skip(Self.record("HKQuantityTypeIdentifierStepCount", unit: "count", value: "1",
                                 start: "2024-03-31 02:00:00 +0200", end: "2024-03-31 01:00:00 +0200")) == "unreadable date for steps")
    }

    @Test func theIDDependsOnEverythingTheSampleHoldsNotOnTheFilesUnits() throws {
        let inKilometres = try #require(Self.sample(Self.record("HKQuantityTypeIdentifierDistanceWalkingRunning",
                                                                unit: "km", value: "1.5")))
        let inMetres = try #require(Self.sample(Self.record("HKQuantityTypeIdentifierDistanceWalkingRunning",
                                                            unit: "m", value: "1500")))
        #expect(inKilometres.id == inMetres.id)
        let other = try #require(Self.sample(Self.record("HKQuantityTypeIdentifierDistanceWalkingRunning",
                                                         unit: "m", value: "1501")))
        #expect(other.id != inMetres.id)
        let withMetadata = try #require(Self.sample(Self.record("HKQuantityTypeIdentifierDistanceWalkingRunning",
                                                                unit: "m", value: "1500", metadata: ["k": "v"])))
        #expect(withMetadata.id != inMetres.id)
        let uuid = AppleHealthMapping.uuid(fromDigest: Array(repeating: 0xff, count: 32))
        #expect(uuid == "ffffffff-ffff-8fff-bfff-ffffffffffff")
    }
}

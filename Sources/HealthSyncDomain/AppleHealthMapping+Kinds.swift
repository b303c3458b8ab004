import FoundationEssentials

/// The export's elements beside Records: Workouts (with their events,
/// statistics and routes), Correlations, ActivitySummaries, Audiograms,
/// ClinicalRecords (their FHIR resource inline) and ECGs.
extension AppleHealthMapping {
    static func workout(_ record: ExportRecord, id: ([UInt8]) -> String) -> [Result<HealthSample, Skip>] {
        guard let dates = Dates(record) else {
            return [.failure(.badDate(HealthDataType.workouts.rawValue))]
                + record.members.map { _ in .failure(.badDate(HealthDataType.workoutRoute.rawValue)) }
        }
        var metadata = record.metadata
        metadata["HKWorkoutActivityType"] = record.type
        for (total, unit) in [("totalDistance", "totalDistanceUnit"), ("totalEnergyBurned", "totalEnergyBurnedUnit")] {
            if let value = record[total] { metadata[total] = value + (record[unit].map { " " + $0 } ?? "") }
        }
        var summary: [String: JSONValue] = ["workoutActivityType": .string(record.type)]
        for key in ["duration", "durationUnit", "totalDistance", "totalDistanceUnit", "totalEnergyBurned",
                    "totalEnergyBurnedUnit", "totalFlightsClimbed", "totalSwimmingStrokeCount"] {
            if let value = record[key] { summary[key] = .string(value) }
        }
        // Old exports may lack a duration: the dates give it.
        var minutes = dates.end.timeIntervalSince(dates.start) / 60
        if let duration = record["duration"].flatMap(Double.init), duration.isFinite, duration >= 0,
           let converted = AppleHealthUnits.convert(duration, from: record["durationUnit"] ?? "min", to: "min") {
            minutes = converted
        }
        let workoutRecord = ExportRecord(kind: .workout, attributes: record.attributes, metadata: metadata)
        let result = make(workoutRecord, .workouts, minutes, "min", dates,
                          details: childDetails(record.children, into: summary), id: id)
        let workoutID = try? result.get().id
        return [result] + record.members.map { route($0, workout: workoutID, id: id) }
    }

    /// A WorkoutRoute: its Location points (inline, or read from its GPX file).
    static func route(_ record: ExportRecord, workout: String?, id: ([UInt8]) -> String) -> Result<HealthSample, Skip> {
        guard let dates = Dates(record) else { return .failure(.badDate(HealthDataType.workoutRoute.rawValue)) }
        let points = record.children.filter { $0.name == "Location" }
        var object: [String: JSONValue] = [
            "points": .array(points.map { .object($0.attributes.mapValues(JSONValue.string)) }),
        ]
        if let workout { object["workout"] = .string(workout) }
        if let file = record.children.first(where: { $0.name == "FileReference" })?.attributes["path"] {
            object["file"] = .string(file)
        }
        return make(record, .workoutRoute, Double(points.count), "count", dates, details: .object(object), id: id)
    }

    /// A Correlation (blood pressure, food) and each of its Records: the
    /// Records are samples of their own (identical to the top-level copy
    /// real exports also have, so they merge with it), the Correlation
    /// lists their IDs.
    static func correlation(_ record: ExportRecord, id: ([UInt8]) -> String) -> [Result<HealthSample, Skip>] {
        let members = record.members.map { quantityOrCategory($0, id: id) }
        let identifier = record.type
        let type = HealthDataType.forIdentifier(identifier)
            ?? (identifier.hasPrefix("HKCorrelationTypeIdentifier") ? HealthDataType(rawValue: identifier) : nil)
        guard let type else { return [.failure(.notHealthKit(identifier))] + members }
        guard let dates = Dates(record) else { return [.failure(.badDate(type.rawValue))] + members }
        let ids = members.compactMap { try? $0.get().id }
        let details = JSONValue.object(["members": .array(ids.map(JSONValue.string))])
        return [make(record, type, Double(ids.count), "count", dates, details: details, id: id)] + members
    }

    static func activitySummary(_ record: ExportRecord, id: ([UInt8]) -> String) -> Result<HealthSample, Skip> {
        let type = HealthDataType.activitySummary
        guard let day = record["dateComponents"].flatMap(parseDay) else { return .failure(.badDate(type.rawValue)) }
        let dates = Dates(start: day, end: day.addingTimeInterval(86_400), offset: nil)
        let energy = record["activeEnergyBurned"].flatMap(Double.init).flatMap {
            AppleHealthUnits.convert($0, from: record["activeEnergyBurnedUnit"] ?? "kcal", to: "kcal")
        } ?? 0
        let details = JSONValue.object(record.attributes.mapValues(JSONValue.string))
        return make(record, type, energy, "kcal", dates, details: details, id: id)
    }

    /// An Audiogram: its SensitivityPoints (frequency, each ear's threshold).
    static func audiogram(_ record: ExportRecord, id: ([UInt8]) -> String) -> Result<HealthSample, Skip> {
        let type = HealthDataType.audiogram
        guard let dates = Dates(record) else { return .failure(.badDate(type.rawValue)) }
        let points = record.children.filter { $0.name == "SensitivityPoint" }
        return make(record, type, Double(points.count), "count", dates,
                    details: childDetails(record.children), id: id)
    }

    /// A ClinicalRecord: its attributes and the FHIR resource from its file.
    static func clinicalRecord(_ record: ExportRecord, id: ([UInt8]) -> String) -> Result<HealthSample, Skip> {
        let type = HealthDataType.clinicalRecord
        guard let received = record["receivedDate"].flatMap(parseDate) else { return .failure(.badDate(type.rawValue)) }
        let dates = Dates(start: received, end: received, offset: record["receivedDate"].flatMap(parseOffsetMinutes))
        var object = record.attributes.mapValues(JSONValue.string)
        if let attachment = record.attachment {
            guard let resource = JSONValue.parse(attachment, maxBytes: ExportRecord.maxAttachmentBytes),
                  case .object = resource else { return .failure(.badValue(type.rawValue)) }
            object["resource"] = resource
        }
        return make(record, type, 1, "count", dates, text: record.type, details: .object(object), id: id)
    }

    /// An ECG from `electrocardiograms/*.csv`: its header lines and voltages.
    static func electrocardiogram(_ record: ExportRecord, id: ([UInt8]) -> String) -> Result<HealthSample, Skip> {
        let type = HealthDataType.electrocardiogram
        guard let start = record["Recorded Date"].flatMap(parseDate) else { return .failure(.badDate(type.rawValue)) }
        guard record.series.allSatisfy(\.isFinite) else { return .failure(.badValue(type.rawValue)) }
        let rate = record["Sample Rate"].flatMap { Double($0.split(separator: " ").first ?? "") } ?? 0
        let seconds = rate > 0 ? Double(record.series.count) / rate : 0
        let dates = Dates(start: start, end: start.addingTimeInterval(seconds.rounded(.down)),
                          offset: record["Recorded Date"].flatMap(parseOffsetMinutes))
        var object = record.attributes.mapValues(JSONValue.string)
        object["voltages"] = .array(record.series.map(JSONValue.number))
        let source = ExportRecord(kind: .electrocardiogram,
                                  attributes: ["sourceName": record["sourceName"] ?? "ECG", "device": record["Device"] ?? "",
                                               "sourceVersion": record["Software Version"] ?? ""].filter { !$0.value.isEmpty })
        return make(source, type, Double(record.series.count), "count", dates, text: record["Classification"],
                    details: .object(object), id: id)
    }
}

import FoundationEssentials
import HealthSyncDomain

/// Samples as HL7 FHIR R4: each an Observation with its LOINC code and
/// UCUM unit where the type has them (the vital signs profile's codes and
/// the common activity ones), its HealthKit identifier always, its period,
/// its source device; category values and ECG classifications as text.
/// `bundle` writes a Bundle of type `collection`.
public enum FHIRObservation {
    struct Code {
        let loinc: String, display: String, category: String
    }

    static let loinc: [HealthDataType: Code] = [
        .heartRate: Code(loinc: "8867-4", display: "Heart rate", category: "vital-signs"),
        .restingHeartRate: Code(loinc: "40443-4", display: "Heart rate --resting", category: "vital-signs"),
        .respiratoryRate: Code(loinc: "9279-1", display: "Respiratory rate", category: "vital-signs"),
        .bodyTemperature: Code(loinc: "8310-5", display: "Body temperature", category: "vital-signs"),
        .bloodOxygen: Code(loinc: "59408-5", display: "Oxygen saturation in Arterial blood by Pulse oximetry",
                           category: "vital-signs"),
        .weight: Code(loinc: "29463-7", display: "Body weight", category: "vital-signs"),
        .height: Code(loinc: "8302-2", display: "Body height", category: "vital-signs"),
        .bodyMassIndex: Code(loinc: "39156-5", display: "Body mass index (BMI) [Ratio]", category: "vital-signs"),
        .bloodPressureSystolic: Code(loinc: "8480-6", display: "Systolic blood pressure", category: "vital-signs"),
        .bloodPressureDiastolic: Code(loinc: "8462-4", display: "Diastolic blood pressure", category: "vital-signs"),
        .bodyFatPercentage: Code(loinc: "41982-0", display: "Percentage of body fat Measured", category: "vital-signs"),
        .heartRateVariability: Code(loinc: "80404-7", display: "R-R interval.standard deviation (Heart rate variability)",
                                    category: "vital-signs"),
        .steps: Code(loinc: "55423-8", display: "Number of steps in unspecified time Pedometer", category: "activity"),
        .activeEnergyBurned: Code(loinc: "41981-2", display: "Calories burned", category: "activity"),
        HealthDataType(rawValue: "bloodGlucose")!: Code(loinc: "2339-0", display: "Glucose [Mass/volume] in Blood",
                                                    category: "laboratory"),
        HealthDataType(rawValue: "waistCircumference")!: Code(loinc: "8280-0", display: "Waist Circumference at umbilicus by Tape measure",
                                                          category: "vital-signs"),
    ]

    /// UCUM codes for the units samples are stored in; `%` quantities are
    /// fractions here and percentages in FHIR.
    static let ucum: [String: (code: String, factor: Double)] = [
        "count/min": ("/min", 1), "degC": ("Cel", 1), "fraction": ("%", 100), "kg": ("kg", 1), "m": ("m", 1),
        "cm": ("cm", 1), "mmHg": ("mm[Hg]", 1), "mg/dL": ("mg/dL", 1), "ms": ("ms", 1), "kcal": ("kcal", 1),
        "min": ("min", 1), "g": ("g", 1), "mL": ("mL", 1), "L": ("L", 1), "L/min": ("L/min", 1), "m/s": ("m/s", 1),
        "W": ("W", 1), "S": ("S", 1), "IU": ("[iU]", 1), "mL/(kg*min)": ("mL/(kg.min)", 1), "count/s": ("/s", 1),
        "dBASPL": ("dB[SPL]", 1),
    ]

    static let healthKitSystem = "http://developer.apple.com/documentation/healthkit"

    /// The Observation for one sample.
    public static func resource(_ sample: HealthSample) -> JSONValue {
        var coding: [JSONValue] = []
        let code = loinc[sample.type]
        if let code {
            coding.append(.object(["system": .string("http://loinc.org"), "code": .string(code.loinc),
                                   "display": .string(code.display)]))
        }
        coding.append(.object(["system": .string(healthKitSystem), "code": .string(sample.type.healthKitIdentifier)]))
        var resource: [String: JSONValue] = [
            "resourceType": .string("Observation"),
            "id": .string(resourceID(sample.id)),
            "status": .string("final"),
            "code": .object(["coding": .array(coding), "text": .string(sample.type.rawValue)]),
        ]
        let category = code?.category ?? (sample.type.category == "activity" ? "activity" : nil)
        if let category {
            resource["category"] = .array([.object(["coding": .array([.object([
                "system": .string("http://terminology.hl7.org/CodeSystem/observation-category"),
                "code": .string(category)])])])])
        }
        if sample.startDate == sample.endDate {
            resource["effectiveDateTime"] = .string(Timestamp.format(sample.startDate))
        } else {
            resource["effectivePeriod"] = .object(["start": .string(Timestamp.format(sample.startDate)),
                                                   "end": .string(Timestamp.format(sample.endDate))])
        }
        if let issued = sample.creationDate { resource["issued"] = .string(Timestamp.format(issued)) }
        if let text = sample.text, sample.type.kind == .category || sample.type.kind == .electrocardiogram {
            resource["valueCodeableConcept"] = .object(["text": .string(text)])
        } else {
            resource["valueQuantity"] = quantity(sample)
        }
        var device = sample.sourceName
        if let version = sample.sourceVersion { device += " " + version }
        if !device.isEmpty { resource["device"] = .object(["display": .string(device)]) }
        return .object(resource)
    }

    static func quantity(_ sample: HealthSample) -> JSONValue {
        // A value with no JSON form (none is stored, but a writer must not fail on one): the unit alone.
        guard sample.value.isFinite else { return .object(["unit": .string(sample.unit)]) }
        if let unit = ucum[sample.unit] {
            return .object(["value": .number(sample.value * unit.factor), "unit": .string(unit.code),
                            "system": .string("http://unitsofmeasure.org"), "code": .string(unit.code)])
        }
        if sample.unit == "count" {
            return .object(["value": .number(sample.value), "unit": .string("1"),
                            "system": .string("http://unitsofmeasure.org"), "code": .string("1")])
        }
        return .object(["value": .number(sample.value), "unit": .string(sample.unit)])
    }

    /// A FHIR id ([A-Za-z0-9.-]{1,64}): the sample's ID when it is one, a digest-free rewrite otherwise.
    static func resourceID(_ id: String) -> String {
        let allowed = id.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
            || $0 == "-" || $0 == "." }
        if allowed && (1...64).contains(id.utf8.count) { return id }
        return String(Hex.encode(Array(id.utf8)).prefix(64))
    }

    /// The start of a Bundle, up to its first entry.
    public static func bundleStart(id: String, timestamp: Date) -> String {
        #"{"resourceType":"Bundle","id":"\#(resourceID(id))","type":"collection","timestamp":"\#(Timestamp.format(timestamp))","entry":["#
    }

    /// One entry of the Bundle (the caller puts `,` between entries).
    public static func bundleEntry(_ sample: HealthSample) -> String {
        JSONValue.object(["fullUrl": .string("urn:uuid:" + sample.id), "resource": resource(sample)]).text
    }

    public static let bundleEnd = "]}"
}

/// Units as exports write them (they follow the user's settings: km or mi,
/// kcal or kJ, mg/dL or mmol/L), converted to the one unit a catalogued
/// type is stored in. A unit with no known conversion is kept as written,
/// on the sample: nothing is dropped for its unit.
public enum AppleHealthUnits {
    /// Per canonical unit, the factor from each unit exports use (temperatures apart).
    static let factors: [String: [String: Double]] = [
        "m": ["m": 1, "km": 1000, "cm": 0.01, "mm": 0.001, "mi": 1609.344, "ft": 0.3048, "in": 0.0254, "yd": 0.9144],
        "cm": ["cm": 1, "mm": 0.1, "m": 100, "in": 2.54],
        "kcal": ["kcal": 1, "Cal": 1, "cal": 0.001, "kJ": 1 / 4.184, "J": 1 / 4184],
        "kg": ["kg": 1, "g": 0.001, "lb": 0.45359237, "oz": 0.028349523125, "st": 6.35029318],
        "g": ["g": 1, "mg": 0.001, "mcg": 0.000_001, "µg": 0.000_001, "kg": 1000, "oz": 28.349523125, "lb": 453.59237],
        "mL": ["mL": 1, "L": 1000, "cL": 10, "dL": 100, "fl_oz_us": 29.5735295625, "fl_oz_imp": 28.4130625,
               "cup_us": 236.5882365, "cup_imp": 284.130625, "pt_us": 473.176473, "pt_imp": 568.26125],
        "L": ["L": 1, "mL": 0.001],
        "L/min": ["L/min": 1, "mL/min": 0.001],
        "min": ["min": 1, "s": 1.0 / 60, "hr": 60, "h": 60, "ms": 1.0 / 60_000, "d": 1440],
        "ms": ["ms": 1, "s": 1000],
        "m/s": ["m/s": 1, "km/hr": 1 / 3.6, "mi/hr": 0.44704, "m/min": 1.0 / 60, "km/min": 1000.0 / 60],
        "count/min": ["count/min": 1, "count/s": 60],
        "count": ["count": 1],
        "mmHg": ["mmHg": 1, "cmAq": 0.7355591, "kPa": 7.50061683],
        // `%` quantities are fractions in exports (0.97, not 97).
        "fraction": ["%": 1, "fraction": 1],
        "mL/(kg*min)": ["mL/min·kg": 1, "mL/(kg*min)": 1, "ml/(kg*min)": 1, "mL/kg/min": 1],
        "mg/dL": ["mg/dL": 1],
        "W": ["W": 1, "kW": 1000],
        "dBASPL": ["dBASPL": 1],
        "IU": ["IU": 1],
        "S": ["S": 1, "mS": 0.001, "µS": 0.000_001, "mcS": 0.000_001],
    ]

    /// `value` in `unit`, in `canonical`; nil when no conversion is known.
    public static func convert(_ value: Double, from unit: String, to canonical: String) -> Double? {
        if unit == canonical { return value }
        if canonical == "degC" {
            switch unit {
            case "degF": return (value - 32) * 5 / 9
            case "K": return value - 273.15
            default: return nil
            }
        }
        if canonical == "mg/dL", let molar = molarMass(unit) {
            // mmol<M>/L: millimoles per litre of a substance of molar mass M g/mol.
            return value * molar / 10
        }
        return factors[canonical]?[unit].map { value * $0 }
    }

    /// M from `mmol<M>/L` (how exports write blood glucose in mmol/L).
    static func molarMass(_ unit: String) -> Double? {
        guard unit.hasPrefix("mmol<"), unit.hasSuffix(">/L") else { return nil }
        let number = unit.dropFirst(5).dropLast(3)
        guard let mass = Double(number), mass.isFinite, mass > 0 else { return nil }
        return mass
    }
}

import Foundation
import HealthSyncDomain

/// A value for one key as it arrives from YAML, the environment or a flag.
enum RawSetting: Sendable, Equatable {
    /// `plain` is false for quoted YAML scalars (which are always strings).
    case scalar(String, plain: Bool)
    case list([String])
}

/// One configuration key: its dotted path, how to check and apply a raw
/// value, and how to show and write the current one.
struct ConfigKey: Sendable {
    let path: String
    let expected: String
    let apply: @Sendable (inout Config, RawSetting) -> String?
    let show: @Sendable (Config) -> String
    let yaml: @Sendable (Config) -> String

    /// The environment variable that sets this key (`transport.timeout_ms` →
    /// `HEALTHSYNC_TRANSPORT_TIMEOUT_MS`).
    var environmentName: String {
        // Swift's own replacing: Foundation's replacingOccurrences bridges through NSString on Linux.
        "HEALTHSYNC_" + path.uppercased().replacing(".", with: "_")
    }

    static func string(_ path: String, _ keyPath: WritableKeyPath<Config, String> & Sendable,
                       allowEmpty: Bool = true, check: @escaping @Sendable (String) -> Bool = { _ in true },
                       expected: String = "a string") -> ConfigKey {
        ConfigKey(path: path, expected: expected, apply: { config, raw in
            guard case .scalar(let text, _) = raw else { return expected }
            guard text.utf8.count <= 1024, (allowEmpty || !text.isEmpty), text.isEmpty || check(text) else {
                return expected
            }
            config[keyPath: keyPath] = text
            return nil
        }, show: { $0[keyPath: keyPath] }, yaml: { quote($0[keyPath: keyPath]) })
    }

    static func integer(_ path: String, _ keyPath: WritableKeyPath<Config, Int> & Sendable,
                        _ range: ClosedRange<Int>) -> ConfigKey {
        let expected = "an integer from \(range.lowerBound) to \(range.upperBound)"
        return ConfigKey(path: path, expected: expected, apply: { config, raw in
            guard case .scalar(let text, true) = raw, let value = Int(text), range.contains(value) else {
                return expected
            }
            config[keyPath: keyPath] = value
            return nil
        }, show: { String($0[keyPath: keyPath]) }, yaml: { String($0[keyPath: keyPath]) })
    }

    static func boolean(_ path: String, _ keyPath: WritableKeyPath<Config, Bool> & Sendable) -> ConfigKey {
        ConfigKey(path: path, expected: "true or false", apply: { config, raw in
            guard case .scalar(let text, true) = raw, text == "true" || text == "false" else { return "true or false" }
            config[keyPath: keyPath] = text == "true"
            return nil
        }, show: { String($0[keyPath: keyPath]) }, yaml: { String($0[keyPath: keyPath]) })
    }

    static func choice<Choice: RawRepresentable & CaseIterable & Sendable>(
        _ path: String, _ keyPath: WritableKeyPath<Config, Choice> & Sendable
    ) -> ConfigKey where Choice.RawValue == String {
        let names = Choice.allCases.map(\.rawValue)
        let expected = "one of " + names.joined(separator: ", ")
        return ConfigKey(path: path, expected: expected, apply: { config, raw in
            guard case .scalar(let text, _) = raw, let value = Choice(rawValue: text) else { return expected }
            config[keyPath: keyPath] = value
            return nil
        }, show: { $0[keyPath: keyPath].rawValue }, yaml: { $0[keyPath: keyPath].rawValue })
    }

    static func types(_ path: String, _ keyPath: WritableKeyPath<Config, [HealthDataType]> & Sendable) -> ConfigKey {
        let expected = "a list of data types (see `healthsync types`) or [all]"
        @Sendable func names(_ config: Config) -> [String] {
            let types = config[keyPath: keyPath]
            return types == HealthDataType.allCases ? ["all"] : types.map(\.rawValue)
        }
        return ConfigKey(path: path, expected: expected, apply: { config, raw in
            let items: [String]
            switch raw {
            case .list(let list): items = list
            case .scalar(let text, _): items = text.split(separator: ",").map(String.init)
            }
            guard items.count <= 64,
                  let types = try? HealthDataType.parseList(items.joined(separator: ",")) else { return expected }
            config[keyPath: keyPath] = types
            return nil
        }, show: { names($0).joined(separator: ",") }, yaml: { "[" + names($0).joined(separator: ", ") + "]" })
    }

    /// A list of `host` or `host:port` (a scalar: comma-separated), at most 16.
    static func hosts(_ path: String, _ keyPath: WritableKeyPath<Config, [String]> & Sendable) -> ConfigKey {
        let expected = "a list of at most 16 addresses (host or host:port)"
        return ConfigKey(path: path, expected: expected, apply: { config, raw in
            let items: [String]
            switch raw {
            case .list(let list): items = list
            case .scalar(let text, _): items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            guard items.count <= 16,
                  items.allSatisfy({ (try? Endpoint(parsing: $0, defaultPort: 1)) != nil }) else { return expected }
            config[keyPath: keyPath] = items
            return nil
        }, show: { $0[keyPath: keyPath].joined(separator: ",") },
           yaml: { "[" + $0[keyPath: keyPath].map(quote).joined(separator: ", ") + "]" })
    }

    /// A list of relay or discovery server URLs (a scalar: comma-separated),
    /// at most 8, each as `ReachServer` parses it.
    static func servers(_ path: String, _ keyPath: WritableKeyPath<Config, [String]> & Sendable,
                        kind: ReachServer.Kind) -> ConfigKey {
        let expected = kind == .relay
            ? "a list of at most 8 relay URLs (relay://host:port/?id=<relay ID>, as strelaysrv prints it)"
            : "a list of at most 8 discovery server URLs (https://host:port/?id=<server ID>)"
        return ConfigKey(path: path, expected: expected, apply: { config, raw in
            let items: [String]
            switch raw {
            case .list(let list): items = list
            case .scalar(let text, _): items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            guard items.count <= 8, items.allSatisfy({ (try? ReachServer(parsing: $0, as: kind)) != nil }) else {
                return expected
            }
            config[keyPath: keyPath] = items
            return nil
        }, show: { $0[keyPath: keyPath].joined(separator: ",") },
           yaml: { "[" + $0[keyPath: keyPath].map(quote).joined(separator: ", ") + "]" })
    }

    /// A YAML double-quoted scalar (JSON string escaping is valid YAML).
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

import Foundation
import HealthSyncDomain
import HealthSyncPorts
import LibYAMLConfigReader

/// Layers the configuration: built-in defaults < the user file (YAML, via
/// libyaml) < `HEALTHSYNC_*` environment variables < command-line flags.
/// Any unknown key, wrong type or out-of-range value is `CONFIG_INVALID`
/// naming the key and where it was set (file line and column, variable, flag).
public struct ConfigLoader: Sendable {
    private let files: any FileSystem
    private let reader = LibYAMLConfigReader()

    public init(files: any FileSystem) { self.files = files }

    /// - Parameters:
    ///   - explicitFile: `--config` or `HEALTHSYNC_CONFIG`; it must exist
    ///     unless `allowMissingFile` (for `config set`, which creates it).
    ///   - flags: key paths and values given as command-line flags.
    public func load(explicitFile: String?, environment: [String: String], flags: [(String, String)] = [],
                     allowMissingFile: Bool = false) throws -> LoadedConfig {
        let file = try explicitFile ?? Self.defaultFile(environment: environment)
        var config = Config()
        var sources: [String: String] = [:]
        var fileSettings: [String: RawSetting] = [:]
        let bytes = try files.read(file, maxBytes: LibYAMLConfigReader.maxBytes)
        if bytes == nil && explicitFile != nil && !allowMissingFile {
            throw HealthSyncError(.configInvalid, "The configuration file \(file) does not exist",
                                  hint: "Check the --config path (or HEALTHSYNC_CONFIG), or create it with `healthsync config set`.")
        }
        if let bytes, let root = try reader.parse(bytes, source: file) {
            guard case .mapping(let entries, _) = root else {
                throw HealthSyncError(.configInvalid, "\(file): \(root.mark): the configuration must be a mapping of keys")
            }
            try collect(entries, prefix: "", file: file, into: &fileSettings, config: &config)
            for key in fileSettings.keys { sources[key] = "file" }
        }
        for key in ConfigSchema.keys {
            guard let value = environment[key.environmentName] else { continue }
            if let expected = key.apply(&config, .scalar(value, plain: true)) {
                throw HealthSyncError(.configInvalid,
                                      "\(key.environmentName): \(key.path) must be \(expected), not \"\(value)\"")
            }
            sources[key.path] = "env"
        }
        for (path, value) in flags {
            guard let key = ConfigSchema.key(path) else { continue }
            if let expected = key.apply(&config, .scalar(value, plain: true)) {
                throw HealthSyncError(.invalidArgument, "\(path) must be \(expected), not \"\(value)\"")
            }
            sources[path] = "flag"
        }
        return LoadedConfig(config: config, file: file, fileExists: bytes != nil, sources: sources,
                            fileSettings: fileSettings)
    }

    /// `$XDG_CONFIG_HOME/healthsync/config.yaml`, else `~/.config/healthsync/config.yaml`.
    public static func defaultFile(environment: [String: String]) throws -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/healthsync/config.yaml" }
        guard let home = environment["HOME"], !home.isEmpty else {
            throw HealthSyncError(.configInvalid, "Neither XDG_CONFIG_HOME nor HOME is set",
                                  hint: "Pass --config PATH, or set HOME.")
        }
        return home + "/.config/healthsync/config.yaml"
    }

    /// Walks the YAML mappings, applying known keys and refusing unknown ones.
    private func collect(_ entries: [YAMLNode.Entry], prefix: String, file: String,
                         into settings: inout [String: RawSetting], config: inout Config) throws {
        for entry in entries {
            let path = prefix.isEmpty ? entry.key : prefix + "." + entry.key
            if let key = ConfigSchema.key(path) {
                let raw = try rawSetting(entry.value, path: path, file: file)
                if let expected = key.apply(&config, raw) {
                    throw HealthSyncError(.configInvalid,
                                          "\(file): \(entry.value.mark): \(path) must be \(expected), not \(describe(entry.value))")
                }
                settings[path] = raw
            } else if ConfigSchema.isGroup(path) {
                guard case .mapping(let children, _) = entry.value else {
                    throw HealthSyncError(.configInvalid,
                                          "\(file): \(entry.value.mark): \(path) must be a mapping of \(ConfigSchema.children(of: path).joined(separator: ", ")), not \(entry.value.kindName)")
                }
                try collect(children, prefix: path, file: file, into: &settings, config: &config)
            } else {
                let known = ConfigSchema.children(of: prefix).joined(separator: ", ")
                throw HealthSyncError(.configInvalid, "\(file): \(entry.keyMark): unknown key '\(path)'",
                                      hint: "Known keys\(prefix.isEmpty ? "" : " under \(prefix)"): \(known).")
            }
        }
    }

    private func rawSetting(_ node: YAMLNode, path: String, file: String) throws -> RawSetting {
        switch node {
        case .scalar(let text, _, let plain):
            return .scalar(text, plain: plain)
        case .sequence(let items, _):
            return .list(try items.map { item in
                guard case .scalar(let text, _, _) = item else {
                    throw HealthSyncError(.configInvalid, "\(file): \(item.mark): \(path) must list names, not \(item.kindName)")
                }
                return text
            })
        case .mapping(_, let mark):
            throw HealthSyncError(.configInvalid, "\(file): \(mark): \(path) must be a value, not a mapping")
        }
    }

    private func describe(_ node: YAMLNode) -> String {
        if case .scalar(let text, _, let plain) = node { return plain ? "\(text)" : "\"\(text)\" (quoted)" }
        return node.kindName
    }
}

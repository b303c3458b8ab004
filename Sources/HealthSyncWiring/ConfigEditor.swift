import Foundation
import HealthSyncDomain
import HealthSyncPorts

/// `healthsync config show|set|reset` on the user configuration file.
/// The file is validated before it is changed and written atomically
/// (0600 in a 0700 folder), so a failed edit leaves it as it was.
public struct ConfigEditor: Sendable {
    private let files: any FileSystem

    public init(files: any FileSystem) { self.files = files }

    public func show(_ loaded: LoadedConfig) -> ConfigReport {
        ConfigReport(action: "show", file: loaded.file, fileExists: loaded.fileExists, changedKey: nil,
                     entries: entries(loaded.config, sources: loaded.sources))
    }

    /// Sets one key in the user file, keeping the other keys it sets.
    public func set(_ path: String, to value: String, in loaded: LoadedConfig) throws -> ConfigReport {
        guard let key = ConfigSchema.key(path) else {
            throw HealthSyncError(.configInvalid, "Unknown configuration key '\(path)'",
                                  hint: "Known keys: \(ConfigSchema.keys.map(\.path).joined(separator: ", ")).")
        }
        var settings = loaded.fileSettings
        let raw: RawSetting = path == "share.types"
            ? .list(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            : .scalar(value, plain: true)
        var config = Config()
        // Validate every setting the file will hold, the new one last.
        settings[path] = raw
        for (settingPath, setting) in settings {
            if let expected = ConfigSchema.key(settingPath)?.apply(&config, setting) {
                throw HealthSyncError(.configInvalid, "\(settingPath) must be \(expected), not \"\(value)\"")
            }
        }
        _ = key.apply(&config, raw)
        try write(settings, config: config, to: loaded.file)
        var sources = loaded.sources
        sources[path] = "file"
        var effective = loaded.config
        _ = key.apply(&effective, raw)
        return ConfigReport(action: "set", file: loaded.file, fileExists: true, changedKey: path,
                            entries: entries(effective, sources: sources))
    }

    /// Removes the user file: the built-in defaults apply again.
    public func reset(file: String) throws -> ConfigReport {
        let existed = try files.permissions(file) != nil
        try files.remove(file)
        return ConfigReport(action: "reset", file: file, fileExists: existed, changedKey: nil,
                            entries: entries(Config(), sources: [:]))
    }

    private func entries(_ config: Config, sources: [String: String]) -> [ConfigReport.Entry] {
        ConfigSchema.keys.map { .init(key: $0.path, value: $0.show(config), source: sources[$0.path] ?? "default") }
    }

    /// Writes the keys in schema order as nested YAML.
    private func write(_ settings: [String: RawSetting], config: Config, to file: String) throws {
        var lines = ["# HealthSync configuration, written by `healthsync config set`.",
                     "# Keys and defaults: see config.yaml in the HealthSync repository."]
        var openGroups: [Substring] = []
        for key in ConfigSchema.keys where settings[key.path] != nil {
            let parts = key.path.split(separator: ".")
            let groups = Array(parts.dropLast())
            var common = 0
            while common < min(groups.count, openGroups.count) && groups[common] == openGroups[common] { common += 1 }
            for depth in common..<groups.count {
                lines.append(String(repeating: "  ", count: depth) + groups[depth] + ":")
            }
            openGroups = groups
            lines.append(String(repeating: "  ", count: groups.count) + parts.last! + ": " + key.yaml(config))
        }
        let directory = (file as NSString).deletingLastPathComponent
        if !directory.isEmpty { try files.createDirectory(directory, mode: 0o700) }
        try files.writeAtomically(file, Array((lines.joined(separator: "\n") + "\n").utf8), mode: 0o600)
    }
}

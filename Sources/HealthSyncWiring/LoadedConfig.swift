/// A configuration with where each value came from.
public struct LoadedConfig: Sendable {
    public let config: Config
    /// The user configuration file (read if it exists, written by `config set`).
    public let file: String
    public let fileExists: Bool
    /// For each key that is not at its default: `file`, `env` or `flag`.
    public let sources: [String: String]
    /// The settings the user file holds, kept for `config set` to rewrite.
    let fileSettings: [String: RawSetting]
}

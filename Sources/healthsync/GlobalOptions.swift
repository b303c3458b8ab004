import ArgumentParser

/// Options every command takes, before or after the subcommand: the root
/// command and every leaf carry this same group.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Configuration file (default: ~/.config/healthsync/config.yaml; env HEALTHSYNC_CONFIG).", valueName: "path"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Where identity, peers and samples live (env HEALTHSYNC_STATE_DIR).", valueName: "dir"))
    var stateDir: String?

    @Flag(name: .long, help: "Show more: the underlying cause of errors; for discover, the probes and a check of paired devices.")
    var verbose = false

    /// Command-specific flags that override configuration keys (e.g. `fetch --timeout`).
    var extraFlags: [(String, String)] = []

    enum CodingKeys: String, CodingKey { case json, config, stateDir, verbose }

    /// Settings the flags override, as configuration key paths.
    var configFlags: [(String, String)] {
        var flags: [(String, String)] = extraFlags
        if let stateDir { flags.append(("state_dir", stateDir)) }
        if json { flags.append(("presenter.adapter", "json")) }
        return flags
    }
}

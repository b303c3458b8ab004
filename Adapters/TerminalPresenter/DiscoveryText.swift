import HealthSyncDomain

/// `discover`: who answered, and with `--verbose` where probes went and
/// how each paired device answered when dialled.
struct DiscoveryText {
    let style: TerminalStyle

    func render(_ report: DiscoverReport) -> String {
        var lines: [String] = []
        if report.paired != nil { lines.append(style.dim("Probed: " + report.probed.joined(separator: ", "))) }
        if report.found.isEmpty {
            lines += ["No HealthSync devices answered.",
                      "Check that `healthsync daemon` runs on the other device, on the same network, with UDP "
                          + "\(report.probed.first.flatMap { $0.split(separator: ":").last }.map(String.init) ?? "9779") open "
                          + "and no VPN in between."]
        } else {
            let rows = report.found.map { found in
                [found.name, found.deviceID.short, found.address, found.paired ? "yes" : "no", found.version]
            }
            lines.append(TerminalStyle.table(["NAME", "DEVICE ID", "ADDRESS", "PAIRED", "VERSION"], rows))
        }
        if let paired = report.paired {
            lines.append("")
            if paired.isEmpty { lines.append("No paired device to dial (this device shares, or is not paired).") }
            for entry in paired {
                let check = entry.check
                if check.reachable {
                    lines.append(style.green("✅") + " \(entry.name) (\(entry.deviceID.short)...): reachable at "
                                 + "\(check.address ?? "?")" + (check.milliseconds.map { " (\($0) ms)" } ?? ""))
                } else {
                    let why = check.error.map { "\($0.code): \($0.message)" } ?? "no answer"
                    lines.append(style.red("❌") + " \(entry.name) (\(entry.deviceID.short)...) at \(check.address ?? "no known address"): \(why)")
                    if let hint = check.error?.hint, !hint.isEmpty { lines.append("   Hint: \(hint)") }
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}

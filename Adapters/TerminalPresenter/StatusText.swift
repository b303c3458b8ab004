import HealthSyncDomain

/// Guide 000's status block.
struct StatusText {
    let style: TerminalStyle

    func render(_ report: StatusReport) -> String {
        var lines: [String] = []
        if report.paired, let peer = report.peer {
            lines.append("📡 Connection Status: ✅ Paired")
            lines.append("📱 Device: \(peer.name)")
            lines.append("🔒 Secure: Yes (mTLS)")
            lines.append("🔄 Last sync: " + (peer.lastSync.map { TerminalStyle.minute($0) + ", \(peer.samplesReceived) samples from it in all" }
                                              ?? "never (run `healthsync sync`)"))
        } else {
            lines.append("📡 Connection Status: ❌ Not paired")
            lines.append("📱 Device: none (pair with `healthsync pair --code <code> --host <address>` or `healthsync pair --token <payload>`)")
            lines.append("🔒 Secure: mTLS once paired")
        }
        if let live = report.live {
            if live.reachable {
                lines.append("🌐 Live check: ✅ reachable" + (live.address.map { " at \($0)" } ?? "")
                             + (live.milliseconds.map { " (\($0) ms)" } ?? ""))
                if let clock = live.clock {
                    lines.append(style.yellow("⏰ \(clock.code): \(clock.message)"))
                    if !clock.hint.isEmpty { lines.append("   Hint: \(clock.hint)") }
                }
            } else {
                let why = live.error.map { "\($0.code): \($0.message)" } ?? "no answer"
                lines.append("🌐 Live check: ❌ " + why)
                if let hint = live.error?.hint, !hint.isEmpty { lines.append("   Hint: \(hint)") }
            }
        }
        lines.append("🔐 Fingerprint: \(report.fingerprint.short)...")
        lines.append("📊 Enabled: \(report.enabledTypes) data types")
        lines.append("📦 Version: \(report.version)")
        lines.append("💻 This device: \(report.device.name) (\(report.device.deviceID.short)...)")
        if let reachID = report.reachID {
            lines.append("🛰  Relays and discovery servers know it as \(reachID)")
        }
        if let daemon = report.daemon {
            lines.append("🛰  Daemon: running (pid \(daemon.pid)), peers on \(daemon.peer), API on \(daemon.api)")
        }
        if report.peers.count > 1 {
            lines.append("🤝 Paired devices: \(report.peers.count) (see `healthsync devices`)")
        }
        return lines.joined(separator: "\n")
    }
}

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
        } else {
            lines.append("📡 Connection Status: ❌ Not paired")
            lines.append("📱 Device: none (pair with `healthsync pair --code <code> --host <address>` or `healthsync pair --token <payload>`)")
            lines.append("🔒 Secure: mTLS once paired")
        }
        lines.append("🔐 Fingerprint: \(report.fingerprint.short)...")
        lines.append("📊 Enabled: \(report.enabledTypes) data types")
        lines.append("📦 Version: \(report.version)")
        lines.append("💻 This device: \(report.device.name) (\(report.device.deviceID.short)...)")
        if report.peers.count > 1 {
            lines.append("🤝 Paired devices: \(report.peers.count) (see `healthsync devices`)")
        }
        return lines.joined(separator: "\n")
    }
}

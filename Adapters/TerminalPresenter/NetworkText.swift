import Foundation
import HealthSyncDomain
import SampleJSONSupport

/// Guide 002's pairing box, the daemon's line, fetched samples and unpairing.
enum NetworkText {
    static func render(_ report: ListeningReport) -> String {
        guard let code = report.code else {
            return "HealthSync daemon listening on \(report.listening) (device \(report.deviceID.short)...)"
                + (report.api.map { "\nControl API on http://\($0) (token in api.token)" } ?? "")
                + (report.discovery.map { address in
                    address.hasPrefix("224.0.0.251:") ? "\nAnnounced as _healthsync._tcp.local by multicast DNS (\(address))"
                        : "\nAnswering discovery probes on UDP \(address)"
                } ?? "")
        }
        let width = 43
        let title = "PAIRING CODE: \(code)"
        let left = (width - title.count) / 2
        let line = String(repeating: " ", count: left) + title + String(repeating: " ", count: width - left - title.count)
        var lines = ["Starting pairing session...", "", "Running on \(report.listening)", "",
                     "╔" + String(repeating: "═", count: width) + "╗", "║" + line + "║",
                     "╚" + String(repeating: "═", count: width) + "╝", "", "On the other device, run:",
                     "  healthsync pair --code \(code)"]
        if code.contains("-") {
            // A code with a nameplate meets through the mailbox: no address needed, from any network.
            lines += ["  (from this network or any other: the code's first part is a mailbox nameplate,",
                      "   and the other device needs the same reach.mailbox)"]
        } else if let advertised = report.advertised {
            let others = (report.addresses ?? []).filter { $0 != advertised }
            lines += ["  (it finds this device on the local network; from elsewhere add --host \(advertised)"
                + (others.isEmpty ? ")" : "; also reachable at \(others.joined(separator: ", ")))")]
        }
        if let qr = report.qr {
            lines += ["", "Or scan this QR code:", QRText.render(qr)]
        }
        if let image = report.qrImage { lines += ["QR code saved to \(image)"] }
        if let payload = report.payload {
            lines += ["", "Or use the QR payload:", "  healthsync pair --token '\(payload)'"]
        }
        if let expiresAt = report.expiresAt {
            let seconds = max(0, Int(expiresAt.timeIntervalSinceNow.rounded()))
            lines += ["", "Code expires in \(seconds) seconds."]
        }
        return lines.joined(separator: "\n")
    }

    static func render(_ report: FetchReport) -> String {
        SampleText.render(report.samples, format: report.format, caption: "\(report.samples.count) samples from \(report.device).",
                          empty: "No samples from \(report.device).")
    }

    /// `--debug-tls`, laid out like `openssl s_client`'s summary.
    static func render(_ report: ConnectionReport) -> String {
        var lines = ["--- TLS connection to \(report.address)",
                     "Protocol: \(report.version)", "Cipher:   \(report.cipher)",
                     "ALPN:     \(report.alpn ?? "none")", "Peer certificate chain:"]
        for (depth, entry) in report.chain.enumerated() {
            lines += [" \(depth) s:\(entry.subject)", "   i:\(entry.issuer)",
                      "   v:NotBefore: \(stamp(entry.notBefore)); NotAfter: \(stamp(entry.notAfter))",
                      "   serial: \(entry.serial)\(entry.isCA ? " (CA)" : "")", "   \(entry.fingerprint)"]
        }
        if report.chain.isEmpty { lines.append(" (none)") }
        lines += ["Verify return code: \(report.verifyResult)", "Trust: \(report.trust)", "---"]
        return lines.joined(separator: "\n")
    }

    static func render(_ report: SyncReport) -> String {
        report.devices.map { entry in
            if let error = entry.error {
                return "\(entry.name) (\(entry.deviceID.short)...): not synced: \(error.code): \(error.message)\n  Hint: \(error.hint)"
            }
            let what = entry.received == 0 ? "up to date" : "\(entry.received) new or changed samples"
            return "\(entry.name) (\(entry.deviceID.short)...): \(what)"
        }.joined(separator: "\n")
    }

    static func render(_ report: UnpairReport) -> String {
        guard !report.devices.isEmpty else { return "No paired devices." }
        return report.devices.map { entry in
            "Unpaired \(entry.name) (\(entry.deviceID.short)...): certificates revoked"
                + (entry.notified ? ", device told." : "; it was not reachable and will get CERT_REVOKED.")
        }.joined(separator: "\n")
    }

    private static func stamp(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }

}

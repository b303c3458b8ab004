import HealthSyncDomain

/// Guide 001's `cert info` block.
struct CertificateText {
    let style: TerminalStyle

    func render(_ report: CertificateReport) -> String {
        var blocks = ["Device: \(report.device.name)\nDevice ID: \(report.device.deviceID)"]
        for missing in report.missing {
            blocks.append("\(missing.title):\n  Status: \(style.yellow(missing.reason))")
        }
        for entry in report.certificates {
            var lines = ["\(entry.title):", "  Subject: \(entry.subject)"]
            if entry.kind != "ca" && entry.kind != "peer-ca" { lines.append("  Issuer: \(entry.issuer)") }
            lines.append("  Valid: \(TerminalStyle.day(entry.validFrom)) to \(TerminalStyle.day(entry.validTo))")
            lines.append("  Status: \(status(entry.status))")
            if entry.kind == "ca" || entry.kind == "peer-ca" { lines.append("  Fingerprint: \(entry.fingerprint)") }
            if let peer = entry.peer { lines.append("  Paired device: \(peer)") }
            blocks.append(lines.joined(separator: "\n"))
        }
        return blocks.joined(separator: "\n\n")
    }

    private func status(_ validity: CertificateValidity) -> String {
        switch validity {
        case .valid: return style.green(validity.rawValue)
        case .expired, .notYetValid: return style.red(validity.rawValue)
        }
    }
}

import Foundation
import HealthSyncDomain
import HealthSyncPorts

/// The `Presenter` port for people: the guides' layouts on standard output,
/// errors and progress on standard error.
public struct TerminalPresenter: Presenter {
    public typealias Output = @Sendable (String) -> Void

    private let output: Output
    private let errorOutput: Output
    private let style: TerminalStyle
    /// Standard error is coloured by its own rule (it may be a terminal when standard output is a pipe).
    private let errorStyle: TerminalStyle
    /// The progress bar, when both streams are terminals (nil otherwise: nothing is drawn).
    private let progress: ProgressLine?

    /// - Parameters:
    ///   - colour: whether standard output gets ANSI colour (the wiring decides: a TTY, no NO_COLOR, no TERM=dumb).
    ///   - errorColour: the same for standard error (`colour` when not given).
    ///   - progress: whether long tasks draw a progress bar on standard error (standard output and error both terminals).
    public init(colour: Bool, errorColour: Bool? = nil, progress: Bool = false, output: @escaping Output,
                errorOutput: @escaping Output) {
        // The last line of defence: whatever a report carries from outside,
        // no control sequence but our own colours reaches the terminal.
        self.output = { output(Printable.terminal($0)) }
        self.errorOutput = { errorOutput(Printable.terminal($0)) }
        self.style = TerminalStyle(colour: colour)
        self.errorStyle = TerminalStyle(colour: errorColour ?? colour)
        self.progress = progress ? ProgressLine(write: errorOutput) : nil
    }

    public func show(_ report: Report) {
        progress?.clear()
        let text: String
        switch report {
        case .certificates(let report): text = CertificateText(style: style).render(report)
        case .export(let report): text = render(report)
        case .keystoreCleared(let report): text = render(report)
        case .config(let report): text = render(report)
        case .devices(let report): text = render(report)
        case .types(let report): text = render(report)
        case .status(let report): text = StatusText(style: style).render(report)
        case .samplesGenerated(let report): text = render(report)
        case .listening(let report): text = NetworkText.render(report)
        case .paired(let report): text = "Paired with \(report.name) (\(report.deviceID.short)...)"
            + (report.address.map { $0.hasPrefix("relay://") ? " via \($0.prefix { $0 != "?" }.dropLast(1))" : " at \($0)" } ?? "") + "."
        case .shared(let report):
            text = report.paired.isEmpty ? "Stopped sharing; no device paired."
                : "Stopped sharing; paired with " + report.paired.map { "\($0.name) (\($0.deviceID.short)...)" }
                    .joined(separator: ", ") + "."
        case .fetched(let report): text = NetworkText.render(report)
        case .unpaired(let report): text = NetworkText.render(report)
        case .discovered(let report): text = DiscoveryText(style: style).render(report)
        case .synced(let report): text = NetworkText.render(report)
        case .imported(let report): text = ImportText.render(report)
        case .listed(let report): text = SampleText.render(report)
        case .counted(let report): text = SampleText.render(report)
        case .exported(let report):
            // The samples went to standard output: the summary goes beside them, not into them.
            if report.file == nil {
                errorOutput(SampleText.render(report) + "\n")
                return
            }
            text = SampleText.render(report)
        }
        output(text + "\n")
    }

    public func show(_ error: HealthSyncError) {
        progress?.clear()
        var lines = [errorStyle.red("Error: \(error.message)"), errorStyle.red("Error: \(error.code.rawValue)")]
        if !error.hint.isEmpty { lines.append("Hint: \(error.hint)") }
        errorOutput(lines.joined(separator: "\n") + "\n")
    }

    public func show(_ event: Event) {
        if case .progress(let update) = event {
            progress?.show(update)
            return
        }
        progress?.clear()
        if case .listening(let report) = event {
            output(NetworkText.render(report) + "\n")
            return
        }
        guard let line = EventText(style: errorStyle).render(event) else { return }
        errorOutput(line + "\n")
    }

    private func render(_ report: ExportReport) -> String {
        var lines = ["Exported \(report.files.count) files to \(report.destination):"]
        for file in report.files {
            lines.append("  \(file.path)" + (file.secret ? style.yellow("  (private key, mode 0600: keep it on this device)") : ""))
        }
        return lines.joined(separator: "\n")
    }

    private func render(_ report: ClearReport) -> String {
        guard report.hadIdentity || report.peersRemoved > 0 else {
            return "The \(report.keystore) keystore at \(report.location) holds no identity; nothing else to clear."
        }
        let peers = report.peersRemoved == 1 ? "1 paired device" : "\(report.peersRemoved) paired devices"
        return "Cleared the \(report.keystore) keystore at \(report.location): identity, CA, \(peers), revocations and API token removed.\n"
            + "A new identity is created the next time one is needed; paired devices must pair again."
    }

    private func render(_ report: ConfigReport) -> String {
        switch report.action {
        case "set":
            let entry = report.entries.first { $0.key == report.changedKey }
            return "Set \(report.changedKey ?? "") = \(entry?.value ?? "") in \(report.file)"
        case "reset":
            return report.fileExists
                ? "Removed \(report.file); the built-in defaults are in force."
                : "No user configuration at \(report.file); the built-in defaults are already in force."
        default:
            let header = "# \(report.file)" + (report.fileExists ? "" : " (not created yet)")
            let rows = report.entries.map { ["\($0.key):", $0.value, style.dim("# \($0.source)")] }
            return header + "\n" + TerminalStyle.table(["# key", "value", ""], rows)
                .split(separator: "\n").dropFirst().joined(separator: "\n")
        }
    }

    private func render(_ report: DevicesReport) -> String {
        guard !report.devices.isEmpty else {
            return "No paired devices. Pair with `healthsync pair --code <code> --host <address>` or `healthsync pair --token <payload>`."
        }
        let rows = report.devices.map { device in
            [device.name, device.deviceID.short, device.role.rawValue,
             device.lastSeen.map(TerminalStyle.minute) ?? "never",
             device.certificateExpiry.map(TerminalStyle.day) ?? "-",
             device.lastSync.map(TerminalStyle.minute) ?? "never", String(device.samplesReceived)]
        }
        return TerminalStyle.table(["NAME", "DEVICE ID", "ROLE", "LAST SEEN", "CERT EXPIRES", "LAST SYNC", "SAMPLES FROM IT"], rows)
    }

    private func render(_ report: TypesReport) -> String {
        let rows = report.types.map {
            [$0.name, $0.healthKitIdentifier, $0.unit.isEmpty ? "-" : $0.unit, $0.shared ? "yes" : "no", String($0.stored)]
        }
        let shared = report.types.filter(\.shared).count
        let present = report.types.filter { $0.stored > 0 }.count
        return TerminalStyle.table(["TYPE", "HEALTHKIT IDENTIFIER", "UNIT", "SHARED", "STORED"], rows)
            + "\n\n\(report.types.count) types, \(shared) shared with paired devices, \(present) with samples here."
    }

    private func render(_ report: GenerateReport) -> String {
        var text = "Generated \(report.generated) samples of \(report.types) types over \(report.days) days"
        if let from = report.from, let to = report.to {
            text += " (\(TerminalStyle.day(from)) to \(TerminalStyle.day(to)))"
        }
        return text + ".\nThe sample store now holds \(report.totalStored) samples."
    }
}

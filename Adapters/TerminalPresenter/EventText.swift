import HealthSyncDomain

/// One line per event, in the guides' wording; nil for events a person
/// does not need to see.
struct EventText {
    let style: TerminalStyle

    func render(_ event: Event) -> String? {
        switch event {
        case .identityCreated(let id):
            return style.dim("Created this device's identity and CA (\(id.short)...).")
        case .keystoreCleared, .configChanged, .samplesGenerated, .samplesServed:
            return nil
        case .listening:
            // Shown on standard output by the presenter itself (the code box is the point of the command).
            return nil
        case .pairingCodeIssued:
            return "Waiting for connection..."
        case .pairingRequestPending:
            // The prompt shows the request with its question, in one piece.
            return nil
        case .pairingCheckNumber(let number):
            return "Joining pairing session...\nCheck number: \(number) (the other device shows the same number)"
        case .pairingCancelled:
            return "Pairing session cancelled."
        case .pairingAttemptFailed(let failure):
            let what = failure.path == .code ? "Wrong or malformed pairing code" : "Wrong QR token proof"
            let left = failure.guessesLeft.map { ", \($0) tries of this code left" } ?? ""
            return style.yellow("⚠️  \(what) from \(failure.source) (\(failure.code.rawValue)\(left)); still waiting.")
        case .pairingAccepted:
            return "Pairing request accepted."
        case .pairingRejected:
            return "Pairing was rejected."
        case .paired:
            return style.green("Device paired successfully!")
                + "\nThe devices will now sync automatically when discovered on the network."
        case .unpaired(let id):
            return "Unpaired \(id.short)..."
        case .samplesFetched(let id, let count):
            return style.dim("Fetched \(count) samples from \(id.short)...")
        case .peerMoved(let move):
            let how = switch move.source {
            case .discovery: "found on the network by its device ID"
            case .globalDiscovery: "found through the global discovery server by its device ID"
            case .relay: "through the relay it is joined to"
            case .pairing: "where it was paired"
            case .command: "given with --host before"
            case .config: "server.host"
            }
            return style.yellow("⚠️  \(move.name) did not answer at \(move.tried.joined(separator: ", ")); reached it \(move.reached.hasPrefix("via ") ? "" : "at ")\(move.reached) (\(how)).")
        case .certificateRenewed(let renewal):
            let until = "valid until \(TerminalStyle.day(renewal.notAfter))"
            switch renewal.kind {
            case .ourClientCertificate:
                return style.dim("Renewed this device's client certificate from \(renewal.deviceID?.short ?? "")... (\(until)).")
            case .peerClientCertificate:
                return style.dim("Issued a renewed client certificate to \(renewal.deviceID?.short ?? "")... (\(until)).")
            case .serverCertificate:
                return style.dim("Renewed this device's server certificate (\(until)).")
            }
        case .connectionDetails(let report):
            return NetworkText.render(report)
        case .reachServerJoined(let server, let addresses):
            return server.hasPrefix("relay://")
                ? "Joined the relay \(server): devices that cannot reach this one directly can through it."
                : "Announced to \(server): \(addresses.joined(separator: ", "))"
        case .failed(let error):
            return style.red("Error: \(error.code.rawValue): \(error.message)")
        case .requestAccepted, .requestRefused:
            // The daemon's log says these; a person at a command needs neither.
            return nil
        case .progress:
            // Drawn as a bar that rewrites itself (`ProgressLine`), not a line of its own.
            return nil
        }
    }
}

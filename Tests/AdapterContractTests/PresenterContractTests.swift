import Foundation
import HealthSyncDomain
import HealthSyncPorts
import JSONPresenter
import Testing
import TerminalPresenter

enum PresenterKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case terminal, json

    var testDescription: String { rawValue }

    func make(output: Captured, errors: Captured) -> any Presenter {
        switch self {
        case .terminal: TerminalPresenter(colour: false, output: output.append, errorOutput: errors.append)
        case .json: JSONPresenter(output: output.append, errorOutput: errors.append)
        }
    }
}

/// The `Presenter` port's contract, over both presenters: a report is the
/// command's output on standard output (for machines, one JSON document);
/// errors carry their code and hint and never their cause; events go to
/// standard error (the terminal shows a listening code on standard output).
@Suite("Presenter contract")
struct PresenterContractTests {
    static let id = DeviceID(bytes: Array(repeating: 5, count: 32))!
    static let reports: [Report] = [
        .paired(PairedReport(name: "phone", deviceID: id, address: "127.0.0.1:8443")),
        .shared(SharedReport(paired: [PairedReport(name: "laptop", deviceID: id, address: nil)])),
        .devices(DevicesReport(devices: [])),
        .types(TypesReport(shared: [.steps, .heartRate])),
        .keystoreCleared(ClearReport(keystore: "file", location: "/tmp/x", hadIdentity: true, peersRemoved: 2)),
        .synced(SyncReport(devices: [.init(name: "phone", deviceID: id, received: 3, position: 9, error: nil)])),
        .listening(ListeningReport(listening: "127.0.0.1:8443", port: 8443, deviceID: id, api: "127.0.0.1:9778")),
    ]

    @Test(arguments: PresenterKind.allCases)
    func aReportIsTheOutputAndForMachinesOneDocument(_ kind: PresenterKind) throws {
        for report in Self.reports {
            let out = Captured(), err = Captured()
            kind.make(output: out, errors: err).show(report)
            #expect(!out.text.isEmpty, "\(report)")
            #expect(err.text.isEmpty, "\(report)")
            if kind == .json {
                let parsed = try JSONSerialization.jsonObject(with: Data(out.text.utf8))
                #expect(parsed is [String: Any], "\(out.text)")
            }
        }
    }

    @Test(arguments: PresenterKind.allCases)
    func errorsCarryTheirCodeAndHintButNeverTheirCause(_ kind: PresenterKind) throws {
        let out = Captured(), err = Captured()
        kind.make(output: out, errors: err).show(HealthSyncError(.notPaired, "Not paired", hint: "Pair first.",
                                                                 cause: "/home/secret/path key=abc"))
        let shown = out.text + err.text
        #expect(shown.contains("NOT_PAIRED") && shown.contains("Pair first."))
        #expect(!shown.contains("secret") && !shown.contains("key=abc"))
        if kind == .json {
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(out.text.utf8)) as? [String: Any])
            #expect((parsed["error"] as? [String: Any])?["code"] as? String == "NOT_PAIRED")
        }
    }

    @Test(arguments: PresenterKind.allCases)
    func eventsGoToStandardErrorAsLines(_ kind: PresenterKind) throws {
        let out = Captured(), err = Captured()
        let presenter = kind.make(output: out, errors: err)
        presenter.show(.pairingRequestPending(name: "laptop", deviceID: Self.id, checkNumber: "123456"))
        presenter.show(.paired(name: "laptop", deviceID: Self.id))
        #expect(out.text.isEmpty)
        // On a terminal the prompt shows the request itself (with its question, in one piece).
        #expect(err.text.contains(kind == .json ? "laptop" : "Device paired successfully!"))
        if kind == .json {
            let lines = err.text.split(separator: "\n")
            #expect(lines.count == 2)
            for line in lines { #expect((try JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any]) }
        }
        // A listening code: for people the box on standard output, for machines a line on standard error.
        let shownOut = Captured(), shownErr = Captured()
        kind.make(output: shownOut, errors: shownErr).show(Event.listening(ListeningReport(
            listening: "127.0.0.1:8443", port: 8443, deviceID: Self.id, code: "847293", advertised: "127.0.0.1:8443",
            payload: "{}", expiresAt: Date().addingTimeInterval(300))))
        let shown = kind == .terminal ? shownOut.text : shownErr.text
        #expect(shown.contains("847293"))
        #expect((kind == .terminal ? shownErr.text : shownOut.text).isEmpty)
    }
}

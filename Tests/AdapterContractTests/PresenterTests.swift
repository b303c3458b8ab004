import Foundation
import HealthSyncDomain
import HealthSyncPorts
import JSONPresenter
import Synchronization
import TerminalPresenter
import TerminalPrompt
import HealthSyncWire
import LibQREncode
import Testing

final class Captured: Sendable {
    private let parts = Mutex<[String]>([])
    var text: String { parts.withLock { $0.joined() } }
    func append(_ text: String) { parts.withLock { $0.append(text) } }
}

@Suite("Presenters")
struct PresenterTests {
    static let day = Date(timeIntervalSince1970: 1_767_744_000) // 2026-01-07
    static let chain: IssuedChain = try! IssuedChain(now: day)

    var report: CertificateReport {
        let chain = Self.chain
        return CertificateReport(
            device: DeviceLine(name: "mac", deviceID: chain.leaf.publicKeyID),
            certificates: [
                CertificateEntry(title: "Client Certificate", kind: "client", peer: nil, certificate: chain.leaf, at: Self.day),
                CertificateEntry(title: "CA Certificate", kind: "ca", peer: nil, certificate: chain.ca, at: Self.day),
            ], missing: [])
    }

    @Test func theTerminalShowsGuide001sBlocks() {
        let out = Captured(), err = Captured()
        let presenter = TerminalPresenter(colour: false, output: out.append, errorOutput: err.append)
        presenter.show(.certificates(report))
        #expect(out.text.contains("""
            Client Certificate:
              Subject: healthsync-client
              Issuer: healthsync-ca
              Valid: 2026-01-06 to 2027-01-07
              Status: Valid
            """))
        #expect(out.text.contains("CA Certificate:\n  Subject: healthsync-ca\n  Valid: 2026-01-06 to 2031-01-07\n  Status: Valid"))
        #expect(!out.text.contains("\u{1B}["))
        #expect(err.text.isEmpty)
    }

    @Test func colourOnlyWhenAsked() {
        let out = Captured()
        TerminalPresenter(colour: true, output: out.append, errorOutput: out.append).show(.certificates(report))
        #expect(out.text.contains("\u{1B}[32mValid\u{1B}[0m"))
    }

    @Test func terminalErrorsLookLikeTheGuides() {
        let out = Captured(), err = Captured()
        TerminalPresenter(colour: false, output: out.append, errorOutput: err.append).show(HealthSyncError(.certHasExpired))
        #expect(err.text.hasPrefix("Error: Certificate has expired\nError: CERT_HAS_EXPIRED\nHint: "))
        #expect(out.text.isEmpty)
    }

    @Test func jsonIsOneDocumentOnStandardOutput() throws {
        let out = Captured(), err = Captured()
        let presenter = JSONPresenter(output: out.append, errorOutput: err.append)
        presenter.show(.certificates(report))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out.text.utf8)) as? [String: Any])
        let certificates = try #require(object["certificates"] as? [[String: Any]])
        #expect(certificates.first?["subject"] as? String == "healthsync-client")
        #expect(certificates.first?["validTo"] as? String == "2027-01-07T00:00:00Z")
        #expect((object["device"] as? [String: Any])?["deviceID"] as? String == Self.chain.leaf.publicKeyID.description)
    }

    @Test func jsonErrorsHaveCodeMessageAndHint() throws {
        let out = Captured()
        JSONPresenter(output: out.append, errorOutput: { _ in }).show(HealthSyncError(.notPaired))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out.text.utf8)) as? [String: Any])
        let error = try #require(object["error"] as? [String: String])
        #expect(error == ["code": "NOT_PAIRED", "message": "This device is not paired",
                          "hint": ErrorCode.notPaired.defaultHint])
    }

    @Test func jsonEventsAreLinesOnStandardError() throws {
        let out = Captured(), err = Captured()
        let presenter = JSONPresenter(output: out.append, errorOutput: err.append)
        presenter.show(Event.samplesGenerated(count: 3, days: 1))
        presenter.show(Event.failed(HealthSyncError(.pairingBusy)))
        let lines = err.text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0] == #"{"count":3,"days":1,"event":"samplesGenerated"}"#)
        #expect(lines[1].contains(#""code":"PAIRING_BUSY""#))
        #expect(out.text.isEmpty)
    }

    @Test func exportedKeysAreNeverPrinted() throws {
        let out = Captured()
        let report = ExportReport(destination: "/x", files: [.init(path: "/x/device-key.pem", contents: "SECRET-KEY", secret: true)])
        JSONPresenter(output: out.append, errorOutput: out.append).show(.export(report))
        TerminalPresenter(colour: false, output: out.append, errorOutput: out.append).show(.export(report))
        #expect(!out.text.contains("SECRET-KEY"))
        #expect(out.text.contains("/x/device-key.pem"))
    }
}

@Suite("Pairing events in the guides' words")
struct PairingEventWordingTests {
    @Test func theTerminalSpeaksLikeTheGuides() {
        let err = Captured()
        let presenter = TerminalPresenter(colour: false, output: { _ in }, errorOutput: err.append)
        let id = DeviceID(bytes: Array(repeating: 0xa1, count: 32))!
        presenter.show(Event.pairingCodeIssued(code: "847293", expiresAt: Date()))
        presenter.show(Event.pairingRequestPending(name: "desktop", deviceID: id, checkNumber: "042137"))
        presenter.show(Event.pairingCheckNumber("042137"))
        presenter.show(Event.paired(name: "desktop", deviceID: id))
        presenter.show(Event.pairingRejected(id))
        #expect(err.text.contains("Waiting for connection..."))
        #expect(!err.text.contains("Incoming pairing request!"), "the prompt shows it")
        #expect(err.text.contains("042137"))
        #expect(err.text.contains("Joining pairing session..."))
        #expect(err.text.contains("Device paired successfully!\nThe devices will now sync automatically when discovered on the network."))
        #expect(err.text.contains("Pairing was rejected."))
    }

    @Test func nothingFromOutsideDrivesTheTerminal() async throws {
        let hostile = "evil\u{1B}]0;owned\u{07}\u{1B}[2J\u{1B}]52;c;aGk=\u{07}\u{202E}txt.exe\nDevice paired successfully!"
        let id = DeviceID(bytes: Array(repeating: 0xa1, count: 32))!
        let out = Captured(), err = Captured()
        let presenter = TerminalPresenter(colour: true, output: out.append, errorOutput: err.append)
        presenter.show(.paired(PairedReport(name: hostile, deviceID: id, address: nil)))
        presenter.show(HealthSyncError(.deviceNotFound, hostile, hint: hostile))
        for text in [out.text, err.text] {
            // Only our own colour sequences remain: ESC [ digits m.
            let escapes = text.components(separatedBy: "\u{1B}").dropFirst()
            #expect(escapes.allSatisfy { $0.range(of: #"^\[[0-9;]*m"#, options: .regularExpression) != nil }, "\(text.debugDescription)")
            #expect(!text.contains("\u{07}") && !text.contains("\u{202E}"))
        }
        // A name is one line: what follows the newline cannot pass for our own line.
        #expect(Printable.clean(hostile, maxLength: 64).contains("\n") == false)
        let prompt = Captured()
        _ = await TerminalPrompt(errorOutput: prompt.append, readLine: { nil }).accept(name: hostile, deviceID: id, checkNumber: "1")
        #expect(!prompt.text.contains("\u{1B}"))
        // An error another host answered with is cleaned as it is decoded.
        let body = try WireCodec.encode(WireError(error: ErrorSummary(HealthSyncError(.notPaired, hostile, hint: hostile))))
        let decoded = WireCodec.error(from: WireResponse(status: 404, body: body))
        #expect(decoded.code == .notPaired && !decoded.message.contains("\u{1B}") && !decoded.message.contains("\n"))
    }

    @Test func theFastPathAgreesWithTheCarefulOne() {
        let samples = ["plain ascii\n\tline", "é日本語 emoji 🫀", "a\u{85}b", "x\u{202E}y", "q\u{2069}r", "m\u{061C}n",
                       "s\u{2028}t", "del\u{7F}", "bell\u{07}", "\u{1B}[31mred\u{1B}[0m", "\u{1B}]0;t\u{07}", "ok\u{200D}zwj"]
        for sample in samples {
            let careful = Printable.clean(sample, multiline: true)
            if !sample.contains("\u{1B}") { #expect(Printable.terminal(sample) == careful, "\(sample.debugDescription)") }
        }
        #expect(Printable.terminal("\u{1B}[31mred\u{1B}[0m") == "\u{1B}[31mred\u{1B}[0m")
    }

    @Test func thePromptShowsTheRequestThenItsQuestionInOneWrite() async {
        let err = Captured()
        let prompt = TerminalPrompt(errorOutput: err.append, readLine: { nil })
        let id = DeviceID(bytes: Array(repeating: 0xa1, count: 32))!
        #expect(await prompt.accept(name: "desktop", deviceID: id, checkNumber: "042137") == false)
        #expect(err.text.hasPrefix("\nIncoming pairing request!\n\n  Device: desktop (\(id))\n  Key:    a1a1a1a1...a1a1a1a1\n"
            + "  Check:  042137 (the other device shows the same number)\n\nAccept this device? [y/N] "), "\(err.text)")
        let auto = Captured()
        #expect(await AutoAcceptPrompt(wrapping: TerminalPrompt(errorOutput: auto.append)).accept(
            name: "desktop", deviceID: id, checkNumber: "042137"))
        #expect(auto.text.contains("Incoming pairing request!") && auto.text.contains("Accepted (--yes)."))
    }

    @Test func jsonNamesEveryEvent() throws {
        let err = Captured()
        let presenter = JSONPresenter(output: { _ in }, errorOutput: err.append)
        let id = DeviceID(bytes: Array(repeating: 0xa1, count: 32))!
        let events: [Event] = [.identityCreated(id), .keystoreCleared(peersRemoved: 1), .configChanged(key: "k", value: "v"),
                               .samplesGenerated(count: 1, days: 1), .pairingCodeIssued(code: "847293", expiresAt: Date()),
                               .pairingRequestPending(name: "n", deviceID: id, checkNumber: "000001"),
                               .pairingCheckNumber("000001"), .pairingCancelled, .pairingAccepted(id), .pairingRejected(id),
                               .paired(name: "n", deviceID: id), .unpaired(id), .samplesServed(to: id, count: 2),
                               .samplesFetched(from: id, count: 2), .failed(HealthSyncError(.notPaired)),
                               .reachServerJoined(server: "https://10.99.0.1:8443", addresses: ["tcp://:8443"]),
                               .connectionDetails(ConnectionReport(address: "a:1", version: "TLSv1.3", cipher: "c", alpn: nil,
                                                                   chain: [], verifyResult: "0 (ok)", trust: "OK"))]
        for event in events { presenter.show(event) }
        let lines = err.text.split(separator: "\n")
        #expect(lines.count == events.count)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["event"] is String)
        }
    }
}

@Suite("QR codes in the terminal")
struct QRTextTests {
    /// Two rows per line with half blocks, light modules as blocks, a
    /// 2-module quiet zone: what `qrencode -t UTF8 -m 2` prints.
    @Test func halfBlocksWithATwoModuleMargin() throws {
        let code = try LibQREncodeEncoder().encode(QRCodeTests.payload)
        let out = Captured()
        TerminalPresenter(colour: false, output: out.append, errorOutput: { _ in }).show(Report.listening(ListeningReport(
            listening: "0.0.0.0:8443", port: 8443, deviceID: DeviceID(bytes: Array(repeating: 1, count: 32))!,
            code: "123456", advertised: "192.168.1.20:8443", payload: QRCodeTests.payload, expiresAt: Date(), qr: code)))
        let lines = out.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let drawn = lines.filter { $0.hasPrefix("██") && $0.hasSuffix("██") }
        #expect(drawn.count == (code.size + 1) / 2 + 2)
        #expect(drawn.allSatisfy { $0.count == code.size + 4 })
        #expect(drawn.first == String(repeating: "█", count: code.size + 4))
        // The top-left finder pattern: dark row 0 over dark row 1 is blank; the ring's inside is light.
        #expect(drawn[1].hasPrefix("██ ▄▄▄▄▄ █"))
        #expect(drawn.joined().allSatisfy { "█▀▄ ".contains($0) })
        #expect(out.text.contains("PAIRING CODE: 123456"))
        #expect(out.text.contains("Code expires in"))
        // JSON output carries the payload, not the drawing.
        let json = Captured()
        JSONPresenter(output: json.append, errorOutput: { _ in }).show(Report.listening(ListeningReport(
            listening: "x", port: 1, deviceID: DeviceID(bytes: Array(repeating: 1, count: 32))!, payload: "p", qr: code)))
        #expect(!json.text.contains("qr\""))
        #expect(json.text.contains("\"payload\":\"p\""))
    }
}

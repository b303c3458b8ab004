import Foundation
import HealthSyncDomain
import Testing

/// The pairing state machine alone: no ports, no network, the time given.
@Suite("Pairing session state machine")
struct PairingSessionTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)
    let binding = Array(repeating: UInt8(7), count: 32)

    func started(_ maxFailedCodes: Int = 3) throws -> PairingSession {
        var session = PairingSession(maxFailedCodes: maxFailedCodes)
        let effects = try session.start(code: "123456", token: [1], salt: [2], expiresAt: start.addingTimeInterval(300), at: start)
        #expect(effects == [.publish(.pairingCodeIssued(code: "123456", expiresAt: start.addingTimeInterval(300)))])
        return session
    }

    func attempt(confirmation: [UInt8] = [9, 9]) -> PairingSession.CodeAttempt {
        PairingSession.CodeAttempt(binding: binding, name: "laptop", expectedConfirmation: confirmation, checkNumber: "042042")
    }

    @Test func aConfirmedCodeWaitsForTheUserThenFinishes() throws {
        var session = try started()
        #expect(throws: HealthSyncError.self) { _ = try session.start(code: "1", token: [], salt: [], expiresAt: start, at: start) }
        _ = try session.beginShare(at: start)
        session.shareAnswered(attempt())
        let confirmed = try session.confirm([9, 9], binding: binding, at: start)
        #expect(confirmed.name == "laptop")
        let id = try #require(DeviceID(bytes: Array(repeating: 3, count: 32)))
        #expect(session.awaitDecision(for: id) == [.publish(.pairingRequestPending(name: "laptop", deviceID: id, checkNumber: "042042"))])
        #expect(session.state == .pending(name: "laptop", deviceID: id, checkNumber: "042042"))
        #expect(try session.decided(true, for: id, binding: binding) == [.publish(.pairingAccepted(id))])
        // The accepted joiner's certificate is issued, then it finishes on its own connection only.
        let ca = Certificate(der: [], pem: "", subject: "CA", issuer: "CA", serial: "01", notBefore: start, notAfter: start,
                             subjectAltNames: [], fingerprint: id, publicKeyID: id, isCA: true)
        let joining = PairingSession.Joining(binding: binding, name: "laptop", deviceID: id, ca: ca, issuedSerial: "02")
        try session.exchanged(joining, at: start)
        #expect(throws: HealthSyncError.self) { _ = try session.finishing(binding: [1], at: start) }
        #expect(try session.finishing(binding: binding, at: start) == joining)
        #expect(session.finished(joining) == [.publish(.paired(name: "laptop", deviceID: id))])
        #expect(session.state == .idle && session.outcome == .paired(name: "laptop", deviceID: id))
    }

    @Test func aWrongConfirmationDestroysTheCodeAndCounts() throws {
        var session = try started(1)
        _ = try session.beginShare(at: start)
        session.shareAnswered(attempt())
        let refusal = #expect(throws: PairingRefusal.self) { _ = try session.confirm([9, 8], binding: binding, at: start) }
        #expect(refusal?.error.code == .invalidPairingCode)
        #expect(refusal?.effects == [.publish(.failed(HealthSyncError(.invalidPairingCode)))])
        #expect(session.state == .idle)
        // One failed code with at most one allowed: new sessions back off.
        let limited = #expect(throws: HealthSyncError.self) { _ = try session.checkCanStart(at: start.addingTimeInterval(1)) }
        #expect(limited?.code == .pairingRateLimited)
        #expect(try session.checkCanStart(at: start.addingTimeInterval(31)).isEmpty)
    }

    @Test func aSecondTryOfACodeDestroysIt() throws {
        var session = try started()
        _ = try session.beginShare(at: start)
        session.shareAnswered(attempt())
        let refusal = #expect(throws: PairingRefusal.self) { _ = try session.codeParameters(at: start) }
        #expect(refusal?.error.code == .invalidPairingCode)
        #expect(throws: HealthSyncError.self) { _ = try session.tokenForProof(at: start) }
    }

    @Test func expiryAndCancellationAnswerAWaitingJoiner() throws {
        var session = try started()
        #expect(session.expire(at: start.addingTimeInterval(299)).isEmpty)
        #expect(session.expire(at: start.addingTimeInterval(301)) == [.resumeDecision(false)])
        #expect(session.outcome == .failed(HealthSyncError(.pairingTokenExpired)))
        let expired = #expect(throws: HealthSyncError.self) { _ = try session.tokenForProof(at: start) }
        #expect(expired?.code == .pairingTokenExpired)
        var other = try started()
        #expect(other.cancel() == [.resumeDecision(false), .publish(.pairingCancelled)])
        #expect(other.cancel().isEmpty)
    }
}

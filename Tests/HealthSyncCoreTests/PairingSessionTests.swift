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

    func attempt(confirmation: [UInt8] = [9, 9], binding: [UInt8]? = nil, source: String = "192.0.2.1") -> PairingSession.CodeAttempt {
        PairingSession.CodeAttempt(binding: binding ?? self.binding, source: source, name: "laptop",
                                   expectedConfirmation: confirmation, checkNumber: "042042")
    }

    @Test func aConfirmedCodeWaitsForTheUserThenFinishes() throws {
        var session = try started()
        #expect(throws: HealthSyncError.self) { _ = try session.start(code: "1", token: [], salt: [], expiresAt: start, at: start) }
        _ = try session.beginShare(source: "192.0.2.1", at: start)
        session.shareAnswered(attempt())
        let confirmed = try session.confirm([9, 9], binding: binding, at: start)
        #expect(confirmed.name == "laptop")
        let id = try #require(DeviceID(bytes: Array(repeating: 3, count: 32)))
        #expect(session.awaitDecision(for: confirmed, deviceID: id) == [.publish(.pairingRequestPending(name: "laptop", deviceID: id, checkNumber: "042042"))])
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

    @Test func aWrongConfirmationRefusesOnlyItsConnectionAndIsShownWithItsSource() throws {
        var session = try started()
        _ = try session.beginShare(source: "192.0.2.9", at: start)
        session.shareAnswered(attempt(binding: [1], source: "192.0.2.9"))
        _ = try session.beginShare(source: "192.0.2.1", at: start)
        session.shareAnswered(attempt())
        let refusal = #expect(throws: PairingRefusal.self) { _ = try session.confirm([9, 8], binding: [1], at: start) }
        #expect(refusal?.error.code == .invalidPairingCode)
        let failure = PairingFailure(source: "192.0.2.9", path: .code, code: .invalidPairingCode,
                                     message: HealthSyncError(.invalidPairingCode).message, guessesLeft: 18)
        #expect(refusal?.effects == [.publish(.pairingAttemptFailed(failure))])
        #expect(session.failures == [failure])
        // The right joiner on its own connection is not disturbed, and the QR token still works.
        #expect(try session.tokenForProof(at: start) == [1])
        #expect(try session.confirm([9, 9], binding: binding, at: start).source == "192.0.2.1")
    }

    @Test func guessesAreBoundedPerSourceAndPerSessionAndMalformedSharesAreNotGuesses() throws {
        var session = try started()
        for _ in 0..<3 { _ = try session.beginShare(source: "192.0.2.9", at: start) }
        let perSource = #expect(throws: PairingRefusal.self) { _ = try session.beginShare(source: "192.0.2.9", at: start) }
        #expect(perSource?.error.code == .pairingRateLimited)
        #expect(session.failures.count == 1)
        _ = try? session.beginShare(source: "192.0.2.9", at: start)
        #expect(session.failures.count == 1, "a refused source is shown once")
        // A malformed share costs its source, not the session.
        _ = try session.beginShare(source: "192.0.2.50", at: start)
        _ = session.shareRefused(source: "192.0.2.50", HealthSyncError(.invalidPairingCode))
        for index in 0..<17 { _ = try session.beginShare(source: "198.51.100.\(index)", at: start) }
        // 20 evaluated guesses in all: 20 / 10^6 = 2e-5 per session, under 1 in 10 000.
        let spent = #expect(throws: PairingRefusal.self) { _ = try session.beginShare(source: "192.0.2.1", at: start) }
        #expect(spent?.error.code == .invalidPairingCode)
        #expect(try session.tokenForProof(at: start) == [1])
    }

    @Test func aSourceThatKeepsFailingBacksOffAcrossSessionsUpToAnHourWhileNewSessionsStart() throws {
        var session = try started()
        var now = start
        func fail() throws {
            _ = try session.beginShare(source: "192.0.2.9", at: now)
            _ = session.shareRefused(source: "192.0.2.9", HealthSyncError(.invalidPairingCode))
        }
        for _ in 0..<3 { try fail() }
        // A new session starts at once: failed codes never lock the QR path out.
        _ = session.cancel()
        _ = try session.start(code: "654321", token: [1], salt: [2], expiresAt: now.addingTimeInterval(7200), at: now)
        let limited = #expect(throws: PairingRefusal.self) { _ = try session.codeParameters(source: "192.0.2.9", at: now) }
        #expect(limited?.error.code == .pairingRateLimited)
        #expect(try session.codeParameters(source: "192.0.2.1", at: now) == [2])
        now = now.addingTimeInterval(31)
        try fail()
        // 30 s doubling with each failure: 60 s now.
        #expect(throws: PairingRefusal.self) { _ = try session.codeParameters(source: "192.0.2.9", at: now.addingTimeInterval(59)) }
        var backoff = PairingBackoff()
        for minute in 0..<12 { backoff.recordFailure(at: start.addingTimeInterval(Double(minute) * 60)) }
        let last = start.addingTimeInterval(11 * 60)
        #expect(backoff.nextAllowed(at: last, after: 3) == last.addingTimeInterval(3600))
    }

    @Test func anAttemptNeverConfirmedIsReportedOnceItIsStale() throws {
        var session = try started()
        _ = try session.beginShare(source: "192.0.2.9", at: start)
        session.shareAnswered(PairingSession.CodeAttempt(binding: [1], source: "192.0.2.9", name: "x", expectedConfirmation: [9],
                                                         checkNumber: "1", answeredAt: start))
        #expect(session.sweep(at: start.addingTimeInterval(5)).isEmpty)
        let effects = session.sweep(at: start.addingTimeInterval(11))
        #expect(effects.count == 1 && session.failures.first?.source == "192.0.2.9")
        #expect(session.sweep(at: start.addingTimeInterval(20)).isEmpty)
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

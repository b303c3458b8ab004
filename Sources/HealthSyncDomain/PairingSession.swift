import FoundationEssentials

/// The sharing device's pairing protocol as a pure state machine (DESIGN §4).
/// One session at a time: a code and a token that expire; the token path
/// (proof → exchange → finish) and the code path (parameters → share →
/// confirm → the user's decision → exchange → finish). A failed or malformed
/// attempt ends only its own connection: code guesses are counted per
/// session and per source (`PairingGuessPolicy`), a source that keeps
/// failing backs off across sessions, and the QR token path stays open
/// whatever happens on the code path. Every transition takes the time and
/// returns what the driver must do (`Effect`); the cryptography and the
/// certificates stay with the driver, which hands in their results.
public struct PairingSession: Sendable {
    /// Labels that bind proofs, SPAKE2+ and the check number to one connection.
    public static let tokenProofLabel = Array("HealthSync pair token v1".utf8)
    public static let serverTokenProofLabel = Array("HealthSync pair token server v1".utf8)
    public static let spakeContextLabel = Array("HealthSync pairing v1".utf8)
    public static let checkNumberLabel = Array("HealthSync check number v1".utf8)

    /// What the driver does after a transition, in order.
    public enum Effect: Sendable, Equatable {
        case publish(Event)
        /// Answer the joiner waiting for the sharing user (false: rejected).
        case resumeDecision(Bool)
    }

    /// The code path's attempt: on which connection, from where, by whom,
    /// and what its confirmation must be.
    public struct CodeAttempt: Sendable, Equatable {
        public let binding: [UInt8]
        public let source: String
        public let name: String
        public let expectedConfirmation: [UInt8]
        public let checkNumber: String
        /// When the share was answered (an attempt never confirmed is reported after `unconfirmedAfter`).
        public let answeredAt: Date

        public init(binding: [UInt8], source: String, name: String, expectedConfirmation: [UInt8], checkNumber: String,
                    answeredAt: Date = .distantFuture) {
            self.binding = binding
            self.source = source
            self.name = Printable.clean(name, maxLength: 64)
            self.expectedConfirmation = expectedConfirmation
            self.checkNumber = checkNumber
            self.answeredAt = answeredAt
        }
    }

    /// A joiner that proved the token or the code (and was accepted), whose
    /// certificate was issued: waiting for it to return ours.
    public struct Joining: Sendable, Equatable {
        public let binding: [UInt8]
        public let name: String
        public let deviceID: DeviceID
        public let ca: Certificate
        public let issuedSerial: String

        public init(binding: [UInt8], name: String, deviceID: DeviceID, ca: Certificate, issuedSerial: String) {
            self.binding = binding
            self.name = Printable.clean(name, maxLength: 64)
            self.deviceID = deviceID
            self.ca = ca
            self.issuedSerial = issuedSerial
        }
    }

    struct Session: Sendable {
        let code: String
        let token: [UInt8]
        let salt: [UInt8]
        let expiresAt: Date
        /// Answered shares waiting for their confirmation, by connection.
        var attempts: [[UInt8]: CodeAttempt] = [:]
        /// Evaluated guesses, in all and by source.
        var guesses = 0
        var guessesBySource: [String: Int] = [:]
        /// The confirmed joiner the sharing user is asked about.
        var pending: (attempt: CodeAttempt, deviceID: DeviceID)?
        var joining: Joining?
        /// The latest refused attempts, for a client following the session.
        var failures: [PairingFailure] = []
        /// Sources already told their guesses are refused unevaluated.
        var refusedSources: Set<String> = []

        init(code: String, token: [UInt8], salt: [UInt8], expiresAt: Date) {
            self.code = code
            self.token = token
            self.salt = salt
            self.expiresAt = expiresAt
        }
    }

    private var session: Session?
    private let policy: PairingGuessPolicy
    /// Sources that failed codes lately, across sessions (bounded in number).
    private var backoffs: [String: PairingBackoff] = [:]
    /// How the latest session ended (nil while one runs or before the first).
    public private(set) var outcome: PairingOutcome?

    /// `maxFailedCodes`: failed codes from one source (within an hour) before
    /// it backs off.
    public init(maxFailedCodes: Int, policy: PairingGuessPolicy = PairingGuessPolicy()) {
        self.policy = PairingGuessPolicy(perSession: policy.perSession, perSource: policy.perSource,
                                         failuresBeforeBackoff: maxFailedCodes)
    }

    // MARK: The sharing user

    /// Starts a session: `PAIRING_BUSY` while one runs. Failed codes never
    /// keep a session from starting (that would let a guesser lock the QR
    /// path out too); they slow down their sources instead.
    public mutating func start(code: String, token: [UInt8], salt: [UInt8], expiresAt: Date, at now: Date) throws -> [Effect] {
        var effects = try checkCanStart(at: now)
        session = Session(code: code, token: token, salt: salt, expiresAt: expiresAt)
        outcome = nil
        effects.append(.publish(.pairingCodeIssued(code: code, expiresAt: expiresAt)))
        return effects
    }

    /// Whether a session may start now (ending an expired one first).
    public mutating func checkCanStart(at now: Date) throws -> [Effect] {
        let effects = expire(at: now)
        if session != nil { throw HealthSyncError(.pairingBusy) }
        return effects
    }

    /// Ends the session; a joiner waiting for a decision is rejected.
    public mutating func cancel() -> [Effect] {
        guard session != nil else { return [] }
        session = nil
        outcome = .failed(HealthSyncError(.pairingRejected, "The pairing session was cancelled"))
        return [.resumeDecision(false), .publish(.pairingCancelled)]
    }

    /// Ends an expired session; a joiner waiting for a decision is told no.
    public mutating func expire(at now: Date) -> [Effect] {
        guard let current = session, now > current.expiresAt else { return [] }
        session = nil
        outcome = .failed(HealthSyncError(.pairingTokenExpired))
        return [.resumeDecision(false)]
    }

    /// The session's latest refused attempts, oldest first.
    public var failures: [PairingFailure] { session?.failures ?? [] }

    /// A joiner confirms within milliseconds of our answer; one that has not
    /// after this long went away (a wrong code, or a guesser) and is shown so.
    public static let unconfirmedAfter: TimeInterval = 10

    /// Reports the attempts that were never confirmed (call it when the
    /// session is looked at).
    public mutating func sweep(at now: Date) -> [Effect] {
        dropUnconfirmed { now.timeIntervalSince($0.answeredAt) > Self.unconfirmedAfter }
    }

    /// Where the session stands (call `expire` first).
    public var state: PairingState {
        guard let session else { return .idle }
        if let joining = session.joining { return .exchanging(name: joining.name) }
        if let pending = session.pending {
            return .pending(name: pending.attempt.name, deviceID: pending.deviceID, checkNumber: pending.attempt.checkNumber)
        }
        return .waiting(code: session.code, expiresAt: session.expiresAt)
    }

    // MARK: The token path

    /// The session's token, for the driver to check the joiner's proof.
    public mutating func tokenForProof(at now: Date) throws -> [UInt8] {
        let current = try active(at: now)
        guard current.pending == nil, current.joining == nil else { throw HealthSyncError(.pairingBusy) }
        return current.token
    }

    /// A proof that did not match: only its connection is refused.
    public mutating func tokenRefused(source: String, _ error: HealthSyncError) -> [Effect] {
        note(PairingFailure(source: source, path: .token, code: error.code, message: error.message, guessesLeft: nil))
    }

    // MARK: The code path

    /// The session's salt for a joiner at `source`.
    public mutating func codeParameters(source: String, at now: Date) throws -> [UInt8] {
        let current = try active(at: now)
        try requireCodeOpen(current, source: source, at: now)
        return current.salt
    }

    /// A share from `source` arrives: the code and salt to answer it with.
    /// The guess is counted now, for the session and the source, and is
    /// refused unevaluated once either has none left or the source backs off.
    /// It also counts as a failure of the source until a valid confirmation
    /// forgives it: a joiner with the wrong code learns so from our
    /// confirmation and never sends its own. An earlier attempt of the same
    /// source that was never confirmed is reported as failed (`effects`).
    public mutating func beginShare(source: String, at now: Date) throws
        -> (code: String, salt: [UInt8], effects: [Effect]) {
        let current = try active(at: now)
        try requireCodeOpen(current, source: source, at: now)
        session?.guesses += 1
        session?.guessesBySource[source, default: 0] += 1
        let effects = dropUnconfirmed { $0.source == source }
        recordFailure(of: source, at: now)
        return (current.code, current.salt, effects)
    }

    /// The share was answered: the attempt waits for its confirmation.
    public mutating func shareAnswered(_ attempt: CodeAttempt) {
        guard session != nil, session!.attempts.count < policy.perSession else { return }
        session?.attempts[attempt.binding] = attempt
    }

    /// The share was malformed or invalid: only its connection is refused;
    /// its source keeps the failure `beginShare` counted.
    public mutating func shareRefused(source: String, _ error: HealthSyncError) -> [Effect] {
        // Not a guess of the code (nothing was evaluated), so the session's
        // tries are given back; the source still pays.
        if session != nil { session!.guesses = max(0, session!.guesses - 1) }
        return note(source: source, error)
    }

    /// Checks the joiner's confirmation on its connection. A wrong one is
    /// that connection's failure, counted against its source; the code
    /// stays valid for others until the session's guesses are spent.
    /// Returns the attempt it confirms.
    public mutating func confirm(_ confirmation: [UInt8], binding: [UInt8], at now: Date) throws -> CodeAttempt {
        let current = try active(at: now)
        guard let attempt = current.attempts[binding] else {
            throw HealthSyncError(.invalidPairingCode, "No code attempt is under way on this connection")
        }
        session?.attempts[binding] = nil
        guard ConstantTime.equals(confirmation, attempt.expectedConfirmation) else {
            let error = HealthSyncError(.invalidPairingCode)
            throw PairingRefusal(error, effects: note(source: attempt.source, error))
        }
        guard current.pending == nil, current.joining == nil else { throw HealthSyncError(.pairingBusy) }
        backoffs[attempt.source]?.forgiveLatestFailure()
        return attempt
    }

    /// The confirmed joiner awaits the sharing user: announce it.
    public mutating func awaitDecision(for attempt: CodeAttempt, deviceID: DeviceID) -> [Effect] {
        guard session != nil, session?.pending == nil else { return [] }
        session?.pending = (attempt, deviceID)
        return [.publish(.pairingRequestPending(name: attempt.name, deviceID: deviceID, checkNumber: attempt.checkNumber))]
    }

    /// The sharing user's answer arrived for the joiner on `binding` (the
    /// session may have been cancelled or have expired meanwhile).
    public mutating func decided(_ accepted: Bool, for deviceID: DeviceID, binding: [UInt8]) throws -> [Effect] {
        guard accepted, let current = session, current.pending?.attempt.binding == binding else {
            if session?.pending?.attempt.binding == binding {
                session = nil
                outcome = .failed(HealthSyncError(.pairingRejected))
            }
            throw PairingRefusal(HealthSyncError(.pairingRejected), effects: [.publish(.pairingRejected(deviceID))])
        }
        return [.publish(.pairingAccepted(deviceID))]
    }

    // MARK: Both paths

    /// The joiner's certificate was issued: wait for ours.
    public mutating func exchanged(_ joining: Joining, at now: Date) throws {
        let current = try active(at: now)
        guard current.joining == nil else { throw HealthSyncError(.pairingBusy) }
        session?.joining = joining
    }

    /// The joiner on `binding` returns our certificate: who it is.
    public mutating func finishing(binding: [UInt8], at now: Date) throws -> Joining {
        let current = try active(at: now)
        guard let joining = current.joining, joining.binding == binding else {
            throw HealthSyncError(.protocolError, "No pairing is being completed on this connection")
        }
        return joining
    }

    /// The joiner is stored as paired: the session ends with it.
    public mutating func finished(_ joining: Joining) -> [Effect] {
        session = nil
        outcome = .paired(name: joining.name, deviceID: joining.deviceID)
        return [.publish(.paired(name: joining.name, deviceID: joining.deviceID))]
    }

    // MARK: Helpers

    /// The current session, or why there is none.
    private mutating func active(at now: Date) throws -> Session {
        guard let current = session else { throw HealthSyncError(.pairingTokenExpired) }
        guard now <= current.expiresAt else {
            _ = expire(at: now)
            throw HealthSyncError(.pairingTokenExpired)
        }
        return current
    }

    /// Refuses, unevaluated, a guess from `source` that may not be evaluated
    /// now; the refusal is shown once per source and session.
    private mutating func requireCodeOpen(_ current: Session, source: String, at now: Date) throws {
        do throws(HealthSyncError) {
            try checkCodeOpen(current, source: source, at: now)
        } catch {
            throw PairingRefusal(error, effects: firstRefusal(of: source, error))
        }
    }

    /// Reports and forgets the answered attempts that `stale` picks: never
    /// confirmed, so their joiner went away (a wrong code, or a guesser).
    private mutating func dropUnconfirmed(_ stale: (CodeAttempt) -> Bool) -> [Effect] {
        guard let current = session else { return [] }
        var effects: [Effect] = []
        for (binding, attempt) in current.attempts where stale(attempt) {
            session?.attempts[binding] = nil
            effects += note(source: attempt.source, HealthSyncError(.invalidPairingCode, "The code attempt was not confirmed"))
        }
        return effects
    }

    /// Whether a guess from `source` may be evaluated now.
    private func checkCodeOpen(_ current: Session, source: String, at now: Date) throws(HealthSyncError) {
        if let allowed = backoffs[source]?.nextAllowed(at: now, after: policy.failuresBeforeBackoff) {
            let seconds = Int(allowed.timeIntervalSince(now).rounded(.up))
            throw HealthSyncError(.pairingRateLimited, "Too many failed pairing codes from \(source); try again in \(seconds) seconds")
        }
        guard current.guesses < policy.perSession else {
            throw HealthSyncError(.invalidPairingCode, "This code has had its \(policy.perSession) tries and no longer works",
                                  hint: "Scan the QR code, or ask the sharing device for a new code.")
        }
        guard current.guessesBySource[source, default: 0] < policy.perSource else {
            throw HealthSyncError(.pairingRateLimited, "\(source) has had its \(policy.perSource) tries of this code")
        }
    }

    /// Counts a failure against `source` for its backoff (bounded memory:
    /// past `maxTrackedSources`, the one that failed longest ago is forgotten).
    private mutating func recordFailure(of source: String, at now: Date) {
        if backoffs[source] == nil && backoffs.count >= PairingGuessPolicy.maxTrackedSources,
           let oldest = backoffs.min(by: { ($0.value.latest ?? now) < ($1.value.latest ?? now) })?.key {
            backoffs[oldest] = nil
        }
        backoffs[source, default: PairingBackoff()].recordFailure(at: now)
    }

    /// A refused code attempt from `source`, shown to the sharing user with what is left.
    private mutating func note(source: String, _ error: HealthSyncError) -> [Effect] {
        let left = session.map { max(0, policy.perSession - $0.guesses) }
        return note(PairingFailure(source: source, path: .code, code: error.code, message: error.message, guessesLeft: left))
    }

    /// A request refused unevaluated is shown once per source and session,
    /// so a guesser at full speed cannot flood the sharing screen.
    private mutating func firstRefusal(of source: String, _ error: HealthSyncError) -> [Effect] {
        guard var current = session, current.refusedSources.count < PairingGuessPolicy.maxTrackedSources,
              current.refusedSources.insert(source).inserted else { return [] }
        session = current
        return note(source: source, error)
    }

    private mutating func note(_ failure: PairingFailure) -> [Effect] {
        session?.failures.append(failure)
        if let count = session?.failures.count, count > 32 { session?.failures.removeFirst(count - 32) }
        return [.publish(.pairingAttemptFailed(failure))]
    }
}

/// A transition that refused the joiner, with what the driver must still do
/// before it reports `error`.
public struct PairingRefusal: Error, Sendable {
    public let error: HealthSyncError
    public let effects: [PairingSession.Effect]

    public init(_ error: HealthSyncError, effects: [PairingSession.Effect]) {
        self.error = error
        self.effects = effects
    }
}

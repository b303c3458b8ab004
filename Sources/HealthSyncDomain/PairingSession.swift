import FoundationEssentials

/// The sharing device's pairing protocol as a pure state machine (DESIGN §4).
/// One session at a time: a code and a token that expire; the token path
/// (proof → exchange → finish) and the code path (parameters → share →
/// confirm → the user's decision → exchange → finish); one attempt per code
/// and backoff after failed codes. Every transition takes the time and
/// returns what the driver must do (`Effect`); the cryptography and the
/// certificates stay with the driver, which hands in their results.
public struct PairingSession: Sendable {
    /// Labels that bind proofs, SPAKE2+ and the check number to one connection.
    public static let tokenProofLabel = Array("HealthSync pair token v1".utf8)
    public static let spakeContextLabel = Array("HealthSync pairing v1".utf8)
    public static let checkNumberLabel = Array("HealthSync check number v1".utf8)

    /// What the driver does after a transition, in order.
    public enum Effect: Sendable, Equatable {
        case publish(Event)
        /// Answer the joiner waiting for the sharing user (false: rejected).
        case resumeDecision(Bool)
    }

    /// The code path's attempt: on which connection, by whom, and what its
    /// confirmation must be.
    public struct CodeAttempt: Sendable, Equatable {
        public let binding: [UInt8]
        public let name: String
        public let expectedConfirmation: [UInt8]
        public let checkNumber: String

        public init(binding: [UInt8], name: String, expectedConfirmation: [UInt8], checkNumber: String) {
            self.binding = binding
            self.name = String(name.prefix(64))
            self.expectedConfirmation = expectedConfirmation
            self.checkNumber = checkNumber
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
            self.name = String(name.prefix(64))
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
        var attempt: CodeAttempt?
        var pending: DeviceID?
        var joining: Joining?
    }

    private var session: Session?
    private var backoff: PairingBackoff
    /// How the latest session ended (nil while one runs or before the first).
    public private(set) var outcome: PairingOutcome?

    public init(maxFailedCodes: Int) { backoff = PairingBackoff(maxFailures: maxFailedCodes) }

    // MARK: The sharing user

    /// Starts a session: `PAIRING_BUSY` while one runs, `PAIRING_RATE_LIMITED`
    /// while backing off after failed codes.
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
        if let allowed = backoff.nextAllowed(at: now) {
            let seconds = Int(allowed.timeIntervalSince(now).rounded(.up))
            throw HealthSyncError(.pairingRateLimited, "Too many failed pairing codes; try again in \(seconds) seconds")
        }
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

    /// Where the session stands (call `expire` first).
    public var state: PairingState {
        guard let session else { return .idle }
        if let joining = session.joining { return .exchanging(name: joining.name) }
        if let pending = session.pending, let attempt = session.attempt {
            return .pending(name: attempt.name, deviceID: pending, checkNumber: attempt.checkNumber)
        }
        return .waiting(code: session.code, expiresAt: session.expiresAt)
    }

    // MARK: The token path

    /// The session's token, for the driver to check the joiner's proof.
    public mutating func tokenForProof(at now: Date) throws -> [UInt8] {
        let current = try active(at: now)
        guard current.attempt == nil, current.joining == nil else { throw HealthSyncError(.pairingBusy) }
        return current.token
    }

    // MARK: The code path

    /// The session's salt; a second request after the one attempt destroys the code.
    public mutating func codeParameters(at now: Date) throws -> [UInt8] {
        let current = try active(at: now)
        guard current.joining == nil, current.pending == nil else { throw HealthSyncError(.pairingBusy) }
        guard current.attempt == nil else { throw destroy(at: now) }
        return current.salt
    }

    /// A share arrives: the code and salt to answer it with. The failure is
    /// counted now and forgiven only by a valid confirmation, so a joiner
    /// that gives up after a wrong confirmation still used its try.
    public mutating func beginShare(at now: Date) throws -> (code: String, salt: [UInt8]) {
        let current = try active(at: now)
        guard current.joining == nil, current.pending == nil else { throw HealthSyncError(.pairingBusy) }
        guard current.attempt == nil else { throw destroy(at: now) }
        backoff.recordFailure(at: now)
        return (current.code, current.salt)
    }

    /// The share was answered: this is the attempt.
    public mutating func shareAnswered(_ attempt: CodeAttempt) { session?.attempt = attempt }

    /// The share was refused (malformed, invalid): the code is gone.
    public mutating func shareRefused(_ error: HealthSyncError) {
        session = nil
        outcome = .failed(error)
    }

    /// Checks the joiner's confirmation on its connection; a wrong one
    /// destroys the code. Returns the attempt it confirms.
    public mutating func confirm(_ confirmation: [UInt8], binding: [UInt8], at now: Date) throws -> CodeAttempt {
        let current = try active(at: now)
        guard let attempt = current.attempt, attempt.binding == binding, current.pending == nil else {
            throw HealthSyncError(.invalidPairingCode, "No code attempt is under way on this connection")
        }
        guard ConstantTime.equals(confirmation, attempt.expectedConfirmation) else {
            session = nil
            outcome = .failed(HealthSyncError(.invalidPairingCode))
            throw PairingRefusal(HealthSyncError(.invalidPairingCode),
                                 effects: [.publish(.failed(HealthSyncError(.invalidPairingCode)))])
        }
        backoff.forgiveLatestFailure()
        return attempt
    }

    /// The confirmed joiner awaits the sharing user: announce it.
    public mutating func awaitDecision(for deviceID: DeviceID) -> [Effect] {
        guard let attempt = session?.attempt else { return [] }
        session?.pending = deviceID
        return [.publish(.pairingRequestPending(name: attempt.name, deviceID: deviceID, checkNumber: attempt.checkNumber))]
    }

    /// The sharing user's answer arrived for the joiner on `binding` (the
    /// session may have been cancelled or have expired meanwhile).
    public mutating func decided(_ accepted: Bool, for deviceID: DeviceID, binding: [UInt8]) throws -> [Effect] {
        guard accepted, let current = session, current.attempt?.binding == binding else {
            if session?.attempt?.binding == binding {
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
        _ = try active(at: now)
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

    /// A second try of a code: counted, and the code is gone.
    private mutating func destroy(at now: Date) -> PairingRefusal {
        backoff.recordFailure(at: now)
        session = nil
        outcome = .failed(HealthSyncError(.invalidPairingCode))
        return PairingRefusal(HealthSyncError(.invalidPairingCode, "The code was already tried once and is now destroyed"),
                              effects: [.publish(.failed(HealthSyncError(.invalidPairingCode)))])
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

/// Where the sharing device's pairing stands.
public enum PairingState: Sendable, Equatable {
    case idle
    case waiting(code: String, expiresAt: Date)
    /// A joiner proved the code; the sharing user must accept or reject.
    case pending(name: String, deviceID: DeviceID, checkNumber: String)
    /// Accepted (or proven by token): certificates are being exchanged.
    case exchanging(name: String)
}

/// How the latest pairing session ended, kept until the next one starts so
/// a client polling the daemon learns the result.
public enum PairingOutcome: Sendable, Equatable {
    case paired(name: String, deviceID: DeviceID)
    case failed(HealthSyncError)
}

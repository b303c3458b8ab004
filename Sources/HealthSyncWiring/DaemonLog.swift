import HealthSyncBus
import HealthSyncDomain
import HealthSyncUseCases
import Logging

/// The daemon's log through swift-log on standard error: requests served
/// and refused (with the reason), pairings, syncs, renewals, servers
/// joined. Events carry no secret (codes and keys never travel on the bus),
/// and only names, device IDs, addresses and counts are written.
struct DaemonLog: ApplicationService {
    let name = "log"
    let bus: EventBus
    let logger: Logger

    init(bus: EventBus, level: Config.LogLevel, handler: (@Sendable (String) -> any LogHandler)? = nil) {
        self.bus = bus
        var logger = Logger(label: "healthsync.daemon", factory: handler ?? { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = Logger.Level(rawValue: level.rawValue) ?? .info
        self.logger = logger
    }

    func run() async throws {
        for await event in bus.subscribe() {
            if Task.isCancelled { break }
            log(event)
        }
    }

    func log(_ event: Event) {
        switch event {
        case .requestAccepted(let address, let id):
            logger.debug("request accepted", metadata: ["from": "\(address)", "device": "\(id.short)"])
        case .requestRefused(let address, let error):
            var metadata: Logger.Metadata = ["from": "\(address)", "code": "\(error.code.rawValue)", "reason": "\(error.message)"]
            // OpenSSL's own words for a refused handshake ("tlsv1 alert unknown ca"…): never a secret.
            if let cause = error.cause { metadata["detail"] = "\(cause.prefix(200))" }
            logger.warning("request refused", metadata: metadata)
        case .samplesServed(let id, let count):
            logger.info("samples served", metadata: ["device": "\(id.short)", "count": "\(count)"])
        case .samplesFetched(let id, let count):
            logger.info("samples received", metadata: ["device": "\(id.short)", "count": "\(count)"])
        case .paired(let name, let id):
            logger.notice("paired", metadata: ["name": "\(name)", "device": "\(id.short)"])
        case .unpaired(let id):
            logger.notice("unpaired", metadata: ["device": "\(id.short)"])
        case .pairingAttemptFailed(let failure):
            logger.warning("pairing attempt refused", metadata: [
                "from": "\(failure.source)", "code": "\(failure.code.rawValue)", "path": "\(failure.path.rawValue)",
            ])
        case .pairingAccepted(let id):
            logger.info("pairing request accepted", metadata: ["device": "\(id.short)"])
        case .pairingRejected(let id):
            logger.notice("pairing request rejected", metadata: ["device": "\(id.short)"])
        case .peerMoved(let move):
            logger.notice("peer moved", metadata: ["name": "\(move.name)", "reached": "\(move.reached)"])
        case .certificateRenewed(let renewal):
            logger.notice("certificate renewed", metadata: ["kind": "\(renewal.kind.rawValue)",
                                                            "notAfter": "\(Timestamp.format(renewal.notAfter))"])
        case .reachServerJoined(let server, let addresses):
            logger.info("reach server joined", metadata: ["server": "\(server)", "addresses": "\(addresses.joined(separator: " "))"])
        case .failed(let error):
            logger.error("failed", metadata: ["code": "\(error.code.rawValue)", "reason": "\(error.message)"])
        case .identityCreated(let id):
            logger.notice("identity created", metadata: ["device": "\(id.short)"])
        case .keystoreCleared, .configChanged, .samplesGenerated, .listening, .pairingCodeIssued, .pairingRequestPending,
             .pairingCheckNumber, .pairingCancelled, .connectionDetails, .progress:
            // Codes, check numbers and QR payloads are secrets of a pairing: never logged.
            break
        }
    }
}

extension Application {
    /// The daemon's log, at the configured level (`log.level`, `daemon --log-level`).
    public var daemonLog: any ApplicationService { DaemonLog(bus: bus, level: config.log.level) }
}

import Foundation
import HealthSyncDomain

/// An event as `{"event": name, …fields}`.
struct EventJSON: Encodable {
    let event: Event

    init(_ event: Event) { self.event = event }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        func put<T: Encodable>(_ key: String, _ value: T) throws { try container.encode(value, forKey: Key(key)) }
        switch event {
        case .identityCreated(let id):
            try put("event", "identityCreated"); try put("deviceID", id)
        case .keystoreCleared(let peers):
            try put("event", "keystoreCleared"); try put("peersRemoved", peers)
        case .configChanged(let key, let value):
            try put("event", "configChanged"); try put("key", key); try put("value", value)
        case .samplesGenerated(let count, let days):
            try put("event", "samplesGenerated"); try put("count", count); try put("days", days)
        case .listening(let report):
            // Flat, so a script reads `"code"` and `"port"` from the line as from the daemon's report.
            try put("event", "listening")
            try report.encode(to: encoder)
        case .pairingCodeIssued(let code, let expiresAt):
            // No code: this line is a log (the daemon's); the code is shown only
            // to the person who asked for it (`listening`, `pair`'s own output).
            _ = code
            try put("event", "pairingCodeIssued"); try put("expiresAt", expiresAt)
        case .pairingRequestPending(let name, let id, let check):
            try put("event", "pairingRequestPending"); try put("name", name); try put("deviceID", id)
            try put("checkNumber", check)
        case .pairingCheckNumber(let number):
            try put("event", "pairingCheckNumber"); try put("checkNumber", number)
        case .pairingCancelled:
            try put("event", "pairingCancelled")
        case .pairingAttemptFailed(let failure):
            try put("event", "pairingAttemptFailed")
            try failure.encode(to: encoder)
        case .pairingAccepted(let id):
            try put("event", "pairingAccepted"); try put("deviceID", id)
        case .pairingRejected(let id):
            try put("event", "pairingRejected"); try put("deviceID", id)
        case .paired(let name, let id):
            try put("event", "paired"); try put("name", name); try put("deviceID", id)
        case .unpaired(let id):
            try put("event", "unpaired"); try put("deviceID", id)
        case .samplesServed(let id, let count):
            try put("event", "samplesServed"); try put("deviceID", id); try put("count", count)
        case .samplesFetched(let id, let count):
            try put("event", "samplesFetched"); try put("deviceID", id); try put("count", count)
        case .peerMoved(let move):
            try put("event", "peerMoved"); try move.encode(to: encoder)
        case .certificateRenewed(let renewal):
            try put("event", "certificateRenewed"); try put("renewal", renewal)
        case .reachServerJoined(let server, let addresses):
            try put("event", "reachServerJoined"); try put("server", server); try put("addresses", addresses)
        case .connectionDetails(let report):
            try put("event", "connectionDetails"); try put("connection", report)
        case .failed(let error):
            try put("event", "failed"); try put("code", error.code.rawValue); try put("message", error.message)
        case .requestAccepted(let address, let id):
            try put("event", "requestAccepted"); try put("from", address); try put("deviceID", id)
        case .requestRefused(let address, let error):
            try put("event", "requestRefused"); try put("from", address); try put("code", error.code.rawValue)
            try put("message", error.message)
        case .progress(let progress):
            try put("event", "progress"); try put("task", progress.task); try put("done", progress.done)
            try put("total", progress.total); try put("unit", progress.unit.rawValue); try put("finished", progress.finished)
        }
    }
}

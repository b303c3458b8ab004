import Foundation
import HealthSyncDomain
import HealthSyncPorts

/// The `Presenter` port for machines: one JSON document per command on
/// standard output (the report, or `{"error":{"code","message","hint"}}`),
/// and events as JSON lines on standard error.
public struct JSONPresenter: Presenter {
    public typealias Output = @Sendable (String) -> Void

    private let output: Output
    private let errorOutput: Output

    public init(output: @escaping Output, errorOutput: @escaping Output) {
        self.output = output
        self.errorOutput = errorOutput
    }

    public func show(_ report: Report) {
        switch report {
        case .certificates(let value): emit(value)
        case .export(let value): emit(value)
        case .keystoreCleared(let value): emit(value)
        case .config(let value): emit(value)
        case .devices(let value): emit(value)
        case .types(let value): emit(value)
        case .status(let value): emit(value)
        case .samplesGenerated(let value): emit(value)
        case .listening(let value): emit(value, pretty: false)
        case .paired(let value): emit(value)
        case .shared(let value): emit(value)
        case .fetched(let value): emit(value)
        case .unpaired(let value): emit(value)
        case .discovered(let value): emit(value)
        case .synced(let value): emit(value)
        case .imported(let value): emit(value)
        case .listed(let value): emit(value)
        case .counted(let value): emit(value)
        case .exported(let value): emit(value)
        }
    }

    public func show(_ error: HealthSyncError) {
        emit(["error": ["code": error.code.rawValue, "message": error.message, "hint": error.hint]])
    }

    public func show(_ event: Event) {
        // Machines get the report; a stream of progress lines would only be noise on standard error.
        switch event {
        case .progress, .requestAccepted: return
        default: break
        }
        let encoder = Self.encoder(pretty: false)
        guard let data = try? encoder.encode(EventJSON(event)) else { return }
        errorOutput(String(decoding: data, as: UTF8.self) + "\n")
    }

    /// Long-running commands print their first document on one line, so a
    /// script can read it while the command goes on.
    private func emit<T: Encodable>(_ value: T, pretty: Bool = true) {
        do {
            output(String(decoding: try Self.encoder(pretty: pretty).encode(value), as: UTF8.self) + "\n")
        } catch {
            // Reports are plain values; encoding them cannot fail short of a bug.
            output(#"{"error":{"code":"CRYPTO_FAILURE","message":"cannot encode output","hint":""}}"# + "\n")
        }
    }

    static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.formatSeconds(date))
        }
        return encoder
    }
}

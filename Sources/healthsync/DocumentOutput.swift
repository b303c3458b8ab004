import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWiring

/// A sample document written to standard output as its pages come, as the
/// terminal presenter would print it whole: a FHIR Bundle named after its
/// first sample, exactly one newline at the end, and on a terminal, no
/// control character a peer's text could carry.
final class DocumentOutput {
    private let application: Application
    private let format: SampleFormat
    private var encoder: (any SampleEncoder)?
    private var wroteBytes = false
    private let terminal = isatty(STDOUT_FILENO) != 0

    init(application: Application, format: SampleFormat) {
        self.application = application
        self.format = format
    }

    func write(_ samples: [HealthSample]) throws {
        var current = encoder ?? start(id: samples.first?.id ?? "empty")
        emit(current.write(samples))
        encoder = current
    }

    func finish() {
        let current = encoder ?? start(id: "empty")
        var end = current.end()
        if !wroteBytes && end.isEmpty { end = [0x0a] }
        emit(end)
    }

    private func start(id: String) -> any SampleEncoder {
        // Only the document formats come here (the caller checked).
        let encoder = application.sampleEncoder(format, id: id) ?? application.sampleEncoder(.json, id: id)!
        emit(encoder.start())
        return encoder
    }

    private func emit(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        wroteBytes = true
        let data = terminal ? Data(Printable.terminal(String(decoding: bytes, as: UTF8.self)).utf8) : Data(bytes)
        FileHandle.standardOutput.write(data)
    }
}

import Foundation
import TerminalPresenter

/// What the process gives the application: variables, output streams and
/// whether standard output is a terminal. Tests pass recording outputs.
public struct RuntimeEnvironment: Sendable {
    public typealias Output = @Sendable (String) -> Void

    public var variables: [String: String]
    public var standardOutput: Output
    public var standardError: Output
    public var outputIsTerminal: Bool
    public var errorIsTerminal: Bool

    public init(variables: [String: String], standardOutput: @escaping Output, standardError: @escaping Output,
                outputIsTerminal: Bool, errorIsTerminal: Bool? = nil) {
        self.variables = variables
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.outputIsTerminal = outputIsTerminal
        self.errorIsTerminal = errorIsTerminal ?? outputIsTerminal
    }

    /// Whether a stream that is (or is not) a terminal gets colour: only a
    /// terminal, not when `NO_COLOR` holds a value (no-color.org: an empty
    /// one does not count), not when `TERM` is `dumb`.
    public func colour(terminal: Bool) -> Bool {
        terminal && (variables["NO_COLOR"] ?? "").isEmpty && variables["TERM"] != "dumb"
    }

    /// The terminal presenter, each stream coloured by its own rule.
    var terminalPresenter: TerminalPresenter {
        // A bar only where a person watches: both streams terminals (none in a pipe, a log or with --json).
        TerminalPresenter(colour: colour(terminal: outputIsTerminal), errorColour: colour(terminal: errorIsTerminal),
                          progress: outputIsTerminal && errorIsTerminal && variables["TERM"] != "dumb",
                          output: standardOutput, errorOutput: standardError)
    }

    /// The real process: its environment, stdout and stderr.
    public static var process: RuntimeEnvironment {
        RuntimeEnvironment(
            variables: ProcessInfo.processInfo.environment,
            standardOutput: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
            standardError: { text in FileHandle.standardError.write(Data(text.utf8)) },
            outputIsTerminal: isatty(STDOUT_FILENO) == 1, errorIsTerminal: isatty(STDERR_FILENO) == 1)
    }

    /// The host name, used when `device.name` is empty.
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "healthsync-device" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "healthsync-device" : name
    }
}

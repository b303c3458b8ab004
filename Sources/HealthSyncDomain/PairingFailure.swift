/// A refused pairing attempt, as the sharing user sees it.
public struct PairingFailure: Sendable, Codable, Equatable {
    public enum Path: String, Sendable, Codable { case code, token }
    /// The address the attempt came from.
    public let source: String
    public let path: Path
    public let code: ErrorCode
    public let message: String
    /// Code guesses this session still allows (code path only).
    public let guessesLeft: Int?

    public init(source: String, path: Path, code: ErrorCode, message: String, guessesLeft: Int?) {
        self.source = Printable.clean(source, maxLength: 64)
        self.path = path
        self.code = code
        self.message = String(message.prefix(200))
        self.guessesLeft = guessesLeft
    }
}

/// How many code guesses are evaluated. A 6-digit code has 10⁶ values and
/// SPAKE2+ lets each evaluated share test exactly one, so `perSession`
/// guesses give a guesser at most perSession / 10⁶ chance per session:
/// 20 → 2 × 10⁻⁵, under the bound of 1 in 10 000. `perSource` lets the
/// real user mistype twice; a source past it, or one that failed
/// `failuresBeforeBackoff` codes within the hour, is refused unevaluated.
public struct PairingGuessPolicy: Sendable, Equatable {
    public var perSession: Int
    public var perSource: Int
    public var failuresBeforeBackoff: Int
    /// How many failing sources are remembered at once.
    public static let maxTrackedSources = 1024

    public init(perSession: Int = 20, perSource: Int = 3, failuresBeforeBackoff: Int = 3) {
        self.perSession = perSession
        self.perSource = perSource
        self.failuresBeforeBackoff = failuresBeforeBackoff
    }
}

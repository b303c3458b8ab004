import Foundation

/// Files the tests read from `Tests/Fixtures` inside the repository (each
/// with its source and licence in a README there), never from outside it.
public enum Fixtures {
    /// `Tests/Fixtures`.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// A path under `Tests/Fixtures`.
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

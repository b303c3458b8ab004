/// The desktop clipboard, when the machine has one.
public protocol ClipboardReader: Sendable {
    /// The clipboard's text (bounded), or nil when there is no clipboard,
    /// it is empty, or it cannot be read within a short time.
    func text() async -> String?
}

import HealthSyncPorts

/// Runs `body` over `link` and closes the link after it, whether it
/// succeeded or threw: closing is awaited, never left to a stray task.
func closing<Result: Sendable>(_ link: any PeerLink,
                               _ body: (any PeerLink) async throws -> Result) async throws -> Result {
    do {
        let result = try await body(link)
        await link.close()
        return result
    } catch {
        await link.close()
        throw error
    }
}

import FoundationEssentials
import HealthSyncDomain

/// The query string of GET health/data: `types`, `limit`, `since`,
/// `until` (ISO 8601) and `cursor`, each checked and bounded.
public enum SampleRequest {
    public static func queryItems(types: [HealthDataType], limit: Int, since: Date?, until: Date?,
                                  cursor: SampleCursor?) -> [String: String] {
        var items = ["types": types.map(\.rawValue).joined(separator: ","), "limit": String(limit)]
        if let since { items["since"] = StateJSON.format(since) }
        if let until { items["until"] = StateJSON.format(until) }
        if let cursor { items["cursor"] = cursor.token }
        return items
    }

    /// Only shared types are served; asking for none of them is an error.
    public static func query(from items: [String: String], shared: [HealthDataType]) throws -> SampleQuery {
        let requested = try HealthDataType.parseList(items["types"] ?? "")
        let types = requested.filter(shared.contains)
        guard !types.isEmpty else {
            throw HealthSyncError(.invalidArgument, "None of the requested types is shared by this device",
                                  hint: "Ask the sharing device which types it shares (`healthsync types` there).")
        }
        guard let limit = Int(items["limit"] ?? "1000") else {
            throw HealthSyncError(.invalidArgument, "limit must be a number")
        }
        return try SampleQuery(types: types, since: try date(items["since"], "since"), until: try date(items["until"], "until"),
                               limit: limit, cursor: try items["cursor"].map { try SampleCursor(token: $0) })
    }

    private static func date(_ text: String?, _ name: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = StateJSON.parse(text) ?? (try? Date.ISO8601FormatStyle().parse(text)) else {
            throw HealthSyncError(.invalidArgument, "\(name) must be an ISO 8601 date (2026-01-07T00:00:00Z)")
        }
        return date
    }
}

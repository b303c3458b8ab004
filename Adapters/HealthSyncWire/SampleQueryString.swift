import FoundationEssentials
import HealthSyncDomain

/// The query string of GET health/data: `types`, `limit`, `since`,
/// `until` (ISO 8601), `cursor` and `schema`, each checked and bounded.
public enum SampleQueryString {
    public static func items(for query: SampleQuery) -> [String: String] {
        var items = ["types": query.types.map(\.rawValue).joined(separator: ","), "limit": String(query.limit),
                     "schema": String(query.schema)]
        if let since = query.since { items["since"] = Timestamp.format(since) }
        if let until = query.until { items["until"] = Timestamp.format(until) }
        if let cursor = query.cursor { items["cursor"] = cursor.token }
        if query.newestFirst { items["order"] = "newest" }
        return items
    }

    /// The query the items describe; anything malformed is `INVALID_ARGUMENT`.
    public static func query(from items: [String: String]) throws -> SampleQuery {
        let types = try HealthDataType.parseList(items["types"] ?? "")
        guard let limit = Int(items["limit"] ?? "1000") else {
            throw HealthSyncError(.invalidArgument, "limit must be a number")
        }
        return try SampleQuery(types: types, since: try date(items["since"], "since"), until: try date(items["until"], "until"),
                               limit: limit, cursor: try items["cursor"].map { try SampleCursor(token: $0) },
                               schema: schema(items), newestFirst: try order(items["order"]))
    }

    /// The sample schema a client reads (`schema=`): 1 when it does not say
    /// (older peers), at most the one this build writes.
    public static func schema(_ items: [String: String]) -> Int {
        guard let text = items["schema"], text.utf8.count <= 4, let value = Int(text) else { return 1 }
        return max(1, min(value, SampleQuery.currentSchema))
    }

    /// `order=newest` (newest first) or `order=oldest` (the default).
    private static func order(_ text: String?) throws -> Bool {
        switch text {
        case nil, "oldest": return false
        case "newest": return true
        default: throw HealthSyncError(.invalidArgument, "order must be newest or oldest")
        }
    }

    private static func date(_ text: String?, _ name: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = Timestamp.parse(text) ?? (try? Date.ISO8601FormatStyle().parse(text)) else {
            throw HealthSyncError(.invalidArgument, "\(name) must be an ISO 8601 date (2026-01-07T00:00:00Z)")
        }
        return date
    }
}

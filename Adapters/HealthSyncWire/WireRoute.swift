/// The peer routes under /api/v1/. Only `pair/*` may be called without a
/// client certificate.
public enum WireRoute {
    public static let pairToken = "/api/v1/pair/token"
    public static let pairCodeParameters = "/api/v1/pair/code/parameters"
    public static let pairCodeShare = "/api/v1/pair/code/share"
    public static let pairCodeConfirm = "/api/v1/pair/code/confirm"
    public static let pairFinish = "/api/v1/pair/finish"
    public static let status = "/api/v1/status"
    public static let healthTypes = "/api/v1/health/types"
    public static let healthData = "/api/v1/health/data"
    /// `?after=SEQ&limit=N[&wait_ms=W]`: samples stored or changed since (for
    /// `sync`); with `wait_ms`, answered when something changes (a long poll).
    public static let healthChanges = "/api/v1/health/changes"
    public static let unpair = "/api/v1/unpair"
    /// A paired client whose certificate ends within 30 days asks for a new one.
    public static let renewCertificate = "/api/v1/certificates/renew"
}

/// The daemon's local control API (DESIGN §6): plain HTTP on 127.0.0.1,
/// JSON bodies, every route but `/health` behind `X-HealthSync-Token`.
public enum ControlRoute {
    public static let tokenHeader = "X-HealthSync-Token"
    public static let health = "/health"
    public static let status = "/status"
    public static let pairInitiate = "/pair/initiate"
    public static let pairJoin = "/pair/join"
    public static let pairPending = "/pair/pending"
    public static let pairRespond = "/pair/respond"
    public static let pairCancel = "/pair/cancel"
    public static let devices = "/devices"
    /// `DELETE /devices/{id}`: `id` is a device ID or a name, percent-encoded.
    public static let devicePrefix = "/devices/"
}

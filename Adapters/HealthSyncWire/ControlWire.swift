/// The JSON bodies of the control routes that are not domain values.
public enum ControlWire {
    /// `POST /pair/respond`.
    struct Response: Codable {
        let accept: Bool
    }

    /// The body of routes that only acknowledge.
    struct Done: Codable {
        var ok = true
    }

    /// The token header's name as the protocol reads headers (lower case).
    static let tokenField = ControlRoute.tokenHeader.lowercased()
    static let hostField = "host"

    /// The header fields a control channel hands the router (lower case).
    public static let headerNames = [tokenField, hostField]
}

/// The JSON bodies of the control routes that are not domain values.
enum ControlWire {
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
}

/// A paired device was not where it was expected and was reached elsewhere
/// (the command still succeeded).
public struct PeerMove: Sendable, Equatable, Codable {
    public let name: String
    public let deviceID: DeviceID
    /// The addresses that did not answer as that device, in the order tried.
    public let tried: [String]
    /// Where it answered.
    public let reached: String
    /// How that address was learned.
    public let source: KnownAddress.Source

    public init(name: String, deviceID: DeviceID, tried: [String], reached: String, source: KnownAddress.Source) {
        self.name = name
        self.deviceID = deviceID
        self.tried = tried
        self.reached = reached
        self.source = source
    }
}

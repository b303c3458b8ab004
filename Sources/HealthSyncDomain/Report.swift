/// The result of one command, handed to a presenter. Each case carries a
/// plain value that the JSON presenter encodes as it is and the terminal
/// presenter lays out as the guides show.
public enum Report: Sendable {
    case certificates(CertificateReport)
    case export(ExportReport)
    case keystoreCleared(ClearReport)
    case config(ConfigReport)
    case devices(DevicesReport)
    case types(TypesReport)
    case status(StatusReport)
    case samplesGenerated(GenerateReport)
    case listening(ListeningReport)
    case paired(PairedReport)
    case shared(SharedReport)
    case fetched(FetchReport)
    case unpaired(UnpairReport)
    case discovered(DiscoverReport)
    case synced(SyncReport)
    case imported(ImportReport)
}

/// This device as reports name it.
public struct DeviceLine: Sendable, Codable, Equatable {
    public let name: String
    public let deviceID: DeviceID

    public init(name: String, deviceID: DeviceID) {
        self.name = name
        self.deviceID = deviceID
    }
}

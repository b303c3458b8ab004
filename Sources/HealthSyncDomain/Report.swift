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
    case listed(SampleListReport)
    case counted(SampleCountReport)
    case exported(SampleExportReport)
}

extension Report {
    /// A command that did only part of its work (`sync` with a device that
    /// failed): its report is shown, and the process still exits with this
    /// error's code so that scripts notice.
    public var partialFailure: HealthSyncError? {
        guard case .synced(let report) = self else { return nil }
        let failed = report.devices.filter { $0.error != nil }
        guard let first = failed.first?.error else { return nil }
        let names = failed.map(\.name).joined(separator: ", ")
        return HealthSyncError(ErrorCode(rawValue: first.code) ?? .deviceNotFound,
                               "Syncing from \(failed.count) of \(report.devices.count) devices failed: \(names)", hint: first.hint)
    }
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

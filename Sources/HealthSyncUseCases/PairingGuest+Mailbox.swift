import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

extension PairingGuest {
    /// Joins with a code for pairing at a distance, `NN-847293`: claims the
    /// nameplate `NN` on the mailbox server (`reach.mailbox`), reads where
    /// the sharing device said it can be reached, gives the nameplate back,
    /// and runs SPAKE2+ with the six digits over TLS along the first of
    /// those paths that answers (`host` first when given, then its
    /// addresses, then its relays). The mailbox never sees the digits; a
    /// mailbox or relay that lies leads only to a device that cannot prove
    /// it knows them (one guess, and the code is spent).
    func join(digits: String, meetingAt nameplate: String, host: String?) async throws -> PeerRecord {
        guard let mailbox = deps.settings.mailbox else {
            throw HealthSyncError(.invalidPairingCode,
                                  "\(nameplate)-\(String(repeating: "•", count: 6)) is a code for pairing at a distance, and no mailbox is configured here",
                                  hint: "Set the mailbox the sharing device uses: `healthsync config set reach.mailbox ws://host:port/v1`. On one network, type only the six digits.")
        }
        let loaded = try IdentityService(deps).ensureIdentity()
        let side = Hex.encode(try deps.entropy.bytes(5))
        let meeting = try await deps.rendezvous.join(nameplate, on: mailbox, appID: PairingHost.appID, side: side,
                                                     timeout: deps.settings.timeout)
        let locators: MailboxLocators
        do {
            let message = try await meeting.next(within: deps.settings.timeout)
            guard message.phase == PairingHost.locatorsPhase else {
                throw HealthSyncError(.protocolError, "The mailbox held a '\(Printable.clean(message.phase))' message, not where the sharing device is")
            }
            locators = try MailboxLocators(decoding: message.body)
        } catch let error as HealthSyncError where error.code == .timedOut {
            await meeting.close(mood: "lonely")
            throw HealthSyncError(.invalidPairingCode, "No device waits at nameplate \(nameplate) of \(mailbox)",
                                  hint: "Type the code as the sharing device shows it now (NN-123456); a code expires with its session.",
                                  cause: error.message)
        } catch {
            await meeting.close(mood: "errory")
            throw HealthSyncError.wrap(error, as: .deviceNotFound, "Nothing readable was left at nameplate \(nameplate) of \(mailbox)")
        }
        // What it held is read: the nameplate goes back to the server at once.
        await meeting.close(mood: "happy")

        var paths: [PeerPath] = []
        if let host { paths.append(.direct(try PeerConnector(deps: deps).sharingEndpoint(host))) }
        paths += locators.endpoints.map(PeerPath.direct) + locators.relayRoutes.map(PeerPath.relay)
        guard !paths.isEmpty else {
            throw HealthSyncError(.deviceNotFound, "The mailbox named no address for the sharing device",
                                  hint: "Pass --host with the address `healthsync pair` shows there, or configure a relay on both devices (reach.relays).")
        }
        var tried: [String] = [], first: HealthSyncError?
        for (index, path) in paths.enumerated() {
            let link: any PeerLink
            do {
                // While other paths remain, a silent one is given up sooner.
                let timeout = index == paths.count - 1 || path.isRelayed ? deps.settings.timeout : min(deps.settings.timeout, .seconds(3))
                link = try await connect(along: path, loaded: loaded, timeout: timeout)
            } catch let error as HealthSyncError where [.deviceNotFound, .timedOut].contains(error.code) {
                tried.append(path.isRelayed ? "via \(path)" : path.description)
                first = first ?? error
                continue
            }
            // Whoever answers gets the one try: the digits decide, not the address.
            return try await closing(link) { link in try await joinWithCode(digits, over: link, path: path, loaded: loaded) }
        }
        throw HealthSyncError(first?.code ?? .deviceNotFound, "The sharing device did not answer at \(tried.joined(separator: ", "))",
                              hint: "Is `healthsync pair` still running there? Across networks, both devices need the same relay in reach.relays.",
                              cause: first?.message)
    }

    /// A connection for code pairing (nothing pinned yet: SPAKE2+ authenticates it).
    private func connect(along path: PeerPath, loaded: LoadedIdentity, timeout: Duration) async throws -> any PeerLink {
        switch path {
        case .direct(let endpoint):
            try await deps.transport.connect(to: endpoint, credentials: nil, anchor: .none, timeout: timeout)
        case .relay(let route):
            try await deps.connect(through: route, as: loaded, credentials: nil,
                                             anchor: .none, timeout: timeout)
        }
    }
}

import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring
import ManualClock
import Testing

/// Issue #10: a wrong clock on either side never leaves a device with a
/// certificate that starts in the future; skew is named, with the device
/// and the amount. A manual clock on each side, up to two years off.
@Suite("Clocks")
struct ClockTests {
    static let day: TimeInterval = 86_400
    let world = World()

    /// The phone shares (daemon), the laptop joined; each has its own clock.
    func paired(phoneClock: ManualClock, laptopClock: ManualClock)
        async throws -> (phone: WorldDevice, laptop: WorldDevice, daemon: DaemonService.Running) {
        let phone = try world.device("phone", seed: 601, clock: phoneClock)
        let laptop = try world.device("laptop", seed: 602, clock: laptopClock)
        _ = try phone.application.samples.generate(days: 1)
        let daemon = try await phone.application.daemon.start(
            peerEndpoint: Endpoint(host: "127.0.0.1", port: 0), apiEndpoint: Endpoint(host: "127.0.0.1", port: 0),
            advertiseHost: "127.0.0.1", pid: 1)
        _ = try await phone.pairByToken(laptop, advertising: daemon.info.peer)
        return (phone, laptop, daemon)
    }

    func clientCertificate(of device: WorldDevice) throws -> Certificate {
        try device.deps.crypto.parseCertificate(pem: try #require(try device.peers().first?.clientCertificatePEM))
    }

    @Test func aJoinerWhoseClockIsAheadGetsNoRenewalAndIsToldWhoIsOff() async throws {
        let start = world.clock.now()
        let phoneClock = ManualClock(start), laptopClock = ManualClock(start)
        let (_, laptop, daemon) = try await paired(phoneClock: phoneClock, laptopClock: laptopClock)
        let original = try clientCertificate(of: laptop)
        let events = laptop.application.bus.subscribe()
        // The laptop believes 340 days have passed; the phone knows better.
        laptopClock.advance(by: 340 * Self.day)
        _ = try await laptop.application.fetching.fetch(types: [.steps], limit: 1)
        #expect(try clientCertificate(of: laptop) == original)
        let refusal = await firstEvent(events) { event -> HealthSyncError? in
            if case .failed(let error) = event { return error }
            return nil
        }
        #expect(refusal?.code == .clockSkew)
        #expect(refusal?.message.contains("laptop's clock is 11 months ahead of phone's") == true, "\(refusal?.message ?? "")")
        await daemon.stop()
    }

    @Test(arguments: [2 * 365 * day, -2 * 365 * day])
    func aServerCertificateMadeUnderAWrongClockIsReissuedOnceTheClockIsRight(_ offset: TimeInterval) async throws {
        let start = world.clock.now()
        let phoneClock = ManualClock(start), laptopClock = ManualClock(start)
        let (phone, laptop, daemon) = try await paired(phoneClock: phoneClock, laptopClock: laptopClock)
        // Two years ahead, the server certificate looks due and is renewed into the future.
        phoneClock.set(start.addingTimeInterval(abs(offset)))
        #expect(try await daemon.renewIfDue() == true)
        let skewed = try phone.application.identity.ensureIdentity(renewing: false).serverCertificate
        #expect(skewed.notBefore > start.addingTimeInterval(86_400))
        // Right again (or, for the negative case, behind): the future-dated certificate is reissued, not kept.
        phoneClock.set(offset > 0 ? start : start.addingTimeInterval(-60))
        #expect(try await daemon.renewIfDue() == true)
        let fixed = try phone.application.identity.ensureIdentity(renewing: false).serverCertificate
        #expect(fixed.notBefore <= phoneClock.now())
        _ = try await laptop.application.fetching.fetch(types: [.steps], limit: 1)
        await daemon.stop()
    }

    @Test(arguments: [10 * 60.0, -2 * 365 * day])
    func statusNamesASkewedPeerBothWays(_ offset: TimeInterval) async throws {
        let start = world.clock.now()
        let phoneClock = ManualClock(start), laptopClock = ManualClock(start)
        let (_, laptop, daemon) = try await paired(phoneClock: phoneClock, laptopClock: laptopClock)
        phoneClock.advance(by: offset)
        let live = try #require(await laptop.application.devices.liveCheck())
        if offset > 0 {
            #expect(live.reachable)
            #expect(live.clock?.code == "CLOCK_SKEW")
            #expect(live.clock?.message == "phone's clock is 10 minutes ahead of this device's")
        } else {
            // Two years behind, the phone judges the laptop's certificate not yet valid.
            #expect(!live.reachable)
        }
        await daemon.stop()
    }

    @Test func skewIsDescribedInWordsAPersonReads() throws {
        #expect(ClockSkew.describe(-(11 * 30.44 + 5) * Self.day, peer: "phone") == "phone's clock is 11 months behind this device's")
        #expect(ClockSkew.describe(2 * 365.25 * Self.day, peer: "mac") == "mac's clock is 2 years ahead of this device's")
        #expect(throws: Never.self) { try ClockSkew.check(ours: Date(), theirs: Date().addingTimeInterval(299), peer: "x") }
        let error = #expect(throws: HealthSyncError.self) {
            try ClockSkew.check(ours: Date(), theirs: Date().addingTimeInterval(-3 * 3600), peer: "x")
        }
        #expect(error?.code == .clockSkew)
    }
}

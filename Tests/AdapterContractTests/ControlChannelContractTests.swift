import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import LoopbackTransport
import NIOControlChannel
import Synchronization
import Testing

enum ControlChannelKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case http, loopback

    var testDescription: String { rawValue }

    func make() -> any ControlChannel {
        switch self {
        case .http: NIOControlChannel()
        case .loopback: LoopbackControlChannel(network: LoopbackNetwork())
        }
    }
}

/// A daemon that records what reached it: answers `respond` and `join`
/// (waiting `holdMilliseconds` first), and `status` with its count of calls.
final class StubDaemon: DaemonRequests {
    private let answers = Mutex<[Bool]>([])
    let holdMilliseconds: Int

    init(holdMilliseconds: Int = 0) { self.holdMilliseconds = holdMilliseconds }

    var received: [Bool] { answers.withLock { $0 } }

    func health() async -> ControlHealth { ControlHealth(status: "ok", version: "test") }
    func status() async throws -> StatusReport { throw HealthSyncError(.notPaired) }
    func initiatePairing() async throws -> ControlInvitation { throw HealthSyncError(.pairingBusy) }
    func pairingState() async -> ControlPairingState { ControlPairingState(state: .idle) }
    func respond(accept: Bool) async throws { answers.withLock { $0.append(accept) } }
    func cancelPairing() async {}

    func join(_ join: ControlJoin) async throws -> PairedReport {
        try await Task.sleep(for: .milliseconds(holdMilliseconds))
        guard let id = DeviceID(bytes: Array(repeating: 7, count: 32)) else { throw HealthSyncError(.protocolError) }
        return PairedReport(name: join.code ?? "payload", deviceID: id, address: join.host)
    }

    func devices() async throws -> DevicesReport { DevicesReport(devices: []) }
    func unpair(_ selector: String) async throws -> UnpairReport {
        throw HealthSyncError(.unknownDevice, "No device \(selector)")
    }
}

/// Where a contract test serves: a Unix socket in a fresh private folder,
/// or a TCP port on 127.0.0.1 chosen by the system.
enum ControlAddressKind: String, CaseIterable, Sendable {
    case socket, tcp

    func make() throws -> ControlAddress {
        switch self {
        case .tcp: return .tcp(Endpoint(host: "127.0.0.1", port: 0))
        case .socket:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hs-ctl-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            return .socket(inStateDirectory: dir)
        }
    }
}

@Suite("ControlChannel contract")
struct ControlChannelContractTests {
    static let token = SecretBytes(utf8: "0123456789abcdef")
    static let cases = ControlChannelKind.allCases.flatMap { kind in ControlAddressKind.allCases.map { (kind, $0) } }

    @Test(arguments: cases)
    func callsReachTheDaemonOnlyWithItsToken(_ kind: ControlChannelKind, _ at: ControlAddressKind) async throws {
        let channel = kind.make(), daemon = StubDaemon()
        let listener = try await channel.serve(at: try at.make(), token: Self.token, requests: daemon)
        if case .tcp(let endpoint) = listener.address { #expect(endpoint.port != 0) }
        let link = channel.link(to: listener.address, token: Self.token)
        try await link.respond(accept: true, timeout: .seconds(2))
        let joined = try await link.join(ControlJoin(code: "123456", host: "192.0.2.1:8443"), timeout: .seconds(2))
        #expect(joined.name == "123456" && joined.address == "192.0.2.1:8443")
        // A name with characters a path cannot hold travels intact; the daemon's error comes back as itself.
        let unknown = await #expect(throws: HealthSyncError.self) { _ = try await link.unpair("my phone/ä?%", timeout: .seconds(2)) }
        #expect(unknown?.code == .unknownDevice && unknown?.message == "No device my phone/ä?%")
        for wrong in [nil, SecretBytes(utf8: "0123456789abcdeF"), SecretBytes(utf8: "")] {
            let intruder = channel.link(to: listener.address, token: wrong)
            let refused = await #expect(throws: HealthSyncError.self) { try await intruder.respond(accept: false, timeout: .seconds(2)) }
            #expect(refused?.code == .apiUnauthorized)
            #expect(try await intruder.health(timeout: .seconds(2)).status == "ok")
        }
        #expect(daemon.received == [true])
        await listener.close()
    }

    @Test(arguments: cases)
    func oversizedRequestsAreRefusedBeforeTheDaemon(_ kind: ControlChannelKind, _ at: ControlAddressKind) async throws {
        let channel = kind.make()
        let listener = try await channel.serve(at: try at.make(), token: Self.token, requests: StubDaemon())
        let huge = String(repeating: " ", count: 256 * 1024 + 1)
        let error = await #expect(throws: HealthSyncError.self) {
            _ = try await channel.link(to: listener.address, token: Self.token).join(ControlJoin(payload: huge), timeout: .seconds(5))
        }
        #expect(error?.code == .payloadTooLarge)
        await listener.close()
    }

    @Test(arguments: cases)
    func aDaemonThatDoesNotAnswerInTimeIsUnreachable(_ kind: ControlChannelKind, _ at: ControlAddressKind) async throws {
        let channel = kind.make()
        let listener = try await channel.serve(at: try at.make(), token: Self.token, requests: StubDaemon(holdMilliseconds: 1500))
        let error = await #expect(throws: HealthSyncError.self) {
            _ = try await channel.link(to: listener.address, token: Self.token).join(ControlJoin(code: "1"), timeout: .milliseconds(200))
        }
        #expect(error?.code == .daemonUnreachable)
        await listener.close()
    }

    @Test(arguments: cases)
    func nothingListeningIsDaemonUnreachable(_ kind: ControlChannelKind, _ at: ControlAddressKind) async throws {
        let channel = kind.make()
        let listener = try await channel.serve(at: try at.make(), token: Self.token, requests: StubDaemon())
        let address = listener.address
        await listener.close()
        if case .socket(let path) = address { #expect(!FileManager.default.fileExists(atPath: path)) }
        let error = await #expect(throws: HealthSyncError.self) {
            _ = try await channel.link(to: address, token: nil).health(timeout: .seconds(2))
        }
        #expect(error?.code == .daemonUnreachable)
    }
}

/// The control API as curl, a browser and another local user meet it.
@Suite("NIO control channel from outside")
struct NIOControlChannelOutsideTests {
    static let curl = "/usr/bin/curl"

    @Test func aHostThatIsNotLoopbackIsRefusedAndNoCORSIsOffered() async throws {
        let listener = try await NIOControlChannel().serve(at: .tcp(Endpoint(host: "127.0.0.1", port: 0)),
                                                           token: ControlChannelContractTests.token, requests: StubDaemon())
        defer { Task { await listener.close() } }
        guard case .tcp(let endpoint) = listener.address else { Issue.record("not TCP"); return }
        let url = "http://127.0.0.1:\(endpoint.port)/health"
        for (host, expected) in [("127.0.0.1:\(endpoint.port)", "200"), ("localhost", "200"), ("[::1]:9778", "200"),
                                 ("evil.example", "401"), ("127.evil.test", "401"), ("127.0.0.1.nip.io", "401")] {
            let result = try await ProcessRunner.runDetached(Self.curl, ["-s", "-D", "-", "-o", "/dev/null", "-w", "%{http_code}",
                                                           "-H", "Host: \(host)", "-H", "Origin: http://evil.example", url],
                                               environment: [:])
            #expect(result.standardOutput.hasSuffix(expected), "Host: \(host)")
            #expect(!result.standardOutput.lowercased().contains("access-control-allow"), "Host: \(host)")
        }
        await listener.close()
    }

    @Test func curlReachesTheSocketAsThisUser() async throws {
        let address = try ControlAddressKind.socket.make()
        let listener = try await NIOControlChannel().serve(at: address, token: ControlChannelContractTests.token,
                                                           requests: StubDaemon())
        guard case .socket(let path) = address else { return }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let result = try await ProcessRunner.runDetached(Self.curl, ["-s", "--unix-socket", path, "http://localhost/health"], environment: [:])
        #expect(result.standardOutput.contains("\"ok\""))
        await listener.close()
    }

    /// The socket lives in a 0700 folder, so another user cannot even reach
    /// it; with the folder and socket opened up, the kernel's peer
    /// credentials still keep them out.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func anotherUserIsClosedOutEvenWhenTheSocketIsReachable() async throws {
        let address = try ControlAddressKind.socket.make()
        let listener = try await NIOControlChannel().serve(at: address, token: ControlChannelContractTests.token,
                                                           requests: StubDaemon())
        guard case .socket(let path) = address else { return }
        chmod((path as NSString).deletingLastPathComponent, 0o755)
        chmod(path, 0o666)
        let nobody = try await ProcessRunner.runDetached("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", Self.curl,
                                                                "-s", "--unix-socket", path, "http://localhost/health"],
                                           environment: [:])
        #expect(nobody.status != 0 && !nobody.standardOutput.contains("ok"), "\(nobody.status) \(nobody.standardOutput)")
        let owner = try await ProcessRunner.runDetached(Self.curl, ["-s", "--unix-socket", path, "http://localhost/health"], environment: [:])
        #expect(owner.standardOutput.contains("\"ok\""))
        await listener.close()
    }
}

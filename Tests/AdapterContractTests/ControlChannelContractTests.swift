import Foundation
import HealthSyncDomain
import HealthSyncPorts
import LoopbackTransport
import NIOControlChannel
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

@Suite("ControlChannel contract")
struct ControlChannelContractTests {
    static let local = Endpoint(host: "127.0.0.1", port: 0)

    @Test(arguments: ControlChannelKind.allCases)
    func aRequestReachesTheHandlerWithItsTokenAndBody(_ kind: ControlChannelKind) async throws {
        let channel = kind.make()
        let listener = try await channel.serve(on: Self.local) { request in
            WireResponse(status: 200, body: Array("\(request.method) \(request.path) \(request.token ?? "-") \(request.body.count)".utf8))
        }
        #expect(listener.endpoint.port != 0)
        let response = try await channel.send(ControlRequest(method: "POST", path: "/pair/respond", token: "abc",
                                                             body: Array("{\"accept\":true}".utf8)),
                                              to: listener.endpoint, timeoutMilliseconds: 2000)
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "POST /pair/respond abc 15")
        let anonymous = try await channel.send(ControlRequest(method: "GET", path: "/health"), to: listener.endpoint,
                                               timeoutMilliseconds: 2000)
        #expect(String(decoding: anonymous.body, as: UTF8.self) == "GET /health - 0")
        await listener.close()
    }

    @Test(arguments: ControlChannelKind.allCases)
    func oversizedBodiesAreRefusedBeforeTheHandler(_ kind: ControlChannelKind) async throws {
        let channel = kind.make()
        let listener = try await channel.serve(on: Self.local) { _ in WireResponse(status: 200, body: []) }
        let huge = [UInt8](repeating: 0x20, count: WireCodec.maxRequestBytes + 1)
        let response = try await channel.send(ControlRequest(method: "POST", path: "/pair/join", token: "t", body: huge),
                                              to: listener.endpoint, timeoutMilliseconds: 5000)
        #expect(response.status == 413)
        #expect(WireCodec.error(from: response).code == .payloadTooLarge)
        await listener.close()
    }

    @Test(arguments: ControlChannelKind.allCases)
    func nothingListeningIsDaemonUnreachable(_ kind: ControlChannelKind) async throws {
        let channel = kind.make()
        let listener = try await channel.serve(on: Self.local) { _ in WireResponse(status: 200, body: []) }
        let endpoint = listener.endpoint
        await listener.close()
        let error = await #expect(throws: HealthSyncError.self) {
            _ = try await channel.send(ControlRequest(method: "GET", path: "/health"), to: endpoint, timeoutMilliseconds: 2000)
        }
        #expect(error?.code == .daemonUnreachable)
    }
}

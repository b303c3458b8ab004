import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import LibPNGZBar
import LibQREncode
import Testing

@Suite("QR codes: libqrencode, libpng, libzbar")
struct QRCodeTests {
    /// A pairing payload of the length the daemon makes (135 bytes and up).
    static let payload = #"{"certificateFingerprint":"SHA256:a5878b7c183304ed1928d571dd7300da164baea99b0d5b9ef8cd5d7443472815","code":"481909","expiresAt":"2026-11-23T12:22:43.548Z","host":"192.168.1.20","port":8443,"token":"c5f4c6651289833fdea8caf923bdb9b5","version":"1"}"#

    @Test func encodesDecodesAndRoundTripsThroughPNG() throws {
        let code = try LibQREncodeEncoder().encode(Self.payload)
        #expect(code.size >= 21 && (code.size - 17) % 4 == 0)
        // Finder patterns: the three corners are dark.
        #expect(code.isDark(x: 0, y: 0) && code.isDark(x: code.size - 1, y: 0) && code.isDark(x: 0, y: code.size - 1))
        let codec = PNGZBarImageCodec()
        let png = try codec.png(of: code, scale: 4, margin: 2)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
        #expect(try codec.decode(png: png, maxPixels: 10_000_000) == [Self.payload])
    }

    @Test func zbarimgReadsThePNGToTheExactPayload() async throws {
        let directory = TemporaryDirectory()
        let code = try LibQREncodeEncoder().encode(Self.payload)
        let file = directory.file("qr.png")
        try Data(try PNGZBarImageCodec().png(of: code, scale: 8, margin: 2)).write(to: URL(fileURLWithPath: file))
        let result = try await ProcessRunner.runDetached("/usr/bin/zbarimg", ["--nodbus", "-q", "--raw", file],
                                                         environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0)
        #expect(result.standardOutput == Self.payload + "\n")
    }

    @Test func badImagesAndTextsHaveCodes() throws {
        let codec = PNGZBarImageCodec()
        #expect(throws: HealthSyncError.self) { try codec.decode(png: Array("not a png".utf8), maxPixels: 1000) }
        let decodeError = try? codec.decode(png: [], maxPixels: 1000)
        #expect(decodeError == nil)
        // A blank image holds no QR code.
        let blank = try codec.png(of: QRCode(size: 21, modules: Array(repeating: false, count: 441)), scale: 4, margin: 2)
        #expect(try codec.decode(png: blank, maxPixels: 1_000_000) == [])
        // Too many pixels for the bound.
        let big = try codec.png(of: try LibQREncodeEncoder().encode("x"), scale: 32, margin: 16)
        let error = #expect(throws: HealthSyncError.self) { try codec.decode(png: big, maxPixels: 100) }
        #expect(error?.code == .invalidQRPayload)
        let tooLong = #expect(throws: HealthSyncError.self) {
            try LibQREncodeEncoder().encode(String(repeating: "a", count: 5000))
        }
        #expect(tooLong?.code == .invalidArgument)
        #expect(throws: HealthSyncError.self) { try LibQREncodeEncoder().encode("") }
    }
}

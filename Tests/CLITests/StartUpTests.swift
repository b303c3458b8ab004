import Foundation
import HealthSyncTestSupport
import Testing

/// What every command pays before it runs (issue #14): the image and QR
/// libraries, and libzbar's X11, D-Bus and V4L behind them, are opened only
/// by the commands that draw or read a QR code.
@Suite("Start-up")
struct StartUpTests {
    @Test func commandsWithoutQRCodesDoNotLoadTheImageLibraries() async throws {
        // The binary's own needs, as the dynamic loader sees them.
        let needed = try await ProcessRunner.runDetached("/usr/bin/ldd", [CLI.binary], environment: [:]).standardOutput
        for library in ["libzbar", "libpng", "libqrencode", "libX11", "libdbus"] {
            #expect(!needed.contains(library), "\(library) is loaded at every start:\n\(needed)")
        }
        #expect(needed.contains("libssl"), "\(needed)")
    }
}

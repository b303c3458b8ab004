import ArgumentParser
import HealthSyncDomain
import HealthSyncWiring

struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Join a sharing device from its QR code: an image, the clipboard, or standard input.",
        discussion: """
            With --image, reads the QR code in a PNG file. Otherwise takes the payload from the clipboard \
            (wl-paste on Wayland, xclip on X11) when it holds one, else the first line of standard input.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "A PNG image of the QR code.") var image: String?

    func run() async throws {
        try await CommandRunner(global: global).run { application, _ in
            let record: PeerRecord
            if let image {
                record = try await application.joining.join(payloadText: try application.qr.payload(inImageAt: image))
            } else {
                record = try await application.joining.joinScanned(prompt: application.prompt(autoAccept: false))
            }
            return .paired(PairCommand.report(record))
        }
    }
}

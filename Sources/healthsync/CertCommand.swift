import ArgumentParser
import HealthSyncDomain
import HealthSyncWiring

struct CertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert", abstract: "Show and export this device's certificates.",
        subcommands: [Info.self, Export.self])

    @OptionGroup var global: GlobalOptions

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "info",
            abstract: "Show the client, server and CA certificates and their status.")

        @OptionGroup var global: GlobalOptions
        @Flag(name: .long, help: "Show only the CA certificates (with fingerprints).")
        var ca = false

        func run() async throws {
            try await CommandRunner(global: global).run { application, _ in
                .certificates(try application.certificates.report(caOnly: ca))
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write PEM files for openssl and curl.",
            discussion: """
                A folder receives the files guide 001's `openssl s_client -cert client.pem -key client-key.pem \
                -CAfile ca.pem` uses: client.pem (once paired), client-key.pem (this device's key, mode 0600) and \
                ca.pem (the paired device's CA; this device's own before pairing), and beside them \
                this-device-ca.pem and server.pem (this device's server certificate with its CA). A path ending \
                in .pem receives one certificate bundle, without the key; missing folders are created.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: ArgumentHelp("Folder (or .pem file) to write.", valueName: "dir"))
        var output: String
        @Option(name: .long, help: ArgumentHelp("Paired device whose client certificate to export.", valueName: "device"))
        var device: String?

        func run() async throws {
            try await CommandRunner(global: global).run { application, _ in
                .export(try application.certificates.export(to: output, peer: device))
            }
        }
    }
}

struct KeychainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keychain", abstract: "Manage the keystore.", subcommands: [Clear.self])

    @OptionGroup var global: GlobalOptions

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clear",
            abstract: "Delete identity, CA, paired devices, revocations and tokens from the configured keystore.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await CommandRunner(global: global).run { application, _ in
                .keystoreCleared(try application.devices.clearKeystore())
            }
        }
    }
}

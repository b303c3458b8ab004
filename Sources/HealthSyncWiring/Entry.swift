import Foundation
import HealthSyncDomain
import HealthSyncPorts
import JSONPresenter
import OpenSSLCrypto
import PosixFileSystem
import TerminalPresenter

/// Reads the layered configuration from the real file system.
public func loadConfig(explicitFile: String?, environment: [String: String], flags: [(String, String)],
                       allowMissingFile: Bool = false) throws -> LoadedConfig {
    try ConfigLoader(files: PosixFileSystem()).load(explicitFile: explicitFile, environment: environment,
                                                    flags: flags, allowMissingFile: allowMissingFile)
}

/// Called once at a process's start, before its arguments are parsed: the
/// one-time set-up of the libraries every command uses begins on the other
/// core meanwhile (OpenSSL's configuration and decoders).
public func prepareLibraries() {
    OpenSSLCrypto.prepareInBackground()
}

/// The editor of the user configuration file on the real file system.
public func makeConfigEditor() -> ConfigEditor { ConfigEditor(files: PosixFileSystem()) }

/// A presenter for errors that happen before a configuration exists
/// (a broken config file, bad arguments).
public func makeFallbackPresenter(json: Bool, environment: RuntimeEnvironment) -> any Presenter {
    if json || environment.variables["HEALTHSYNC_PRESENTER_ADAPTER"] == "json" {
        return JSONPresenter(output: environment.standardOutput, errorOutput: environment.standardError)
    }
    return environment.terminalPresenter
}

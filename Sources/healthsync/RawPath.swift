import Foundation

/// A file name as the OS gave it. Swift decodes arguments as UTF-8 and
/// replaces bytes that are not (a name from an old Latin-1 disk, say) with
/// U+FFFD, which names no file. For such an argument the file is opened by
/// its raw bytes and handed on as `/proc/self/fd/N`, so any name the OS
/// accepts can be imported.
enum RawPath {
    /// A path that opens the file `argument` names.
    static func openable(_ argument: String) -> String {
        guard argument.unicodeScalars.contains("\u{FFFD}") else { return argument }
        for index in 1..<Int(CommandLine.argc) {
            guard let raw = CommandLine.unsafeArgv[index] else { continue }
            let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self),
                                                  count: strlen(raw)))
            // Only the argument that decodes to this text, and is not valid UTF-8 itself.
            guard String(validating: bytes, as: UTF8.self) == nil,
                  String(decoding: bytes, as: UTF8.self) == argument else { continue }
            // Kept open for the life of the command (it ends with the process).
            let descriptor = open(raw, O_RDONLY | O_CLOEXEC)
            if descriptor >= 0 { return "/proc/self/fd/\(descriptor)" }
        }
        return argument
    }
}

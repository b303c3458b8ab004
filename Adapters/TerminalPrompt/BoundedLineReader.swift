#if canImport(Glibc)
import Glibc
#endif

/// Lines from a file descriptor (standard input), each cut at `maxLength`
/// bytes as it is read: what follows on an overlong line is skipped, never
/// held, so a 200 MB line costs 64 KiB of memory, not 400 MB.
/// `@unchecked Sendable`: used by the one thread that reads the prompt's input.
final class BoundedLineReader: @unchecked Sendable {
    private let descriptor: Int32
    private let maxLength: Int
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var start = 0, end = 0
    private var finished = false

    init(descriptor: Int32 = 0, maxLength: Int) {
        self.descriptor = descriptor
        self.maxLength = maxLength
    }

    /// The next line without its newline (invalid UTF-8 repaired), or nil at the end of input.
    func next() -> String? {
        var line: [UInt8] = []
        var sawAny = false
        while true {
            if start == end {
                guard !finished, fill() else {
                    return sawAny ? String(decoding: line, as: UTF8.self) : nil
                }
            }
            sawAny = true
            let chunk = buffer[start..<end]
            if let newline = chunk.firstIndex(of: 0x0a) {
                append(chunk[start..<newline], to: &line)
                start = newline + 1
                if line.last == 0x0d { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            append(chunk, to: &line)
            start = end
        }
    }

    private func append(_ bytes: ArraySlice<UInt8>, to line: inout [UInt8]) {
        let room = maxLength - line.count
        if room > 0 { line += bytes.prefix(room) }
    }

    private func fill() -> Bool {
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                start = 0
                end = count
                return true
            }
            if count < 0 && errno == EINTR { continue }
            finished = true
            return false
        }
    }
}

import Foundation
import HealthSyncDomain

/// Bytes read in order from a file or a zip entry.
protocol ByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes; 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A file read with `pread`, from `offset`, for at most `length` bytes.
final class FileRegion: ByteSource {
    private let descriptor: Int32
    private var offset: Int64
    private var remaining: Int64

    init(descriptor: Int32, offset: Int64, length: Int64) {
        self.descriptor = descriptor
        self.offset = offset
        self.remaining = length
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard remaining > 0, let base = buffer.baseAddress else { return 0 }
        let wanted = Int(min(Int64(buffer.count), remaining))
        let count = pread(descriptor, base, wanted, off_t(offset))
        guard count >= 0 else {
            throw HealthSyncError(.invalidArgument, "The export cannot be read: \(String(cString: strerror(errno)))")
        }
        offset += Int64(count)
        remaining -= Int64(count)
        return count
    }

    /// Exactly `count` bytes at `offset`, or nil when the file is shorter.
    static func bytes(_ descriptor: Int32, at offset: Int64, count: Int) -> [UInt8]? {
        guard count >= 0, offset >= 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let read = bytes.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset + Int64(done)))
            }
            guard read > 0 else { return nil }
            done += read
        }
        return bytes
    }
}

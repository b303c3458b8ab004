import CZlib
import Foundation
import HealthSyncDomain

/// The entries of a ZIP archive (with ZIP64 for exports past 4 GB) and a
/// streaming reader for one of them: stored or deflated, never loaded whole.
struct ZipArchive {
    struct Entry {
        let name: String
        let method: UInt16
        let compressedSize: Int64
        let size: Int64
        let localHeaderOffset: Int64
        let encrypted: Bool
    }

    static let maxCentralDirectory = 64 * 1024 * 1024
    /// More entries than any Health export holds (its routes and ECGs included).
    static let maxEntries = 100_000

    let descriptor: Int32
    let entries: [Entry]

    static func isZip(_ descriptor: Int32) -> Bool {
        FileRegion.bytes(descriptor, at: 0, count: 4) == [0x50, 0x4b, 0x03, 0x04]
    }

    init(descriptor: Int32, fileSize: Int64) throws {
        self.descriptor = descriptor
        let broken = HealthSyncError(.invalidArgument, "The zip file is damaged (no readable directory)",
                                     hint: "Export the data again from the Health app, or unzip it and pass export.xml.")
        // The end-of-directory record sits in the last 64 KiB + 22 bytes.
        let tailLength = Int(min(fileSize, 65_557))
        guard let tail = FileRegion.bytes(descriptor, at: fileSize - Int64(tailLength), count: tailLength),
              let end = Self.lastIndex(of: [0x50, 0x4b, 0x05, 0x06], in: tail), end + 22 <= tail.count else { throw broken }
        var count = Int64(Self.u16(tail, end + 10))
        var directorySize = Int64(Self.u32(tail, end + 12))
        var directoryOffset = Int64(Self.u32(tail, end + 16))
        // Every 64-bit value must point inside the file: a hostile one past
        // Int64.max would otherwise trap on conversion.
        func inFile(_ value: UInt64) throws -> Int64 {
            guard value <= UInt64(fileSize) else { throw broken }
            return Int64(value)
        }
        if count == 0xffff || directorySize == 0xffff_ffff || directoryOffset == 0xffff_ffff {
            // ZIP64: a locator just before the record points at the 64-bit record.
            guard end >= 20, Self.u32(tail, end - 20) == 0x0706_4b50 else { throw broken }
            let recordOffset = try inFile(Self.u64(tail, end - 20 + 8))
            guard let record = FileRegion.bytes(descriptor, at: recordOffset, count: 56),
                  Self.u32(record, 0) == 0x0606_4b50 else { throw broken }
            count = try inFile(Self.u64(record, 32))
            directorySize = try inFile(Self.u64(record, 40))
            directoryOffset = try inFile(Self.u64(record, 48))
        }
        guard count <= Self.maxEntries else {
            throw HealthSyncError(.invalidArgument, "The zip file lists \(count) entries; an export has far fewer",
                                  hint: "Unzip it and pass export.xml.")
        }
        guard directorySize <= Self.maxCentralDirectory, count <= directorySize / 46 + 1,
              let directory = FileRegion.bytes(descriptor, at: directoryOffset, count: Int(directorySize)) else { throw broken }
        var entries: [Entry] = []
        var at = 0
        for _ in 0..<count {
            guard at + 46 <= directory.count, Self.u32(directory, at) == 0x0201_4b50 else { throw broken }
            let nameLength = Int(Self.u16(directory, at + 28)), extraLength = Int(Self.u16(directory, at + 30))
            let commentLength = Int(Self.u16(directory, at + 32))
            guard at + 46 + nameLength + extraLength + commentLength <= directory.count else { throw broken }
            let name = String(decoding: directory[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            var compressed = Int64(Self.u32(directory, at + 20)), size = Int64(Self.u32(directory, at + 24))
            var offset = Int64(Self.u32(directory, at + 42))
            // ZIP64 extra field: the 64-bit values of the fields that read 0xFFFFFFFF, in this order.
            var extra = at + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = Self.u16(directory, extra), length = Int(Self.u16(directory, extra + 2))
                guard extra + 4 + length <= extraEnd else { break }
                if id == 0x0001 {
                    var field = extra + 4
                    let fieldEnd = extra + 4 + length
                    func next() -> Int64? {
                        guard field + 8 <= fieldEnd else { return nil }
                        defer { field += 8 }
                        return try? inFile(Self.u64(directory, field))
                    }
                    if size == 0xffff_ffff, let value = next() { size = value }
                    if compressed == 0xffff_ffff, let value = next() { compressed = value }
                    if offset == 0xffff_ffff, let value = next() { offset = value }
                }
                extra += 4 + length
            }
            guard compressed <= fileSize, offset <= fileSize, size >= 0 else { throw broken }
            entries.append(Entry(name: name, method: Self.u16(directory, at + 10), compressedSize: compressed, size: size,
                                 localHeaderOffset: offset, encrypted: Self.u16(directory, at + 8) & 1 == 1))
            at += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    /// A reader of `entry`'s content.
    func open(_ entry: Entry) throws -> any ByteSource {
        let unreadable = HealthSyncError(.invalidArgument, "The zip entry \(entry.name) cannot be read")
        guard !entry.encrypted, let header = FileRegion.bytes(descriptor, at: entry.localHeaderOffset, count: 30),
              Self.u32(header, 0) == 0x0403_4b50 else { throw unreadable }
        let dataOffset = entry.localHeaderOffset + 30 + Int64(Self.u16(header, 26)) + Int64(Self.u16(header, 28))
        let region = FileRegion(descriptor: descriptor, offset: dataOffset, length: entry.compressedSize)
        switch entry.method {
        case 0: return region
        case 8: return try InflatingSource(region)
        default:
            throw HealthSyncError(.invalidArgument, "The zip entry \(entry.name) uses compression method \(entry.method)",
                                  hint: "Unzip the export yourself and pass export.xml.")
        }
    }

    static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 { UInt32(u16(bytes, at)) | UInt32(u16(bytes, at + 2)) << 16 }
    static func u64(_ bytes: [UInt8], _ at: Int) -> UInt64 { UInt64(u32(bytes, at)) | UInt64(u32(bytes, at + 4)) << 32 }

    static func lastIndex(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        for start in stride(from: bytes.count - pattern.count, through: 0, by: -1)
        where bytes[start..<(start + pattern.count)].elementsEqual(pattern) {
            return start
        }
        return nil
    }
}

/// Raw deflate through zlib, a chunk at a time.
final class InflatingSource: ByteSource {
    private let input: any ByteSource
    private let stream: UnsafeMutablePointer<z_stream>
    /// Owned here, so zlib's `next_in` stays valid between calls.
    private let inputBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
    private var finished = false

    init(_ input: any ByteSource) throws {
        self.input = input
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard hs_inflate_init_raw(stream) == Z_OK else {
            stream.deallocate()
            inputBuffer.deallocate()
            throw HealthSyncError(.cryptoFailure, "zlib could not start inflating")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        inputBuffer.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        stream.pointee.next_out = base.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(min(buffer.count, Int(UInt32.max)))
        while stream.pointee.avail_out > 0 {
            if stream.pointee.avail_in == 0 {
                let count = try input.read(into: inputBuffer)
                if count == 0 { break }
                stream.pointee.next_in = inputBuffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_in = uInt(count)
            }
            let status = inflate(stream, Z_NO_FLUSH)
            if status == Z_STREAM_END {
                finished = true
                break
            }
            guard status == Z_OK || status == Z_BUF_ERROR else {
                throw HealthSyncError(.invalidArgument, "The zip entry is damaged (zlib error \(status))")
            }
        }
        return buffer.count - Int(stream.pointee.avail_out)
    }
}

import Foundation

/// Writes small ZIP archives of stored (uncompressed) entries for tests,
/// optionally in ZIP64 form (the 32-bit fields at their "see ZIP64" value).
enum ZipBuilder {
    static func archive(_ entries: [(name: String, data: [UInt8])], zip64: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        var directory: [UInt8] = []
        for entry in entries {
            let name = Array(entry.name.utf8)
            let offset = out.count
            let crc = crc32(entry.data)
            out += le32(0x0403_4b50) + le16(20) + le16(0x0800) + le16(0) + le16(0) + le16(0) + le32(crc)
                + le32(UInt32(entry.data.count)) + le32(UInt32(entry.data.count)) + le16(UInt16(name.count)) + le16(0)
                + name + entry.data
            let extra = zip64 ? le16(0x0001) + le16(24) + le64(UInt64(entry.data.count)) + le64(UInt64(entry.data.count))
                + le64(UInt64(offset)) : []
            let big: UInt32 = 0xffff_ffff
            directory += le32(0x0201_4b50) + le16(45) + le16(45) + le16(0x0800) + le16(0) + le16(0) + le16(0) + le32(crc)
                + le32(zip64 ? big : UInt32(entry.data.count)) + le32(zip64 ? big : UInt32(entry.data.count))
                + le16(UInt16(name.count)) + le16(UInt16(extra.count)) + le16(0) + le16(0) + le16(0) + le32(0)
                + le32(zip64 ? big : UInt32(offset)) + name + extra
        }
        let directoryOffset = out.count
        out += directory
        if zip64 {
            let recordOffset = out.count
            out += le32(0x0606_4b50) + le64(44) + le16(45) + le16(45) + le32(0) + le32(0)
                + le64(UInt64(entries.count)) + le64(UInt64(entries.count)) + le64(UInt64(directory.count))
                + le64(UInt64(directoryOffset))
            out += le32(0x0706_4b50) + le32(0) + le64(UInt64(recordOffset)) + le32(1)
            out += le32(0x0605_4b50) + le16(0) + le16(0) + le16(0xffff) + le16(0xffff) + le32(0xffff_ffff)
                + le32(0xffff_ffff) + le16(0)
        } else {
            out += le32(0x0605_4b50) + le16(0) + le16(0) + le16(UInt16(entries.count)) + le16(UInt16(entries.count))
                + le32(UInt32(directory.count)) + le32(UInt32(directoryOffset)) + le16(0)
        }
        return out
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8)] }
    static func le32(_ value: UInt32) -> [UInt8] { le16(UInt16(value & 0xffff)) + le16(UInt16(value >> 16)) }
    static func le64(_ value: UInt64) -> [UInt8] { le32(UInt32(value & 0xffff_ffff)) + le32(UInt32(value >> 32)) }
}

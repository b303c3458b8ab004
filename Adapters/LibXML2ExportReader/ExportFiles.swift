import Foundation
import HealthSyncDomain

/// The files an export refers to beside `export.xml` (`/workout-routes/…gpx`,
/// `/clinical-records/…json`, `electrocardiograms/*.csv`): entries of the
/// same zip, under the folder the export entry sits in, or files under the
/// folder of a plain `export.xml`. A path that climbs out (`..`), an
/// absolute path outside, or a link that leads outside is not read.
final class ExportFiles {
    static let maxRouteBytes = 64 * 1024 * 1024
    static let maxECGBytes = 16 * 1024 * 1024
    /// How many ECG files are read, at most.
    static let maxECGFiles = 10_000

    private enum Base {
        case zip(ZipArchive, folder: String)
        case directory(String)
    }

    private let base: Base
    /// Zip entries by name, built on first use (an export may hold thousands of routes).
    private var byName: [String: ZipArchive.Entry]?

    /// Files beside the zip entry `entry`.
    init(archive: ZipArchive, entry: String) {
        let folder = entry.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        base = .zip(archive, folder: folder.isEmpty ? "" : folder + "/")
    }

    /// Files beside the plain XML file at `path`.
    init(xmlPath path: String) {
        let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        base = .directory(path.hasPrefix("/") && folder.isEmpty ? "/" : folder.isEmpty ? "." : folder)
    }

    /// The path's parts, when it stays inside the export folder.
    static func components(_ path: String) -> [Substring]? {
        let parts = path.split(separator: "/")
        guard !parts.isEmpty, parts.count <= 16, path.utf8.count <= 1024,
              !parts.contains(where: { $0 == ".." || $0 == "." || $0.utf8.contains(0) }) else { return nil }
        return parts
    }

    /// The bytes of the file at `path` (relative to the export folder), or
    /// nil when it is missing, outside, or larger than `maxBytes`.
    func read(_ path: String, maxBytes: Int) -> [UInt8]? {
        guard let parts = Self.components(path) else { return nil }
        switch base {
        case .zip(let archive, let folder):
            let name = folder + parts.joined(separator: "/")
            if byName == nil {
                byName = Dictionary(archive.entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            }
            guard let entry = byName?[name], !entry.encrypted,
                  entry.size <= Int64(maxBytes), let source = try? archive.open(entry) else { return nil }
            return Self.drain(source, maxBytes: maxBytes)
        case .directory(let folder):
            return Self.readFile(folder: folder, parts: parts, maxBytes: maxBytes)
        }
    }

    /// The ECG files of the export (`electrocardiograms/*.csv`), by name.
    func electrocardiograms() -> [String] {
        let names: [String]
        switch base {
        case .zip(let archive, let folder):
            let prefix = folder + "electrocardiograms/"
            names = archive.entries.map(\.name).filter {
                $0.hasPrefix(prefix) && $0.lowercased().hasSuffix(".csv") && !$0.dropFirst(prefix.count).contains("/")
            }.map { String($0.dropFirst(folder.count)) }
        case .directory(let folder):
            let listed = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/electrocardiograms")) ?? []
            names = listed.filter { $0.lowercased().hasSuffix(".csv") }.map { "electrocardiograms/" + $0 }
        }
        return Array(names.sorted().prefix(Self.maxECGFiles))
    }

    private static func readFile(folder: String, parts: [Substring], maxBytes: Int) -> [UInt8]? {
        let path = folder + "/" + parts.joined(separator: "/")
        // Links may not lead outside the export's folder.
        guard let real = realpath(path, nil), let realFolder = realpath(folder, nil) else { return nil }
        defer { free(real); free(realFolder) }
        let inside = String(cString: realFolder)
        guard String(cString: real).hasPrefix(inside == "/" ? "/" : inside + "/") else { return nil }
        let descriptor = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size <= maxBytes else { return nil }
        return drain(FileRegion(descriptor: descriptor, offset: 0, length: Int64(info.st_size)), maxBytes: maxBytes)
    }

    private static func drain(_ source: any ByteSource, maxBytes: Int) -> [UInt8]? {
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            guard let count = try? source.read(into: chunk) else { return nil }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            // A deflated entry may say it is small and inflate to far more.
            guard bytes.count <= maxBytes else { return nil }
        }
    }
}

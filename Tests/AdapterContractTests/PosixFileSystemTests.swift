import Foundation
import HealthSyncDomain
import HealthSyncTestSupport
import PosixFileSystem
import Testing

@Suite("POSIX file system")
struct PosixFileSystemTests {
    let files = PosixFileSystem()

    @Test func atomicWritesReplaceWholeFilesWithTheirMode() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("a/b/secret")
        try files.createDirectory(directory.file("a/b"), mode: 0o700)
        try files.writeAtomically(path, Array("one".utf8), mode: 0o600)
        try files.writeAtomically(path, Array("two".utf8), mode: 0o600)
        #expect(try files.read(path, maxBytes: 10) == Array("two".utf8))
        #expect(try files.permissions(path) == 0o600)
        #expect(try files.permissions(directory.file("a")) == 0o700)
        #expect(try files.list(directory.file("a/b")) == ["secret"])
    }

    @Test func readsAreBoundedAndMissingFilesAreNil() throws {
        let directory = TemporaryDirectory()
        #expect(try files.read(directory.file("none"), maxBytes: 10) == nil)
        #expect(try files.permissions(directory.file("none")) == nil)
        TestFiles.write(directory.file("big"), String(repeating: "x", count: 100))
        #expect(throws: HealthSyncError.self) { try files.read(directory.file("big"), maxBytes: 99) }
        #expect(throws: HealthSyncError.self) { try files.read(directory.path, maxBytes: 99) }
    }

    @Test func locksSerialiseWriters() async throws {
        let directory = TemporaryDirectory()
        let lock = directory.file(".lock"), counter = directory.file("counter")
        try files.writeAtomically(counter, Array("0".utf8), mode: 0o600)
        let files = self.files
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<10 {
                        try files.withLock(lock, exclusive: true) {
                            let value = Int(String(decoding: try files.read(counter, maxBytes: 20)!, as: UTF8.self))!
                            try files.writeAtomically(counter, Array(String(value + 1).utf8), mode: 0o600)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try files.read(counter, maxBytes: 20) == Array("80".utf8))
    }

    @Test func movingOntoAFullFolderFails() throws {
        let directory = TemporaryDirectory()
        try files.createDirectory(directory.file("a"), mode: 0o700)
        try files.createDirectory(directory.file("b"), mode: 0o700)
        try files.writeAtomically(directory.file("b/x"), [1], mode: 0o600)
        #expect(throws: HealthSyncError.self) { try files.move(directory.file("a"), to: directory.file("b")) }
        try files.remove(directory.file("b/x"))
        try files.move(directory.file("a"), to: directory.file("b"))
        #expect(try files.permissions(directory.file("a")) == nil)
    }
}

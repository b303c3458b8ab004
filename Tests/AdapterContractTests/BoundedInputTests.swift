import Foundation
import HealthSyncDomain
import HealthSyncTestSupport
@testable import LibXML2ExportReader
@testable import TerminalPrompt
import Testing

/// Issue #10: every parser is bounded and linear, whatever it is fed.
@Suite("Bounded inputs")
struct BoundedInputTests {
    @Test func anOverlongStdinLineIsCutAsItIsReadAndTheNextLineSurvives() throws {
        let pipe = Pipe()
        let writer = Thread {
            let chunk = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
            for _ in 0..<16 { pipe.fileHandleForWriting.write(chunk) }
            pipe.fileHandleForWriting.write(Data("\r\nsecond\nlast".utf8))
            try? pipe.fileHandleForWriting.close()
        }
        writer.start()
        let reader = BoundedLineReader(descriptor: pipe.fileHandleForReading.fileDescriptor, maxLength: 4096)
        #expect(reader.next()?.count == 4096)
        #expect(reader.next() == "second")
        #expect(reader.next() == "last")
        #expect(reader.next() == nil)
    }

    @Test func anElementWithThousandsOfAttributesStopsTheReadAtOnce() throws {
        let directory = TemporaryDirectory("attrs")
        let attributes = (0..<100_000).map { " a\($0)=\"1\"" }.joined()
        let xml = "<?xml version=\"1.0\"?>\n<HealthData locale=\"en\">\n<Record type=\"HKQuantityTypeIdentifierStepCount\"\(attributes)/>\n</HealthData>\n"
        TestFiles.write(directory.file("export.xml"), xml)
        let reader = LibXML2ExportReader()
        let error = #expect(throws: HealthSyncError.self) {
            _ = try reader.records(in: directory.file("export.xml"), batchSize: 100) { _ in }
        }
        #expect(error?.message.contains("more than 256 attributes") == true, "\(error?.message ?? "")")
    }

    @Test func hostileZip64ValuesAreADamagedFileNotATrap() throws {
        let directory = TemporaryDirectory("zip64")
        // An end-of-directory record saying ZIP64, and a locator pointing past Int64.max.
        var bytes: [UInt8] = [0x50, 0x4b, 0x03, 0x04] + [UInt8](repeating: 0, count: 26)
        bytes += [0x50, 0x4b, 0x06, 0x07, 0, 0, 0, 0] + [UInt8](repeating: 0xff, count: 8) + [1, 0, 0, 0]
        bytes += [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff] + [UInt8](repeating: 0xff, count: 8) + [0, 0]
        FileManager.default.createFile(atPath: directory.file("export.zip"), contents: Data(bytes))
        let error = #expect(throws: HealthSyncError.self) {
            _ = try LibXML2ExportReader().records(in: directory.file("export.zip"), batchSize: 100) { _ in }
        }
        #expect(error?.code == .invalidArgument)
    }
}

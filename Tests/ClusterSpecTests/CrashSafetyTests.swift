import Foundation
import Testing

/// The output directory survives a build killed while it writes: files are written into a hidden
/// staging directory and synced once, and only the final swap makes them visible.
@Suite("A build killed while writing leaves the previous tree", .serialized)
struct CrashSafetyTests {
    @Test func killNineWhileWritingLeavesThePreviousTreeIntact() throws {
        guard Judges.available else {
            Issue.record(Comment(rawValue: Judges.missing))
            return
        }
        let python = Judges.python
        let binary = ProcessInfo.processInfo.environment["CLUSTERSPEC_BIN"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) } ?? Paths.binary
        let dir = try TemporaryDirectory()
        let generator = Paths.root.appendingPathComponent("scripts/bench_workload.py").path
        // The previous tree: a small system. The interrupted build writes a large one (thousands of files).
        #expect(try run(python, [generator, "20", dir.url.appendingPathComponent("small").path]).status == 0)
        #expect(try run(python, [generator, "1000", dir.url.appendingPathComponent("large").path]).status == 0)
        let out = dir.url.appendingPathComponent("out")
        let first = try run(binary, ["build", "small/specs", "--overlays", "small/overlays", "-o", out.path], in: dir.url)
        #expect(first.status == 0, "\(first.stderr)")
        let before = snapshot(out)
        #expect(before.count > 50)

        let process = Process()
        process.executableURL = binary
        process.arguments = ["build", "large/specs", "--overlays", "large/overlays", "-o", out.path]
        process.currentDirectoryURL = dir.url
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let staging = dir.url.appendingPathComponent(".out.clusterspec-\(process.processIdentifier)")
        // Wait until the build is writing the staging tree, then kill it without warning.
        var filesSeen = 0
        while process.isRunning {
            filesSeen = (FileManager.default.enumerator(atPath: staging.path)?.allObjects.count) ?? 0
            if filesSeen >= 20 { break }
            usleep(200)
        }
        let wasWriting = process.isRunning && filesSeen >= 20
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(wasWriting, "the build finished before it could be killed while writing")
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(snapshot(out) == before, "out/ changed although the build that wrote to it was killed")
        try? FileManager.default.removeItem(at: staging)
    }
}

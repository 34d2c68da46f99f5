import Foundation
import Testing

/// Regressions (issue 14): `kill -9` mid-build left hidden partial trees beside the output for
/// ever, and `-o .` / `-o ''` replaced the working directory.
@Suite("Output directory hygiene", .serialized)
struct OutputHygieneTests {
    /// A process that really ran and is gone: its id names a staging directory nobody owns.
    static func deadProcessID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["60"]
        try process.run()
        let pid = process.processIdentifier
        kill(pid, SIGKILL)
        process.waitUntilExit()
        return pid
    }

    @Test func stagingDirectoriesOfDeadBuildsAreRemovedLiveOnesKept() throws {
        let dir = try TemporaryDirectory()
        let out = dir.url.appendingPathComponent("out")
        let dead = try Self.deadProcessID()
        try dir.write(".out.clusterspec-\(dead)/volaticloud/base/partial.yaml", "half a tree\n")
        try dir.write(".out.clusterspec-old-\(dead)/volaticloud/base/kustomization.yaml", "an old tree\n")
        let live = Process()
        live.executableURL = URL(fileURLWithPath: "/bin/sleep")
        live.arguments = ["60"]
        try live.run()
        defer {
            kill(live.processIdentifier, SIGKILL)
            live.waitUntilExit()
        }
        try dir.write(".out.clusterspec-\(live.processIdentifier)/volaticloud/base/partial.yaml", "a live build's tree\n")
        try dir.write(".other.clusterspec-\(dead)/keep.yaml", "staging of another output directory\n")
        try dir.write(".out.clusterspec-12ab/keep.yaml", "not a staging name\n")

        let result = try clusterspec(["build", "specs/volaticloud.cluster.yaml", "-o", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let siblings = Set(try FileManager.default.contentsOfDirectory(atPath: dir.url.path))
        #expect(siblings == ["out", ".out.clusterspec-\(live.processIdentifier)", ".other.clusterspec-\(dead)", ".out.clusterspec-12ab"],
                "\(siblings.sorted())")
    }

    /// A spec whose output is large enough (one file per ConfigMap) that a build is caught writing.
    static let slowSpec: String = {
        var text = "clusterspec: v1\nname: wide\nnamespaces:\n  apps: {}\nconfigMaps:\n"
        for index in 0..<2000 { text += "  settings-\(index): {data: {key: value-\(index)}}\n" }
        return text
    }()

    /// A real build stopped (SIGSTOP) while its staging directory exists; another build runs to the
    /// same output meanwhile and must leave the stopped build's staging alone, so the first one
    /// completes when it resumes.
    @Test func aConcurrentBuildNeverRemovesALiveBuildsStaging() throws {
        let dir = try TemporaryDirectory()
        let spec = try dir.write("wide.cluster.yaml", Self.slowSpec)
        let out = dir.url.appendingPathComponent("out")
        var caught = false
        for _ in 0..<12 where !caught {
            try? FileManager.default.removeItem(at: out)
            let first = Process()
            first.executableURL = Paths.binary
            first.arguments = ["build", spec, "-o", out.path]
            first.standardError = FileHandle.nullDevice
            try first.run()
            let staging = ".out.clusterspec-\(first.processIdentifier)"
            let deadline = Date().addingTimeInterval(180)
            while first.isRunning, Date() < deadline {
                if FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(staging).path) {
                    kill(first.processIdentifier, SIGSTOP)
                    // Still writing (not yet swapped in): the staging directory is there while stopped.
                    caught = FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(staging).path)
                    if !caught { kill(first.processIdentifier, SIGCONT) }
                    break
                }
            }
            guard caught else {
                first.waitUntilExit()
                continue
            }
            let second = try clusterspec(["build", "specs/volaticloud.cluster.yaml", "-o", out.path])
            #expect(second.status == 0, "\(second.stderr)")
            #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(staging).path), "the live build's staging was removed")
            kill(first.processIdentifier, SIGCONT)
            first.waitUntilExit()
            #expect(first.terminationStatus == 0, "the stopped build failed after resuming")
            #expect(snapshot(out).keys.contains("wide/base/kustomization.yaml"), "the resumed build's tree is in place")
        }
        #expect(caught, "never caught a build while it was writing")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.contains(".clusterspec-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func concurrentBuildsToOneDirectoryAllSucceed() throws {
        let dir = try TemporaryDirectory()
        let out = dir.url.appendingPathComponent("out")
        for _ in 0..<3 {
            let processes = try (0..<2).map { _ -> Process in
                let process = Process()
                process.executableURL = Paths.binary
                process.arguments = ["build", "specs", "-o", out.path]
                process.currentDirectoryURL = Paths.root
                process.standardError = FileHandle.nullDevice
                try process.run()
                return process
            }
            for process in processes {
                process.waitUntilExit()
                #expect(process.terminationStatus == 0)
            }
        }
        #expect(snapshot(out).keys.contains("goverse/base/kustomization.yaml"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0 != "out" }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    /// `-o` values that would replace the working directory or an input: exit 2, nothing touched.
    @Test(arguments: [".", "", "./", "..", "/", "specs", "specs/..", "overlays", "overlays/goverse", "link-to-here", "link-to-specs"])
    func outputsThatEncloseTheWorkingDirectoryOrAnInputAreRefused(output: String) throws {
        let dir = try TemporaryDirectory()
        let project = dir.url.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        for entry in ["specs", "overlays"] {
            try FileManager.default.copyItem(at: Paths.root.appendingPathComponent(entry), to: project.appendingPathComponent(entry))
        }
        try FileManager.default.createSymbolicLink(atPath: project.appendingPathComponent("link-to-here").path, withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: project.appendingPathComponent("link-to-specs").path, withDestinationPath: "specs")
        let before = snapshot(project)
        let result = try clusterspec(["build", "specs/goverse.cluster.yaml", "-o", output], in: project)
        #expect(result.status == 2, "-o '\(output)': \(result.stderr)")
        #expect(result.stderr.contains("error:") && !result.stderr.contains("wrote"), "\(result.stderr)")
        #expect(snapshot(project) == before, "-o '\(output)' changed the project")
        #expect(FileManager.default.fileExists(atPath: project.path))
    }

    @Test func anOutputInsideTheProjectIsFine() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.copyItem(at: Paths.root.appendingPathComponent("specs"), to: dir.url.appendingPathComponent("specs"))
        let result = try clusterspec(["build", "specs/goverse.cluster.yaml", "-o", "build/out"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(snapshot(dir.url.appendingPathComponent("build/out")).keys.contains("goverse/base/kustomization.yaml"))
    }
}

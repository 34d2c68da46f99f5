import Foundation
import Testing
@testable import ClusterSpec

/// The project file and root discovery: the same command gives the same result from any working
/// directory, with or without `clusterspec.yaml`.
@Suite("Project file and root discovery", .serialized)
struct ProjectDiscoveryTests {
    static let specs = Paths.root.appendingPathComponent("specs")

    /// A copy of the example specs and overlays laid out as `<specs>/` and `<overlays>/`, with an
    /// optional project file.
    static func copy(specs: String = "specs", overlays: String = "overlays", projectFile: String? = nil) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        let specsURL = dir.url.appendingPathComponent(specs), overlaysURL = dir.url.appendingPathComponent(overlays)
        try FileManager.default.createDirectory(at: specsURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: overlaysURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.specs, to: specsURL)
        try FileManager.default.copyItem(at: Paths.root.appendingPathComponent("overlays"), to: overlaysURL)
        if let projectFile { try dir.write("clusterspec.yaml", projectFile) }
        return dir
    }

    @Test func buildGivesTheSameTreeFromTheRootFromSpecsAndFromSlash() throws {
        let out = try TemporaryDirectory()
        var trees: [[String: Data]] = []
        var summaries: [String] = []
        for (index, directory) in [Paths.root, Self.specs, URL(fileURLWithPath: "/")].enumerated() {
            let target = out.url.appendingPathComponent("out-\(index)")
            let result = try clusterspec(["build", Self.specs.path, "-o", target.path], in: directory)
            #expect(result.status == 0, "\(directory.path): \(result.stderr)")
            // Every environment of every example is found, and the same objects from anywhere.
            #expect(result.stderr.contains(" base objects, 18 environments) to "), "\(directory.path): \(result.stderr)")
            summaries.append(result.stderr.components(separatedBy: " to ").first ?? "")
            #expect(result.stderr.contains("clusterspec: overlays: \(Paths.root.appendingPathComponent("overlays").path) (from "
                                           + "\(Paths.root.appendingPathComponent("clusterspec.yaml").path))"), "\(result.stderr)")
            trees.append(snapshot(target))
        }
        #expect(trees[0].count > 100)
        #expect(summaries[0] == summaries[1] && summaries[1] == summaries[2], "\(summaries)")
        #expect(trees[0] == trees[1] && trees[1] == trees[2])
        // Relative paths from specs/ find the same project.
        let relative = try clusterspec(["build", ".", "-o", out.url.appendingPathComponent("relative").path], in: Self.specs)
        #expect(relative.stderr.contains("clusterspec: overlays: ../overlays (from ../clusterspec.yaml)"), "\(relative.stderr)")
        #expect(snapshot(out.url.appendingPathComponent("relative")) == trees[0])
    }

    @Test func checkAndGoldenFromASubdirectory() throws {
        let fromRoot = try clusterspec(["check", "specs"])
        let fromSpecs = try clusterspec(["check", "."], in: Self.specs)
        #expect(fromRoot.status == 0 && fromSpecs.status == 0)
        #expect(fromSpecs.stdout.hasSuffix("0 errors, 0 warnings, 1 note, 4 waived in 6 specs and 18 overlays\n"), "\(fromSpecs.stdout)")
        #expect(fromRoot.stdout.split(separator: "\n").last == fromSpecs.stdout.split(separator: "\n").last)
        let golden = try clusterspec(["golden", "check"], in: Self.specs)
        #expect(golden.status == 0, "\(golden.stdout)\(golden.stderr)")
        #expect(golden.stdout == "../golden/ is up to date\n")
        let fromSlash = try clusterspec(["golden", "check", "--specs", Self.specs.path], in: URL(fileURLWithPath: "/"))
        #expect(fromSlash.status == 0, "\(fromSlash.stderr)")
        #expect(fromSlash.stdout == "\(Paths.root.appendingPathComponent("golden").path)/ is up to date\n")
    }

    @Test func goldenWithoutAProjectSaysWhy() throws {
        let dir = try TemporaryDirectory()
        let result = try clusterspec(["golden", "check"], in: dir.url)
        #expect(result.status == 2)
        #expect(result.stderr.contains("clusterspec: error: specs: no such spec directory (no clusterspec.yaml here or in a parent directory: "
                                       + "run from the project's root, pass --specs, or add a clusterspec.yaml) [file-unreadable]"), "\(result.stderr)")
    }

    @Test func withoutAProjectFileOverlaysAreFoundBesideTheSpecDirectoryWhateverItIsCalled() throws {
        let dir = try Self.copy(specs: "systems", overlays: "overlays")
        let systems = dir.url.appendingPathComponent("systems")
        var trees: [[String: Data]] = []
        for (index, (arguments, directory)) in [(["systems"], dir.url), (["."], systems), ([systems.path], URL(fileURLWithPath: "/"))].enumerated() {
            let target = dir.url.appendingPathComponent("out-\(index)")
            let result = try clusterspec(["build"] + arguments + ["-o", target.path], in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("18 environments"), "\(directory.path): \(result.stderr)")
            #expect(result.stderr.contains("overlays (beside ") && result.stderr.contains("; no clusterspec.yaml found)"), "\(result.stderr)")
            trees.append(snapshot(target))
        }
        #expect(trees[0] == trees[1] && trees[1] == trees[2])
        #expect(trees[0] == snapshot(Paths.root.appendingPathComponent("golden")), "the same files as the committed output")
    }

    @Test func aDirectoryCalledSpecsHigherUpIsNotTheRoot() throws {
        let dir = try Self.copy(specs: "specs/team", overlays: "overlays")
        let result = try clusterspec(["build", "specs/team", "-o", dir.url.appendingPathComponent("out").path], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("clusterspec: no overlays (looked for specs/overlays beside specs/team; no clusterspec.yaml found): "
                                       + "compiling the specs without environments\n"), "\(result.stderr)")
        #expect(result.stderr.contains(" base objects, 0 environments) to "), "\(result.stderr)")
    }

    @Test func theProjectFileNamesTheDirectories() throws {
        let dir = try Self.copy(specs: "systems", overlays: "config/environments", projectFile: """
            clusterspec: v1
            specs: systems
            overlays: config/environments
            golden: compiled

            """)
        let nested = dir.url.appendingPathComponent("config")
        let update = try clusterspec(["golden", "update"], in: nested)
        #expect(update.status == 0, "\(update.stderr)")
        #expect(update.stderr.contains("clusterspec: overlays: environments (from ../clusterspec.yaml)"), "\(update.stderr)")
        #expect(snapshot(dir.url.appendingPathComponent("compiled")) == snapshot(Paths.root.appendingPathComponent("golden")))
        #expect(try clusterspec(["golden", "check"], in: dir.url.appendingPathComponent("systems")).status == 0)
        let build = try clusterspec(["build", "systems/goverse.cluster.yaml", "--env", "prod", "-o", "-"], in: dir.url)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stdout == (try String(contentsOf: Paths.root.appendingPathComponent("golden/goverse/rendered/prod.yaml"), encoding: .utf8)))
    }

    @Test func theProjectFileIsCheckedLikeASpec() throws {
        let dir = try Self.copy(projectFile: "clusterspec: v1\nspecs: specs\noverlay: overlays\ncheck: {env: prod, format: [sarif, txt]}\n")
        let result = try clusterspec(["check", "specs"], in: dir.url)
        #expect(result.status == 2)
        #expect(result.stderr.contains("""
            clusterspec.yaml:3:1: error: unknown key 'overlay' in the project file; did you mean 'overlays'? [unknown-key]
             3 | overlay: overlays
               | ^
            """), "\(result.stderr)")
        try dir.write("clusterspec.yaml", "clusterspec: v1\ncheck: {env: prod, format: [sarif, txt]}\n")
        let format = try clusterspec(["golden", "check"], in: dir.url.appendingPathComponent("specs"))
        #expect(format.status == 2)
        #expect(format.stderr.contains("../clusterspec.yaml:2:36: error: 'txt' is not a report format; did you mean 'text'? [invalid-value]"),
                "\(format.stderr)")
        #expect(format.stderr.contains("../clusterspec.yaml:2:29: error: only one report can go to stdout; give the other formats an 'check.output' file"),
                "\(format.stderr)")
        try dir.write("clusterspec.yaml", "specs: specs\n")
        #expect(try clusterspec(["check", "specs"], in: dir.url).stderr.contains(
            "clusterspec.yaml:1:1: error: the project file is missing required field 'clusterspec' (the format version)"))
    }

    @Test func checkDefaultsFromTheProjectFile() throws {
        let dir = try Self.copy(projectFile: "clusterspec: v1\ncheck:\n  env: prod\n  format: [sarif, text]\n  output: [reports/check.sarif]\n")
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("reports"), withIntermediateDirectories: true)
        let result = try clusterspec(["check", "goverse.cluster.yaml"], in: dir.url.appendingPathComponent("specs"))
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        // The copy has no golden/: the note says store membership is not compared.
        #expect(result.stdout.contains("[previous-revision-missing]") && result.stdout.hasSuffix("\n0 errors, 0 warnings, 1 note, 1 waived in 1 spec and 3 overlays\n"), "text went to stdout: \(result.stdout)")
        let sarif = try String(contentsOf: dir.url.appendingPathComponent("reports/check.sarif"), encoding: .utf8)
        #expect(sarif.contains("\"version\" : \"2.1.0\""), "the output path is relative to the project file")
        let overridden = try clusterspec(["check", "goverse.cluster.yaml", "--env", "dev", "--format", "json"], in: dir.url.appendingPathComponent("specs"))
        #expect(overridden.status == 0)
        #expect(overridden.stdout.hasPrefix("{"), "the command line wins")
        try dir.write("clusterspec.yaml", "clusterspec: v1\ncheck: {env: qa}\n")
        let qa = try clusterspec(["check", "goverse.cluster.yaml"], in: dir.url.appendingPathComponent("specs"))
        #expect(qa.status == 2, "the default environment applies")
        #expect(qa.stdout.contains("error: 'goverse' has no environment 'qa'"), "\(qa.stdout)")
    }

    @Test func thePreviousRevisionDefaultsToTheGoldenDirectory() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("clusterspec.yaml", "clusterspec: v1\ngolden: compiled\n")
        let plain = try Project.load(file: file)
        #expect(plain.golden == dir.url.appendingPathComponent("compiled").path && plain.previous == plain.golden)
        #expect(plain.specs == dir.url.appendingPathComponent("specs").path && plain.overlays == dir.url.appendingPathComponent("overlays").path)
        try dir.write("clusterspec.yaml", "clusterspec: v1\nprevious: ../releases/last\n")
        let set = try Project.load(file: file)
        #expect(set.previous == dir.url.deletingLastPathComponent().appendingPathComponent("releases/last").path)
        #expect(set.golden == dir.url.appendingPathComponent("golden").path)
        let spec = try dir.write("nested/deeper/x.cluster.yaml", "")
        #expect(try Project.containing(specPath: spec).file == file, "found by walking up from the spec's directory")
    }

    @Test func pathsAreShownLikeTheUserGaveThem() {
        #expect(ProjectPaths.absolute("a/./b/../c", in: "/x/y") == "/x/y/a/c")
        #expect(ProjectPaths.absolute("/", in: "/x") == "/")
        #expect(ProjectPaths.relative("/x/overlays", from: "/x/specs") == "../overlays")
        #expect(ProjectPaths.relative("/x/specs", from: "/x/specs") == ".")
        #expect(ProjectPaths.relative("/x/specs/a", from: "/") == "x/specs/a")
        #expect(ProjectPaths.parent("/x/y") == "/x" && ProjectPaths.parent("/x") == "/" && ProjectPaths.parent("/") == "/")
        #expect(Project.findFile(from: Paths.root.appendingPathComponent("specs").path) == Paths.root.appendingPathComponent("clusterspec.yaml").path)
    }
}

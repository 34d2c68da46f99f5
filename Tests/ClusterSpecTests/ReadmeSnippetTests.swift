import Foundation
import Testing
import Yams
@testable import ClusterSpec

/// A fenced block of README.md with the marker on the line above it.
struct ReadmeSnippet: CustomStringConvertible {
    /// The 1-based line of the opening fence.
    var line: Int
    var language: String
    /// The marker's words after `snippet:`, split at commas into clauses (`["sh repo", "creates x"]`).
    var clauses: [String]
    var body: String

    var description: String { "README.md:\(line) (\(clauses.joined(separator: ", ")))" }

    /// The first clause's words: kind, then its arguments.
    var words: [String] { clauses.first?.split(separator: " ").map(String.init) ?? [] }
    var kind: String { words.first ?? "" }
    var workspace: String { words.count > 1 ? words[1] : "" }

    /// Languages whose blocks are meant to be copied, so each needs a marker.
    static let copiedLanguages: Set<String> = ["sh", "bash", "shell", "console", "yaml", "yml"]

    /// Every fenced block of `text` in a copied language, with or without a marker.
    static func all(in text: String) -> [(snippet: ReadmeSnippet, marked: Bool)] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var result: [(ReadmeSnippet, Bool)] = []
        var index = 0
        while index < lines.count {
            guard lines[index].hasPrefix("```") else { index += 1; continue }
            let language = String(lines[index].dropFirst(3)).trimmingCharacters(in: .whitespaces)
            let start = index
            index += 1
            var body: [String] = []
            while index < lines.count, lines[index] != "```" {
                body.append(lines[index])
                index += 1
            }
            index += 1
            guard copiedLanguages.contains(language) else { continue }
            let marker = start > 0 ? lines[start - 1].trimmingCharacters(in: .whitespaces) : ""
            let prefix = "<!-- snippet:", suffix = "-->"
            var clauses: [String] = []
            if marker.hasPrefix(prefix), marker.hasSuffix(suffix) {
                let inner = marker.dropFirst(prefix.count).dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
                clauses = inner.hasPrefix("skip:") ? [inner] : inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            let snippet = ReadmeSnippet(line: start + 1, language: language, clauses: clauses, body: body.joined(separator: "\n") + "\n")
            result.append((snippet, !clauses.isEmpty))
        }
        return result
    }
}

/// Runs every marked `sh` and `yaml` block of README.md, in order, the way the README's
/// "README snippets are tested" section describes.
@Suite("README snippets work as written", .serialized)
struct ReadmeSnippetTests {
    static let readme = (try? String(contentsOf: Paths.root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""

    @Test func everyCopiedBlockIsMarked() {
        let blocks = ReadmeSnippet.all(in: Self.readme)
        #expect(blocks.count >= 12, "the README's sh and yaml blocks were found")
        for (snippet, marked) in blocks where !marked {
            Issue.record("README.md:\(snippet.line): a \(snippet.language) block without a '<!-- snippet: … -->' marker on the line above")
        }
        let kinds = Set(blocks.map(\.snippet.kind))
        let known: Set<String> = ["file", "fragment", "sh", "workflow", "copy", "skip:"]
        #expect(kinds.isSuperset(of: known), "every kind is used: \(kinds.sorted())")
        for (snippet, _) in blocks where !known.contains(snippet.kind) {
            Issue.record("\(snippet): unknown snippet kind '\(snippet.kind)'")
        }
    }

    @Test func everyMarkedBlockRuns() throws {
        let runner = try SnippetRunner()
        let snippets = ReadmeSnippet.all(in: Self.readme).filter(\.marked).map(\.snippet)
        var ran = 0
        for snippet in snippets where snippet.kind != "skip:" {
            try runner.execute(snippet)
            ran += 1
        }
        #expect(ran >= 11, "\(ran) snippets ran")
        for snippet in snippets where snippet.kind == "skip:" {
            #expect(snippet.clauses[0].count > "skip:".count + 10, "\(snippet): a skipped block says why")
        }
    }
}

/// Workspaces and the commands the snippets run in them.
final class SnippetRunner {
    private let scratch: TemporaryDirectory
    private var workspaces: [String: URL] = [:]
    private let bin: BinDirectory
    /// PATH with the built `clusterspec` first.
    private let environment: [String: String]

    init() throws {
        scratch = try TemporaryDirectory()
        bin = try BinDirectory(binary: Paths.binary)
        environment = ["PATH": bin.path]
    }

    /// The workspace `name`: `repo` and `repo-…` start as a copy of the repository's project,
    /// others empty.
    func workspace(_ name: String) throws -> URL {
        if let url = workspaces[name] { return url }
        let url = scratch.url.appendingPathComponent("workspaces/\(name)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        if name == "repo" || name.hasPrefix("repo-") { try copyProject(to: url) }
        workspaces[name] = url
        return url
    }

    func execute(_ snippet: ReadmeSnippet) throws {
        let directory = try workspace(snippet.workspace)
        switch snippet.kind {
        case "file":
            guard snippet.words.count == 3 else { Issue.record("\(snippet): 'file' needs a workspace and a path"); return }
            let file = directory.appendingPathComponent(snippet.words[2])
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(snippet.body.utf8).write(to: file)
            try expectClean(snippet, in: directory)
        case "fragment":
            try runFragment(snippet, in: directory)
        case "sh":
            try runCommands(snippet, in: directory)
        case "workflow":
            try runWorkflow(snippet, in: directory)
        case "copy":
            let file = Paths.root.appendingPathComponent(snippet.workspace)
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(snippet.body == text, "\(snippet): differs from \(snippet.workspace), which its own suite tests")
        default:
            Issue.record("\(snippet): unknown snippet kind '\(snippet.kind)'")
        }
    }

    /// The workspace's spec directory, by its project file when it has one.
    private func specDirectory(of directory: URL) throws -> URL {
        let project = try Project.containing(specPath: directory.appendingPathComponent(Project.defaultSpecs).path)
        return URL(fileURLWithPath: project.specs)
    }

    /// The specs check clean (no errors, no warnings) and build.
    private func expectClean(_ snippet: ReadmeSnippet, in directory: URL, extra: [String] = [], target: String? = nil) throws {
        let specs = try target ?? specDirectory(of: directory).path
        let check = try clusterspec(["check", specs, "--fail-on", "warning"] + extra, in: directory, environment: environment)
        #expect(check.status == 0, "\(snippet): check\n\(check.stdout)\(check.stderr)")
        let out = scratch.url.appendingPathComponent("out-\(snippet.line)")
        let build = try clusterspec(["build", specs] + (extra.isEmpty ? ["-o", out.path] : extra + ["-o", "-"]), in: directory, environment: environment)
        #expect(build.status == 0, "\(snippet): build\n\(build.stderr)")
    }

    /// Merges the fragment into the workspace's only spec as an overlay (an environment of its own,
    /// removed afterwards), then checks and builds that environment.
    private func runFragment(_ snippet: ReadmeSnippet, in directory: URL) throws {
        let specs = try specDirectory(of: directory)
        let files = try FileManager.default.contentsOfDirectory(atPath: specs.path).filter { $0.hasSuffix(SpecFiles.suffix) }
        guard files.count == 1 else { Issue.record("\(snippet): a fragment needs a workspace with exactly one spec, found \(files)"); return }
        let spec = specs.appendingPathComponent(files[0])
        let name = try #require((try Yams.load(yaml: String(contentsOf: spec, encoding: .utf8)) as? [String: Any])?["name"] as? String)
        let project = try Project.containing(specPath: spec.path)
        let environment = "snippet-\(snippet.line)"
        let overlay = URL(fileURLWithPath: project.overlays).appendingPathComponent("\(name)/\(environment).yaml")
        try FileManager.default.createDirectory(at: overlay.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("clusterspec: v1\noverlay: {spec: \(name), environment: \(environment)}\n\(snippet.body)".utf8).write(to: overlay)
        defer { try? FileManager.default.removeItem(at: overlay) }
        try expectClean(snippet, in: directory, extra: ["--env", environment], target: spec.path)
    }

    /// Every command line (comments and blank lines aside) exits 0; then the `creates` paths exist.
    private func runCommands(_ snippet: ReadmeSnippet, in directory: URL) throws {
        let commands = snippet.body.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        #expect(!commands.isEmpty, "\(snippet): no commands")
        for command in commands {
            try runShell(command, snippet: snippet, in: directory)
        }
        for clause in snippet.clauses.dropFirst() {
            let words = clause.split(separator: " ", maxSplits: 1).map(String.init)
            guard words.count == 2, words[0] == "creates" else { Issue.record("\(snippet): unknown clause '\(clause)'"); continue }
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(words[1]).path), "\(snippet): \(words[1]) was not created")
        }
    }

    private func runShell(_ command: String, snippet: ReadmeSnippet, in directory: URL) throws {
        let line = command.hasPrefix("swift run clusterspec ") ? "clusterspec " + command.dropFirst("swift run clusterspec ".count) : command
        let result = try run(URL(fileURLWithPath: "/bin/sh"), ["-c", line], in: directory, environment: environment)
        #expect(result.status == 0, "\(snippet): '\(command)' exited \(result.status)\n\(result.stdout.suffix(2000))\(result.stderr.suffix(2000))")
    }

    /// Valid by the GitHub workflow schema; each clusterspec step runs with the built binary.
    private func runWorkflow(_ snippet: ReadmeSnippet, in directory: URL) throws {
        let file = scratch.url.appendingPathComponent("workflow-\(snippet.line).yaml")
        try Data(snippet.body.utf8).write(to: file)
        if Judges.available {
            let schema = try run(Judges.tool("check-jsonschema"), ["--builtin-schema", "vendor.github-workflows", file.path])
            #expect(schema.status == 0, "\(snippet): not a valid workflow\n\(schema.stdout)\(schema.stderr)")
        }
        let workflow = try #require(try Yams.load(yaml: snippet.body) as? [String: Any], "\(snippet): not a YAML mapping")
        let jobs = try #require(workflow["jobs"] as? [String: Any], "\(snippet): no jobs")
        var ran = 0
        for (_, job) in jobs.sorted(by: { $0.key < $1.key }) {
            for step in ((job as? [String: Any])?["steps"] as? [[String: Any]]) ?? [] {
                if let uses = step["uses"] as? String, uses.hasPrefix(Self.action) {
                    try runAction(step, snippet: snippet, in: directory)
                    ran += 1
                    continue
                }
                guard let command = step["run"] as? String, command.contains("clusterspec"), !command.contains("swift build") else { continue }
                try runShell(command.replacingOccurrences(of: ".build/release/clusterspec", with: "clusterspec"), snippet: snippet, in: directory)
                ran += 1
            }
        }
        #expect(ran > 0, "\(snippet): no clusterspec step ran")
    }

    /// How the README names this repository's action (`OWNER/clusterspec@<tag>`).
    static let action = "OWNER/clusterspec@"

    /// Runs this repository's action.yml for a `uses:` step, with its `with:` inputs and the binary
    /// under test (the action would otherwise build it with scripts/release), on a push.
    private func runAction(_ step: [String: Any], snippet: ReadmeSnippet, in directory: URL) throws {
        var context = CompositeAction.Context(workspace: directory)
        for (key, value) in (step["with"] as? [String: Any]) ?? [:] { context.inputs[key] = "\(value)" }
        context.inputs["binary"] = Paths.installed.path
        context.github = ["event_name": "push", "repository": "acme/platform"]
        let outcome = try CompositeAction().execute(context)
        #expect(outcome.succeeded, "\(snippet): the action failed\n\(outcome.log.suffix(2000))")
    }
}

import Foundation
import Testing

/// The pre-commit hooks (.pre-commit-hooks.yaml), run by real pre-commit (pinned in
/// requirements-test.txt) on a scratch git repository: `pre-commit try-repo` with a good and a bad
/// spec, golden drift and a change the hooks do not watch, then the README's configuration as a
/// user's `.pre-commit-config.yaml`. The hook repository is a git repository holding this
/// repository's .pre-commit-hooks.yaml (all a `language: system` hook needs), so the test never
/// writes into this repository's own git objects. Every pre-commit run shares a 3-minute budget.
@Suite("pre-commit hooks", .serialized)
struct PreCommitHookTests {
    static let budget: TimeInterval = 180

    /// A scratch repository (Volaticloud's spec, overlays and golden output) and a hook repository.
    final class Scratch {
        let directory: TemporaryDirectory
        let bin: BinDirectory
        let started = Date()
        var project: URL { directory.url.appendingPathComponent("project") }
        var hooks: URL { directory.url.appendingPathComponent("hooks") }

        init() throws {
            directory = try TemporaryDirectory()
            bin = try BinDirectory()
            try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Paths.root.appendingPathComponent(".pre-commit-hooks.yaml"), to: hooks.appendingPathComponent(".pre-commit-hooks.yaml"))
            try git(["init", "-q", "-b", "main"], in: hooks)
            try git(["add", "."], in: hooks)
            try git(["commit", "-q", "-m", "hooks"], in: hooks)

            for item in ["clusterspec.yaml", "specs/volaticloud.cluster.yaml", "overlays/volaticloud", "golden/volaticloud"] {
                let target = project.appendingPathComponent(item)
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.copyItem(at: Paths.root.appendingPathComponent(item), to: target)
            }
            try Data("# a project\n".utf8).write(to: project.appendingPathComponent("README.md"))
            try git(["init", "-q", "-b", "main"], in: project)
            try git(["add", "."], in: project)
            try git(["commit", "-q", "-m", "project"], in: project)
        }

        var environment: [String: String] {
            ["PATH": bin.path, "PRE_COMMIT_HOME": directory.url.appendingPathComponent("pre-commit-home").path,
             "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.com",
             "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.com", "GIT_CONFIG_NOSYSTEM": "1"]
        }

        @discardableResult
        func git(_ arguments: [String], in directory: URL) throws -> RunResult {
            let result = try run(URL(fileURLWithPath: "/usr/bin/env"), ["git"] + arguments, in: directory, environment: environment)
            #expect(result.status == 0, "git \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }

        /// `pre-commit ARGUMENTS` in the project, killed when the shared budget is spent.
        func preCommit(_ arguments: [String]) throws -> RunResult {
            let remaining = Int(PreCommitHookTests.budget - Date().timeIntervalSince(started))
            try #require(remaining > 0, "the pre-commit runs took longer than \(Int(PreCommitHookTests.budget)) s")
            return try run(URL(fileURLWithPath: "/usr/bin/timeout"), ["\(remaining)", Judges.tool("pre-commit").path] + arguments,
                           in: project, environment: environment)
        }

        func write(_ path: String, _ text: String) throws {
            let file = project.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }
    }

    @Test(.needsJudges) func tryRepoPassesAGoodSpecAndFailsABadOne() throws {
        let scratch = try Scratch()
        let good = try scratch.preCommit(["try-repo", scratch.hooks.path, "--all-files"])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("clusterspec check") && good.stdout.contains("clusterspec golden check"))
        #expect(good.stdout.components(separatedBy: "Passed").count - 1 == 2, "both hooks passed:\n\(good.stdout)")

        // Only a file neither hook watches is staged: both are skipped.
        try scratch.write("README.md", "# a project, described\n")
        try scratch.git(["add", "README.md"], in: scratch.project)
        let unrelated = try scratch.preCommit(["try-repo", scratch.hooks.path])
        #expect(unrelated.status == 0, "\(unrelated.stdout)")
        #expect(unrelated.stdout.components(separatedBy: "(no files to check)Skipped").count - 1 == 2, "\(unrelated.stdout)")

        // A bad spec: a string where a number belongs.
        try scratch.write("specs/bad.cluster.yaml", """
            clusterspec: v1
            name: bad
            services:
              web:
                image: ghcr.io/acme/web:1.0.0
                replicas: "3"

            """)
        try scratch.git(["add", "specs/bad.cluster.yaml"], in: scratch.project)
        let bad = try scratch.preCommit(["try-repo", scratch.hooks.path, "clusterspec-check"])
        #expect(bad.status == 1, "\(bad.stdout)")
        #expect(bad.stdout.contains("Failed") && bad.stdout.contains("specs/bad.cluster.yaml:6:"), "the hook shows the located error:\n\(bad.stdout)")
    }

    @Test(.needsJudges) func theGoldenHookFailsOnDriftAndOverlayChangesTriggerIt() throws {
        let scratch = try Scratch()
        let overlay = "overlays/volaticloud/prod.yaml"
        let text = try String(contentsOf: scratch.project.appendingPathComponent(overlay), encoding: .utf8)
        let changed = text.replacingOccurrences(of: "volaticloud:v1.8.3", with: "volaticloud:v1.8.4")
        #expect(changed != text)
        try scratch.write(overlay, changed)
        try scratch.git(["add", overlay], in: scratch.project)
        let drift = try scratch.preCommit(["try-repo", scratch.hooks.path, "clusterspec-golden"])
        #expect(drift.status == 1, "\(drift.stdout)")
        #expect(drift.stdout.contains("golden/volaticloud/rendered/prod.yaml"), "the hook prints the golden diff:\n\(drift.stdout)")
    }

    /// The README's configurations: validated, and the language: system one run as a user's
    /// .pre-commit-config.yaml with its repository pointed at the scratch hook repository.
    @Test(.needsJudges) func theReadmeConfigurationsWork() throws {
        let scratch = try Scratch()
        let manifest = try scratch.preCommit(["validate-manifest", scratch.hooks.appendingPathComponent(".pre-commit-hooks.yaml").path])
        #expect(manifest.status == 0, "\(manifest.stdout)\(manifest.stderr)")
        let directory = Paths.root.appendingPathComponent("integrations/pre-commit")
        for name in ["pre-commit-config.yaml", "pre-commit-config.swift.yaml"] {
            let validated = try scratch.preCommit(["validate-config", directory.appendingPathComponent(name).path])
            #expect(validated.status == 0, "\(name): \(validated.stdout)\(validated.stderr)")
        }
        let config = try String(contentsOf: directory.appendingPathComponent("pre-commit-config.yaml"), encoding: .utf8)
        let head = try scratch.git(["rev-parse", "HEAD"], in: scratch.hooks).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let local = config.replacingOccurrences(of: "https://github.com/OWNER/clusterspec", with: scratch.hooks.path)
            .replacingOccurrences(of: "rev: v0.1.0", with: "rev: \(head)")
        #expect(local != config && local.contains(head), "the README's repo and rev lines were found")
        try scratch.write(".pre-commit-config.yaml", local)
        let passed = try scratch.preCommit(["run", "--all-files"])
        #expect(passed.status == 0, "\(passed.stdout)\(passed.stderr)")
        #expect(passed.stdout.components(separatedBy: "Passed").count - 1 == 2, "\(passed.stdout)")
    }
}

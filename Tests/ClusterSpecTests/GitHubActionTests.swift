import Foundation
import Testing

/// The composite action (action.yml): valid by check-jsonschema's GitHub Actions schema, and its
/// shell steps run here by `CompositeAction` on a copy of the project — clean, with golden drift,
/// with a rule error. `gh` is a stand-in that records what it was asked: the comment API itself
/// cannot be reached from here. The `binary` input gives the action the binary under test, which
/// the install step would otherwise build with scripts/release (what scripts/test runs).
@Suite("GitHub Action")
struct GitHubActionTests {
    /// A project to run the action in, with a `gh` that records its arguments and the body file.
    final class Workspace {
        let directory: TemporaryDirectory
        let tools: TemporaryDirectory
        var root: URL { directory.url.appendingPathComponent("repository") }
        var ghLog: URL { tools.url.appendingPathComponent("gh.log") }
        var ghBody: URL { tools.url.appendingPathComponent("gh-body.md") }

        init(ghStatus: Int = 0) throws {
            directory = try TemporaryDirectory()
            tools = try TemporaryDirectory()
            try copyProject(to: root)
            let gh = try tools.write("bin/gh", """
                #!/bin/sh
                printf '%s\\n' "$*" >> "\(ghLog.path)"
                while [ $# -gt 0 ]; do [ "$1" = --body-file ] && cp "$2" "\(ghBody.path)"; shift; done
                exit \(ghStatus)

                """)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: gh)
        }

        /// Runs the action for a pull request (#42 of acme/platform) with `inputs`.
        func runAction(_ inputs: [String: String] = [:], event: String = "pull_request") throws -> CompositeAction.Run {
            var context = CompositeAction.Context(workspace: root)
            context.inputs = ["binary": Paths.installed.path].merging(inputs) { _, given in given }
            context.github = ["event_name": event, "repository": "acme/platform", "token": "test-token"]
            if event == "pull_request" { context.github["event.pull_request.number"] = "42" }
            context.path = tools.url.appendingPathComponent("bin").path + ":" + context.path
            return try CompositeAction().execute(context)
        }

        var ghCalls: [String] {
            ((try? String(contentsOf: ghLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    /// Whether the binary under test has golden check's Markdown report (the editor work adds it).
    static let hasMarkdownReport: Bool = {
        ((try? clusterspec(["golden", "check", "--help"]).stdout) ?? "").contains("markdown")
    }()

    @Test(.needsJudges) func theActionIsValidByGitHubsSchema() throws {
        let result = try run(Judges.tool("check-jsonschema"), ["--builtin-schema", "vendor.github-actions", Paths.root.appendingPathComponent("action.yml").path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test(.needsJudges) func aCleanProjectPassesAndUploadsItsFindings() throws {
        let workspace = try Workspace()
        let outcome = try workspace.runAction(["env": "prod"])
        #expect(outcome.succeeded, "\(outcome.log)")
        #expect(outcome.outputs["check-exit-code"] == "0" && outcome.outputs["golden-exit-code"] == "0", "\(outcome.outputs)")
        #expect(outcome.log.contains("clusterspec 0."), "the install step reports the version")
        let sarif = try #require(outcome.outputs["sarif-file"].flatMap { $0.isEmpty ? nil : $0 }, "no SARIF report")
        let schema = Paths.root.appendingPathComponent("Tests/ClusterSpecTests/Fixtures/sarif/sarif-schema-2.1.0.json")
        let valid = try run(Judges.tool("check-jsonschema"), ["--schemafile", schema.path, sarif])
        #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")
        let upload = try #require(outcome.step("Upload findings to code scanning"))
        #expect(upload.uses == "github/codeql-action/upload-sarif@v3")
        #expect(upload.with["sarif_file"] == sarif && upload.with["category"] == "clusterspec")
        #expect(outcome.step("Verdict")?.result?.status == 0)
        #expect(workspace.ghCalls.isEmpty, "no comment when golden/ is up to date: \(workspace.ghCalls)")
    }

    @Test func goldenDriftFailsAndPostsTheMarkdownReport() throws {
        let workspace = try Workspace()
        try FileManager.default.removeItem(at: workspace.root.appendingPathComponent("golden/goverse/rendered/prod.yaml"))
        let outcome = try workspace.runAction()
        #expect(!outcome.succeeded)
        #expect(outcome.outputs["check-exit-code"] == "0", "the specs themselves are fine: \(outcome.log)")
        #expect(outcome.outputs["golden-exit-code"] == "1", "\(outcome.log)")
        #expect(outcome.step("Verdict")?.result?.status == 1)
        #expect(outcome.log.contains("::error title=clusterspec::clusterspec golden check exited 1"))
        if Self.hasMarkdownReport {
            #expect(workspace.ghCalls == ["pr comment 42 --repo acme/platform --body-file \(outcome.step("golden")?.outputs["report"] ?? "?")"])
            let expected = try clusterspec(["golden", "check", "--format", "markdown"], in: workspace.root)
            #expect(try String(contentsOf: workspace.ghBody, encoding: .utf8) == expected.stdout)
        } else {
            #expect(workspace.ghCalls.isEmpty, "no Markdown report, no comment")
            #expect(outcome.log.contains("::notice title=clusterspec::this clusterspec has no Markdown report"))
            #expect(outcome.log.contains("golden/goverse/rendered/prod.yaml"), "the text report is in the log")
        }
    }

    @Test func noCommentOutsidePullRequestsAndAFailedCommentOnlyWarns() throws {
        let push = try Workspace()
        try FileManager.default.removeItem(at: push.root.appendingPathComponent("golden/goverse/rendered/dev.yaml"))
        let onPush = try push.runAction(event: "push")
        #expect(onPush.outputs["golden-exit-code"] == "1")
        #expect(push.ghCalls.isEmpty)
        #expect(onPush.step("Comment the golden report on the pull request")?.result?.stdout.contains("no comment to post") == true)

        let fork = try Workspace(ghStatus: 1)
        try FileManager.default.removeItem(at: fork.root.appendingPathComponent("golden/goverse/rendered/dev.yaml"))
        let fromFork = try fork.runAction()
        #expect(fromFork.step("Comment the golden report on the pull request")?.result?.status == 0, "a refused comment does not fail the step")
        if Self.hasMarkdownReport {
            #expect(fromFork.log.contains("::warning title=clusterspec::could not comment on #42"))
        }
        #expect(fromFork.step("Verdict")?.result?.status == 1, "the drift still fails the job")
    }

    @Test func aRuleErrorFailsTheJobAndReachesTheSarifReport() throws {
        let workspace = try Workspace()
        try Data("clusterspec: v1\noverlay: {spec: goverse, environment: prod}\nstores:\n  etcd: {pdb: {maxUnavailable: 4}}\n".utf8)
            .write(to: workspace.root.appendingPathComponent("overlays/goverse/prod.yaml"))
        let outcome = try workspace.runAction(["golden": "false"])
        #expect(outcome.outputs["check-exit-code"] == "1", "\(outcome.log)")
        #expect(outcome.outputs["golden-exit-code"] == "", "golden check was not requested")
        #expect(outcome.log.contains("::error file=overlays/goverse/prod.yaml"), "the finding is annotated on the overlay: \(outcome.log)")
        let sarif = try String(contentsOf: URL(fileURLWithPath: try #require(outcome.outputs["sarif-file"])), encoding: .utf8)
        #expect(sarif.contains("\"ruleId\" : \"pdb-keeps-quorum\"") || sarif.contains("\"ruleId\":\"pdb-keeps-quorum\""), "\(sarif.prefix(400))")
        #expect(outcome.step("Verdict")?.result?.status == 1)
        #expect(workspace.ghCalls.isEmpty)
    }
}

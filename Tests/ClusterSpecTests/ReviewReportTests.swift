import ClusterSpec
import Foundation
import ManifestEmission
import Testing

/// The pull-request report (`golden check --format markdown`, `diff --format markdown`): golden
/// output on an edited copy of the examples, secret values hidden, warnings first, balanced code
/// fences, and the comment limit kept on a 10,000-object change by leaving out whole lines.
@Suite("Pull-request report", .serialized)
struct ReviewReportTests {
    static let fixtures = Paths.root.appendingPathComponent("Tests/ClusterSpecTests/Fixtures/report")

    static func matchesFixture(_ text: String, _ name: String) throws {
        let url = fixtures.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RECORD"] == "1" {
            try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            Issue.record("recorded Fixtures/report/\(name); review it and run again without RECORD=1")
            return
        }
        let committed = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        #expect(committed == text, "Fixtures/report/\(name) is stale: RECORD=1 swift test --filter ReviewReportTests")
    }

    /// Lines opening or closing a code fence come in pairs, and each closes with the run that opened it.
    static func fencesAreBalanced(_ text: String) -> Bool {
        var open: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where line.hasPrefix("```") {
            if let fence = open {
                if line == fence { open = nil }
            } else {
                open = String(line.prefix { $0 == "`" })
            }
        }
        return open == nil
    }

    /// A copy of the project with goverse's etcd grown to 5 members and goverse-node to 4
    /// replicas, and the committed value of a generated Secret changed.
    static func editedProject() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        for item in ["specs", "overlays", "golden", "clusterspec.yaml"] {
            try FileManager.default.copyItem(at: Paths.root.appendingPathComponent(item), to: dir.url.appendingPathComponent(item))
        }
        let spec = dir.url.appendingPathComponent("specs/goverse.cluster.yaml")
        var text = try String(contentsOf: spec, encoding: .utf8)
        text = text.replacingOccurrences(of: "    engine: etcd\n    version: v3.5.11\n    members: 3\n", with: "    engine: etcd\n    version: v3.5.11\n    members: 5\n")
        text = text.replacingOccurrences(of: "    image: goverse/node:v1.2.0\n    replicas: 3\n", with: "    image: goverse/node:v1.2.0\n    replicas: 4\n")
        try Data(text.utf8).write(to: spec)
        let secret = dir.url.appendingPathComponent("golden/platform-kernel/base/platform-infra/secret-kafka-cluster-id.yaml")
        let committed = try String(contentsOf: secret, encoding: .utf8)
        try Data(committed.replacingOccurrences(of: "cluster-id: ", with: "cluster-id: committed-").utf8).write(to: secret)
        return dir
    }

    @Test func goldenCheckWritesTheComment() throws {
        let dir = try Self.editedProject()
        let result = try clusterspec(["golden", "check", "--format", "markdown"], in: dir.url)
        #expect(result.status == 1, "\(result.stderr)")
        let report = result.stdout
        try Self.matchesFixture(report, "golden-check.md")
        #expect(report.count <= ReviewReport.commentLimit)
        #expect(Self.fencesAreBalanced(report))
        // Warnings first: the membership change precedes every scope.
        let warning = try #require(report.range(of: "etcd members 3 → 5 — a membership change of the running cluster"))
        let firstScope = try #require(report.range(of: "\n#### "))
        #expect(warning.lowerBound < firstScope.lowerBound)
        #expect(report.contains("- ✏️ `StatefulSet etcd`: replicas 3 → 5"))
        #expect(report.contains("```mermaid") && report.contains("class ") && report.contains("```diff"))
        // Neither the committed nor the compiled secret value appears anywhere.
        let compiled = try String(contentsOf: Paths.root.appendingPathComponent("golden/platform-kernel/base/platform-infra/secret-kafka-cluster-id.yaml"), encoding: .utf8)
        let value = try #require(compiled.split(separator: "\n").first { $0.hasPrefix("  cluster-id: ") }?.dropFirst("  cluster-id: ".count))
        #expect(!report.contains(String(value)), "the secret value is shown")
        #expect(report.contains("stringData.cluster-id (secret value) → (secret value, changed)"))
    }

    @Test func goldenCheckOfAnUpToDateTreeIsShort() throws {
        let result = try clusterspec(["golden", "check", "--format", "markdown"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "### clusterspec: golden/ is up to date\n")
    }

    @Test func diffWritesTheComment() throws {
        // Every example system has dev and prod (not all have staging).
        let result = try clusterspec(["diff", "specs", "--env", "dev", "--env", "prod", "--format", "markdown"])
        #expect(result.status == 0, "\(result.stderr)")
        try Self.matchesFixture(result.stdout, "diff-dev-prod.md")
        #expect(result.stdout.count <= ReviewReport.commentLimit)
        #expect(Self.fencesAreBalanced(result.stdout))
        #expect(result.stdout.contains("Policy changes:"))
    }

    /// 10,000 changed objects: the comment stays within the limit, its fences balanced, with
    /// counts of what was left out; every line it shows is a whole line of the unbounded report.
    @Test func tenThousandObjectsStayWithinTheCommentLimit() throws {
        var old: [String: String] = [:], new: [String: String] = [:]
        for index in 0..<10_000 {
            let path = "big/base/apps/configmap-c\(index).yaml"
            func object(_ value: String) -> String {
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\(index)\n  namespace: apps\ndata:\n  key: \(value)\n"
            }
            old[path] = object("\"{\\\"secretName\\\":\\\"goverse-tls-\(index)\\\",\\\"hosts\\\":[\\\"a.example.com\\\"]}\"")
            new[path] = object("\"{\\\"secretName\\\":\\\"goverse-tls-\(index)-renewed\\\",\\\"hosts\\\":[\\\"a.example.com\\\"]}\"")
        }
        let comparison = Golden.compare(golden: FileTree(files: old), compiled: FileTree(files: new))
        #expect(comparison.changed.count == 10_000)
        let report = ReviewReport(title: "big", warnings: comparison.warnings, scopes: comparison.scopes, files: comparison.files, graphs: [])
        let bounded = report.markdown(), unbounded = report.markdown(limit: Int.max)
        #expect(bounded.count <= ReviewReport.commentLimit, "\(bounded.count) characters")
        #expect(unbounded.count > 10 * ReviewReport.commentLimit)
        #expect(Self.fencesAreBalanced(bounded))
        #expect(bounded.contains(" more summary lines not shown._") || bounded.contains(" more diff lines not shown._"))
        let wholeLines = Set(unbounded.split(separator: "\n", omittingEmptySubsequences: false))
        for line in bounded.split(separator: "\n", omittingEmptySubsequences: false) where !line.contains("not shown._") {
            #expect(wholeLines.contains(line), "a cut line: \(line)")
        }
    }

    /// Long values in summaries are cut between tokens: what is shown, ellipses aside, is a run of
    /// whole tokens of the value (today's summaries cut `…"secretName":"gov…`).
    @Test func summariesCutBetweenTokens() throws {
        let hosts = (0..<6).map { "\"host-\($0).goverse.example.com\"" }.joined(separator: ",")
        let before = "[{\"hosts\":[\(hosts)],\"secretName\":\"goverse-tls\"}]"
        let after = "[{\"hosts\":[\(hosts)],\"secretName\":\"goverse-tls-renewed\"}]"
        func ingress(_ tls: String) -> ManifestValue {
            .map(["apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": .map(["name": "gate"]), "spec": .map(["tls": .string(tls)])])
        }
        let changes = SemanticDiff.compare([ingress(before)], [ingress(after)])
        guard case .changed(let fields)? = changes.first?.kind, let field = fields.first else {
            Issue.record("no change found: \(changes)")
            return
        }
        for (shown, original) in [(field.old, before), (field.new, after)] {
            #expect(shown.count < original.count, "\(shown) was shortened")
            var core = Substring(shown)
            if core.hasPrefix("…") { core = core.dropFirst() }
            if core.hasSuffix("…") { core = core.dropLast() }
            let tokens = TextClip.tokens(original)
            let runs = tokens.indices.flatMap { start in tokens.indices[start...].map { tokens[start...$0].joined() } }
            #expect(runs.contains(String(core)), "'\(shown)' is not a run of whole tokens of \(original)")
        }
        #expect(field.new.contains("renewed"), "the difference is shown: \(field.new)")
    }
}

import Foundation
import Testing

/// Checkov, an independent policy scanner, on the committed golden output: every failed check
/// must be in the reviewed allow-list (issue 14: the README promised what the defaults did not
/// deliver, and one example ran without a NetworkPolicy).
@Suite("Checkov on golden output", .serialized)
struct CheckovTests {
    static let script = Paths.root.appendingPathComponent("Tests/tools/checkov_golden.py").path
    static let allowList = Paths.root.appendingPathComponent("Tests/ClusterSpecTests/Fixtures/checkov-allowlist.yaml").path
    static let readme = Paths.root.appendingPathComponent("README.md").path

    static func checkov(_ golden: String, allowList: String = allowList) throws -> RunResult {
        try run(Judges.python, [script, golden, allowList, readme])
    }

    static func checkovIsInstalled() throws -> Bool {
        try run(Judges.python, ["-c", "import checkov"]).status == 0
    }

    @Test func everyFailedCheckIsAllowListed() throws {
        guard try Self.checkovIsInstalled() else {
            Issue.record("checkov is not installed (scripts/test installs requirements-test.txt)")
            return
        }
        let result = try Self.checkov(Paths.root.appendingPathComponent("golden").path)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("total:") && result.stdout.contains(", 0 unexpected"), "\(result.stdout)")
        #expect(!result.stdout.contains("hypercache/prod: 0 passed"), "Checkov scanned nothing")
    }

    /// The gate can fail: a privileged container in a copy of golden output is reported, and so
    /// is an allow-list entry that matches nothing.
    @Test func anUnexpectedFindingAndAStaleEntryFail() throws {
        guard try Self.checkovIsInstalled() else {
            Issue.record("checkov is not installed (scripts/test installs requirements-test.txt)")
            return
        }
        let dir = try TemporaryDirectory()
        let copy = dir.url.appendingPathComponent("golden/cyoda-go/rendered")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        let prod = try String(contentsOf: Paths.root.appendingPathComponent("golden/cyoda-go/rendered/prod.yaml"), encoding: .utf8)
        #expect(prod.contains("allowPrivilegeEscalation: false"))
        try Data(prod.replacingOccurrences(of: "allowPrivilegeEscalation: false", with: "allowPrivilegeEscalation: true").utf8)
            .write(to: copy.appendingPathComponent("prod.yaml"))
        let broken = try Self.checkov(dir.url.appendingPathComponent("golden").path)
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("unexpected CKV_K8S_20"), "\(broken.stderr)")
        #expect(broken.stderr.contains("stale allow-list entry CKV_K8S_38 goverse/*"), "the goverse-node entry matches nothing in cyoda-go: \(broken.stderr)")
        #expect(broken.stdout.contains("- check: CKV_K8S_20"), "an entry ready to paste: \(broken.stdout)")

        let global = dir.url.appendingPathComponent("global.yaml")
        try Data("- {check: CKV_K8S_20, objects: \"*\", reason: convenient}\n".utf8).write(to: global)
        let unstated = try Self.checkov(dir.url.appendingPathComponent("golden").path, allowList: global.path)
        #expect(unstated.status == 1)
        #expect(unstated.stderr.contains("global entry CKV_K8S_20 must quote the README sentence"), "\(unstated.stderr)")
    }
}

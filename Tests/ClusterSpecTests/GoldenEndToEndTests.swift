import Foundation
import Testing
@testable import ClusterSpec

/// A copy of the repository's specs, overlays and golden tree to work on.
private func workspace() throws -> TemporaryDirectory {
    let dir = try TemporaryDirectory()
    for folder in ["specs", "overlays", "golden"] {
        try FileManager.default.copyItem(at: Paths.root.appendingPathComponent(folder), to: dir.url.appendingPathComponent(folder))
    }
    return dir
}

@Suite("Golden workflow and kustomize conformance", .serialized)
struct GoldenEndToEndTests {
    @Test func committedGoldenIsUpToDate() throws {
        let result = try clusterspec(["golden", "check"])
        #expect(result.status == 0, "golden/ is stale: run 'swift run clusterspec golden update'\n\(result.stdout.prefix(3000))")
    }

    @Test(.needsJudges) func realKustomizeBuildsEveryOverlayIntoItsRenderedFile() throws {
        let result = try run(Judges.python, [Paths.root.appendingPathComponent("Tests/tools/kustomize_conformance.py").path,
                                      Paths.root.appendingPathComponent("golden").path])
        #expect(result.status == 0, "kustomize build differs from rendered/:\n\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("18 environments checked, 0 mismatched"), "\(result.stdout)")
    }

    @Test func goldenHasDevStagingAndProdForEverySystem() throws {
        let paths = snapshot(Paths.root.appendingPathComponent("golden")).keys
        for system in ["cyoda-go", "goverse", "hypercache", "platform-kernel", "volaticloud"] {
            #expect(paths.contains("\(system)/base/kustomization.yaml"))
            for environment in ["dev", "staging", "prod"] {
                #expect(paths.contains("\(system)/overlays/\(environment)/kustomization.yaml"), "\(system)/\(environment)")
                #expect(paths.contains("\(system)/rendered/\(environment).yaml"), "\(system)/\(environment)")
            }
        }
    }

    @Test func aNewDependencyReadsAsTheTrafficItAllows() throws {
        let dir = try workspace()
        let specURL = dir.url.appendingPathComponent("specs/goverse.cluster.yaml")
        let text = try String(contentsOf: specURL, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "    uses: [{target: goverse-node, ports: [grpc]}, etcd]\n",
                                               with: "    uses: [{target: goverse-node, ports: [grpc]}, etcd, postgres]\n")
        #expect(edited != text)
        try edited.write(to: specURL, atomically: true, encoding: .utf8)
        let check = try clusterspec(["golden", "check"], in: dir.url)
        #expect(check.status == 1)
        #expect(check.stdout.contains("goverse/staging:\n"))
        #expect(check.stdout.contains("    NetworkPolicy inspector egress (none) → to postgres on 5432\n"))
        #expect(check.stdout.contains("    NetworkPolicy postgres ingress (none) → from inspector on 5432\n"))
        #expect(check.stdout.contains("NetworkPolicy inspector egress (none) → to 0.0.0.0/0 on 5432"), "prod's database is external")
    }

    @Test func aOneLineSpecChangeFailsWithDiffAndSummaryUntilUpdated() throws {
        let dir = try workspace()
        #expect(try clusterspec(["golden", "check"], in: dir.url).status == 0)
        let specURL = dir.url.appendingPathComponent("specs/goverse.cluster.yaml")
        let text = try String(contentsOf: specURL, encoding: .utf8)
        try text.replacingOccurrences(of: "    version: v3.5.11\n    members: 3\n", with: "    version: v3.5.11\n    members: 5\n")
            .write(to: specURL, atomically: true, encoding: .utf8)

        let check = try clusterspec(["golden", "check"], in: dir.url)
        #expect(check.status == 1)
        #expect(check.stdout.contains("--- golden/goverse/base/goverse/statefulset-etcd.yaml\n+++ golden/goverse/base/goverse/statefulset-etcd.yaml\n"))
        #expect(check.stdout.contains("-  replicas: 3\n+  replicas: 5\n"))
        #expect(check.stdout.contains("goverse/base:\n"))
        #expect(check.stdout.contains("  StatefulSet etcd replicas 3 → 5"))
        #expect(check.stdout.contains("  PDB etcd maxUnavailable 1 → 2"))
        #expect(check.stdout.contains("warning: goverse/base: etcd members 3 → 5"), "a Raft membership change is called out")
        #expect(check.stdout.contains("Run 'clusterspec golden update'"))

        let update = try clusterspec(["golden", "update"], in: dir.url)
        #expect(update.status == 0, "\(update.stderr)")
        #expect(update.stdout.hasPrefix("updated golden/:"))
        #expect(try clusterspec(["golden", "check"], in: dir.url).status == 0)
    }

    @Test func redisMembershipChangesFollowTheSentinelProcedure() throws {
        let dir = try workspace()
        let specURL = dir.url.appendingPathComponent("specs/faultline.cluster.yaml")
        let text = try String(contentsOf: specURL, encoding: .utf8)
        func check(_ edited: String) throws -> RunResult {
            #expect(edited != text)
            try edited.write(to: specURL, atomically: true, encoding: .utf8)
            return try clusterspec(["check", "specs/faultline.cluster.yaml", "--previous", "golden"], in: dir.url)
        }
        let servers = try check(text.replacingOccurrences(of: "    replicas: 3                       # a primary", with: "    replicas: 2                       # a primary"))
        #expect(servers.status == 1)
        #expect(servers.stdout.contains("[membership-change]"), "\(servers.stdout)")
        #expect(servers.stdout.contains("before applying: kubectl -n faultline exec cache-sentinel-0 -c sentinel -- redis-cli -p 26379 SENTINEL get-master-addr-by-name cache"), "\(servers.stdout)")
        for ordinal in 0..<3 {
            #expect(servers.stdout.contains("after applying: kubectl -n faultline exec cache-sentinel-\(ordinal) -c sentinel -- redis-cli -p 26379 SENTINEL RESET cache"))
        }
        #expect(servers.stdout.contains("after applying: kubectl -n faultline delete pvc data-cache-2"))
        let sentinels = try check(text.replacingOccurrences(of: "    sentinels: 3 ", with: "    sentinels: 5 "))
        #expect(sentinels.status == 1)
        #expect(sentinels.stdout.contains("[membership-refused]") && sentinels.stdout.contains("3 → 4 first"), "\(sentinels.stdout)")
    }

    @Test func staleFilesCountAsDifferences() throws {
        let dir = try workspace()
        let overlay = dir.url.appendingPathComponent("overlays/goverse/prod.yaml")
        let text = try String(contentsOf: overlay, encoding: .utf8)
        let gate = "services:\n  goverse-gate:\n    autoscale: {min: 3, max: 10}\n"
        #expect(text.contains(gate))
        try text.replacingOccurrences(of: gate, with: "services:\n  goverse-gate: null\n").write(to: overlay, atomically: true, encoding: .utf8)
        try "stale\n".write(to: dir.url.appendingPathComponent("golden/goverse/base/goverse/leftover.yaml"), atomically: true, encoding: .utf8)
        let check = try clusterspec(["golden", "check"], in: dir.url)
        #expect(check.status == 1)
        #expect(check.stdout.contains("--- golden/goverse/base/goverse/leftover.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-stale\n"))
        #expect(check.stdout.contains("--- golden/goverse/overlays/prod/patches/goverse/deployment-goverse-gate.yaml\n+++ /dev/null\n"),
                "the gate's old patch is stale now that prod deletes the gate")
        #expect(check.stdout.contains("  − Deployment goverse-gate"))
        #expect(try clusterspec(["golden", "update"], in: dir.url).status == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("golden/goverse/base/goverse/leftover.yaml").path))
        #expect(try clusterspec(["golden", "check"], in: dir.url).status == 0)
    }

    @Test func goldenCheckRejectsBrokenOverlaysWithExitTwo() throws {
        let dir = try workspace()
        try "clusterspec: v1\noverlay: {spec: goverze, environment: qa}\n".write(
            to: dir.url.appendingPathComponent("overlays/goverse/qa.yaml"), atomically: true, encoding: .utf8)
        let result = try clusterspec(["golden", "check"], in: dir.url)
        #expect(result.status == 2)
        #expect(result.stderr.contains("overlays/goverse/qa.yaml:2:17: error: overlay for unknown spec 'goverze'; did you mean 'goverse'?"))
        #expect(try clusterspec(["golden", "update"], in: dir.url).status == 2, "nothing written on errors")
        let missing = try clusterspec(["golden", "check", "--overlays", "nowhere"], in: dir.url)
        #expect(missing.status == 2, "a directory given explicitly must exist")
        #expect(missing.stderr.contains("clusterspec: error: nowhere: no such overlay directory"), "\(missing.stderr)")
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("empty"), withIntermediateDirectories: true)
        #expect(try clusterspec(["golden", "check", "--overlays", "empty"], in: dir.url).status == 1, "without overlays, environments are stale")
    }

    @Test func diffBetweenEnvironments() throws {
        let result = try clusterspec(["diff", "specs/goverse.cluster.yaml", "--env", "staging", "--env", "prod"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("goverse: staging → prod:\n"))
        #expect(result.stdout.contains("  StatefulSet etcd replicas 3 → 5"))
        #expect(result.stdout.contains("  − StatefulSet postgres"))
        let unknown = try clusterspec(["diff", "specs/goverse.cluster.yaml", "--env", "staging", "--env", "qa"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("goverse has no environment 'qa'"))
    }

    @Test func buildEnvStreamsOneEnvironment() throws {
        let prod = try clusterspec(["build", "specs/goverse.cluster.yaml", "--env", "prod", "-o", "-"])
        #expect(prod.status == 0, "\(prod.stderr)")
        let rendered = try String(contentsOf: Paths.root.appendingPathComponent("golden/goverse/rendered/prod.yaml"), encoding: .utf8)
        #expect(prod.stdout == rendered)
    }

    @Test func unifiedDiffAgreesWithGNUDiff() throws {
        let dir = try TemporaryDirectory()
        let old = (1...40).map { "line \($0)" }
        var new = old
        new[4] = "changed 5"
        new.insert("inserted", at: 20)
        new.removeSubrange(30...32)
        new.append("appended")
        for (oldLines, newLines) in [(old, new), ([], ["only"]), (["gone"], []), (old, old.reversed())] {
            let oldText = oldLines.isEmpty ? "" : oldLines.joined(separator: "\n") + "\n"
            let newText = newLines.isEmpty ? "" : newLines.joined(separator: "\n") + "\n"
            let a = try dir.write("a.txt", oldText), b = try dir.write("b.txt", newText)
            let gnu = try run(URL(fileURLWithPath: "/usr/bin/diff"), ["-u", a, b])
            let mine = UnifiedDiff.render(old: oldText, new: newText, oldName: "a", newName: "b")
            let body = { (text: String) in text.split(separator: "\n").filter { !$0.hasPrefix("--- ") && !$0.hasPrefix("+++ ") }.joined(separator: "\n") }
            #expect(body(mine) == body(gnu.stdout), "ours:\n\(mine)\nGNU:\n\(gnu.stdout)")
        }
    }
}

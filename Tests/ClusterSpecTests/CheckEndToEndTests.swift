import Foundation
import Testing
@testable import ClusterSpec

@Suite("clusterspec check: exit codes and bad input", .serialized)
struct CheckEndToEndTests {
    static let header = "clusterspec: v1\nname: demo\nnamespaces:\n  apps: {}\n"
    static let clean = header + """
        services:
          api:
            image: ghcr.io/acme/api:1.0
            replicas: 2
            ports: {http: 8080}
            health: {liveness: /live, readiness: /ready}
            resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 500m, memory: 128Mi}}

        """

    @Test func exampleSpecsPassTheGate() throws {
        let result = try clusterspec(["check", "specs"])
        #expect(result.status == 0, "\(result.stdout)")
        // The note is platform-kernel's scheduler, a singleton: recreate-downtime states what it costs.
        #expect(result.stdout.hasSuffix("0 errors, 0 warnings, 1 note, 4 waived in 6 specs and 18 overlays\n"), "\(result.stdout)")
    }

    @Test func exitZeroOnACleanSpec() throws {
        let dir = try TemporaryDirectory()
        let spec = try dir.write("clean.cluster.yaml", Self.clean)
        let result = try clusterspec(["check", spec])
        #expect(result.status == 0)
        // No stores, so no store membership to compare with a previous revision: nothing at all.
        #expect(result.stdout == "0 errors, 0 warnings in 1 spec\n", "\(result.stdout)")
    }

    @Test func exitOneOnAViolationAndTwoOnAParseError() throws {
        let dir = try TemporaryDirectory()
        let bad = try dir.write("bad.cluster.yaml", Self.clean.replacingOccurrences(of: "replicas: 2", with: "replicas: 2\n    pdb: {minAvailable: 2}"))
        let violation = try clusterspec(["check", bad])
        #expect(violation.status == 1)
        #expect(violation.stdout.contains("bad.cluster.yaml:9:25: error: PodDisruptionBudget for 'api' allows no disruption of its 2 pods"))
        let broken = try dir.write("broken.cluster.yaml", Self.header + "services: [\n")
        #expect(try clusterspec(["check", broken]).status == 2)
        #expect(try clusterspec(["check", bad, broken]).status == 2, "input errors win over violations")
    }

    @Test func failOnWarningMakesWarningsFail() throws {
        let dir = try TemporaryDirectory()
        let spec = try dir.write("w.cluster.yaml", Self.clean.replacingOccurrences(of: "replicas: 2", with: "replicas: 1"))
        #expect(try clusterspec(["check", spec]).status == 0, "replicas-ha is a warning")
        let strict = try clusterspec(["check", spec, "--fail-on", "warning"])
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("[replicas-ha]"))
        #expect(try clusterspec(["check", spec, "--fail-on", "replicas-ha"]).status == 1, "a rule id fails on its own")
    }

    @Test func unknownFailOnValueIsAUsageError() throws {
        let result = try clusterspec(["check", "specs", "--fail-on", "warnings"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--fail-on: 'warnings' is neither a severity (error, warning) nor a rule id; did you mean 'warning'?"))
    }

    @Test func environmentChangesSeverity() throws {
        let dir = try TemporaryDirectory()
        let spec = try dir.write("specs/e.cluster.yaml", Self.clean.replacingOccurrences(of: "ghcr.io/acme/api:1.0", with: "ghcr.io/acme/api:latest"))
        // An environment is an overlay file, even one that changes nothing.
        for environment in ["dev", "prod"] {
            try dir.write("overlays/demo/\(environment).yaml", "clusterspec: v1\noverlay: {spec: demo, environment: \(environment)}\n")
        }
        #expect(try clusterspec(["check", spec, "--env", "prod"]).status == 1)
        let dev = try clusterspec(["check", spec, "--env", "dev"])
        #expect(dev.status == 0)
        #expect(dev.stdout.contains("warning: image 'ghcr.io/acme/api:latest'"))
    }

    @Test func anUnknownEnvironmentIsAUsageErrorListingTheSpecsEnvironments() throws {
        let typo = try clusterspec(["check", "specs", "--env", "prdo"])
        #expect(typo.status == 2)
        #expect(typo.stdout.contains("specs/goverse.cluster.yaml:14:7: error: 'goverse' has no environment 'prdo'; did you mean 'prod'? [unknown-environment]"),
                "\(typo.stdout)")
        #expect(typo.stdout.contains("  note: its environments: dev, prod, staging\n"))
        // Only platform-kernel has prod-eu: every other spec it is applied to is an error, in build too.
        let partial = try clusterspec(["check", "specs", "--env", "prod-eu"])
        #expect(partial.status == 2)
        for system in ["cyoda-go", "goverse", "hypercache", "volaticloud"] {
            #expect(partial.stdout.contains("error: '\(system)' has no environment 'prod-eu'"), "\(system)")
        }
        #expect(!partial.stdout.contains("'platform-kernel' has no environment"))
        let stream = try clusterspec(["build", "specs/goverse.cluster.yaml", "--env", "prod-eu", "-o", "-"])
        #expect(stream.status == 2)
        #expect(stream.stdout.isEmpty, "no base printed in its place")
        #expect(stream.stderr.contains("note: its environments: dev, prod, staging"))
        #expect(try clusterspec(["check", "specs/platform-kernel.cluster.yaml", "--env", "prod-eu"]).status == 0)
        // A spec without overlays has no environments at all.
        let dir = try TemporaryDirectory()
        let bare = try dir.write("bare.cluster.yaml", Self.clean)
        let none = try clusterspec(["check", bare, "--env", "prod"])
        #expect(none.status == 2)
        #expect(none.stdout.contains("error: 'demo' has no environment 'prod': no overlay file layers on it [unknown-environment]"), "\(none.stdout)")
    }

    @Test func overlayCausedFindingsPointAtTheOverlayLine() throws {
        let dir = try TemporaryDirectory()
        let spec = try dir.write("specs/demo.cluster.yaml", Self.clean.replacingOccurrences(
            of: "replicas: 2", with: "replicas: 3\n    autoscale: {min: 3, max: 5, cpu: 70}\n    pdb: {minAvailable: 2}"))
        try dir.write("overlays/demo/prod.yaml", """
            clusterspec: v1
            overlay: {spec: demo, environment: prod}
            services:
              api:
                autoscale: {min: 4, max: 6}

            """)
        try dir.write("overlays/demo/staging.yaml", """
            clusterspec: v1
            overlay: {spec: demo, environment: staging}
            services:
              api:
                autoscale: {min: 2}

            """)
        #expect(try clusterspec(["check", spec, "--env", "dev"]).status == 2, "dev is not an environment")
        let result = try clusterspec(["check", "specs/demo.cluster.yaml"], in: dir.url)
        #expect(result.status == 2, "replicas outside the autoscale range is an input error")
        // The overlay set autoscale.min; the spec's replicas it conflicts with is a note.
        #expect(result.stdout.contains("""
            overlays/demo/prod.yaml:5:22: error: replicas 3 lies outside autoscale 4–6; the autoscaler owns the count [invalid-value]
             5 |     autoscale: {min: 4, max: 6}
               |                      ^
            specs/demo.cluster.yaml:8:15: note: conflicts with the spec here
              note: in environment prod

            """), "\(result.stdout)")
        // Rule findings about the spec's budget that the overlay's minimum caused land on the overlay line too.
        for rule in ["hpa-min-above-pdb", "pdb-allows-drain"] {
            #expect(result.stdout.contains("overlays/demo/staging.yaml:5:22: error: ") && result.stdout.contains("[\(rule)]\n 5 |     autoscale: {min: 2}"),
                    "\(rule): \(result.stdout)")
        }
        #expect(result.stdout.contains("specs/demo.cluster.yaml:10:25: note: conflicts with the spec here"), "the spec's budget line is the note")
        #expect(!result.stdout.contains("specs/demo.cluster.yaml:8:15: error") && !result.stdout.contains("specs/demo.cluster.yaml:10:25: error"),
                "nothing lands on the spec lines: \(result.stdout)")
    }

    @Test func aReportFileIsReplacedOnTheNextRun() throws {
        let dir = try TemporaryDirectory()
        let spec = try dir.write("specs/clean.cluster.yaml", Self.clean)
        for _ in 0..<2 {
            let result = try clusterspec(["check", spec, "--format", "sarif", "--output", "report.sarif"], in: dir.url)
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try String(contentsOf: dir.url.appendingPathComponent("report.sarif"), encoding: .utf8).contains("\"version\" : \"2.1.0\""))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == ["report.sarif", "specs"], "no temporary file left")
    }

    @Test func unwritableOutputIsAnIOErrorBeforeAnyWork() throws {
        let result = try clusterspec(["check", "specs", "--format", "sarif", "--output", "/nonexistent/dir/x.sarif"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/nonexistent/dir/x.sarif: cannot write: directory '/nonexistent/dir' does not exist"))
    }

    @Test func outputsPairWithFormats() throws {
        let dir = try TemporaryDirectory()
        let sarif = dir.url.appendingPathComponent("r.sarif").path
        let result = try clusterspec(["check", "specs", "--format", "sarif", "--output", sarif, "--format", "json"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("{"), "the second format goes to stdout")
        #expect(FileManager.default.fileExists(atPath: sarif))
        let twoToStdout = try clusterspec(["check", "specs", "--format", "json", "--format", "sarif"])
        #expect(twoToStdout.status == 2)
        #expect(twoToStdout.stderr.contains("only one report can go to stdout"))
    }

    @Test func expiredWaiverIsAnErrorAtItsLine() throws {
        let dir = try TemporaryDirectory()
        let spec = try dir.write("x.cluster.yaml", Self.clean.replacingOccurrences(of: "replicas: 2", with: "replicas: 1") + """
            waivers:
              - {rule: replicas-ha, target: api, reason: single pod while in private beta, expires: 2026-10-31}

            """)
        let expired = try clusterspec(["check", spec, "--today", "2026-11-21"])
        #expect(expired.status == 1)
        #expect(expired.stdout.contains("x.cluster.yaml:13:89: error: waiver of 'replicas-ha' for 'api' expired on 2026-10-31 [waiver-expired]"), "\(expired.stdout)")
        #expect(expired.stdout.contains("warning: 'api' runs a single pod [replicas-ha]"), "an expired waiver suppresses nothing")
        let valid = try clusterspec(["check", spec, "--today", "2026-10-31"])
        #expect(valid.status == 0, "a waiver applies through its last day")
        #expect(valid.stdout.contains("1 waived"))
    }

    @Test func waiverBadInputIsExitTwo() throws {
        let dir = try TemporaryDirectory()
        let unknownRule = try dir.write("u.cluster.yaml", Self.clean + "waivers:\n  - {rule: replicas-hs, target: api, reason: a good reason here, expires: 2027-01-01}\n")
        let unknown = try clusterspec(["check", unknownRule])
        #expect(unknown.status == 2)
        #expect(unknown.stdout.contains("u.cluster.yaml:13:12: error: waiver names unknown rule 'replicas-hs'; did you mean 'replicas-ha'? [unknown-rule]"), "\(unknown.stdout)")
        let badDate = try dir.write("d.cluster.yaml", Self.clean + "waivers:\n  - {rule: replicas-ha, target: api, reason: a good reason here, expires: 2027-02-30}\n")
        let malformed = try clusterspec(["check", badDate])
        #expect(malformed.status == 2)
        #expect(malformed.stdout.contains("d.cluster.yaml:13:75: error: '2027-02-30' is not a date; write 'expires' as YYYY-MM-DD"), "\(malformed.stdout)")
        let noReason = try dir.write("r.cluster.yaml", Self.clean + "waivers:\n  - {rule: replicas-ha, target: api, expires: 2027-01-01}\n")
        #expect(try clusterspec(["check", noReason]).status == 2)
    }

    @Test func buildRefusesToWriteWhileARuleErrorRemains() throws {
        let dir = try TemporaryDirectory()
        let spec = try dir.write("b.cluster.yaml", Self.clean.replacingOccurrences(of: "ghcr.io/acme/api:1.0", with: "ghcr.io/acme/api:latest"))
        let out = dir.url.appendingPathComponent("out")
        let refused = try clusterspec(["build", spec, "-o", out.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("nothing written"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let forced = try clusterspec(["build", spec, "-o", out.path, "--no-check"])
        #expect(forced.status == 0)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("demo/base/kustomization.yaml").path))
    }

    @Test func rulesAndExplain() throws {
        let rules = try clusterspec(["rules"])
        #expect(rules.status == 0)
        #expect(rules.stdout.contains("pdb-keeps-quorum"))
        let explain = try clusterspec(["explain", "pdb-keeps-quorum"])
        #expect(explain.status == 0)
        #expect(explain.stdout.contains("Why: "))
        #expect(explain.stdout.contains("members: 3, pdb: {maxUnavailable: 2}"))
        let unknown = try clusterspec(["explain", "pdb-keep-quorum"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("did you mean 'pdb-keeps-quorum'?"))
        let shuffled = try clusterspec(["explain", "quorum-pdb"])
        #expect(shuffled.stderr.contains("unknown rule 'quorum-pdb'; did you mean 'pdb-keeps-quorum'?"), "the only rule with both words")
        let topic = try clusterspec(["explain", "quorum"])
        #expect(topic.status == 2)
        #expect(topic.stderr.contains("unknown rule 'quorum'; rules about 'quorum': pdb-keeps-quorum, quorum-size-odd, redis-sentinel-quorum-within-sentinels, zone-loss-keeps-quorum"),
                "\(topic.stderr)")
        #expect(!(try clusterspec(["explain", "zzz"]).stderr.contains("did you mean")), "no suggestion for nonsense")
    }

    @Test func secretDeclaredListsTheDeclaredKeys() throws {
        let dir = try TemporaryDirectory()
        let spec = try dir.write("s.cluster.yaml", Self.clean.replacingOccurrences(of: "services:", with: "secrets:\n  db: {keys: [dsn, user]}\nservices:")
            .replacingOccurrences(of: "    replicas: 2\n", with: "    replicas: 2\n    env: {DB: {secret: db, key: password}}\n"))
        let result = try clusterspec(["check", spec])
        #expect(result.status == 1)
        #expect(result.stdout.contains("error: Secret 'db' declares no key 'password' (its keys: dsn, user) [secret-declared]"), "\(result.stdout)")
    }

    @Test func rulesDocumentationIsCurrent() throws {
        let committed = try String(contentsOf: Paths.root.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        #expect(committed == RuleBook.markdown(), "docs/rules.md is stale: run `swift run clusterspec rules --format markdown > docs/rules.md`")
    }
}

@Suite("Broken copies of the examples fail with the right rule at the right line", .serialized)
struct BrokenExampleTests {
    /// (example, text to replace, replacement, rule, the line the finding lands on, the token it points at)
    static let mutations: [(String, String, String, String, String, String)] = [
        ("goverse", "    members: 3\n", "    members: 4\n", "quorum-size-odd", "    members: 4", "4"),
        ("goverse", "image: goverse/gate:v1.2.0", "image: goverse/gate:latest", "image-pinned", "image: goverse/gate:latest", "goverse/gate:latest"),
        ("platform-kernel", "    replication: {factor: 3, minInSync: 2}", "    replication: {factor: 3, minInSync: 3}", "kafka-min-isr-below-rf",
         "    replication: {factor: 3, minInSync: 3}", "3}"),
        ("platform-kernel", "    mode: cloudnative-pg", "    mode: single\n    credentials: {secret: platform-db-secret}", "postgres-replicas-need-ha",
         "    instances: 2", "2"),
        ("hypercache", "    peers: {port: dist,", "    peers: {publishNotReady: false, port: dist,", "headless-publishes-not-ready",
         "    peers: {publishNotReady: false", "false"),
        ("volaticloud", "      tls: {issuer: letsencrypt-prod}\n", "", "ingress-tls", "    expose:", ""),
        ("cyoda-go", "CYODA_LOG_LEVEL: info", "CYODA_LOG_LEVEL: info\n      CYODA_API_TOKEN: s3cr3t", "secret-not-inline", "CYODA_API_TOKEN: s3cr3t", "s3cr3t"),
    ]

    @Test(arguments: mutations.indices)
    func mutation(index: Int) throws {
        let (example, original, replacement, rule, anchor, token) = Self.mutations[index]
        let text = try String(contentsOf: Paths.root.appendingPathComponent("specs/\(example).cluster.yaml"), encoding: .utf8)
        #expect(text.components(separatedBy: original).count == 2, "the example must contain the text to break exactly once")
        let broken = text.replacingOccurrences(of: original, with: replacement)
        let dir = try TemporaryDirectory()
        let path = try dir.write("\(example).cluster.yaml", broken)
        // Where the finding must land: the token on the anchor line (the value after `expose:` for an empty token).
        let lines = broken.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let anchorLines = lines.indices.filter { lines[$0].hasPrefix(anchor) || (!anchor.hasPrefix(" ") && lines[$0].contains(anchor)) }
        #expect(anchorLines.count == 1, "anchor '\(anchor)' must occur once, found \(anchorLines.count)")
        let lineIndex = try #require(anchorLines.first)
        let line = lines[lineIndex]
        var expected = "\(lineIndex + 1):\((line.range(of: token).map { line.distance(from: line.startIndex, to: $0.lowerBound) } ?? 0) + 1)"
        if token.isEmpty {
            // `expose:` opens a block mapping: the finding points at its first key on the next line.
            let next = lines[lineIndex + 1]
            expected = "\(lineIndex + 2):\(next.prefix { $0 == " " }.count + 1)"
        }
        let result = try clusterspec(["check", path, "--format", "json"])
        #expect(result.status == 1, "\(example): \(result.stdout.prefix(600))")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = (json["findings"] as? [[String: Any]] ?? []).filter { $0["rule"] as? String == rule }
        let positions = findings.compactMap { finding -> String? in
            guard let location = finding["location"] as? [String: Any] else { return nil }
            return "\(location["line"] as? Int ?? 0):\(location["column"] as? Int ?? 0)"
        }
        #expect(positions.contains(expected), "\(example): \(rule) expected at \(expected), found \(positions)")
    }
}

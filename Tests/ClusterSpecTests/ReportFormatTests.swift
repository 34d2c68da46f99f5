import Foundation
import Testing

/// Compares `actual` with the committed expectation at `Fixtures/<path>`. With RECORD=1 the file is
/// rewritten and the test still fails, so CI never accepts new output silently.
func expectMatchesGolden(_ actual: String, _ path: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let url = Paths.root.appendingPathComponent("Tests/ClusterSpecTests/Fixtures").appendingPathComponent(path)
    if ProcessInfo.processInfo.environment["RECORD"] == "1" {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(actual.utf8).write(to: url)
        Issue.record("recorded \(path); review it and run again without RECORD=1", sourceLocation: sourceLocation)
        return
    }
    let expected = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    guard actual != expected else { return }
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false), e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    var diff: [String] = []
    for index in 0..<max(a.count, e.count) {
        let left = index < e.count ? String(e[index]) : nil, right = index < a.count ? String(a[index]) : nil
        if left != right {
            if let left { diff.append("- \(index + 1): \(left)") }
            if let right { diff.append("+ \(index + 1): \(right)") }
        }
        if diff.count > 40 { break }
    }
    Issue.record(Comment(rawValue: "\(path) differs (RECORD=1 re-records):\n" + diff.joined(separator: "\n")), sourceLocation: sourceLocation)
}

@Suite("Report formats: golden output, schema-valid SARIF, well-formed JUnit", .serialized)
struct ReportFormatTests {
    static let fixtures = Paths.root.appendingPathComponent("Tests/ClusterSpecTests/Fixtures/check")
    static let formats = [("text", "report.txt"), ("json", "report.json"), ("sarif", "report.sarif"), ("github", "report.github"), ("junit", "report.junit.xml")]

    /// Runs one check writing all five formats, and returns each report with volatile values replaced.
    static func reports() throws -> (result: RunResult, files: [String: String], directory: TemporaryDirectory) {
        let out = try TemporaryDirectory()
        var arguments = ["check", "findings.cluster.yaml", "--today", "2026-11-21"]
        for (format, file) in formats { arguments += ["--format", format, "--output", out.url.appendingPathComponent(file).path] }
        let result = try clusterspec(arguments, in: fixtures)
        let version = try clusterspec(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var files: [String: String] = [:]
        for (_, file) in formats {
            let text = try String(contentsOf: out.url.appendingPathComponent(file), encoding: .utf8)
            files[file] = text.replacingOccurrences(of: "\"\(version)\"", with: "\"<version>\"")
        }
        return (result, files, out)
    }

    @Test func everyFormatMatchesItsGolden() throws {
        let (result, files, _) = try Self.reports()
        #expect(result.status == 1, "findings fail the gate: \(result.stderr)")
        #expect(result.stdout.isEmpty, "every format went to a file")
        for (_, file) in Self.formats {
            try expectMatchesGolden(files[file] ?? "", "check/expected/\(file)")
        }
    }

    @Test(.needsJudges) func sarifIsValidSARIF210() throws {
        let (_, _, directory) = try Self.reports()
        let checker = Judges.tool("check-jsonschema")
        let schema = Paths.root.appendingPathComponent("Tests/ClusterSpecTests/Fixtures/sarif/sarif-schema-2.1.0.json").path
        let validation = try run(checker, ["--schemafile", schema, directory.url.appendingPathComponent("report.sarif").path])
        #expect(validation.status == 0, "\(validation.stdout)\(validation.stderr)")
        let sarif = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: directory.url.appendingPathComponent("report.sarif"))) as? [String: Any])
        let run = try #require((sarif["runs"] as? [[String: Any]])?.first)
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 12)  // 7 errors, 3 warnings, 1 note, 1 waived (the fixture report)
        let suppressed = results.filter { ($0["suppressions"] as? [[String: Any]])?.isEmpty == false }
        #expect(suppressed.map { $0["ruleId"] as? String } == ["replicas-ha"], "the waived finding is listed as suppressed, not dropped")
        let rules = try #require(((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        for result in results {
            let index = try #require(result["ruleIndex"] as? Int)
            #expect(rules[index]["id"] as? String == result["ruleId"] as? String, "ruleIndex points at the rule")
            let location = (result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]
            #expect((location?["artifactLocation"] as? [String: Any])?["uri"] as? String == "findings.cluster.yaml", "repo-relative uri")
        }
    }

    @Test(.needsJudges) func sarifSchemaRejectsBrokenLogs() throws {
        let dir = try TemporaryDirectory()
        let broken = try dir.write("broken.sarif", #"{"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}"#)
        let checker = Judges.tool("check-jsonschema")
        let schema = Paths.root.appendingPathComponent("Tests/ClusterSpecTests/Fixtures/sarif/sarif-schema-2.1.0.json").path
        #expect(try run(checker, ["--schemafile", schema, broken]).status != 0, "a driver without a name is invalid")
    }

    @Test(.needsJudges) func junitIsWellFormedAndCountsAddUp() throws {
        let (_, files, directory) = try Self.reports()
        let parse = try run(Judges.python, ["-c", """
            import sys, xml.etree.ElementTree as E
            root = E.parse(sys.argv[1]).getroot()
            suite = root.find('testsuite')
            cases = suite.findall('testcase')
            assert int(suite.get('tests')) == len(cases), 'tests'
            assert int(suite.get('failures')) == sum(1 for c in cases if c.find('failure') is not None), 'failures'
            assert int(suite.get('skipped')) == sum(1 for c in cases if c.find('skipped') is not None), 'skipped'
            print(suite.get('tests'), suite.get('failures'), suite.get('skipped'))
            """, directory.url.appendingPathComponent("report.junit.xml").path])
        #expect(parse.status == 0, "\(parse.stderr)")
        let counts = parse.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").compactMap { Int($0) }
        #expect(counts.count == 3 && counts[1] == 7 && counts[2] == 1, "6 failing rules and the expired waiver, 1 waived: \(parse.stdout)")
        #expect(files["report.junit.xml"]?.contains("name=\"replicas-ha\"") == true)
    }

    @Test func githubAnnotationsEscapeDataAndProperties() throws {
        let (_, files, _) = try Self.reports()
        let github = try #require(files["report.github"])
        #expect(github.contains("maxUnavailable 25%25: capacity"), "% is escaped in messages")
        #expect(github.contains("%0AFix: "), "newlines are escaped")
        #expect(github.contains(",title=clusterspec pdb-keeps-quorum::"))
        #expect(!github.contains("replicas-ha"), "waived findings are not annotated")
        for line in github.split(separator: "\n") { #expect(line.hasPrefix("::error ") || line.hasPrefix("::warning ") || line.hasPrefix("::notice ")) }
    }

    @Test func escapingOfPropertyValues() throws {
        let dir = try TemporaryDirectory()
        try dir.write("odd, name: x.cluster.yaml", "clusterspec: v1\nname: demo\nnamespaces: {apps: {}}\nservices:\n  api: {image: x/api}\n")
        let result = try clusterspec(["check", "odd, name: x.cluster.yaml", "--format", "github"], in: dir.url)
        #expect(result.status == 1)
        #expect(result.stdout.contains("file=odd%2C name%3A x.cluster.yaml,line="), "\(result.stdout)")
    }
}

import Testing
import SpecParsing
import SpecModel
import ManifestEmission

/// Parses `text` (which must be valid) and returns the emitted objects.
func emit(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [Resource] {
    let parsed = SpecParser.parse(file: "spec.cluster.yaml", bytes: Array(text.utf8))
    #expect(parsed.diagnostics.isEmpty, "unexpected diagnostics: \(parsed.diagnostics.map { "\($0.location?.description ?? "-") \($0.message)" })",
            sourceLocation: sourceLocation)
    let spec = try #require(parsed.spec, sourceLocation: sourceLocation)
    return SystemEmitter.resources(spec)
}

/// The one object of `kind` (and `name`, when given) as YAML.
func document(_ resources: [Resource], _ kind: String, _ name: String? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> String {
    let matches = resources.filter { $0.kind == kind && (name == nil || $0.name == name) }
    #expect(matches.count == 1, "expected one \(kind) \(name ?? ""), found \(matches.count)", sourceLocation: sourceLocation)
    return ManifestWriter.yaml(try #require(matches.first, sourceLocation: sourceLocation).body)
}

/// A spec with one namespace `apps` and the given body.
func spec(_ body: String) -> String {
    "clusterspec: v1\nname: shop\nnamespaces:\n  apps: {}\n" + body
}

/// Compares texts line by line; on a mismatch the failure shows a diff (`-expected`, `+actual`).
func expectLines(_ actual: String, _ expected: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    guard actual != expected else { return }
    let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
    var diff: [String] = []
    var a = 0, e = 0
    while a < actualLines.count || e < expectedLines.count {
        if a < actualLines.count, e < expectedLines.count, actualLines[a] == expectedLines[e] {
            diff.append("  \(actualLines[a])"); a += 1; e += 1
        } else if e < expectedLines.count, !actualLines[a...].contains(expectedLines[e]) {
            diff.append("- \(expectedLines[e])"); e += 1
        } else if a < actualLines.count {
            diff.append("+ \(actualLines[a])"); a += 1
        } else {
            diff.append("- \(expectedLines[e])"); e += 1
        }
    }
    Issue.record(Comment(rawValue: "output differs from expectation:\n" + diff.joined(separator: "\n")), sourceLocation: sourceLocation)
}

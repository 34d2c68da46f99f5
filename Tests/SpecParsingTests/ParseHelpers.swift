import Testing
@testable import SpecParsing
import SpecModel
import SpecDiagnostics

/// Parses `text` as `spec.cluster.yaml`.
func parse(_ text: String, file: String = "spec.cluster.yaml") -> ParsedSpec {
    SpecParser.parse(file: file, bytes: Array(text.utf8))
}

/// Each diagnostic as `line:column id: message`, in order.
func diagnostics(_ text: String) -> [String] {
    parse(text).diagnostics.sorted(by: Diagnostic.sortKey).map { diagnostic in
        let location = diagnostic.location.map { "\($0.line):\($0.column)" } ?? "-"
        return "\(location) \(diagnostic.id): \(diagnostic.message)"
    }
}

/// Parses a spec that must be valid and returns its model.
func model(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> SystemSpec {
    let parsed = parse(text)
    #expect(parsed.diagnostics.filter { $0.severity == .error }.isEmpty, "unexpected: \(parsed.diagnostics.map(\.message))",
            sourceLocation: sourceLocation)
    return try #require(parsed.spec, sourceLocation: sourceLocation)
}

/// A minimal valid spec with one namespace, followed by `body`.
func spec(_ body: String) -> String {
    """
    clusterspec: v1
    name: demo
    namespaces:
      apps: {}

    """ + body
}

import Testing
import SpecParsing
import SpecModel
import SpecDiagnostics
@testable import SpecRules

/// One example of one rule, as a test case.
struct RuleExampleCase: CustomTestStringConvertible, Sendable {
    let ruleID: String
    let index: Int
    let triggering: Bool
    let example: RuleExample

    var testDescription: String { "\(ruleID) \(triggering ? "triggering" : "non-triggering") #\(index + 1)" }

    static let all: [RuleExampleCase] = RuleRegistry.all.flatMap { rule -> [RuleExampleCase] in
        let description = rule.description
        return description.triggering.enumerated().map { RuleExampleCase(ruleID: description.id, index: $0.offset, triggering: true, example: $0.element) }
            + description.nonTriggering.enumerated().map { RuleExampleCase(ruleID: description.id, index: $0.offset, triggering: false, example: $0.element) }
    }
}

@Suite("Every rule's examples are its tests")
struct RuleExampleTests {
    @Test(arguments: RuleExampleCase.all)
    func example(_ testCase: RuleExampleCase) throws {
        let rule = try #require(RuleRegistry.rule(withID: testCase.ruleID))
        let text = testCase.example.fullSpec
        let parsed = SpecParser.parse(file: "example.cluster.yaml", bytes: Array(text.utf8))
        let errors = parsed.diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "example does not parse: \(errors.map { "\($0.location?.description ?? "") \($0.message)" })\n\(text)")
        let spec = try #require(parsed.spec)
        let findings = RuleRegistry.check(spec, environment: testCase.example.environment, rules: [rule])
        #expect(findings.allSatisfy { $0.id == testCase.ruleID }, "\(findings.map(\.id))")
        let found = findings.compactMap { $0.location.map { "\($0.line):\($0.column)" } }.sorted()
        if testCase.triggering {
            let markers = testCase.example.markers.map { "\($0.line):\($0.column)" }.sorted()
            #expect(!markers.isEmpty, "a triggering example needs a ↓ marker")
            #expect(found == markers, "findings at \(found), markers at \(markers): \(findings.map(\.message))\n\(text)")
        } else {
            #expect(findings.isEmpty, "unexpected: \(findings.map { "\($0.location?.description ?? "") \($0.message)" })\n\(text)")
        }
    }
}

@Suite("The rule catalog is complete and consistent")
struct RuleCatalogTests {
    @Test func idsAreUniqueSortedAndKebabCase() {
        let ids = RuleRegistry.all.map { $0.description.id }
        #expect(Set(ids).count == ids.count)
        #expect(ids == ids.sorted())
        for id in ids {
            #expect(id.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" } && !id.hasPrefix("-") && !id.hasSuffix("-") && !id.contains("--"), "\(id)")
        }
    }

    @Test func everyRuleIsDocumentedAndHasBothKindsOfExample() {
        for rule in RuleRegistry.all {
            let description = rule.description
            #expect(!description.title.isEmpty, "\(description.id)")
            for sentence in [description.summary, description.rationale, description.remediation] {
                #expect(sentence.count > 20 && sentence.hasSuffix("."), "\(description.id): '\(sentence)'")
            }
            #expect(!description.triggering.isEmpty, "\(description.id) has no triggering example")
            #expect(!description.nonTriggering.isEmpty, "\(description.id) has no non-triggering example")
        }
    }

    @Test func ruleIdsAreNotParserIds() {
        for id in ["yaml-syntax", "unknown-key", "type-mismatch", "invalid-name", "missing-field"] {
            #expect(!RuleCatalog.isRuleID(id))
        }
        #expect(RuleCatalog.isRuleID("pdb-keeps-quorum"))
    }

    @Test func aFailingRuleDoesNotHideTheOthers() throws {
        let parsed = SpecParser.parse(file: "x.cluster.yaml", bytes: Array((RuleExample.header + "stores:\n  etcd: {engine: etcd, members: 4}\n").utf8))
        let spec = try #require(parsed.spec)
        let findings = RuleRegistry.check(spec, rules: [FailingRule.self, QuorumSizeOdd.self])
        #expect(findings.map(\.id).sorted() == ["internal-rule-error", "quorum-size-odd"])
        #expect(findings.first { $0.id == "internal-rule-error" }?.message.contains("rule 'always-fails' failed") == true)
    }
}

/// A rule that always throws, to prove isolation.
private struct FailingRule: Rule {
    struct Broken: Error, CustomStringConvertible { var description: String { "broken on purpose" } }
    static let description = RuleDescription(id: "always-fails", title: "x", summary: "x", rationale: "x", remediation: "x",
                                             severity: .error, triggering: [], nonTriggering: [])
    func check(_ context: RuleContext) throws -> [Diagnostic] { throw Broken() }
}

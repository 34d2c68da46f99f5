import SpecModel

/// What a renderer needs to know about a rule (the catalog lives in SpecRules; this is its
/// documentation, handed over by the facade).
public struct RuleMetadata: Sendable {
    public var id: String
    public var title: String
    public var summary: String
    public var rationale: String
    public var remediation: String
    public var defaultSeverity: Severity

    public init(id: String, title: String, summary: String, rationale: String, remediation: String, defaultSeverity: Severity) {
        self.id = id
        self.title = title
        self.summary = summary
        self.rationale = rationale
        self.remediation = remediation
        self.defaultSeverity = defaultSeverity
    }
}

/// The result of checking specs, ready to render in any format.
public struct Report: Sendable {
    /// Every diagnostic, sorted by location; suppressed findings included.
    public var diagnostics: [Diagnostic]
    /// The rule catalog (SARIF lists it; JUnit has a test case per rule).
    public var rules: [RuleMetadata]
    /// The spec files checked, in order.
    public var files: [String]
    public var sources: SourceText
    public var toolVersion: String
    /// Findings at or above this severity fail the run.
    public var failOn: Severity
    /// Rules whose findings fail the run whatever their severity (`--fail-on <rule-id>`).
    public var failOnRules: Set<String> = []
    /// Whether an id is a rule finding (as opposed to an input error).
    public var isRuleID: @Sendable (String) -> Bool

    public init(diagnostics: [Diagnostic], rules: [RuleMetadata], files: [String], sources: SourceText, toolVersion: String,
                failOn: Severity, isRuleID: @escaping @Sendable (String) -> Bool) {
        self.diagnostics = diagnostics
        self.rules = rules
        self.files = files
        self.sources = sources
        self.toolVersion = toolVersion
        self.failOn = failOn
        self.isRuleID = isRuleID
    }

    /// Diagnostics that count (not waived).
    public var active: [Diagnostic] { diagnostics.filter { $0.suppression == nil } }

    /// Errors in the input itself (unreadable, malformed, invalid): exit code 2.
    public var hasInputErrors: Bool { active.contains { $0.severity == .error && !isRuleID($0.id) } }

    /// Findings at or above `failOn`: exit code 1.
    public var hasViolations: Bool { active.contains(where: isViolation) }

    /// Whether a finding fails the run.
    public func isViolation(_ diagnostic: Diagnostic) -> Bool {
        guard diagnostic.suppression == nil, isRuleID(diagnostic.id) else { return false }
        return failOnRules.contains(diagnostic.id) || (diagnostic.severity >= failOn && diagnostic.severity != .note)
    }

    /// The process exit code: 2 for input errors, 1 for violations, else 0.
    public var exitCode: Int32 { hasInputErrors ? 2 : hasViolations ? 1 : 0 }

    public struct Counts: Sendable, Equatable {
        public var errors = 0, warnings = 0, notes = 0, suppressed = 0
    }

    public var counts: Counts {
        var counts = Counts()
        for diagnostic in diagnostics {
            if diagnostic.suppression != nil { counts.suppressed += 1; continue }
            switch diagnostic.severity {
            case .error: counts.errors += 1
            case .warning: counts.warnings += 1
            case .note: counts.notes += 1
            }
        }
        return counts
    }

    /// "2 errors, 1 warning, 1 waived in 5 specs".
    public var summary: String {
        let counts = self.counts
        func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
        var parts = [plural(counts.errors, "error"), plural(counts.warnings, "warning")]
        if counts.notes > 0 { parts.append(plural(counts.notes, "note")) }
        if counts.suppressed > 0 { parts.append("\(counts.suppressed) waived") }
        let overlays = files.filter { !$0.hasSuffix(".cluster.yaml") }.count
        var scope = plural(files.count - overlays, "spec")
        if overlays > 0 { scope += " and " + plural(overlays, "overlay") }
        return parts.joined(separator: ", ") + " in " + scope
    }

    /// A path as tools expect it in reports: relative, forward slashes, no leading `./`.
    public static func reportPath(_ path: String) -> String {
        var path = path
        while path.hasPrefix("./") { path.removeFirst(2) }
        return path
    }
}

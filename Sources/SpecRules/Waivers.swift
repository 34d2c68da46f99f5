import SpecModel
import SpecDiagnostics

/// Applies a spec's waivers to its findings: a covered finding is kept but marked suppressed (so
/// JSON and SARIF still list it); an expired waiver is an error at its own line and suppresses
/// nothing; a waiver that covers nothing is a warning; an unknown rule id is an input error.
public enum Waivers {
    /// Diagnostic ids produced here; `waiver-expired` fails the gate like a rule error.
    public static let expiredID = "waiver-expired"
    public static let unusedID = "waiver-unused"
    public static let unknownRuleID = "unknown-rule"

    /// The findings with covered ones suppressed, plus expired and unknown-rule diagnostics; and
    /// the locations of the waivers that covered something. Unused waivers are reported by
    /// `unused`, once every environment has been checked (a waiver may matter in one only).
    public static func apply(_ findings: [Diagnostic], waivers: [WaiverSpec], today: CalendarDate) -> (diagnostics: [Diagnostic], used: Set<SourceLocation>) {
        var result = findings
        var used = Set<SourceLocation>()
        var extra: [Diagnostic] = []
        var active: [WaiverSpec] = []
        for waiver in waivers {
            guard RuleCatalog.ids.contains(waiver.rule.value) else {
                extra.append(Diagnostic(
                    id: unknownRuleID, severity: .error,
                    message: "waiver names unknown rule '\(waiver.rule.value)'\(NameSuggestion.hint(for: waiver.rule.value, in: RuleCatalog.ids.sorted()))",
                    location: waiver.rule.location, fix: "Run 'clusterspec rules' for the rule ids."))
                used.insert(waiver.location)
                continue
            }
            if today > waiver.expires.value {
                extra.append(Diagnostic(
                    id: expiredID, severity: .error,
                    message: "waiver of '\(waiver.rule.value)' for '\(waiver.target.value)' expired on \(waiver.expires.value)",
                    location: waiver.expires.location,
                    notes: [DiagnosticNote("it was granted because: \(waiver.reason.value)", at: waiver.reason.location)],
                    fix: "Fix the finding, or renew the waiver with a new date and a current reason.", subject: waiver.target.value))
                used.insert(waiver.location)
                continue
            }
            active.append(waiver)
        }
        // The first active waiver that covers a finding, found by (rule, target) and (rule, "*")
        // instead of a scan of every waiver per finding.
        var exact: [String: [String: Int]] = [:], wildcard: [String: Int] = [:]
        for (index, waiver) in active.enumerated() {
            if waiver.target.value == "*" {
                if wildcard[waiver.rule.value] == nil { wildcard[waiver.rule.value] = index }
            } else if exact[waiver.rule.value]?[waiver.target.value] == nil {
                exact[waiver.rule.value, default: [:]][waiver.target.value] = index
            }
        }
        for findingIndex in result.indices {
            let finding = result[findingIndex]
            let candidates = [finding.subject.flatMap { exact[finding.id]?[$0] }, wildcard[finding.id]].compactMap { $0 }
            guard RuleCatalog.ids.contains(finding.id), let first = candidates.min() else { continue }
            let match = active[first]
            assert(match.covers(ruleID: finding.id, subject: finding.subject))
            result[findingIndex].suppression = Suppression(reason: match.reason.value, location: match.location)
            used.insert(match.location)
        }
        return (result + extra, used)
    }

    /// Warnings for waivers that covered nothing in any environment checked.
    public static func unused(_ waivers: [WaiverSpec], used: Set<SourceLocation>, system: SystemSpec) -> [Diagnostic] {
        let knownNames = Set(system.services.map(\.name.value) + system.statefulServices.map(\.name.value) + system.jobs.map(\.name.value)
                             + system.stores.map(\.name.value) + system.configMaps.map(\.name.value) + system.secrets.map(\.name.value)
                             + system.namespaces.map(\.name.value) + system.stores.flatMap { $0.quorumGroups.map(\.statefulSet) })
        var diagnostics: [Diagnostic] = []
        var reported = Set<SourceLocation>()
        for waiver in waivers where !used.contains(waiver.location) && reported.insert(waiver.location).inserted {
            let unknownTarget = waiver.target.value != "*" && !knownNames.contains(waiver.target.value)
            diagnostics.append(Diagnostic(
                id: unusedID, severity: .warning,
                message: unknownTarget
                    ? "waiver of '\(waiver.rule.value)' targets '\(waiver.target.value)', which names nothing in the spec\(NameSuggestion.hint(for: waiver.target.value, in: knownNames.sorted()))"
                    : "waiver of '\(waiver.rule.value)' for '\(waiver.target.value)' matches no finding; remove it",
                location: waiver.location, subject: waiver.target.value))
        }
        return diagnostics
    }
}

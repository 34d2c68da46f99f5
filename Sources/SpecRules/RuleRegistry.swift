import SpecModel
import SpecDiagnostics

/// The invariant rules clusterspec checks on a parsed system. Empty until the rule catalog lands.
public enum RuleRegistry {
    /// Runs every rule over `spec` and returns their findings.
    public static func check(_ spec: SystemSpec) -> [Diagnostic] {
        []
    }
}

/// Facts about rule ids that other rooms need (exit codes distinguish rule findings from input errors).
public enum RuleCatalog {
    /// The ids of all rules.
    public static let ids: Set<String> = []

    /// Whether `id` names a rule (as opposed to a parse or input diagnostic).
    public static func isRuleID(_ id: String) -> Bool { ids.contains(id) }
}

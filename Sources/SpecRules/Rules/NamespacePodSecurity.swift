import SpecModel
import SpecDiagnostics

/// Namespaces enforce the restricted Pod Security Standard.
struct NamespacePodSecurity: Rule {
    static let description = RuleDescription(
        id: "namespace-pod-security",
        title: "Namespaces enforce Pod Security 'restricted'",
        summary: "Every namespace the spec creates enforces the 'restricted' Pod Security Standard.",
        rationale: "Pod Security Admission is the cluster's last check on what pods may do; at 'baseline' or 'privileged' a manifest applied by hand or by another tool can run privileged containers next to the system's own.",
        remediation: "Remove 'podSecurity' (restricted is the default) or waive it for a namespace that must host privileged agents.",
        severity: .warning,
        triggering: [
            RuleExample("  tools: {podSecurity: ↓privileged}\n"),
        ],
        nonTriggering: [
            RuleExample("  tools: {podSecurity: restricted}\n"),
            RuleExample("  shared: {podSecurity: baseline, create: false}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.namespaces.compactMap { namespace in
            guard namespace.create.value, namespace.podSecurity.value != .restricted else { return nil }
            return context.finding("namespace '\(namespace.name.value)' enforces only '\(namespace.podSecurity.value.rawValue)' pod security",
                                   about: namespace.name.value, at: namespace.podSecurity.location)
        }
    }
}

import SpecModel
import SpecDiagnostics

/// A namespace endpoint points at pods that can accept the traffic.
struct ExternalNamespaceOpen: Rule {
    static let description = RuleDescription(
        id: "external-namespace-open",
        title: "Namespace endpoints are not fenced by this spec",
        summary: "An external endpoint given by 'namespace' does not point into a namespace this spec denies by default.",
        rationale: "clusterspec allows egress to such an endpoint but does not describe its pods, so nothing it emits admits the traffic into them; in a namespace it fences with a default deny, every connection is dropped.",
        remediation: "Describe the workload in the spec and use it directly, or leave its namespace without network policy.",
        severity: .error,
        triggering: [
            RuleExample("  tools: {networkPolicy: deny-by-default}\nexternal:\n  collector: {namespace: ↓tools, ports: {otlp: 4317}}\n"),
        ],
        nonTriggering: [
            RuleExample("  tools: {networkPolicy: deny-by-default}\nexternal:\n  collector: {namespace: observability, ports: {otlp: 4317}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.external.compactMap { endpoint in
            guard case .namespace(let namespace, _) = endpoint.destination, context.system.deniesByDefault(namespace.value) else { return nil }
            return context.finding(
                "external endpoint '\(endpoint.name.value)' is in namespace '\(namespace.value)', which this spec denies by default: nothing admits traffic into its pods",
                about: endpoint.name.value, at: namespace.location)
        }
    }
}

import SpecModel
import SpecDiagnostics

/// A namespace endpoint points at pods that can accept the traffic.
struct ExternalNamespaceOpen: Rule {
    static let description = RuleDescription(
        id: "external-namespace-open",
        title: "Namespace endpoints are not fenced by this spec",
        summary: "An external endpoint given by 'namespace' does not point into a namespace this spec fences: one that denies by default or whose meshed workloads only admit declared callers.",
        rationale: "clusterspec allows egress to such an endpoint but does not describe its pods, so nothing it emits admits the traffic into them; behind a default deny or an allow-nothing AuthorizationPolicy every connection is refused.",
        remediation: "Describe the workload in the spec and use it directly, or leave its namespace without network policy and outside the mesh.",
        severity: .error,
        triggering: [
            RuleExample("  tools: {networkPolicy: deny-by-default}\nexternal:\n  collector: {namespace: ↓tools, ports: {otlp: 4317}}\n"),
            RuleExample("  tools: {mtls: strict}\nexternal:\n  collector: {namespace: ↓tools, ports: {otlp: 4317}}\n"),
        ],
        nonTriggering: [
            RuleExample("  tools: {networkPolicy: deny-by-default}\nexternal:\n  collector: {namespace: observability, ports: {otlp: 4317}}\n"),
            RuleExample("  tools: {mtls: permissive}\nmesh: {monitoringNamespace: tools}\nexternal:\n  collector: {namespace: tools, ports: {otlp: 4317}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        let system = context.system
        return system.external.compactMap { endpoint in
            guard case .namespace(let namespace, _) = endpoint.destination else { return nil }
            let fence: String
            if system.deniesByDefault(namespace.value) {
                fence = "denies by default"
            } else if system.isMeshed(namespace.value) && !system.isTrafficSource(namespace.value) {
                fence = "meshes with an allow-nothing AuthorizationPolicy"
            } else {
                return nil
            }
            return context.finding(
                "external endpoint '\(endpoint.name.value)' is in namespace '\(namespace.value)', which this spec \(fence): nothing admits traffic into its pods",
                about: endpoint.name.value, at: namespace.location)
        }
    }
}

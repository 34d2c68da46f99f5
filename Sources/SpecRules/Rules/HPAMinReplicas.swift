import SpecModel
import SpecDiagnostics

/// An autoscaler keeps at least two pods outside dev.
struct HPAMinReplicas: Rule {
    static let description = RuleDescription(
        id: "hpa-min-replicas",
        title: "Autoscaler keeps two pods",
        summary: "Outside dev, autoscale.min is at least 2.",
        rationale: "At low load the autoscaler scales down to its minimum; with 1 pod a node failure or a drain is an outage until a new pod is Ready.",
        remediation: "Set autoscale.min to 2 or more.",
        severity: .warning,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, autoscale: {min: ↓1, max: 5, cpu: 70}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, autoscale: {min: 2, max: 5, cpu: 70}}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, autoscale: {min: 1, max: 5, cpu: 70}}\n", environment: "dev"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        guard !context.isDevelopment else { return [] }
        return context.system.services.compactMap { service in
            guard let autoscale = service.autoscale, autoscale.min.value < 2 else { return nil }
            return context.finding("'\(service.name.value)' scales down to a single pod", about: service.name.value, at: autoscale.min.location)
        }
    }
}

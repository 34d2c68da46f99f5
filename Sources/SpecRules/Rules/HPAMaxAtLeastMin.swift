import SpecModel
import SpecDiagnostics

/// An autoscaler's maximum is at least its minimum.
struct HPAMaxAtLeastMin: Rule {
    static let description = RuleDescription(
        id: "hpa-max-at-least-min",
        title: "Autoscaler maximum at least the minimum",
        summary: "autoscale.max is greater than or equal to autoscale.min.",
        rationale: "The API server rejects a HorizontalPodAutoscaler whose maxReplicas is below minReplicas, so the service is never scaled at all.",
        remediation: "Raise 'max' or lower 'min'.",
        severity: .error,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, autoscale: {min: 5, max: ↓3, cpu: 70}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, autoscale: {min: 3, max: 3, cpu: 70}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.services.compactMap { service in
            guard let autoscale = service.autoscale, autoscale.max.value < autoscale.min.value else { return nil }
            return context.finding("'\(service.name.value)' may scale to at most \(autoscale.max.value) but at least \(autoscale.min.value)",
                                   about: service.name.value, at: autoscale.max.location,
                                   notes: [DiagnosticNote("autoscale minimum", at: autoscale.min.location)])
        }
    }
}

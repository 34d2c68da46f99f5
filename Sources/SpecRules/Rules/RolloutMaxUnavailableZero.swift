import SpecModel
import SpecDiagnostics

/// Rolling updates add a pod before removing one: maxUnavailable 0, maxSurge ≥ 1.
struct RolloutMaxUnavailableZero: Rule {
    static let description = RuleDescription(
        id: "rollout-max-unavailable-zero",
        title: "Rolling updates never reduce capacity",
        summary: "Deployments that roll out (every one but a singleton's strategy: recreate) do so with maxUnavailable 0 and maxSurge at least 1.",
        rationale: "With maxUnavailable above 0 a rollout removes serving pods before their replacements are Ready, so every deployment briefly runs below capacity; maxSurge 0 with maxUnavailable 0 cannot roll at all.",
        remediation: "Use strategy {maxSurge: 1, maxUnavailable: 0} (the default).",
        severity: .error,
        severityByEnvironment: ["dev": .warning],
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: 3, strategy: {maxUnavailable: ↓1}}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: 3, strategy: {maxSurge: ↓0}}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: 4, strategy: {maxUnavailable: ↓25%}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: 3}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: 3, strategy: {maxSurge: 25%, maxUnavailable: 0%}}\n"),
            RuleExample("workers:\n  scheduler: {image: x/scheduler:1.0, strategy: recreate}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.services.compactMap { service in
            let strategy = service.strategy
            guard !strategy.isRecreate else { return nil }   // no rolling update; recreate-downtime states its cost
            let count = service.autoscale?.min ?? service.replicas
            let replicas = max(1, count.value)
            if strategy.maxUnavailable.value.resolved(total: replicas, roundUp: false) > 0 {
                return context.finding("'\(service.name.value)' rolls out with maxUnavailable \(strategy.maxUnavailable.value): capacity drops during every deployment",
                                       about: service.name.value, at: strategy.maxUnavailable.location,
                                       notes: count.isDefault ? [] : [DiagnosticNote("\(replicas) replicas", at: count.location)])
            }
            if strategy.maxSurge.value.resolved(total: replicas, roundUp: true) == 0 {
                return context.finding("'\(service.name.value)' has maxSurge 0 and maxUnavailable 0: the rollout cannot make progress",
                                       about: service.name.value, at: strategy.maxSurge.location)
            }
            return nil
        }
    }
}

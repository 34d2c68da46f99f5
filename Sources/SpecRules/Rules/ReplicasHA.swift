import SpecModel
import SpecDiagnostics

/// Services run at least two pods outside dev.
struct ReplicasHA: Rule {
    static let description = RuleDescription(
        id: "replicas-ha",
        title: "Services run two pods",
        summary: "Outside dev, every service, worker and stateful service runs at least two pods, unless it is a declared singleton (strategy: recreate, whose cost recreate-downtime states).",
        rationale: "A single pod is a single point of failure: every rollout, node drain or crash is an outage while its replacement starts.",
        remediation: "Set replicas to 2 or more, or waive it for tools that may be down.",
        severity: .warning,
        triggering: [
            RuleExample("services:\n  ↓api: {image: x/api:1.0}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: ↓1}\n", environment: "prod"),
            RuleExample("workers:\n  ↓consumer: {image: x/consumer:1.0}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: 2}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0}\n", environment: "dev"),
            RuleExample("services:\n  api: {image: x/api:1.0, autoscale: {min: 2, max: 4, cpu: 70}}\n"),
            RuleExample("workers:\n  scheduler: {image: x/scheduler:1.0, strategy: recreate}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        guard !context.isDevelopment else { return [] }
        var findings: [Diagnostic] = []
        for service in context.system.services where service.autoscale == nil && service.replicas.value < 2 && !service.strategy.isRecreate {
            let at = service.replicas.isDefault ? service.name.location : service.replicas.location
            findings.append(context.finding("'\(service.name.value)' runs a single pod", about: service.name.value, at: at))
        }
        for stateful in context.system.statefulServices where stateful.replicas.value < 2 {
            let at = stateful.replicas.isDefault ? stateful.name.location : stateful.replicas.location
            findings.append(context.finding("'\(stateful.name.value)' runs a single pod", about: stateful.name.value, at: at))
        }
        return findings
    }
}

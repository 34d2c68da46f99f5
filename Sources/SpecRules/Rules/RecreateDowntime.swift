import SpecModel
import SpecDiagnostics

/// A singleton says what it costs: recreate means downtime on every rollout and every drain.
struct RecreateDowntime: Rule {
    static let description = RuleDescription(
        id: "recreate-downtime",
        title: "A singleton's rollouts are outages",
        summary: "A Deployment with 'strategy: recreate' (a singleton) is down on every rollout and every node drain; the finding says for how long at least.",
        rationale: "Recreate stops the running pod before its replacement starts, so the two never run at the same time — which is the point for a scheduler or a lock holder that must never run twice — but every rollout, and every drain of its node, is an outage of the shutdown (up to terminationGracePeriodSeconds) plus the new pod's start-up. There is no second replica to keep serving, so no disruption budget can help; the budget clusterspec emits (maxUnavailable 1) lets drains proceed instead of blocking them.",
        remediation: "Accept it for work that may pause (schedulers, single consumers); for anything that serves requests, run two replicas with a leader election instead.",
        severity: .note,
        triggering: [
            RuleExample("workers:\n  scheduler: {image: x/scheduler:1.0, strategy: ↓recreate}\n"),
            RuleExample("services:\n  ui: {image: x/ui:1.0, terminationGracePeriodSeconds: 90, strategy: ↓recreate}\n", environment: "prod"),
        ],
        nonTriggering: [
            RuleExample("workers:\n  consumer: {image: x/consumer:1.0, replicas: 2}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.services.compactMap { service in
            guard service.strategy.isRecreate else { return nil }
            let grace = service.workload.gracePeriodSeconds
            return context.finding(
                "'\(service.name.value)' is a singleton (strategy: recreate): every rollout and every drain of its node stops it before a replacement starts, an outage of up to \(grace) s of shutdown plus its start-up",
                about: service.name.value, at: service.strategy.kind.location)
        }
    }
}

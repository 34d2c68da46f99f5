import SpecModel
import SpecDiagnostics

/// Long-running containers declare their probes: liveness and readiness where they serve traffic,
/// liveness where they only consume work.
struct ProbesPresent: Rule {
    static let description = RuleDescription(
        id: "probes-present",
        title: "Liveness and readiness probes are declared",
        summary: "Every service and stateful service has a liveness and a readiness probe; every worker has a liveness probe.",
        rationale: "Without readiness, traffic reaches pods before they can serve and keeps reaching pods that stopped serving; without liveness, a deadlocked process is never restarted. Rolling updates also rely on readiness to pace themselves. A worker serves no traffic, so readiness gates nothing, but a stuck consumer still has to be restarted: it needs a liveness signal (an exec probe that checks a heartbeat file counts).",
        remediation: "Add 'health: {liveness: /live, readiness: /ready}' (or tcp/exec/grpc probes); a worker needs 'health: {liveness: {exec: [...]}}' at least.",
        severity: .error,
        severityByEnvironment: ["dev": .warning],
        triggering: [
            RuleExample("services:\n  ↓api: {image: x/api:1.0, ports: {http: 8080}}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, ports: {http: 8080}, health: ↓{liveness: /live}}\n"),
            RuleExample("statefulServices:\n  ↓cache: {image: x/cache:1.0, ports: {client: 8080}}\n"),
            RuleExample("workers:\n  ↓consumer: {image: x/consumer:1.0}\n"),
            RuleExample("services:\n  consumer: {image: x/consumer:1.0, health: ↓{liveness: {exec: [test, -f, /tmp/alive]}}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, ports: {http: 8080}, health: {liveness: /live, readiness: /ready}}\n"),
            RuleExample("jobs:\n  report: {image: x/report:1.0}\n"),
            RuleExample("workers:\n  consumer: {image: x/consumer:1.0, health: {liveness: {exec: [test, -f, /tmp/alive]}}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var candidates: [(workload: WorkloadSpec, needsReadiness: Bool)] = context.system.services.map { ($0.workload, !$0.isWorker) }
        candidates += context.system.statefulServices.map { ($0.workload, true) }
        return candidates.compactMap { workload, needsReadiness in
            let health = workload.container.health
            var missing: [String] = []
            if health?.liveness == nil { missing.append("liveness") }
            if needsReadiness && health?.readiness == nil { missing.append("readiness") }
            guard !missing.isEmpty else { return nil }
            let servesNothing = needsReadiness && workload.container.ports.isEmpty
            return context.finding("'\(workload.name.value)' has no \(missing.joined(separator: " or ")) probe",
                                   about: workload.name.value, at: health?.location ?? workload.name.location,
                                   notes: servesNothing ? [DiagnosticNote("it declares no ports: a workload that serves no traffic is a worker ('workers:'), which needs a liveness probe only")] : [])
        }
    }
}

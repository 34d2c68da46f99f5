import SpecModel
import SpecDiagnostics

/// Long-running containers declare liveness and readiness probes.
struct ProbesPresent: Rule {
    static let description = RuleDescription(
        id: "probes-present",
        title: "Liveness and readiness probes are declared",
        summary: "Every service and stateful service has a liveness and a readiness probe.",
        rationale: "Without readiness, traffic reaches pods before they can serve and keeps reaching pods that stopped serving; without liveness, a deadlocked process is never restarted. Rolling updates also rely on readiness to pace themselves.",
        remediation: "Add 'health: {liveness: /live, readiness: /ready}' (or tcp/exec/grpc probes).",
        severity: .error,
        severityByEnvironment: ["dev": .warning],
        triggering: [
            RuleExample("services:\n  ↓api: {image: x/api:1.0, ports: {http: 8080}}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, ports: {http: 8080}, health: ↓{liveness: /live}}\n"),
            RuleExample("statefulServices:\n  ↓cache: {image: x/cache:1.0, ports: {client: 8080}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, ports: {http: 8080}, health: {liveness: /live, readiness: /ready}}\n"),
            RuleExample("jobs:\n  report: {image: x/report:1.0}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        let workloads = context.system.services.map(\.workload) + context.system.statefulServices.map(\.workload)
        return workloads.compactMap { workload in
            let health = workload.container.health
            var missing: [String] = []
            if health?.liveness == nil { missing.append("liveness") }
            if health?.readiness == nil { missing.append("readiness") }
            guard !missing.isEmpty else { return nil }
            return context.finding("'\(workload.name.value)' has no \(missing.joined(separator: " or ")) probe",
                                   about: workload.name.value, at: health?.location ?? workload.name.location)
        }
    }
}

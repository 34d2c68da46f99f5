import SpecModel
import SpecDiagnostics

/// Liveness and readiness must not be the same check with the same timing.
struct ProbesDistinct: Rule {
    static let description = RuleDescription(
        id: "probes-distinct",
        title: "Liveness differs from readiness",
        summary: "A container's liveness probe is not identical (same check, same period and threshold) to its readiness probe.",
        rationale: "Under overload an identical liveness probe fails at the same moment as readiness, so the kubelet restarts pods that only needed a pause from traffic, and the restarts cascade across replicas.",
        remediation: "Point liveness at a cheaper endpoint, or give it a longer period or higher failure threshold than readiness.",
        severity: .warning,
        triggering: [
            RuleExample("services:\n  api:\n    image: x/api:1.0\n    ports: {http: 8080}\n    health:\n      liveness: {path: /health, periodSeconds: 5}\n      readiness: ↓{path: /health, periodSeconds: 5}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, ports: {http: 8080}, health: {liveness: /health, readiness: /health}}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, ports: {http: 8080}, health: {liveness: /live, readiness: /ready}}\n"),
        ])

    static func key(_ probe: ProbeSpec) -> String {
        let action: String
        switch probe.action {
        case .http(let path, let port): action = "http \(path.value) \(port.value) \(probe.scheme.rawValue)"
        case .tcp(let port): action = "tcp \(port.value)"
        case .grpc(let port): action = "grpc \(port.value)"
        case .exec(let command): action = "exec \(command.value.joined(separator: " "))"
        }
        return "\(action) every \(probe.periodSeconds.value)s ×\(probe.failureThreshold.value)"
    }

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.containers.compactMap { owner, _, container, _ in
            guard let liveness = container.health?.liveness, let readiness = container.health?.readiness,
                  Self.key(liveness) == Self.key(readiness) else { return nil }
            return context.finding("'\(owner)' uses the same check for liveness and readiness: overload will restart it",
                                   about: owner, at: readiness.location)
        }
    }
}

import SpecModel
import SpecDiagnostics

/// A probe aimed at a port number the container does not declare checks nothing useful.
struct ProbePortDeclared: Rule {
    static let description = RuleDescription(
        id: "probe-port-declared",
        title: "Probes target declared ports",
        summary: "A probe given a port number targets one of the container's declared ports.",
        rationale: "A probe on a port nothing listens on fails forever (the pod never becomes Ready, or is restarted in a loop); a typo in a number is invisible in review.",
        remediation: "Name the port ('port: http') or declare it under 'ports'.",
        severity: .error,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, ports: {http: 8080}, health: {liveness: {tcp: ↓8081}, readiness: /ready}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, ports: {http: 8080}, health: {liveness: {tcp: 8080}, readiness: /ready}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.containers.flatMap { owner, _, container, _ -> [Diagnostic] in
            let numbers = Set(container.ports.map(\.number.value))
            let probes = [container.health?.liveness, container.health?.readiness, container.health?.startup].compactMap { $0 }
            return probes.compactMap { probe in
                guard let port = probe.action.port, case .number(let number) = port.value, !numbers.contains(number) else { return nil }
                return context.finding("'\(owner)' probes port \(number), which it does not declare", about: owner, at: port.location)
            }
        }
    }
}

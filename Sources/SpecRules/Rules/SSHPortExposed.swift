import SpecModel
import SpecDiagnostics

/// Containers do not expose SSH.
struct SSHPortExposed: Rule {
    static let description = RuleDescription(
        id: "ssh-port-exposed",
        title: "No SSH port",
        summary: "No container declares port 22 or a port named ssh.",
        rationale: "An SSH daemon in a container is a second way in that bypasses the audit trail of kubectl exec and usually ships long-lived keys in the image.",
        remediation: "Remove the port; use 'kubectl exec' or a debug container.",
        severity: .warning,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, ports: {http: 8080, ↓ssh: 22}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, ports: {http: 8080}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.containers.flatMap { owner, _, container, _ in
            container.ports.filter { $0.number.value == 22 || $0.name.value == "ssh" }.map { port in
                context.finding("'\(owner)' exposes SSH (port \(port.number.value))", about: owner, at: port.name.location)
            }
        }
    }
}

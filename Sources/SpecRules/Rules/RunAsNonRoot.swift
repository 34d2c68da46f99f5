import SpecModel
import SpecDiagnostics

/// Containers never run as UID 0.
struct RunAsNonRoot: Rule {
    static let description = RuleDescription(
        id: "run-as-non-root",
        title: "Containers do not run as root",
        summary: "No workload, store or default sets runAsUser 0.",
        rationale: "A process running as root inside the container is root on the host after any container escape, and it can write to every mounted volume; Pod Security 'restricted' rejects such pods (clusterspec always sets runAsNonRoot, so the pod would also fail to start).",
        remediation: "Use the image's non-root UID (or 10001).",
        severity: .error,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, securityContext: {runAsUser: ↓0}}\n"),
            RuleExample("defaults: {runAsUser: ↓0}\nservices:\n  api: {image: x/api:1.0}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, securityContext: {runAsUser: 10001}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        if let user = context.system.defaults.runAsUser, user.value == 0 {
            findings.append(context.finding("the spec's default user is root (UID 0)", about: "defaults", at: user.location))
        }
        for (owner, container, _) in context.configuredContainers {
            if let user = container.security.runAsUser, user.value == 0, !user.isDefault {
                findings.append(context.finding("'\(owner)' runs as root (UID 0)", about: owner, at: user.location))
            }
        }
        for store in context.system.stores {
            if let user = store.security.runAsUser, user.value == 0, !user.isDefault {
                findings.append(context.finding("'\(store.name.value)' runs as root (UID 0)", about: store.name.value, at: user.location))
            }
        }
        return findings
    }
}

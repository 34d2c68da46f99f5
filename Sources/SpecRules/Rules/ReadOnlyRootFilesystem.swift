import SpecModel
import SpecDiagnostics

/// Root filesystems stay read-only unless a waiver explains why not.
struct ReadOnlyRootFilesystem: Rule {
    static let description = RuleDescription(
        id: "read-only-root-filesystem",
        title: "Root filesystem is read-only",
        summary: "No workload, store or default turns off the read-only root filesystem.",
        rationale: "A writable root lets an attacker (or a bug) modify binaries and configuration inside the container and hides state that vanishes on restart; writable paths belong on explicit volumes.",
        remediation: "Mount an emptyDir where the program writes and keep readOnlyRootFilesystem on, or waive with the reason.",
        severity: .warning,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, securityContext: {readOnlyRootFilesystem: ↓false}}\n"),
            RuleExample("defaults: {readOnlyRootFilesystem: ↓false}\nservices:\n  api: {image: x/api:1.0}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, volumes: {tmp: {emptyDir: {}, mountPath: /tmp}}}\n"),
            RuleExample("stores:\n  kafka: {engine: kafka}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        let defaults = context.system.defaults.readOnlyRootFilesystem
        if !defaults.value, !defaults.isDefault {
            findings.append(context.finding("every workload gets a writable root filesystem by default", about: "defaults", at: defaults.location))
        }
        for (owner, container, _) in context.configuredContainers {
            let flag = container.security.readOnlyRootFilesystem
            if !flag.value, !flag.isDefault {
                findings.append(context.finding("'\(owner)' has a writable root filesystem", about: owner, at: flag.location))
            }
        }
        for store in context.system.stores where !store.security.readOnlyRootFilesystem.value && !store.security.readOnlyRootFilesystem.isDefault {
            findings.append(context.finding("'\(store.name.value)' has a writable root filesystem", about: store.name.value,
                                            at: store.security.readOnlyRootFilesystem.location))
        }
        return findings
    }
}

import SpecModel
import SpecDiagnostics

/// The pull policy fits the image reference.
struct ImagePullPolicy: Rule {
    static let description = RuleDescription(
        id: "image-pull-policy",
        title: "Pull policy fits the image",
        summary: "Pinned images are not pulled 'Always', and no image uses 'Never'.",
        rationale: "'Always' on a pinned tag or digest re-contacts the registry on every start, so a registry outage stops pods from restarting for no gain; 'Never' makes pods unschedulable on any node that has not pre-loaded the image.",
        remediation: "Use IfNotPresent (the default) for pinned images.",
        severity: .warning,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, imagePullPolicy: ↓Always}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, imagePullPolicy: ↓Never}\n"),
            RuleExample("defaults: {imagePullPolicy: ↓Always}\nservices:\n  api: {image: x/api:1.0}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0}\n"),
            RuleExample("services:\n  api: {image: x/api:latest, imagePullPolicy: Always}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        var reportedDefault = false
        for (owner, _, container, _) in context.containers {
            let policy = container.imagePullPolicy
            let pinned = ImageReference(container.image.value).isPinned
            let problem: String?
            switch policy.value {
            case .always where pinned: problem = "pulls the pinned image '\(container.image.value)' on every start"
            case .never: problem = "never pulls '\(container.image.value)': pods start only on nodes that already have it"
            default: problem = nil
            }
            guard let problem else { continue }
            if policy.isDefault, let inherited = context.system.defaults.imagePullPolicy {
                // Reported once, where the default is written.
                if !reportedDefault {
                    findings.append(context.finding("the default pull policy \(inherited.value.rawValue): '\(owner)' \(problem)",
                                                    about: "defaults", at: inherited.location))
                    reportedDefault = true
                }
            } else if !policy.isDefault {
                findings.append(context.finding("'\(owner)' \(problem)", about: owner, at: policy.location))
            }
        }
        return findings.uniqued()
    }
}

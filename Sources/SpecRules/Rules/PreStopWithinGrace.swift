import SpecModel
import SpecDiagnostics

/// A preStop pause ends before the grace period does, so the process still gets its SIGTERM.
struct PreStopWithinGrace: Rule {
    static let description = RuleDescription(
        id: "prestop-within-grace",
        title: "A preStop pause fits in the grace period",
        summary: "A container's 'lifecycle.preStop' sleep is shorter than the pod's terminationGracePeriodSeconds (30 s when unset).",
        rationale: "The grace period starts when the kubelet runs the preStop hook, not when it sends SIGTERM: a pause as long as the grace period uses all of it, so the process receives SIGTERM and SIGKILL together and never drains — the opposite of what the pause is for.",
        remediation: "Shorten the pause, or raise 'terminationGracePeriodSeconds' to the pause plus the time the process needs to stop.",
        severity: .error,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, lifecycle: {preStop: {sleep: ↓30}}}\n"),
            RuleExample("workers:\n  consumer: {image: x/consumer:1.0, terminationGracePeriodSeconds: 20, lifecycle: {preStop: {sleep: ↓25}}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, terminationGracePeriodSeconds: 60, lifecycle: {preStop: {sleep: 15}}}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, lifecycle: {preStop: {exec: [/bin/drain]}}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.containers.compactMap { owner, workload, container, _ in
            guard case .sleep(let seconds) = container.lifecycle?.preStop, seconds.value >= workload.gracePeriodSeconds else { return nil }
            return context.finding(
                "the preStop pause of '\(owner)' (\(seconds.value) s) takes the whole grace period of \(workload.gracePeriodSeconds) s: the process gets SIGTERM and SIGKILL at once",
                about: owner, at: seconds.location,
                notes: workload.terminationGracePeriodSeconds.map { [DiagnosticNote("the grace period", at: $0.location)] } ?? [])
        }
    }
}

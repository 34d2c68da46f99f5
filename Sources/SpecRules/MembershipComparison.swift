import SpecModel
import SpecDiagnostics

/// The member counts of the running cluster: `spec.replicas` of each StatefulSet in the previous
/// revision's compiled output of one system and environment (read by the facade).
public struct PreviousMembers: Sendable {
    /// Where they were read, as the user names it (`golden/goverse/rendered/prod.yaml`).
    public var path: String
    /// `spec.replicas` by `<namespace>/<name>`.
    public var replicas: [String: Int]

    public init(path: String, replicas: [String: Int]) {
        self.path = path
        self.replicas = replicas
    }

    func replicas(namespace: String, statefulSet: String) -> Int? { replicas["\(namespace)/\(statefulSet)"] }
}

/// The one pass that compares every store role's member count with the running cluster's and asks
/// the engine's description what the change takes (`StoreEngine.membershipPolicy`): automatic
/// changes become a note, changes that need the operator's reviewed step are errors printing the
/// procedure until the store declares `membership: {from: N}`, refused changes are errors.
/// Environments are separate clusters: the facade compares each with its own previous revision.
public enum MembershipComparison {
    /// A change that needs the printed procedure and a reviewed `membership` step.
    public static let changeID = "membership-change"
    /// A change no procedure makes safe on a running cluster.
    public static let refusedID = "membership-refused"
    /// `membership.from` does not match the running cluster.
    public static let stepMismatchID = "membership-step-mismatch"
    /// `membership` declared while nothing changes (the change is done).
    public static let stepStaleID = "membership-step-stale"
    /// A change the emitted manifests make safe on their own.
    public static let automaticID = "membership-automatic"
    /// No previous revision for a system or environment.
    public static let previousMissingID = "previous-revision-missing"

    /// Ids that fail the gate like rule findings (exit 1), not input errors.
    public static let policyIDs: Set<String> = [changeID, refusedID, stepMismatchID, stepStaleID, automaticID, previousMissingID]

    /// The findings of `system` against `previous`; `environment` names it in messages (nil: the base).
    public static func check(_ system: SystemSpec, environment: String?, previous: PreviousMembers) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        let domain = system.clusterDomain.value
        for store in system.stores {
            let namespace = store.namespace.value
            var changes: [MembershipChange] = []
            var locations: [SourceLocation] = []
            for role in store.roles {
                for statefulSet in role.statefulSets {
                    guard let from = previous.replicas(namespace: namespace, statefulSet: statefulSet), from != role.replicas.value else { continue }
                    changes.append(MembershipChange(role: role, statefulSet: statefulSet, from: from, to: role.replicas.value))
                    locations.append(role.replicas.location)
                }
            }
            let running = "the running cluster (\(previous.path)) has"
            guard !changes.isEmpty else {
                if let step = store.membership {
                    findings.append(Diagnostic(
                        id: stepStaleID, severity: .warning,
                        message: "'membership' on store '\(store.name.value)' is done: no member count differs from the previous revision",
                        location: step.location, notes: [DiagnosticNote("\(previous.path) has the members this revision declares")],
                        fix: "Remove 'membership' from store '\(store.name.value)'.", subject: store.name.value))
                }
                continue
            }
            var needsStep: [(MembershipChange, MembershipProcedure, SourceLocation)] = []
            for (change, location) in zip(changes, locations) {
                let what = "\(change.statefulSet) members \(change.from) → \(change.to)"
                switch store.settings.membershipPolicy(for: change, of: store, domain: domain) {
                case .automatic(let how):
                    findings.append(Diagnostic(
                        id: automaticID, severity: .note, message: "\(what): \(how)", location: location,
                        notes: [DiagnosticNote("\(running) \(change.from)")], subject: store.name.value))
                case .refused(let instead):
                    findings.append(Diagnostic(
                        id: refusedID, severity: .error,
                        message: "\(what) on a running cluster is refused: \(instead)", location: location,
                        notes: [DiagnosticNote("\(running) \(change.from); this revision declares \(change.to)")],
                        fix: "Keep \(change.from) for this environment's running cluster.", subject: store.name.value))
                case .needsStep(let procedure):
                    needsStep.append((change, procedure, location))
                }
            }
            guard !needsStep.isEmpty else {
                if let step = store.membership {
                    findings.append(Diagnostic(
                        id: stepStaleID, severity: .warning,
                        message: "'membership' on store '\(store.name.value)' is not needed: its change needs no operator step",
                        location: step.location, fix: "Remove 'membership' from store '\(store.name.value)'.", subject: store.name.value))
                }
                continue
            }
            if needsStep.count > 1 {
                let names = needsStep.map { "\($0.0.statefulSet) \($0.0.from) → \($0.0.to)" }.joined(separator: ", ")
                findings.append(Diagnostic(
                    id: refusedID, severity: .error,
                    message: "store '\(store.name.value)' changes the members of \(needsStep.count) roles at once (\(names)); change one per revision",
                    location: needsStep[0].2, notes: needsStep.dropFirst().map { DiagnosticNote("also changed here", at: $0.2) },
                    fix: "Keep the running counts for all but one role, apply that change, then the next.", subject: store.name.value))
                continue
            }
            let (change, procedure, location) = needsStep[0]
            let steps = stepNotes(procedure)
            guard let step = store.membership else {
                findings.append(Diagnostic(
                    id: changeID, severity: .error,
                    message: "\(change.statefulSet) members \(change.from) → \(change.to) on a running cluster needs the operator's steps: \(procedure.reason)",
                    location: location, notes: [DiagnosticNote("\(running) \(change.from)")] + steps,
                    fix: "Run the steps in order, then declare them reviewed: add 'membership: {from: \(change.from)}' to store '\(store.name.value)'.",
                    subject: store.name.value))
                continue
            }
            if step.from.value != change.from {
                findings.append(Diagnostic(
                    id: stepMismatchID, severity: .error,
                    message: "'membership.from' is \(step.from.value) but \(running) \(change.from) members in \(change.statefulSet)",
                    location: step.from.location, notes: [DiagnosticNote("this revision declares \(change.to)", at: location)] + steps,
                    fix: "Set 'membership: {from: \(change.from)}' once the steps above are run.", subject: store.name.value))
            }
        }
        return findings
    }

    /// The procedure as notes, one pasteable line each after its label.
    static func stepNotes(_ procedure: MembershipProcedure) -> [DiagnosticNote] {
        procedure.beforeApplying.map { DiagnosticNote("before applying: \($0)") }
            + [DiagnosticNote("then apply the revision")]
            + procedure.afterApplying.map { DiagnosticNote("after applying: \($0)") }
    }

    /// No previous revision at `path` for `system`: nothing can be compared (a new system, or the
    /// previous revision was not given).
    public static func previousMissing(_ system: SystemSpec, path: String) -> Diagnostic {
        Diagnostic(
            id: previousMissingID, severity: .note,
            message: "no previous revision at \(path): store membership of '\(system.name.value)' is not compared (a new system, or the previous revision was not given)",
            location: system.name.location,
            fix: "Give the running revision's compiled output with --previous DIR (default: the golden directory).",
            subject: system.name.value)
    }
}

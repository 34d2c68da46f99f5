import SpecModel
import SpecDiagnostics

/// Only the workloads that declare a store can reach it.
struct StoreReachableByNonUsers: Rule {
    static let description = RuleDescription(
        id: "store-reachable-by-non-users",
        title: "Stores are reachable only by their users",
        summary: "A store whose namespace has no network policy and no mesh authorization is reachable by workloads of the system that do not 'uses:' it.",
        rationale: "A database or broker is where a compromised or misconfigured workload does the most damage; least privilege means only declared users can open a connection, which takes deny-by-default network policy (or mesh authorization) on the store's namespace.",
        remediation: "Set 'networkPolicy: deny-by-default' on the store's namespace (or 'mesh.networkPolicy'), or mesh it so only declared callers are authorized.",
        severity: .warning,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, uses: [postgres]}\n  worker: {image: x/worker:1.0}\nstores:\n  ↓postgres: {engine: postgres, mode: cloudnative-pg}\n"),
            RuleExample("  legacy: {mtls: off}\nmesh: {mtls: permissive}\nservices:\n  old: {image: x/old:1.0, namespace: legacy, uses: [cache]}\n  worker: {image: x/worker:1.0, namespace: legacy}\nstores:\n  ↓cache: {engine: etcd, namespace: apps}\n"),
        ],
        nonTriggering: [
            RuleExample("mesh: {networkPolicy: deny-by-default}\nservices:\n  api: {image: x/api:1.0, uses: [postgres]}\n  worker: {image: x/worker:1.0}\nstores:\n  postgres: {engine: postgres, mode: cloudnative-pg}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, uses: [postgres]}\nstores:\n  postgres: {engine: postgres, mode: cloudnative-pg}\n"),
            RuleExample("mesh: {mtls: strict}\nservices:\n  api: {image: x/api:1.0, uses: [cache]}\n  worker: {image: x/worker:1.0}\nstores:\n  cache: {engine: etcd}\n"),
            RuleExample("  infra: {networkPolicy: deny-by-default}\nservices:\n  api: {image: x/api:1.0, namespace: apps, uses: [postgres]}\n  worker: {image: x/worker:1.0, namespace: apps}\nstores:\n  postgres: {engine: postgres, mode: cloudnative-pg, namespace: infra}\n"),
        ])

    /// Whether mesh authorization alone keeps non-users out: the namespace is meshed (and runs only
    /// described pods), and it is not PERMISSIVE towards a plaintext caller, which would open the
    /// port to every pod without a sidecar. `plaintextTargets` holds the groups such callers reach.
    private func authorizesOnlyUsers(_ namespace: String, _ groups: [PodGroup], _ context: RuleContext,
                                     plaintextTargets: () -> Set<PodGroup>) -> Bool {
        let system = context.system
        guard system.isMeshed(namespace), !system.isTrafficSource(namespace) else { return false }
        guard system.mtls(of: namespace) == .permissive else { return true }
        let targets = plaintextTargets()
        return !groups.contains(where: targets.contains)
    }

    func check(_ context: RuleContext) -> [Diagnostic] {
        let system = context.system
        var users: [String: Set<String>] = [:]
        for workload in system.workloads {
            for dependency in workload.uses { users[dependency.target.value, default: []].insert(workload.name.value) }
        }
        var plaintextTargets: Set<PodGroup>?
        func computePlaintextTargets() -> Set<PodGroup> {
            if let plaintextTargets { return plaintextTargets }
            var targets = Set<PodGroup>()
            for flow in context.traffic.flows where flow.source.namespace.map({ !system.isMeshed($0) }) == true {
                if let group = flow.destination.group { targets.insert(group) }
            }
            plaintextTargets = targets
            return targets
        }
        // Workloads whose own namespace denies undeclared egress cannot reach a store either.
        let reachers = system.workloads.filter { !system.deniesByDefault($0.namespace.value) }.map(\.name.value)
        var reachersByName: [String: Int] = [:]
        for name in reachers { reachersByName[name, default: 0] += 1 }
        return system.stores.compactMap { store in
            let namespace = store.namespace.value
            let groups = context.traffic.groups(of: store.name.value)
            guard !groups.isEmpty,  // external databases run elsewhere
                  !system.deniesByDefault(namespace),
                  !authorizesOnlyUsers(namespace, groups, context, plaintextTargets: computePlaintextTargets) else { return nil }
            let storeUsers = users[store.name.value] ?? []
            let othersCount = reachers.count - storeUsers.reduce(0) { $0 + (reachersByName[$1] ?? 0) }
            guard othersCount > 0 else { return nil }
            // The first five non-users, in spec order: the scan passes at most the store's users.
            var names: [String] = []
            for name in reachers where !storeUsers.contains(name) {
                names.append("'\(name)'")
                if names.count == 5 { break }
            }
            if othersCount > 5 { names.append("\(othersCount - 5) more") }
            let shown = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
            return context.finding(
                "store '\(store.name.value)' accepts connections from any pod: namespace '\(namespace)' has no network policy or mesh authorization, so \(shown), which \(othersCount == 1 ? "does" : "do") not use it, can reach it",
                about: store.name.value, at: store.name.location,
                notes: [DiagnosticNote("its declared users: \(storeUsers.isEmpty ? "none" : storeUsers.sorted().joined(separator: ", "))")])
        }
    }
}

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
    /// port to every pod without a sidecar.
    private func authorizesOnlyUsers(_ namespace: String, _ groups: [PodGroup], _ context: RuleContext) -> Bool {
        let system = context.system
        guard system.isMeshed(namespace), !system.isTrafficSource(namespace) else { return false }
        guard system.mtls(of: namespace) == .permissive else { return true }
        let members = Set(groups)
        return !context.traffic.flows.contains { flow in
            flow.destination.group.map(members.contains) == true && flow.source.namespace.map { !system.isMeshed($0) } == true
        }
    }

    func check(_ context: RuleContext) -> [Diagnostic] {
        let system = context.system
        var users: [String: Set<String>] = [:]
        for workload in system.workloads {
            for dependency in workload.uses { users[dependency.target.value, default: []].insert(workload.name.value) }
        }
        return system.stores.compactMap { store in
            let namespace = store.namespace.value
            let groups = context.traffic.groups(of: store.name.value)
            guard !groups.isEmpty,  // external databases run elsewhere
                  !system.deniesByDefault(namespace), !authorizesOnlyUsers(namespace, groups, context) else { return nil }
            let storeUsers = users[store.name.value] ?? []
            // A workload whose own namespace denies undeclared egress cannot reach it either.
            let others = system.workloads
                .filter { !storeUsers.contains($0.name.value) && !system.deniesByDefault($0.namespace.value) }
                .map(\.name.value)
            guard !others.isEmpty else { return nil }
            var names = others.prefix(5).map { "'\($0)'" }
            if others.count > 5 { names.append("\(others.count - 5) more") }
            let shown = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
            return context.finding(
                "store '\(store.name.value)' accepts connections from any pod: namespace '\(namespace)' has no network policy or mesh authorization, so \(shown), which \(others.count == 1 ? "does" : "do") not use it, can reach it",
                about: store.name.value, at: store.name.location,
                notes: [DiagnosticNote("its declared users: \(storeUsers.isEmpty ? "none" : storeUsers.sorted().joined(separator: ", "))")])
        }
    }
}

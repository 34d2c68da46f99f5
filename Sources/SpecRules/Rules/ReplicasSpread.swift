import SpecModel
import SpecDiagnostics

/// Replicas are spread over hosts or zones.
struct ReplicasSpread: Rule {
    static let description = RuleDescription(
        id: "replicas-spread",
        title: "Replicas are spread",
        summary: "A workload or store with more than one pod spreads them with host anti-affinity or zone topology spread.",
        rationale: "Without spreading, the scheduler may put every replica on one node, and a single node failure or drain takes the whole service down.",
        remediation: "Remove 'hosts: none' (preferred spreading is the default) or set 'zones'.",
        severity: .warning,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: 3, placement: {hosts: ↓none}}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, members: 3, placement: {hosts: ↓none}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: 3}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: 3, placement: {hosts: none, zones: required}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var candidates: [(String, Located<Int>?, Int, PlacementSpec)] = []
        for service in context.system.services {
            let count = service.autoscale?.max ?? service.replicas
            candidates.append((service.name.value, count, count.value, service.workload.placement))
        }
        for stateful in context.system.statefulServices {
            candidates.append((stateful.name.value, stateful.replicas, stateful.replicas.value, stateful.workload.placement))
        }
        for store in context.system.stores {
            candidates.append((store.name.value, nil, store.quorumGroups.map(\.members.value).max() ?? 1, store.placement))
        }
        return candidates.compactMap { name, count, replicas, placement in
            guard replicas > 1, placement.hosts.value == .none, placement.zones.value == .none else { return nil }
            let notes = count.flatMap { $0.isDefault ? nil : [DiagnosticNote("\(replicas) replicas", at: $0.location)] } ?? []
            return context.finding("'\(name)' runs \(replicas) pods without spreading them", about: name, at: placement.hosts.location, notes: notes)
        }
    }
}

import SpecModel
import SpecDiagnostics

/// Losing one zone must not take a Raft group below its majority.
struct ZoneLossKeepsQuorum: Rule {
    static let description = RuleDescription(
        id: "zone-loss-keeps-quorum",
        title: "A zone outage keeps the quorum",
        summary: "With Z zones and an even spread, ⌈n/Z⌉ ≤ n − q for every quorum store, and zone spreading is on.",
        rationale: "An outage takes every member in the zone at once; with 3 members over 2 zones one zone holds 2 of them and its loss leaves 1 of 3 — no majority.",
        remediation: "Use an odd member count that spreads with at most n − q per zone (3 over 3 zones, 5 over 3), and 'zones: required'.",
        severity: .error,
        triggering: [
            RuleExample("stores:\n  etcd: {engine: etcd, members: 3, placement: {zones: required, zoneCount: ↓2}}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, members: 3, placement: {zoneCount: ↓3}}\n"),
        ],
        nonTriggering: [
            RuleExample("stores:\n  etcd: {engine: etcd, members: 3, placement: {zones: required, zoneCount: 3}}\n"),
            RuleExample("stores:\n  vault: {engine: vault, members: 5, placement: {zones: required, zoneCount: 3}}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, members: 3}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.stores.flatMap { store -> [Diagnostic] in
            guard let zones = store.placement.zoneCount else { return [] }
            return store.quorumGroups.compactMap { group in
                let n = group.members.value
                if store.placement.zones.value == .none {
                    return context.finding("'\(group.statefulSet)' spans \(zones.value) zones but does not spread over them: all members may share one",
                                           about: store.name.value, at: zones.location, fix: "Add 'zones: required' to the placement.")
                }
                let perZone = (n + zones.value - 1) / zones.value
                guard perZone > group.tolerance else { return nil }
                return context.finding("losing one of \(zones.value) zones takes \(perZone) of \(n) members of '\(group.statefulSet)', but its quorum tolerates \(group.tolerance)",
                                       about: store.name.value, at: zones.location, notes: [DiagnosticNote("member count", at: group.members.location)])
            }
        }
    }
}

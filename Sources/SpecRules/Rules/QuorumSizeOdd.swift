import SpecModel
import SpecDiagnostics

/// Raft groups need an odd member count: 3 for HA, 5 to survive a zone, at most 7.
struct QuorumSizeOdd: Rule {
    static let description = RuleDescription(
        id: "quorum-size-odd",
        title: "Quorum size is odd, at least 3 outside dev, at most 7",
        summary: "Every Raft group (etcd, Kafka controllers, Vault, ClickHouse Keeper) has an odd member count between 3 and 7 (1 is allowed in dev).",
        rationale: "A majority of n is ⌊n/2⌋+1: 4 members tolerate one failure, exactly like 3, but need three votes per write; a single member tolerates none; beyond 7 every write waits for more acknowledgements with no gain in safety.",
        remediation: "Use 3 members (5 to survive the loss of a zone).",
        severity: .error,
        triggering: [
            RuleExample("stores:\n  etcd: {engine: etcd, members: ↓4}\n"),
            RuleExample("stores:\n  kafka: {engine: kafka, controllers: ↓2, brokers: 3}\n"),
            RuleExample("stores:\n  vault: {engine: vault, members: ↓1}\n", environment: "prod"),
            RuleExample("stores:\n  ch: {engine: clickhouse, replicas: 2, keeper: {members: ↓9}}\n"),
            RuleExample("stores:\n  kafka: {engine: kafka, combined: ↓2}\n", environment: "dev"),
        ],
        nonTriggering: [
            RuleExample("stores:\n  etcd: {engine: etcd, members: 3}\n"),
            RuleExample("stores:\n  vault: {engine: vault, members: 5}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, members: 1}\n", environment: "dev"),
            RuleExample("stores:\n  kafka: {engine: kafka}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.stores.flatMap { store in store.quorumGroups.map { (store, $0) } }.compactMap { store, group in
            let n = group.members.value
            let subject = "\(group.role) '\(group.statefulSet)' has \(n) member\(n == 1 ? "" : "s")"
            if n % 2 == 0 {
                // The count as written (a plain integer) becomes the next odd one.
                let edits = group.members.isDefault ? [] : [SuggestedEdit("Use \(n + 1) members", at: group.members.location,
                                                                           length: String(n).count, replacement: String(n + 1))]
                return context.finding(
                    "\(subject): an even count tolerates no more failures than \(n - 1) and needs a larger majority (\(group.quorum) votes)",
                    about: store.name.value, at: group.members.location, fix: "Use \(n - 1) or \(n + 1) members.", edits: edits)
            }
            if n == 1, !context.isDevelopment {
                return context.finding("\(subject): a single member tolerates no failure; use 3 outside dev", about: store.name.value, at: group.members.location)
            }
            if n > 7 {
                return context.finding("\(subject): more than 7 slows every write (\(group.quorum) acknowledgements) without making it safer",
                                       about: store.name.value, at: group.members.location, fix: "Use 5 or 7 members.")
            }
            return nil
        }
    }
}

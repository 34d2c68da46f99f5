import SpecModel
import SpecDiagnostics

/// StatefulSet names leave room for the controller's revision-hash label.
struct StatefulSetNameLength: Rule {
    static let description = RuleDescription(
        id: "statefulset-name-length",
        title: "StatefulSet names fit in 52 characters",
        summary: "Every StatefulSet (stateful services and store members) has a name of at most 52 characters.",
        rationale: "The StatefulSet controller labels each pod with controller-revision-hash '<name>-<10 characters>', and label values stop at 63: with a longer name the controller cannot create pods, and the API server accepts the StatefulSet anyway.",
        remediation: "Shorten the stateful service or store name.",
        severity: .error,
        triggering: [
            RuleExample("statefulServices:\n  ↓a-very-long-stateful-service-name-for-the-inventory-svc: {image: x/s:1.0}\n"),
            RuleExample("secrets:\n  pg: {keys: [password]}\nstores:\n  ↓orders-database-of-the-north-european-fulfilment-site: {engine: postgres, credentials: {secret: pg}}\n"),
        ],
        nonTriggering: [
            RuleExample("statefulServices:\n  inventory: {image: x/s:1.0}\n"),
            RuleExample("stores:\n  orders-database-of-the-north-european-fulfilment-site: {engine: postgres, mode: cloudnative-pg}\n"),
        ])

    static let limit = 52

    func check(_ context: RuleContext) -> [Diagnostic] {
        var names: [(String, String, SourceLocation)] = context.system.statefulServices.map { ($0.name.value, $0.name.value, $0.name.location) }
        for store in context.system.stores {
            // Every role's StatefulSets, quorum or not (brokers, shards, a single PostgreSQL pod).
            names += store.statefulSets.map { ($0, store.name.value, store.name.location) }
        }
        return names.compactMap { statefulSet, owner, location in
            guard statefulSet.count > Self.limit else { return nil }
            return context.finding("StatefulSet '\(statefulSet)' is \(statefulSet.count) characters; the controller cannot label its pods beyond \(Self.limit)",
                                   about: owner, at: location)
        }.uniqued()
    }
}

import SpecModel
import SpecDiagnostics

/// A store that could serve TLS but does not is fenced by network policy outside dev.
struct StorePlaintext: Rule {
    static let description = RuleDescription(
        id: "store-plaintext",
        title: "Plaintext stores are fenced outside dev",
        summary: "Outside dev, a store whose engine serves TLS either sets 'tls' or lives in a namespace that denies by default.",
        rationale: "Without TLS, credentials, keys and data cross the cluster network in clear text, and any pod that can reach the store's ports can read or write it. In a namespace that denies by default only the store's declared users reach it; anywhere else every pod of the cluster does.",
        remediation: "Add 'tls: {issuer: …}' (or 'tls: {secret: …}') to the store, or set 'networkPolicy: deny-by-default' on its namespace; waive the finding where neither is possible yet.",
        severity: .warning,
        triggering: [
            RuleExample("stores:\n  ↓etcd: {engine: etcd}\n"),
            RuleExample("stores:\n  ↓etcd: {engine: etcd}\n", environment: "prod"),
        ],
        nonTriggering: [
            RuleExample("stores:\n  etcd: {engine: etcd}\n", environment: "dev"),
            RuleExample("stores:\n  etcd: {engine: etcd, tls: {issuer: ca, kind: Issuer}}\n"),
            RuleExample("mesh: {networkPolicy: deny-by-default}\nstores:\n  etcd: {engine: etcd}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        guard !context.isDevelopment else { return [] }
        return context.system.stores.compactMap { store in
            guard store.tls == nil, store.engine.tlsUnsupported == nil, !store.roles.isEmpty,
                  !context.system.deniesByDefault(store.namespace.value) else { return nil }
            return context.finding(
                "'\(store.name.value)' serves plaintext in namespace '\(store.namespace.value)', which any pod of the cluster can reach",
                about: store.name.value, at: store.name.location)
        }
    }
}

import SpecModel
import SpecDiagnostics

/// Vault's API listener uses TLS.
struct VaultTLS: Rule {
    static let description = RuleDescription(
        id: "vault-tls",
        title: "Vault serves TLS",
        summary: "A Vault store sets 'tls' so its API listener is encrypted.",
        rationale: "Tokens and secrets cross Vault's API; with tls_disable every client and every raft join sends them in clear text through the cluster network.",
        remediation: "Add 'tls: {issuer: …}' (a cert-manager Certificate is generated) or 'tls: {secret: …}'.",
        severity: .error,
        severityByEnvironment: ["dev": .warning],
        triggering: [
            RuleExample("stores:\n  ↓vault: {engine: vault, seal: {type: transit, config: {address: \"https://transit.example.com:8200\", key_name: autounseal}}}\n"),
        ],
        nonTriggering: [
            RuleExample("stores:\n  vault: {engine: vault, tls: {issuer: ca, kind: Issuer}, seal: {type: transit, config: {address: \"https://transit.example.com:8200\", key_name: autounseal}}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.stores.compactMap { store in
            guard store.settings is VaultSettings, store.tls == nil else { return nil }
            return context.finding("'\(store.name.value)' serves its API without TLS", about: store.name.value, at: store.name.location)
        }
    }
}

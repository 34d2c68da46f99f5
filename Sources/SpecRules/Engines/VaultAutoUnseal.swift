import SpecModel
import SpecDiagnostics

/// Vault should unseal itself after a restart.
struct VaultAutoUnseal: Rule {
    static let description = RuleDescription(
        id: "vault-auto-unseal",
        title: "Vault unseals itself",
        summary: "A Vault store configures an auto-unseal 'seal' (a cloud KMS or Transit).",
        rationale: "With the default Shamir seal every restarted Vault pod stays sealed (not Ready) until operators enter key shares by hand; a node drain or a rollout at night turns into an outage of every service that reads secrets.",
        remediation: "Add 'seal: {type: awskms|gcpckms|azurekeyvault|transit, config: {…}}', or waive it with the unsealing runbook.",
        severity: .warning,
        triggering: [
            RuleExample("stores:\n  ↓vault: {engine: vault, tls: {secret: vault-tls}}\nsecrets:\n  vault-tls: {}\n"),
        ],
        nonTriggering: [
            RuleExample("stores:\n  vault: {engine: vault, tls: {secret: vault-tls}, seal: {type: gcpckms, config: {project: p, region: global, key_ring: r, crypto_key: k}}}\nsecrets:\n  vault-tls: {}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.stores.compactMap { store in
            guard let vault = store.settings as? VaultSettings, vault.seal == nil else { return nil }
            return context.finding("'\(store.name.value)' uses the Shamir seal: every restarted pod stays sealed until unsealed by hand",
                                   about: store.name.value, at: store.name.location)
        }
    }
}

import SpecModel

/// Vault's own rules: TLS on the API and auto-unseal.
extension VaultSettings: EngineRules {
    public static let rules: [any Rule.Type] = [VaultAutoUnseal.self, VaultTLS.self]
}

import SpecModel

/// Vault: `members` (3 by default), an auto-unseal `seal` and `ui`; and the Vault Secrets
/// Operator's source of a synced Secret (`secrets.<name>.vault`).
extension VaultSettings: EngineDecoding {
    static var vocabulary: [String] { VaultKVType.allCases.map(\.rawValue) }

    static func decode(_ fields: Fields, store: Located<String>, with decoder: SpecDecoder) -> VaultSettings? {
        decoder.decodeVault(fields, at: store.location)
    }

    static let keyDescriptions = [
        KeyDescription("members", SpecKeys.memberCount, "Raft members (odd: 3 or 5).", default: .integer(3)),
        KeyDescription("seal", .object(SpecKeys.seal), "Auto-unseal; without it every restarted pod must be unsealed by hand."),
        KeyDescription("ui", .boolean, "Serve the web UI.", default: .boolean(true)),
    ]
}

extension VaultSecretSource: SecretSyncDecoding {
    static func decode(_ node: YAMLNode, with decoder: SpecDecoder) -> VaultSecretSource? {
        decoder.decodeVaultSource(node)
    }

    static let keyDescription = KeyDescription("vault", .object(SpecKeys.vaultSecret),
                                               "Have the Vault Secrets Operator create it from a KV secret.")
}

extension SpecKeys {
    static let seal = KeyTable("seal", "Vault auto-unseal.", [
        KeyDescription("type", .nonEmptyText, "The seal type (awskms, gcpckms, azurekeyvault, transit…).", required: true),
        KeyDescription("config", .textMap(.any), "The seal's parameters (no credentials: use a cloud identity)."),
    ])
    static let vaultSecret = KeyTable("vaultSecret", "A Secret synced from Vault KV by the Vault Secrets Operator.", [
        KeyDescription("mount", .nonEmptyText, "The KV engine's mount.", required: true),
        KeyDescription("path", .nonEmptyText, "The secret's path in it.", required: true),
        KeyDescription("type", .choice(of: VaultKVType.self), "The KV engine version.", default: .text(VaultKVType.kv2.rawValue)),
        KeyDescription("refreshAfter", .duration, "How often the operator refreshes it."),
        KeyDescription("auth", .nonEmptyText, "A VaultAuth object to use instead of the default."),
    ])
}

extension SpecDecoder {
    fileprivate func decodeVault(_ fields: Fields, at location: SourceLocation) -> VaultSettings? {
        guard let members = members(fields, default: 3, at: location) else { return nil }
        var seal: VaultSealSpec?
        if let node = fields["seal"], let inner = reader.mapping(node, "'seal'", known: SpecKeys.seal) {
            if let type = inner["type"].flatMap({ reader.nonEmptyString($0, "'seal.type'") }) {
                if !type.value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                    reader.error("invalid-value", "'\(type.value)' is not a Vault seal type (awskms, gcpckms, azurekeyvault, transit, pkcs11…)", at: type.location)
                }
                let config = inner["config"].map { reader.keyValues($0, "'seal.config'") } ?? []
                for entry in config where !entry.key.value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                    reader.error("invalid-name", "'\(entry.key.value)' is not a Vault seal parameter name", at: entry.key.location)
                }
                for entry in config where entry.value.value.contains("${") || entry.value.value.contains("%{") {
                    reader.error("invalid-value",
                                 "'\(entry.key.value)' contains '${' or '%{', which vault.hcl cannot hold literally (HCL reads them as a template)",
                                 at: entry.value.location)
                }
                seal = VaultSealSpec(type: type, config: config)
            } else if !inner.has("type") {
                reader.error("missing-field", "'seal' needs 'type' (awskms, gcpckms, azurekeyvault, transit…)", at: node.location)
            }
        }
        return VaultSettings(members: members, seal: seal,
                             ui: fields["ui"].flatMap { reader.bool($0, "'ui'") } ?? Located(true, at: location, isDefault: true))
    }

    fileprivate func decodeVaultSource(_ node: YAMLNode) -> VaultSecretSource? {
        guard let fields = reader.mapping(node, "'vault'", known: SpecKeys.vaultSecret) else { return nil }
        guard let mountNode = fields["mount"], let pathNode = fields["path"] else {
            reader.error("missing-field", "'vault' needs 'mount' and 'path' (the KV engine and the secret's path in it)", at: node.location)
            return nil
        }
        guard let mount = reader.nonEmptyString(mountNode, "'mount'"), let path = reader.nonEmptyString(pathNode, "'path'") else { return nil }
        return VaultSecretSource(
            mount: mount, path: path,
            type: fields["type"].flatMap { reader.choice($0, "Vault KV type", as: VaultKVType.self) } ?? Located(.kv2, at: node.location, isDefault: true),
            refreshAfter: fields["refreshAfter"].flatMap { reader.duration($0, "'refreshAfter'") },
            authRef: fields["auth"].flatMap { reader.nonEmptyString($0, "'auth'") },
            location: node.location)
    }
}

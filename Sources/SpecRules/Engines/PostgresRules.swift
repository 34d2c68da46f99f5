import SpecModel

/// PostgreSQL's own rule: replicas only under an HA manager.
extension PostgresSettings: EngineRules {
    public static let rules: [any Rule.Type] = [PostgresReplicasNeedHA.self]
}

import SpecModel

/// ClickHouse's own rule: replicated shards need Keeper.
extension ClickHouseSettings: EngineRules {
    public static let rules: [any Rule.Type] = [ClickHouseReplicasNeedKeeper.self]
}

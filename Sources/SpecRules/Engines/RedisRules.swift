import SpecModel

/// Redis's own rules: the sentinels' quorum and what they watch, and authentication. The sentinels'
/// count, budget and zone spread are judged by the generic quorum rules (they are a quorum group).
extension RedisSettings: EngineRules {
    public static let rules: [any Rule.Type] = [RedisAuthSet.self, RedisSentinelQuorumWithinSentinels.self, RedisSentinelsNeedReplicas.self]
}

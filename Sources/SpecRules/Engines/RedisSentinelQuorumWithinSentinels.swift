import SpecModel
import SpecDiagnostics

/// Sentinels can only agree the primary is down when the quorum is within their count.
struct RedisSentinelQuorumWithinSentinels: Rule {
    static let description = RuleDescription(
        id: "redis-sentinel-quorum-within-sentinels",
        title: "Sentinel quorum is within the sentinel count",
        summary: "A Redis store's 'failover.quorum' is at most its number of sentinels.",
        rationale: "The quorum is how many sentinels must agree the primary is unreachable before a failover starts; with more than there are sentinels they never agree, and a failed primary is never replaced.",
        remediation: "Leave 'failover.quorum' out (a majority of the sentinels) or lower it to the sentinel count.",
        severity: .error,
        triggering: [
            RuleExample("stores:\n  cache: {engine: redis, replicas: 3, failover: {quorum: ↓4}}\n"),
            RuleExample("stores:\n  cache: {engine: redis, replicas: 3, sentinels: 5, failover: {quorum: ↓6}}\n"),
        ],
        nonTriggering: [
            RuleExample("stores:\n  cache: {engine: redis, replicas: 3}\n"),
            RuleExample("stores:\n  cache: {engine: redis, replicas: 3, sentinels: 5, failover: {quorum: 3}}\n"),
            RuleExample("stores:\n  cache: {engine: redis}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.stores.compactMap { store in
            guard let redis = store.settings as? RedisSettings, let sentinels = redis.sentinels else { return nil }
            let quorum = redis.failover.quorum
            guard quorum.value > sentinels.value else { return nil }
            return context.finding("'\(store.name.value)' needs \(quorum.value) sentinels to agree on a failure but runs \(sentinels.value): a failed primary is never replaced",
                                   about: store.name.value, at: quorum.location,
                                   notes: [DiagnosticNote("\(sentinels.value) sentinels", at: sentinels.location)])
        }
    }
}

import SpecModel
import SpecDiagnostics

/// Sentinels fail over to a replica; watching a single server they can only report it down.
struct RedisSentinelsNeedReplicas: Rule {
    static let description = RuleDescription(
        id: "redis-sentinels-need-replicas",
        title: "Sentinels watch a primary with replicas",
        summary: "A Redis store with sentinels runs at least 2 servers (a primary and a replica).",
        rationale: "Sentinels replace a failed primary by promoting one of its replicas; with a single server there is nothing to promote, so the store looks highly available while a failure of its one pod stops it.",
        remediation: "Set 'replicas: 3' (a primary and two replicas), or remove 'sentinels' for a standalone server.",
        severity: .error,
        severityByEnvironment: ["dev": .warning],
        triggering: [
            RuleExample("stores:\n  cache: {engine: redis, sentinels: ↓3}\n"),
            RuleExample("stores:\n  cache: {engine: redis, replicas: 1, sentinels: ↓1}\n", environment: "dev"),
        ],
        nonTriggering: [
            RuleExample("stores:\n  cache: {engine: redis, replicas: 2}\n"),
            RuleExample("stores:\n  cache: {engine: redis}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.stores.compactMap { store in
            guard let redis = store.settings as? RedisSettings, let sentinels = redis.sentinels, redis.replicas.value < 2 else { return nil }
            return context.finding("'\(store.name.value)' has \(sentinels.value) sentinel\(sentinels.value == 1 ? "" : "s") but a single server: there is no replica to fail over to",
                                   about: store.name.value, at: sentinels.location,
                                   notes: [DiagnosticNote("1 server", at: redis.replicas.location)])
        }
    }
}

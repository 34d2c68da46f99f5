import SpecModel
import SpecDiagnostics

/// Outside development a Redis store requires a password.
struct RedisAuthSet: Rule {
    static let description = RuleDescription(
        id: "redis-auth-set",
        title: "Redis requires a password outside dev",
        summary: "Outside a development environment a Redis store sets 'auth: {secret}', so its servers and sentinels require a password.",
        rationale: "Without 'requirepass' any pod the network lets through can read and delete every key, reconfigure replication with REPLICAOF or point the sentinels elsewhere; network policy narrows who can connect, a password is what proves a client is meant to.",
        remediation: "Add 'auth: {secret: <name>}' naming an existing Secret with a 'password' key, declared under 'secrets:'.",
        severity: .warning,
        triggering: [
            RuleExample("stores:\n  ↓cache: {engine: redis}\n"),
            RuleExample("stores:\n  ↓cache: {engine: redis, replicas: 3}\n", environment: "prod"),
        ],
        nonTriggering: [
            RuleExample("secrets:\n  cache-auth: {keys: [password]}\nstores:\n  cache: {engine: redis, auth: {secret: cache-auth}}\n", environment: "prod"),
            RuleExample("stores:\n  cache: {engine: redis}\n", environment: "dev"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        guard !context.isDevelopment else { return [] }
        return context.system.stores.compactMap { store in
            guard let redis = store.settings as? RedisSettings, redis.authSecret == nil else { return nil }
            return context.finding("'\(store.name.value)' accepts every client without a password", about: store.name.value, at: store.name.location)
        }
    }
}

/// The store engines clusterspec knows. This list is the only place an engine is registered:
/// its decoder, emitter and rules are conformances of the same type in the other rooms, found
/// from here by a dynamic cast (and a test fails when one is missing).
public enum Engines {
    /// Every engine, in the order messages list them.
    public static let all: [any StoreEngine.Type] = [
        PostgresSettings.self,
        ClickHouseSettings.self,
        KafkaSettings.self,
        VaultSettings.self,
        EtcdSettings.self,
        RedisSettings.self,
    ]

    /// The engine whose `engine:` value is `name`.
    public static func named(_ name: String) -> (any StoreEngine.Type)? {
        all.first { $0.name == name }
    }

    /// The `engine:` values, in registration order.
    public static var names: [String] { all.map { $0.name } }

    /// Component labels of roles whose members form a quorum, across engines.
    public static var quorumComponents: Set<String> {
        Set(all.flatMap { $0.roleKinds }.filter { $0.quorum != nil }.map(\.component))
    }

    /// Labels besides `app.kubernetes.io/name` whose value names a pod group, across engines.
    public static var groupNameLabels: [String] { all.flatMap { $0.groupNameLabels } }

    /// The kinds of Secret the engines' operators sync, across engines.
    public static var secretSyncs: [any SecretSync.Type] { all.compactMap { $0.secretSync } }
}

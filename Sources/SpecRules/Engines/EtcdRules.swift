import SpecModel

/// etcd's own rule: its probe endpoints need a recent enough version (the Raft group itself is
/// judged by the generic quorum rules).
extension EtcdSettings: EngineRules {
    public static let rules: [any Rule.Type] = [EtcdProbeEndpoints.self]
}

import SpecModel

/// etcd needs no rule of its own: its one Raft group is judged by the generic quorum rules.
extension EtcdSettings: EngineRules {
    public static let rules: [any Rule.Type] = []
}

/// An auto-unseal `seal` stanza for Vault (`seal "awskms" { … }`).
public struct VaultSealSpec: Sendable {
    public var type: Located<String>
    public var config: [KeyValue]

    public init(type: Located<String>, config: [KeyValue]) {
        self.type = type
        self.config = config
    }
}

/// Vault with integrated Raft storage.
public struct VaultSettings: Sendable {
    public var members: Located<Int>
    /// Auto-unseal; nil means Shamir (every restarted pod needs unsealing by hand).
    public var seal: VaultSealSpec?
    public var ui: Located<Bool>

    public init(members: Located<Int>, seal: VaultSealSpec?, ui: Located<Bool>) {
        self.members = members
        self.seal = seal
        self.ui = ui
    }
}

extension VaultSettings: StoreEngine {
    public static let name = "vault"
    public static let defaults = EngineDefaults(repository: "hashicorp/vault", version: "1.19", user: 100, group: 1000,
                                                readOnlyRootFilesystem: true, storage: "10Gi")
    public static let keys = ["members", "seal", "ui"]

    public static let apiPort = NamedPort("api", 8200)
    /// Request forwarding and Raft between members (always TLS).
    public static let clusterPort = NamedPort("cluster", 8201)

    public static let members = RoleKind(component: "vault", quorum: "Vault Raft")
    public static let roleKinds = [members]

    /// The Service that selects only the active member (`vault-active: true`, set by service registration).
    public static func activeService(_ store: String) -> String { "\(store)-active" }

    public static let secretSync: (any SecretSync.Type)? = VaultSecretSource.self

    public static let containerName = "vault"
    public static let dataClaim = "data"

    /// Growth joins through `retry_join` by itself (with a Shamir seal each new pod still needs its
    /// unseal keys); removing members needs them taken out of the Raft configuration first,
    /// highest ordinal first, so the remaining ones keep their quorum.
    public func membershipPolicy(for change: MembershipChange, of store: StoreSpec, domain: String) -> MembershipPolicy {
        let namespace = store.namespace.value
        switch change.direction {
        case .grow:
            return .automatic("new members join the Raft cluster through retry_join"
                              + (seal == nil ? "; with the Shamir seal each new pod must be unsealed by hand (vault operator unseal)" : ""))
        case .shrink:
            let survivor = "\(change.statefulSet)-0"
            func exec(_ command: [String], interactive: Bool = false) -> String {
                Procedures.exec(namespace: namespace, pod: survivor, container: Self.containerName, interactive: interactive, command)
            }
            return .needsStep(MembershipProcedure(
                reason: "members must leave the Raft configuration before their pods go, or the remaining ones count them toward the quorum",
                beforeApplying: [exec(["vault", "login"], interactive: true)]
                    + change.pods(change.leavingOrdinals).map { exec(["vault", "operator", "raft", "remove-peer", $0]) }
                    + [exec(["vault", "operator", "raft", "list-peers"])],
                afterApplying: [Procedures.deleteClaims(namespace: namespace, claims: [Self.dataClaim], pods: change.pods(change.leavingOrdinals))]))
        }
    }

    public func roles(named store: String) -> [StoreRole] {
        [StoreRole(Self.members, statefulSet: store, replicas: members, ports: [Self.apiPort, Self.clusterPort], servesClients: true)]
    }

    /// Raft and forwarding among members; service registration labels the pods through the API.
    public func flows(of store: StoreSpec, in system: SystemSpec) -> [StoreFlow] {
        let name = store.name.value
        return [.peers(name, name, [Self.apiPort, Self.clusterPort]), .apiServer(from: name)]
    }

    public func clientPorts(of store: StoreSpec) -> [ClientPort] { [ClientPort(Self.apiPort)] }

    /// `http` or `https`, as the API listener serves.
    public static func scheme(_ store: StoreSpec) -> String { store.tls == nil ? "http" : "https" }

    public func connectionFacts(of store: StoreSpec, domain: String) -> [ConnectionFact] {
        let host = Topology.serviceFQDN(store.name.value, namespace: store.namespace.value, domain: domain)
        return [ConnectionFact("addr", .literal("\(Self.scheme(store))://\(host):\(Self.apiPort.number)"))]
    }

    /// The seal's parameters go into `vault.hcl` as written; `*_key` names a key except `kms_key_id`.
    public func verbatimSettings(of store: StoreSpec) -> [VerbatimSetting] {
        (seal?.config ?? []).map { entry in
            VerbatimSetting(kind: "seal setting", entry: entry,
                            isCredential: entry.key.value.hasSuffix("_key") && entry.key.value != "kms_key_id",
                            fix: "Give the Vault pods a cloud identity (workload identity, IRSA) instead of static keys.")
        }
    }
}

/// KV engine version of a Vault secret.
public enum VaultKVType: String, Sendable, CaseIterable {
    case kv1 = "kv-v1", kv2 = "kv-v2"
}

/// A Secret the Vault Secrets Operator keeps in sync from a Vault KV path (`secrets.<name>.vault`).
public struct VaultSecretSource: SecretSync {
    public static let key = "vault"

    public var mount: Located<String>
    public var path: Located<String>
    public var type: Located<VaultKVType>
    public var refreshAfter: Located<String>?
    /// The VaultAuth object to authenticate with; the operator's default when nil.
    public var authRef: Located<String>?
    public var location: SourceLocation

    public init(mount: Located<String>, path: Located<String>, type: Located<VaultKVType>, refreshAfter: Located<String>?, authRef: Located<String>?, location: SourceLocation) {
        self.mount = mount
        self.path = path
        self.type = type
        self.refreshAfter = refreshAfter
        self.authRef = authRef
        self.location = location
    }
}

/// Names and addresses every stage agrees on: how a StatefulSet's governing Service is called, what
/// a pod's DNS name is, the quorum of n members. Emission renders them, rules and wiring read them.
public enum Topology {
    /// Quorum of `members`: ⌊n/2⌋ + 1.
    public static func quorum(_ members: Int) -> Int { members / 2 + 1 }

    /// The governing headless Service of StatefulSet `statefulSet`.
    public static func headless(_ statefulSet: String) -> String { "\(statefulSet)-headless" }

    /// `<pod>.<headless>.<namespace>.svc.<domain>` for ordinal `index`.
    public static func podFQDN(_ statefulSet: String, _ index: Int, headless: String? = nil, namespace: String, domain: String) -> String {
        "\(statefulSet)-\(index).\(headless ?? Self.headless(statefulSet)).\(namespace).svc.\(domain)"
    }

    /// The same for the pod that reads it, via `$(POD_NAME)` expansion.
    public static func selfFQDN(_ statefulSet: String, headless: String? = nil, namespace: String, domain: String) -> String {
        "$(POD_NAME).\(headless ?? Self.headless(statefulSet)).\(namespace).svc.\(domain)"
    }

    /// `<service>.<namespace>.svc.<domain>`.
    public static func serviceFQDN(_ service: String, namespace: String, domain: String) -> String {
        "\(service).\(namespace).svc.\(domain)"
    }

    /// The Secret of a certificate cert-manager issues for a store or stateful service.
    public static func tlsSecret(_ owner: String) -> String { "\(owner)-tls" }

    /// The ConfigMap holding the configuration file of a store role.
    public static func configMap(_ owner: String) -> String { "\(owner)-config" }
}

extension Topology {
    /// `data-layer` → `DATA_LAYER`: the prefix of variables injected for a dependency.
    public static func environmentPrefix(_ name: String) -> String {
        String(name.uppercased().map { $0 == "-" ? "_" : $0 })
    }

    /// `data-layer` → `data_layer`: a name usable as a SQL identifier.
    public static func identifier(_ name: String) -> String {
        String(name.map { $0 == "-" ? "_" : $0 })
    }
}

/// A label key and value, as selectors list them.
public struct Label: Sendable, Hashable, Comparable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    public static func < (lhs: Label, rhs: Label) -> Bool { (lhs.key, lhs.value) < (rhs.key, rhs.value) }
}

extension Topology {
    public static let nameLabel = "app.kubernetes.io/name"
    public static let partOfLabel = "app.kubernetes.io/part-of"
    public static let componentLabel = "app.kubernetes.io/component"
    /// Carried by every pod of one store (all its roles), for selecting the whole store.
    public static let storeLabel = "clusterspec.io/store"
    /// The label Kubernetes puts on every namespace, valued with its name.
    public static let namespaceNameLabel = "kubernetes.io/metadata.name"

    /// The immutable selector of a workload's (or a store role's) pods: its name and its system.
    public static func podSelector(_ workload: String, system: String) -> [Label] {
        [Label(nameLabel, workload), Label(partOfLabel, system)]
    }
}

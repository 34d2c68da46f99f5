import SpecModel

/// One Kubernetes object to emit, with the spec location it was generated from.
public struct Resource: Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    /// nil for cluster-scoped kinds (Namespace).
    public var namespace: String?
    /// The whole object, `apiVersion` and `kind` included.
    public var body: ManifestValue
    /// The spec element this object comes from (for diagnostics about generated names).
    public var origin: SourceLocation

    public init(apiVersion: String, kind: String, name: String, namespace: String?, body: ManifestValue, origin: SourceLocation) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.body = body
        self.origin = origin
    }

    /// Builds the object from its parts in Kubernetes key order: apiVersion, kind, metadata, then
    /// the kind's own top-level fields (`spec`, `data`, `rules`…) in the order given.
    public init(apiVersion: String, kind: String, metadata: ObjectMeta, origin: SourceLocation, fields: KeyValuePairs<String, ManifestValue>) {
        var entries: [ManifestValue.Entry] = [
            .init("apiVersion", .string(apiVersion)), .init("kind", .string(kind)), .init("metadata", metadata.value),
        ]
        for (key, value) in fields where value != .absent {
            entries.append(.init(key, value))
        }
        self.init(apiVersion: apiVersion, kind: kind, name: metadata.name, namespace: metadata.namespace, body: .map(entries), origin: origin)
    }

    /// The API group: `apps` for `apps/v1`, empty for the core group (`v1`).
    public var group: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    /// The version part of `apiVersion`.
    public var version: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return apiVersion }
        return String(apiVersion[apiVersion.index(after: slash)...])
    }

    /// `Kind/namespace/name` (or `Kind/name`), unique within one output.
    public var id: String {
        namespace.map { "\(kind)/\($0)/\(name)" } ?? "\(kind)/\(name)"
    }

    /// The file this object is written to, relative to `base/`:
    /// `<kind>-<name>.yaml` for cluster-scoped kinds, `<namespace>/<kind>-<name>.yaml` otherwise.
    /// Names are validated DNS names, so the path never leaves the directory.
    public var fileName: String {
        let file = "\(kind.lowercased())-\(name).yaml"
        return namespace.map { "\($0)/\(file)" } ?? file
    }
}

/// `metadata` of an object: name, namespace, labels (sorted), annotations (sorted).
public struct ObjectMeta: Sendable {
    public var name: String
    public var namespace: String?
    public var labels: [(String, String)]
    public var annotations: [(String, String)]

    public init(name: String, namespace: String?, labels: [(String, String)] = [], annotations: [(String, String)] = []) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }

    public var value: ManifestValue {
        .map([
            "name": .string(name),
            "namespace": .optional(namespace),
            "labels": .nonEmpty(.sortedStrings(labels)),
            "annotations": .nonEmpty(.sortedStrings(annotations)),
        ])
    }
}

/// The order `kustomize build` prints objects in (its default "legacy" order), so our rendered
/// output and kustomize's agree: known kinds by rank, then the rest by group, version and kind;
/// ties by namespace, then name.
public enum ResourceOrder {
    static let rankedKinds = [
        "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount", "PodSecurityPolicy",
        "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service",
        "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet",
        "CronJob", "PodDisruptionBudget",
    ]
    static let lastKinds = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]
    private static let rank: [String: Int] = {
        var ranks: [String: Int] = [:]
        for (index, kind) in rankedKinds.enumerated() { ranks[kind] = index }
        for (index, kind) in lastKinds.enumerated() { ranks[kind] = 1_000 + index }
        return ranks
    }()

    /// Sorts `resources` in kustomize's legacy order (each object's sort key computed once).
    public static func sorted(_ resources: [Resource]) -> [Resource] {
        let keys = resources.map(SortKey.init)
        return keys.indices.sorted { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }.map { resources[$0] }
    }

    /// What `precedes` compares, as one comparable value.
    private struct SortKey: Comparable {
        var rank: Int
        /// Group (the core group spelled `~G`), version and kind: compared for unranked kinds only.
        var type: [String]
        var namespace: String
        var name: String

        init(_ resource: Resource) {
            rank = ResourceOrder.rank[resource.kind] ?? 500
            type = rank == 500 ? [resource.group.isEmpty ? "~G" : resource.group, resource.version, resource.kind] : []
            namespace = resource.namespace ?? ""
            name = resource.name
        }

        static func < (lhs: SortKey, rhs: SortKey) -> Bool {
            if lhs.rank != rhs.rank { return lhs.rank < rhs.rank }
            if lhs.type != rhs.type { return lhs.type.lexicographicallyPrecedes(rhs.type) }
            if lhs.namespace != rhs.namespace { return lhs.namespace < rhs.namespace }
            return lhs.name < rhs.name
        }
    }

    /// Whether `lhs` comes before `rhs`.
    public static func precedes(_ lhs: Resource, _ rhs: Resource) -> Bool {
        let lhsRank = rank[lhs.kind] ?? 500, rhsRank = rank[rhs.kind] ?? 500
        if lhsRank != rhsRank { return lhsRank < rhsRank }
        if lhsRank == 500 {
            // kustomize spells the core group "~G", which sorts after every named group.
            let lhsKey = (lhs.group.isEmpty ? "~G" : lhs.group, lhs.version, lhs.kind)
            let rhsKey = (rhs.group.isEmpty ? "~G" : rhs.group, rhs.version, rhs.kind)
            if lhsKey != rhsKey { return lhsKey < rhsKey }
        }
        let lhsNamespace = lhs.namespace ?? "", rhsNamespace = rhs.namespace ?? ""
        if lhsNamespace != rhsNamespace { return lhsNamespace < rhsNamespace }
        return lhs.name < rhs.name
    }
}

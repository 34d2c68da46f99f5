import SpecModel

/// Namespaces, ConfigMaps and standalone PersistentVolumeClaims.
enum ConfigEmitter {
    static func namespace(_ namespace: NamespaceSpec, system: String) -> Resource {
        let level = namespace.podSecurity.value.rawValue
        var labels = Labels.system(system)
        labels += [("pod-security.kubernetes.io/enforce", level), ("pod-security.kubernetes.io/audit", level),
                   ("pod-security.kubernetes.io/warn", level)]
        labels += namespace.labels.map { ($0.key.value, $0.value.value) }
        return Resource(apiVersion: "v1", kind: "Namespace",
                        metadata: ObjectMeta(name: namespace.name.value, namespace: nil, labels: labels,
                                             annotations: namespace.annotations.map { ($0.key.value, $0.value.value) }),
                        origin: namespace.name.location, fields: [:])
    }

    static func configMapData(_ configMap: ConfigMapSpec) -> ManifestValue {
        .sortedStrings(configMap.data.map { ($0.key.value, $0.value.value) })
    }

    static func configMap(_ configMap: ConfigMapSpec, system: String) -> Resource {
        Resource(apiVersion: "v1", kind: "ConfigMap",
                 metadata: ObjectMeta(name: configMap.name.value, namespace: configMap.namespace.value, labels: Labels.system(system)),
                 origin: configMap.name.location,
                 fields: ["data": configMapData(configMap)])
    }

    static func volumeClaim(_ claim: VolumeClaimSpec, system: String) -> Resource {
        Resource(apiVersion: "v1", kind: "PersistentVolumeClaim",
                 metadata: ObjectMeta(name: claim.name.value, namespace: claim.namespace.value, labels: Labels.system(system)),
                 origin: claim.name.location,
                 fields: ["spec": [
                    "accessModes": .list(claim.accessModes.map { .string($0.value.rawValue) }),
                    "storageClassName": .optional(claim.storageClass?.value),
                    "resources": ["requests": ["storage": .string(claim.size.value.text)]],
                 ]])
    }
}

import SpecModel

/// Namespaces, ConfigMaps and standalone PersistentVolumeClaims.
enum ConfigEmitter {
    /// A Namespace with Pod Security Admission labels, and sidecar injection when it is meshed.
    static func namespace(_ namespace: NamespaceSpec, system: SystemSpec) -> Resource {
        let level = namespace.podSecurity.value.rawValue
        var labels = Labels.system(system.name.value)
        labels += [("pod-security.kubernetes.io/enforce", level), ("pod-security.kubernetes.io/audit", level),
                   ("pod-security.kubernetes.io/warn", level)]
        if system.isMeshed(namespace.name.value) { labels.append(("istio-injection", "enabled")) }
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

/// Who reads a Secret, for operators that restart them when it changes.
enum SecretReaders {
    /// Pod-running workloads in `namespace` that read Secret `name` (env, envFrom or volume).
    static func readers(of name: String, in namespace: String, system: SystemSpec) -> [(kind: String, name: String)] {
        let deployments = system.services.map(\.workload).filter { $0.namespace.value == namespace && reads($0, secret: name) }
            .map { (kind: "Deployment", name: $0.name.value) }
        let statefulSets = system.statefulServices.map(\.workload).filter { $0.namespace.value == namespace && reads($0, secret: name) }
            .map { (kind: "StatefulSet", name: $0.name.value) }
        return (deployments + statefulSets).sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
    }

    static func reads(_ workload: WorkloadSpec, secret name: String) -> Bool {
        for container in workload.podContainers.map(\.container) {
            if container.envFrom.contains(where: { $0.kind == .secret && $0.name.value == name }) { return true }
            for variable in container.env {
                if case .secretKey(let secret, _, _) = variable.source, secret.value == name { return true }
            }
            for volume in container.volumes {
                if case .secret(let secret) = volume.source, secret.value == name { return true }
            }
        }
        return false
    }
}

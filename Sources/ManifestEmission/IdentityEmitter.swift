import SpecModel

/// A workload's identity: ServiceAccount, and Role + RoleBinding when it is granted API access.
enum IdentityEmitter {
    static func resources(_ workload: WorkloadSpec, system: String, component: String? = nil) -> [Resource] {
        let labels = Labels.workload(workload, system: system, component: component)
        let name = workload.name.value, namespace = workload.namespace.value
        var resources = [Resource(
            apiVersion: "v1", kind: "ServiceAccount",
            metadata: ObjectMeta(name: name, namespace: namespace, labels: labels,
                                 annotations: workload.serviceAccount.annotations.map { ($0.key.value, $0.value.value) }),
            origin: workload.name.location,
            fields: ["automountServiceAccountToken": .bool(workload.serviceAccount.automountToken.value)])]
        let rules = workload.serviceAccount.rules
        guard !rules.isEmpty else { return resources }
        resources.append(Resource(
            apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role",
            metadata: ObjectMeta(name: name, namespace: namespace, labels: labels),
            origin: rules[0].location,
            fields: ["rules": .list(rules.map { rule in
                [
                    "apiGroups": .list(rule.apiGroups.map { .string($0.value) }),
                    "resources": .list(rule.resources.map { .string($0.value) }),
                    "verbs": .list(rule.verbs.map { .string($0.value) }),
                ]
            })]))
        resources.append(Resource(
            apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding",
            metadata: ObjectMeta(name: name, namespace: namespace, labels: labels),
            origin: rules[0].location,
            fields: [
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": .string(name)],
                "subjects": [["kind": "ServiceAccount", "name": .string(name), "namespace": .string(namespace)]],
            ]))
        return resources
    }
}

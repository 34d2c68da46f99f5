import SpecModel
import SpecDiagnostics

/// Every ConfigMap a pod reads is defined in the spec, with the key it reads.
struct ConfigMapDeclared: Rule {
    static let description = RuleDescription(
        id: "configmap-declared",
        title: "Referenced ConfigMaps are defined",
        summary: "Every ConfigMap referenced by env, envFrom or volumes is defined under 'configMaps:' in the same namespace, and a referenced key exists in its data.",
        rationale: "A missing ConfigMap or key stops the pod from starting (CreateContainerConfigError); because clusterspec knows the data, it can catch the typo before it ships.",
        remediation: "Define the ConfigMap under 'configMaps:' or fix the name or key.",
        severity: .error,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, volumes: {config: {configMap: ↓settings, mountPath: /etc/api}}}\n"),
            RuleExample("configMaps:\n  settings: {data: {level: info}}\nservices:\n  api: {image: x/api:1.0, env: {LEVEL: {configMap: settings, key: ↓lvl}}}\n"),
        ],
        nonTriggering: [
            RuleExample("configMaps:\n  settings: {data: {level: info}}\nservices:\n  api: {image: x/api:1.0, env: {LEVEL: {configMap: settings, key: level}}, envFrom: [{configMap: settings}]}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        func judge(_ owner: String, namespace: String, name: Located<String>, key: Located<String>?, optional: Bool) {
            guard !optional else { return }
            guard let map = context.index.configMap(name.value, in: namespace) else {
                let candidates = context.index.configMapNames(in: namespace)
                findings.append(context.finding(
                    "'\(owner)' reads ConfigMap '\(name.value)', which the spec does not define in namespace '\(namespace)'\(NameSuggestion.hint(for: name.value, in: candidates))",
                    about: owner, at: name.location))
                return
            }
            if let key, !map.data.contains(where: { $0.key.value == key.value }) {
                findings.append(context.finding(
                    "ConfigMap '\(name.value)' has no key '\(key.value)'\(NameSuggestion.hint(for: key.value, in: map.data.map(\.key.value)))",
                    about: owner, at: key.location, notes: [DiagnosticNote("defined here", at: map.name.location)]))
            }
        }
        for (owner, workload, container, _) in context.containers {
            let namespace = workload.namespace.value
            for variable in container.env {
                if case .configMapKey(let name, let key, let optional) = variable.source { judge(owner, namespace: namespace, name: name, key: key, optional: optional) }
            }
            for source in container.envFrom where source.kind == .configMap { judge(owner, namespace: namespace, name: source.name, key: nil, optional: source.optional) }
            for volume in container.volumes {
                if case .configMap(let name) = volume.source { judge(owner, namespace: namespace, name: name, key: nil, optional: false) }
            }
        }
        return findings.uniqued()
    }
}

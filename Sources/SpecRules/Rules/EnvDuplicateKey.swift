import SpecModel
import SpecDiagnostics

/// A variable set twice gets one of the values silently.
struct EnvDuplicateKey: Rule {
    static let description = RuleDescription(
        id: "env-duplicate-key",
        title: "No variable is set twice",
        summary: "No environment variable is set both in 'env' and by an 'envFrom' ConfigMap, or by two 'envFrom' sources.",
        rationale: "Kubernetes resolves the clash silently ('env' wins, later 'envFrom' sources win), so a value changed in the ConfigMap has no effect and nobody notices.",
        remediation: "Keep each variable in one place, or give one envFrom source a 'prefix'.",
        severity: .warning,
        triggering: [
            RuleExample("configMaps:\n  settings: {data: {LOG_LEVEL: info}}\nservices:\n  api: {image: x/api:1.0, envFrom: [{configMap: settings}], env: {↓LOG_LEVEL: debug}}\n"),
            RuleExample("configMaps:\n  a: {data: {MODE: x}}\n  b: {data: {MODE: y}}\nservices:\n  api: {image: x/api:1.0, envFrom: [{configMap: a}, {configMap: ↓b}]}\n"),
        ],
        nonTriggering: [
            RuleExample("configMaps:\n  a: {data: {MODE: x}}\n  b: {data: {MODE: y}}\nservices:\n  api: {image: x/api:1.0, envFrom: [{configMap: a}, {configMap: b, prefix: B_}]}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        for (owner, workload, container, isInit) in context.containers where !isInit {
            var provided: [String: String] = [:]
            for source in container.envFrom {
                let keys: [String]
                switch source.kind {
                case .configMap:
                    keys = context.index.configMap(source.name.value, in: workload.namespace.value)?.data.map(\.key.value) ?? []
                case .secret:
                    keys = context.index.secret(source.name.value, in: workload.namespace.value)?.keys.map(\.value) ?? []
                }
                for key in keys.map({ (source.prefix?.value ?? "") + $0 }) {
                    if let earlier = provided[key] {
                        findings.append(context.finding("'\(source.name.value)' sets \(key) again after '\(earlier)' in '\(owner)'",
                                                        about: owner, at: source.name.location))
                    }
                    provided[key] = source.name.value
                }
            }
            for variable in container.env where !variable.name.isDefault {
                if let source = provided[variable.name.value] {
                    findings.append(context.finding("'\(owner)' sets \(variable.name.value) in env, hiding the value from '\(source)'",
                                                    about: owner, at: variable.name.location))
                }
            }
        }
        return findings
    }
}

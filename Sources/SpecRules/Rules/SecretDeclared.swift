import SpecModel
import SpecDiagnostics

/// Every Secret a pod reads is declared (or created by the spec's own objects), with the key it reads.
struct SecretDeclared: Rule {
    static let description = RuleDescription(
        id: "secret-declared",
        title: "Referenced Secrets are declared",
        summary: "Every Secret referenced by env, envFrom, volumes, store credentials or TLS is declared under 'secrets:' in the same namespace (or created by a store or certificate), and its key is among the declared keys.",
        rationale: "A reference to a Secret that does not exist leaves pods in CreateContainerConfigError; declaring the Secrets a system needs turns a run-time failure into a review-time one and documents what the platform team must provide.",
        remediation: "Declare the Secret under 'secrets:' with its namespace and keys, or fix the name.",
        severity: .error,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, env: {DB: {secret: ↓db-credentials, key: dsn}}}\n"),
            RuleExample("secrets:\n  db: {keys: [dsn]}\nservices:\n  api: {image: x/api:1.0, env: {DB: {secret: db, key: ↓password}}}\n"),
            RuleExample("stores:\n  pg: {engine: postgres, credentials: {secret: ↓pg-creds}}\n"),
        ],
        nonTriggering: [
            RuleExample("secrets:\n  db: {keys: [dsn]}\nservices:\n  api: {image: x/api:1.0, env: {DB: {secret: db, key: dsn}}}\n"),
            RuleExample("stores:\n  pg: {engine: postgres, mode: cloudnative-pg}\nservices:\n  api: {image: x/api:1.0, env: {DB: {secret: pg-app, key: uri}}}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, env: {EXTRA: {secret: optional-extra, key: v, optional: true}}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        func judge(_ owner: String, namespace: String, secret: Located<String>, key: Located<String>?, optional: Bool = false) {
            guard !secret.isDefault, !optional else { return }
            if context.generatedSecrets(in: namespace).contains(secret.value) { return }
            guard let declared = context.index.secret(secret.value, in: namespace) else {
                let candidates = context.index.secretNames(in: namespace)
                findings.append(context.finding(
                    "'\(owner)' reads Secret '\(secret.value)', which is not declared in namespace '\(namespace)'\(NameSuggestion.hint(for: secret.value, in: candidates))",
                    about: owner, at: secret.location))
                return
            }
            if let key, !declared.keys.isEmpty, !declared.keys.contains(where: { $0.value == key.value }) {
                findings.append(context.finding(
                    "Secret '\(secret.value)' declares no key '\(key.value)' (its keys: \(declared.keys.map(\.value).joined(separator: ", ")))"
                        + NameSuggestion.hint(for: key.value, in: declared.keys.map(\.value)),
                    about: owner, at: key.location, notes: [DiagnosticNote("declared here", at: declared.name.location)]))
            }
        }
        for (owner, workload, container, _) in context.containers {
            let namespace = workload.namespace.value
            for variable in container.env {
                if case .secretKey(let secret, let key, let optional) = variable.source { judge(owner, namespace: namespace, secret: secret, key: key, optional: optional) }
            }
            for source in container.envFrom where source.kind == .secret { judge(owner, namespace: namespace, secret: source.name, key: nil, optional: source.optional) }
            for volume in container.volumes {
                if case .secret(let secret) = volume.source { judge(owner, namespace: namespace, secret: secret, key: nil) }
            }
        }
        for store in context.system.stores {
            let owner = store.name.value, namespace = store.namespace.value
            if case .secret(let secret) = store.tls?.source { judge(owner, namespace: namespace, secret: secret, key: nil) }
            for reference in store.settings.secretReferences(of: store) {
                judge(owner, namespace: namespace, secret: reference.secret, key: reference.key)
            }
        }
        for stateful in context.system.statefulServices {
            if case .secret(let secret) = stateful.tls?.source {
                judge(stateful.name.value, namespace: stateful.workload.namespace.value, secret: secret, key: nil)
            }
        }
        return findings.uniqued()
    }
}

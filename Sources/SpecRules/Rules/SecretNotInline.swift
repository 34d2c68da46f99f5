import SpecModel
import SpecDiagnostics

/// Secret-looking values come from Secrets, never from literals in the spec.
struct SecretNotInline: Rule {
    static let description = RuleDescription(
        id: "secret-not-inline",
        title: "No secrets in the spec",
        summary: "Environment variables, ConfigMap entries and seal settings whose names look secret (password, token, secret, key) are Secret references, not literal values.",
        rationale: "The spec and its compiled manifests are committed and reviewed in pull requests; a literal credential there is leaked to everyone with read access and to every CI log.",
        remediation: "Store the value in a Secret and reference it ({secret: name, key: key}).",
        severity: .error,
        triggering: [
            RuleExample("services:\n  api:\n    image: x/api:1.0\n    env: {DB_PASSWORD: ↓hunter2}\n"),
            RuleExample("services:\n  api:\n    image: x/api:1.0\n    env: {DATABASE_URL: ↓\"postgres://app:hunter2@db:5432/app\"}\n"),
            RuleExample("configMaps:\n  settings: {data: {api-token: ↓abc123}}\n"),
            RuleExample("stores:\n  vault: {engine: vault, seal: {type: awskms, config: {secret_key: ↓AKIAEXAMPLE}}}\n"),
        ],
        nonTriggering: [
            RuleExample("secrets:\n  db: {keys: [password]}\nservices:\n  api:\n    image: x/api:1.0\n    env: {DB_PASSWORD: {secret: db, key: password}}\n"),
            RuleExample("services:\n  api:\n    image: x/api:1.0\n    env: {TOKEN_FILE: /var/run/secrets/token, KEY_PREFIX: cache, DATABASE_URL: \"postgres://db:5432/app\"}\n"),
        ])

    /// Name fragments that mark a secret.
    static let secretWords = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL", "AUTH_KEY"]

    static func looksSecret(_ name: String) -> Bool {
        let upper = String(name.uppercased().map { $0 == "-" || $0 == "." ? "_" : $0 })
        guard secretWords.contains(where: { upper.contains($0) }) else { return false }
        // Pointers to secrets are fine: file paths and names of other variables.
        return !["_FILE", "_PATH", "_NAME", "_REF"].contains(where: { upper.hasSuffix($0) })
    }

    /// A literal that is a value (not empty, not a path, not a $(VAR) reference).
    static func isLiteralValue(_ value: String) -> Bool {
        !value.isEmpty && !value.hasPrefix("/") && !value.hasPrefix("$(")
    }

    /// `scheme://user:password@host`.
    static func hasURLCredentials(_ value: String) -> Bool {
        let parts = value.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let at = parts[1].firstIndex(of: "@") else { return false }
        let authority = parts[1][..<at]
        return !authority.contains("/") && authority.contains(":")
    }

    func check(_ context: RuleContext) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        for (workload, _) in context.workloads {
            for container in [workload.container] + workload.initContainers.map(\.container) {
                for variable in container.env {
                    guard case .literal(let value) = variable.source, !value.isDefault else { continue }
                    if (Self.looksSecret(variable.name.value) && Self.isLiteralValue(value.value)) || Self.hasURLCredentials(value.value) {
                        findings.append(context.finding("'\(variable.name.value)' of '\(workload.name.value)' holds a literal secret", about: workload.name.value, at: value.location))
                    }
                }
            }
        }
        for configMap in context.system.configMaps {
            for entry in configMap.data where (Self.looksSecret(entry.key.value) && Self.isLiteralValue(entry.value.value)) || Self.hasURLCredentials(entry.value.value) {
                findings.append(context.finding("ConfigMap '\(configMap.name.value)' holds a secret-looking value under '\(entry.key.value)'",
                                                about: configMap.name.value, at: entry.value.location))
            }
        }
        for store in context.system.stores {
            for setting in store.settings.verbatimSettings(of: store) where Self.looksSecret(setting.entry.key.value) || setting.isCredential {
                findings.append(context.finding("\(setting.kind) '\(setting.entry.key.value)' of '\(store.name.value)' is a credential in the spec",
                                                about: store.name.value, at: setting.entry.value.location, fix: setting.fix))
            }
        }
        return findings.uniqued()
    }
}

extension Array where Element == Diagnostic {
    /// Drops repeated findings at the same place (an inherited variable is reported once).
    func uniqued() -> [Diagnostic] {
        var seen = Set<String>()
        return filter { seen.insert("\($0.location?.description ?? "")|\($0.message)").inserted }
    }
}

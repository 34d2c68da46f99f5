import SpecModel
import SpecDiagnostics

/// Secret-looking values come from Secrets, never from literals in the spec: judged by the
/// name a value is stored under and by the value's own shape (`SecretShapes`).
struct SecretNotInline: Rule {
    static let description = RuleDescription(
        id: "secret-not-inline",
        title: "No secrets in the spec",
        summary: "Environment variables, arguments, ConfigMap entries (and the config files embedded in them), annotations and seal settings hold no literal credential: none is stored under a secret-looking name (PASSWORD, PASS, PWD, SECRET, TOKEN, CREDENTIAL, …_KEY, …_SK) and none has a secret's shape (PEM private key, URL with a password, JWT, provider key, high-entropy string).",
        rationale: "The spec and its compiled manifests are committed and reviewed in pull requests; a literal credential there is leaked to everyone with read access and to every CI log.",
        remediation: "Store the value in a Secret and reference it ({secret: name, key: key}); waive a false positive with a reason.",
        severity: .error,
        triggering: [
            RuleExample("services:\n  api:\n    image: x/api:1.0\n    env: {DB_PASSWORD: ↓hunter2}\n"),
            RuleExample("services:\n  api:\n    image: x/api:1.0\n    env: {DB_PASS: ↓hunter2, MYSQL_PWD: ↓hunter2, JWT_SIGNING_KEY: ↓s3cr3t, HMAC_KEY: ↓abc, STRIPE_SK: ↓x1}\n"),
            RuleExample("services:\n  api:\n    image: x/api:1.0\n    env: {DB_PASSWORD_FILE: ↓hunter2, apiToken: ↓abc123}\n"),
            RuleExample("services:\n  api:\n    image: x/api:1.0\n    env: {DATABASE_URL: ↓\"postgres://app:hunter2@db:5432/app\"}\n"),
            RuleExample("services:\n  api:\n    image: x/api:1.0\n    env:\n      JAVA_OPTS: ↓\"-Xmx512m -Ddb.password=hunter2\"\n      UPSTREAM: ↓\"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcGkifQ.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk\"\n"),
            RuleExample("services:\n  api:\n    image: x/api:1.0\n    args: ↓[--db-password=hunter2]\n"),
            RuleExample("jobs:\n  sync:\n    image: x/sync:1.0\n    args: ↓[--token, abc123, --verbose]\n"),
            RuleExample("configMaps:\n  settings: {data: {api-token: ↓abc123, aws: ↓AKIAIOSFODNN7EXAMPLE}}\n"),
            RuleExample("configMaps:\n  app:\n    data:\n      app.yaml: ↓|\n        database:\n          user: app\n          password: Hunter2Hunter2\n"),
            RuleExample("configMaps:\n  tls:\n    data:\n      key.pem: ↓|\n        -----BEGIN PRIVATE KEY-----\n        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n        -----END PRIVATE KEY-----\n"),
            RuleExample("services:\n  api:\n    image: x/api:1.0\n    env: {SIGNING: ↓Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6QUJD}\n"),
            RuleExample("services:\n  api:\n    image: x/api:1.0\n    podAnnotations: {example.com/api-token: ↓abc123}\n"),
            RuleExample("stores:\n  vault: {engine: vault, seal: {type: awskms, config: {secret_key: ↓AKIAEXAMPLE}}}\n"),
        ],
        nonTriggering: [
            RuleExample("secrets:\n  db: {keys: [password]}\nservices:\n  api:\n    image: x/api:1.0\n    env: {DB_PASSWORD: {secret: db, key: password}}\n"),
            RuleExample("services:\n  api:\n    image: x/api:1.0\n    env: {TOKEN_FILE: /var/run/secrets/token, KEY_PREFIX: cache, TASK: sync, DISK: /data, DATABASE_URL: \"postgres://db:5432/app\"}\n"),
            RuleExample("services:\n  api:\n    image: x/api:1.0\n    env:\n      DATABASE_URL: \"postgres://app:$(DB_PASSWORD)@db:5432/app\"\n      KAFKA_CLUSTER_ID: MkU3OEVBNTcwNTJENDM2Qk\n      IMAGE: ghcr.io/acme/api@sha256:6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b\n      REQUEST_ID: 123e4567-e89b-12d3-a456-426614174000\n      GIT_SHA: 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12\n      API_TOKEN_URL: https://auth.example.com/token\n      AUTH_ENABLED: \"true\"\n"),
            RuleExample("configMaps:\n  ca:\n    data:\n      ca.crt: |\n        -----BEGIN CERTIFICATE-----\n        MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n        RTESMBAGA1UEChMJQmFsdGltb3JlMRMwEQYDVQQLEwpDeWJlclRydXN0MSIwIAYD\n        -----END CERTIFICATE-----\n      app.yaml: |\n        password_file: /run/secrets/db\n        token: ${TOKEN}\n"),
            RuleExample("services:\n  api:\n    image: x/api:1.0\n    args: [--token-file, /var/run/secrets/token, --log-level=debug]\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        func report(_ what: String, _ problem: String?, about subject: String, at location: SourceLocation) {
            if let problem { findings.append(context.finding("\(what) \(problem)", about: subject, at: location)) }
        }
        for (workload, _) in context.workloads {
            let owner = workload.name.value
            for container in workload.podContainers.map(\.container) {
                for variable in container.env {
                    guard case .literal(let value) = variable.source, !value.isDefault else { continue }
                    report("'\(variable.name.value)' of '\(owner)'", Self.problem(name: variable.name.value, value: value.value), about: owner, at: value.location)
                }
                for list in [container.command, container.args].compactMap({ $0 }) {
                    report("an argument of '\(owner)'", Self.argumentProblem(list.value), about: owner, at: list.location)
                }
            }
            for annotation in workload.podAnnotations + workload.serviceAccount.annotations {
                report("annotation '\(annotation.key.value)' of '\(owner)'", Self.problem(name: annotation.key.value, value: annotation.value.value),
                       about: owner, at: annotation.value.location)
            }
        }
        for service in context.system.services {
            for annotation in (service.expose?.annotations ?? []) + service.serviceGroups.flatMap(\.annotations) {
                report("annotation '\(annotation.key.value)' of '\(service.workload.name.value)'",
                       Self.problem(name: annotation.key.value, value: annotation.value.value), about: service.workload.name.value, at: annotation.value.location)
            }
        }
        for route in context.system.routes {
            for annotation in route.annotations {
                report("annotation '\(annotation.key.value)' of route '\(route.name.value)'",
                       Self.problem(name: annotation.key.value, value: annotation.value.value), about: route.name.value, at: annotation.value.location)
            }
        }
        for namespace in context.system.namespaces {
            for annotation in namespace.annotations {
                report("annotation '\(annotation.key.value)' of namespace '\(namespace.name.value)'",
                       Self.problem(name: annotation.key.value, value: annotation.value.value), about: namespace.name.value, at: annotation.value.location)
            }
        }
        for configMap in context.system.configMaps {
            for entry in configMap.data {
                report("ConfigMap '\(configMap.name.value)'", Self.problem(name: entry.key.value, value: entry.value.value).map { "\($0) under '\(entry.key.value)'" },
                       about: configMap.name.value, at: entry.value.location)
            }
        }
        for store in context.system.stores {
            for annotation in store.podAnnotations {
                report("annotation '\(annotation.key.value)' of '\(store.name.value)'", Self.problem(name: annotation.key.value, value: annotation.value.value),
                       about: store.name.value, at: annotation.value.location)
            }
            for setting in store.settings.verbatimSettings(of: store) where SecretShapes.nameLooksSecret(setting.entry.key.value) || setting.isCredential {
                findings.append(context.finding("\(setting.kind) '\(setting.entry.key.value)' of '\(store.name.value)' is a credential in the spec",
                                                about: store.name.value, at: setting.entry.value.location, fix: setting.fix))
            }
        }
        return findings.uniqued()
    }

    /// Why a value stored under `name` is a secret in the spec, or nil. The value itself is never
    /// repeated (the finding would leak it to every log).
    static func problem(name: String, value: String) -> String? {
        if SecretShapes.nameLooksSecret(name, value: value), SecretShapes.isLiteralValue(value) { return "holds a literal secret" }
        if let shape = SecretShapes.valueShape(value) { return "holds \(shape.description)" }
        if let embedded = SecretShapes.embeddedSecret(value) { return "sets '\(embedded)' to a literal secret" }
        return nil
    }

    /// Why a command line holds a secret: a shape or `--password=x` in one argument, or a secret
    /// flag followed by a literal (`--token abc`).
    static func argumentProblem(_ arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if let problem = problem(name: "", value: argument) { return problem }
            if argument.hasPrefix("-"), !argument.contains("="), index + 1 < arguments.count, !arguments[index + 1].hasPrefix("-"),
               SecretShapes.nameLooksSecret(argument, value: arguments[index + 1]), SecretShapes.isLiteralValue(arguments[index + 1]) {
                return "passes '\(argument)' a literal secret"
            }
        }
        return nil
    }
}

extension Array where Element == Diagnostic {
    /// Drops repeated findings at the same place (an inherited variable is reported once).
    func uniqued() -> [Diagnostic] {
        var seen = Set<String>()
        return filter { seen.insert("\($0.location?.description ?? "")|\($0.message)").inserted }
    }
}

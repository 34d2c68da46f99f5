import SpecModel
import SpecDiagnostics

/// PostgreSQL: `mode` (single, cloudnative-pg or external), `instances`, `database` and `user`
/// (plain identifiers), `credentials` for single mode, `external` for a managed database.
extension PostgresSettings: EngineDecoding {
    static var vocabulary: [String] { PostgresMode.allCases.map(\.rawValue) }

    static func decode(_ fields: Fields, store: Located<String>, with decoder: SpecDecoder) -> PostgresSettings? {
        decoder.decodePostgres(fields, store: store.value, at: store.location)
    }

    static let keyDescriptions = [
        KeyDescription("mode", .choice(of: PostgresMode.self), "single (one pod), cloudnative-pg (a Cluster CR) or external (a managed database).",
                       default: .text(PostgresMode.single.rawValue)),
        KeyDescription("instances", SpecKeys.memberCount, "Instances (default: 3 with cloudnative-pg, else 1)."),
        KeyDescription("database", .nonEmptyText, "The database (default: the store's name as an identifier)."),
        KeyDescription("user", .nonEmptyText, "The application user.", default: .text("app")),
        KeyDescription("credentials", .object(SpecKeys.credentials), "Single mode: an existing Secret with `password`."),
        KeyDescription("external", .object(SpecKeys.externalDatabase), "External mode: where the database is."),
        KeyDescription("synchronous", .boolean, "cloudnative-pg: each commit waits for a standby (needs 2 or more instances).",
                       default: .boolean(false)),
        KeyDescription("backup", .object(SpecKeys.objectStoreBackup), "cloudnative-pg: base backups and WAL archiving to an object store."),
    ]
}

extension SpecKeys {
    static let externalDatabase = KeyTable("externalDatabase", "A database outside the cluster.", [
        KeyDescription("host", .nonEmptyText, "Its host name.", required: true),
        KeyDescription("port", portNumber, "Its port.", default: .integer(PostgresSettings.port.number)),
        KeyDescription("secret", .nonEmptyText, "A Secret with `username` and `password`.", required: true),
        KeyDescription("cidr", .nonEmptyText, "Its address range, for egress policy (default: any address on its port)."),
    ])
    static let objectStoreBackup = KeyTable("objectStoreBackup", "CloudNativePG base backups and WAL archiving to an object store.", [
        KeyDescription("destination", .nonEmptyText, "The object store path, `s3://bucket/path`.", required: true),
        KeyDescription("secret", .nonEmptyText,
                       "A Secret with `\(PostgresBackupSpec.accessKeyID)` and `\(PostgresBackupSpec.secretAccessKey)`.", required: true),
        KeyDescription("schedule", .nonEmptyText, "A six-field cron schedule, seconds first (`0 0 3 * * *` is 03:00 daily).",
                       default: .text("0 0 3 * * *")),
        KeyDescription("retention", .nonEmptyText, "How long backups are kept (`30d`).", default: .text("30d")),
    ])
}

extension SpecDecoder {
    fileprivate func decodePostgres(_ fields: Fields, store: String, at location: SourceLocation) -> PostgresSettings? {
        let mode = fields["mode"].flatMap { reader.choice($0, "PostgreSQL mode", as: PostgresMode.self) }
            ?? Located(.single, at: location, isDefault: true)
        let instances = fields["instances"].flatMap { reader.int($0, "'instances'", in: 1...99) }
            ?? Located(mode.value == .cloudnativePG ? 3 : 1, at: mode.location, isDefault: true)
        let database = fields["database"].flatMap { reader.nonEmptyString($0, "'database'") }
            ?? Located(Topology.identifier(store), at: location, isDefault: true)
        let user = fields["user"].flatMap { reader.nonEmptyString($0, "'user'") } ?? Located("app", at: location, isDefault: true)
        for value in [database, user] where !value.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            reader.error("invalid-value", "'\(value.value)' is not a plain PostgreSQL identifier (letters, digits, '_')", at: value.location)
        }
        let credentials = fields["credentials"].flatMap { reader.mapping($0, "'credentials'", known: SpecKeys.credentials) }
        let secret = credentials?["secret"].flatMap { reader.nonEmptyString($0, "'credentials.secret'") }
        var external: ExternalDatabaseSpec?
        switch mode.value {
        case .single:
            if secret == nil {
                reader.error("missing-field",
                             "single-mode PostgreSQL needs 'credentials.secret': an existing Secret with a 'password' key (clusterspec never generates passwords)",
                             at: fields.keyLocation("credentials") ?? location)
            }
        case .cloudnativePG:
            if fields.has("credentials") {
                reader.error("conflicting-fields", "CloudNativePG creates the '\(PostgresSettings.appSecret(store))' Secret itself; remove 'credentials'",
                             at: fields.keyLocation("credentials") ?? location)
            }
        case .external:
            guard let node = fields["external"], let inner = reader.mapping(node, "'external'", known: SpecKeys.externalDatabase) else {
                reader.error("missing-field", "external PostgreSQL needs 'external: {host, port, secret}'", at: mode.location)
                return nil
            }
            guard let host = inner["host"].flatMap({ reader.nonEmptyString($0, "'external.host'") }),
                  let secretName = inner["secret"].flatMap({ reader.nonEmptyString($0, "'external.secret'") }) else {
                reader.error("missing-field", "'external' needs 'host' and 'secret' (a Secret with 'username' and 'password')", at: node.location)
                return nil
            }
            external = ExternalDatabaseSpec(host: host, port: inner["port"].flatMap { reader.int($0, "'external.port'", in: 1...65535) }
                                                ?? Located(PostgresSettings.port.number, at: node.location, isDefault: true), secret: secretName,
                                            cidr: inner["cidr"].flatMap { cidr($0, "'external.cidr'") })
            for key in ["instances", "storage", "version", "image", "credentials"] where fields.has(key) {
                reader.error("conflicting-fields", "'\(key)' has no effect on an external database; remove it", at: fields.keyLocation(key) ?? location)
            }
        }
        var synchronous: Located<Bool>?
        var backup: PostgresBackupSpec?
        for key in ["synchronous", "backup"] where fields.has(key) && mode.value != .cloudnativePG {
            reader.error("conflicting-fields", "'\(key)' needs 'mode: cloudnative-pg' (the operator runs replication and backups)",
                         at: fields.keyLocation(key) ?? location)
        }
        if mode.value == .cloudnativePG {
            synchronous = fields["synchronous"].flatMap { reader.bool($0, "'synchronous'") }
            if let synchronous, synchronous.value, instances.value < 2 {
                reader.error("invalid-value",
                             "'synchronous' replication needs a standby to wait for: 'instances' is \(instances.value), it must be at least 2",
                             at: synchronous.location, notes: [DiagnosticNote("instances set here", at: instances.location)])
            }
            backup = fields["backup"].flatMap { decodeObjectStoreBackup($0) }
        }
        return PostgresSettings(mode: mode, instances: instances, database: database, user: user,
                                credentialsSecret: secret, external: external, synchronous: synchronous, backup: backup)
    }

    /// `backup: {destination, secret, schedule, retention}`.
    private func decodeObjectStoreBackup(_ node: YAMLNode) -> PostgresBackupSpec? {
        guard let fields = reader.mapping(node, "'backup'", known: SpecKeys.objectStoreBackup) else { return nil }
        guard let destination = fields["destination"].flatMap({ reader.nonEmptyString($0, "'backup.destination'") }),
              let secret = fields["secret"].flatMap({ reader.nonEmptyString($0, "'backup.secret'") }) else {
            reader.error("missing-field",
                         "'backup' needs 'destination' (s3://bucket/path) and 'secret' (a Secret with \(PostgresBackupSpec.accessKeyID) and \(PostgresBackupSpec.secretAccessKey))",
                         at: node.location)
            return nil
        }
        if !destination.value.hasPrefix("s3://") {
            reader.error("invalid-value", "'\(destination.value)' is not an object store path (s3://bucket/path)", at: destination.location)
        }
        let schedule = fields["schedule"].flatMap { reader.nonEmptyString($0, "'backup.schedule'") }
            ?? Located("0 0 3 * * *", at: node.location, isDefault: true)
        if schedule.value.split(separator: " ").count != 6 {
            reader.error("invalid-value", "CloudNativePG schedules have six fields, seconds first (\"0 0 3 * * *\" is 03:00 daily); found '\(schedule.value)'",
                         at: schedule.location)
        }
        let retention = fields["retention"].flatMap { reader.nonEmptyString($0, "'backup.retention'") } ?? Located("30d", at: node.location, isDefault: true)
        return PostgresBackupSpec(destination: destination, secret: secret, schedule: schedule, retention: retention, location: node.location)
    }
}

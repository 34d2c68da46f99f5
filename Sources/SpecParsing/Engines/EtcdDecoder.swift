import SpecModel

/// etcd: `members` (3 by default), `toolsImage` (the static busybox the entrypoint runs with) and
/// `backup: {schedule, keep, storage}`.
extension EtcdSettings: EngineDecoding {
    static func decode(_ fields: Fields, store: Located<String>, with decoder: SpecDecoder) -> EtcdSettings? {
        decoder.decodeEtcd(fields, at: store.location)
    }

    static let keyDescriptions = [
        KeyDescription("members", SpecKeys.memberCount, "Raft members (odd: 3 or 5).", default: .integer(3)),
        KeyDescription("toolsImage", .nonEmptyText, "The static busybox image the member entrypoint runs with.",
                       default: .text(EtcdSettings.defaultToolsImage)),
        KeyDescription("backup", .object(SpecKeys.snapshotBackup), "Periodic `etcdctl snapshot save` to a volume of their own (a CronJob)."),
    ]
}

extension SpecKeys {
    static let snapshotBackup = KeyTable("snapshotBackup", "Periodic snapshots to a volume, keeping the newest.", [
        KeyDescription("schedule", .nonEmptyText, "A cron schedule (five fields: `0 */6 * * *`).", required: true),
        KeyDescription("keep", .integer(2...1000), "Snapshots kept, the newest.", default: .integer(7)),
        KeyDescription("storage", .object(storage), "The snapshots' volume (default size: 10Gi)."),
    ])
}

extension SpecDecoder {
    fileprivate func decodeEtcd(_ fields: Fields, at location: SourceLocation) -> EtcdSettings? {
        guard let members = members(fields, default: 3, at: location) else { return nil }
        let tools = fields["toolsImage"].flatMap { reader.nonEmptyString($0, "'toolsImage'") }
            ?? Located(EtcdSettings.defaultToolsImage, at: location, isDefault: true)
        var backup: EtcdBackupSpec?
        if let node = fields["backup"], let inner = reader.mapping(node, "'backup'", known: SpecKeys.snapshotBackup) {
            guard let schedule = inner["schedule"].flatMap({ reader.nonEmptyString($0, "'backup.schedule'") }) else {
                if !inner.has("schedule") {
                    reader.error("missing-field", "'backup' needs 'schedule' (a cron expression, e.g. \"0 */6 * * *\")", at: node.location)
                }
                return nil
            }
            let keep = inner["keep"].flatMap { reader.int($0, "'backup.keep'", in: 2...1000) } ?? Located(7, at: node.location, isDefault: true)
            guard let storage = decodeStorage(inner["storage"], defaultSize: "10Gi", at: node.location) else { return nil }
            backup = EtcdBackupSpec(schedule: schedule, keep: keep, storage: storage, location: node.location)
        }
        return EtcdSettings(members: members, toolsImage: tools, backup: backup)
    }
}

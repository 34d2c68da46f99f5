import Testing
import SpecParsing
import SpecModel
import SpecDiagnostics
@testable import SpecRules

/// `statefulset-name-length` judges every StatefulSet a store runs, not only its quorum groups.
@Suite("Every StatefulSet of every store role is length-checked")
struct StatefulSetNameLengthTests {
    /// The StatefulSets reported for one store written as `store`.
    private func reported(_ store: String) throws -> [String] {
        let text = RuleExample.header + "secrets:\n  pg: {keys: [password]}\nstores:\n  \(store)\n"
        let parsed = SpecParser.parse(file: "x.cluster.yaml", bytes: Array(text.utf8))
        #expect(parsed.diagnostics.filter { $0.severity == .error }.isEmpty, "\(parsed.diagnostics.map(\.message))")
        let spec = try #require(parsed.spec)
        return RuleRegistry.check(spec, rules: [StatefulSetNameLength.self]).map { finding in
            String(finding.message.split(separator: "'")[1])
        }
    }

    // 53 characters: one more than the limit.
    let long53 = "orders-database-of-the-north-european-fulfilment-site"
    // 46 characters: `-broker`, `-shard1` and `-keeper` make 53.
    let long46 = "clickstream-events-of-the-north-european-shops"

    @Test func singlePostgresIsChecked() throws {
        #expect(try reported("\(long53): {engine: postgres, credentials: {secret: pg}}") == [long53])
    }

    @Test func cloudNativePGRunsNoStatefulSet() throws {
        #expect(try reported("\(long53): {engine: postgres, mode: cloudnative-pg}") == [])
    }

    @Test func kafkaBrokersAreCheckedWithTheControllers() throws {
        #expect(try reported("\(long46): {engine: kafka}") == ["\(long46)-controller", "\(long46)-broker"])
    }

    @Test func everyClickHouseShardAndKeeper() throws {
        #expect(try reported("\(long46): {engine: clickhouse, shards: 2, replicas: 2, keeper: {members: 3}}")
            == ["\(long46)-shard1", "\(long46)-shard2", "\(long46)-keeper"])
    }

    @Test func quorumStoresStillChecked() throws {
        #expect(try reported("\(long53): {engine: etcd}") == [long53])
        #expect(try reported("\(long53): {engine: vault}") == [long53])
    }
}

import Testing
import SpecModel
import SpecParsing
@testable import SpecRules

/// A replicated cache watched by a quorum of sentinels, the shape of Redis with Sentinel: two
/// roles, a port per role, flows among them, and facts that depend on the mode. Not registered —
/// it only shows that the description expresses such an engine and that the generic stages
/// (traffic graph, quorum rules, name checks) handle it without knowing it.
private struct SentinelCacheSettings: StoreEngine {
    static let name = "sentinel-cache"
    static let defaults = EngineDefaults(repository: "example/cache", version: "1", user: 999, group: 999, readOnlyRootFilesystem: true,
                                         storage: "1Gi")
    static let keys = ["replicas", "sentinels"]
    static let server = RoleKind(component: "cache")
    static let sentinel = RoleKind(component: "cache-sentinel", quorum: "cache sentinels")
    static let roleKinds = [server, sentinel]
    static let serverPort = NamedPort("cache", 6379), sentinelPort = NamedPort("sentinel", 26379)

    var replicas: Located<Int>
    var sentinels: Located<Int>?

    static func sentinels(_ store: String) -> String { "\(store)-sentinel" }

    func roles(named store: String) -> [StoreRole] {
        var roles = [StoreRole(Self.server, statefulSet: store, replicas: replicas, ports: [Self.serverPort], servesClients: true)]
        if let sentinels {
            roles.append(StoreRole(Self.sentinel, statefulSet: Self.sentinels(store), replicas: sentinels, ports: [Self.sentinelPort],
                                   servesClients: true))
        }
        return roles
    }

    func flows(of store: StoreSpec, in system: SystemSpec) -> [StoreFlow] {
        let name = store.name.value, watchers = Self.sentinels(name)
        var flows = [StoreFlow.peers(name, name, [Self.serverPort])]
        if sentinels != nil { flows += [.peers(watchers, watchers, [Self.sentinelPort]), .peers(watchers, name, [Self.serverPort])] }
        return flows
    }

    func clientPorts(of store: StoreSpec) -> [ClientPort] {
        guard sentinels != nil else { return [ClientPort(Self.serverPort)] }
        return [ClientPort(Self.serverPort, role: store.name.value), ClientPort(Self.sentinelPort, role: Self.sentinels(store.name.value))]
    }

    func connectionFacts(of store: StoreSpec, domain: String) -> [ConnectionFact] {
        let name = store.name.value, namespace = store.namespace.value
        guard let sentinels else {
            let host = Topology.serviceFQDN(name, namespace: namespace, domain: domain)
            return [ConnectionFact("host", .literal(host)), ConnectionFact("port", .literal("6379")), ConnectionFact("url", .literal("cache://\(host):6379"))]
        }
        let addresses = (0..<sentinels.value).map { "\(Topology.podFQDN(Self.sentinels(name), $0, namespace: namespace, domain: domain)):26379" }
        return [ConnectionFact("sentinels", .literal(addresses.joined(separator: ","))), ConnectionFact("masterName", .literal(name))]
    }
}

@Suite("A sixth engine fits the description")
struct EngineDescriptionTests {
    /// A system whose store `cache` runs `settings` (parsed as etcd, then given the new settings),
    /// used by `api` as `uses`.
    private func system(_ settings: SentinelCacheSettings, uses: String = "cache") throws -> SystemSpec {
        let text = "clusterspec: v1\nname: demo\nnamespaces:\n  apps: {}\nservices:\n  api: {image: x/api:1.0, uses: [\(uses)]}\n"
            + "stores:\n  cache: {engine: etcd}\n"
        var system = try #require(SpecParser.parse(file: "x.cluster.yaml", bytes: Array(text.utf8)).spec)
        system.stores[0].settings = settings
        return system
    }

    private func flows(_ system: SystemSpec) -> [String] {
        TrafficGraph(system).flows.map { flow in
            func name(_ endpoint: TrafficEndpoint) -> String { endpoint.group?.name ?? "outside" }
            return "\(name(flow.source)) → \(name(flow.destination)) \(flow.ports.map(\.description).joined(separator: ",")) \(flow.reason.rawValue)"
        }
    }

    private let at = SourceLocation.start(of: "x.cluster.yaml")

    @Test func sentinelModeRolesFlowsAndQuorum() throws {
        let system = try system(SentinelCacheSettings(replicas: Located(3, at: at), sentinels: Located(3, at: at)))
        let store = system.stores[0]
        #expect(store.statefulSets == ["cache", "cache-sentinel"])
        #expect(store.quorumGroups.map { "\($0.role) \($0.statefulSet) \($0.members.value)/\($0.quorum)" } == ["cache sentinels cache-sentinel 3/2"])
        // Clients reach each port only on the role serving it.
        #expect(flows(system) == [
            "cache → cache 6379 peers",
            "cache-sentinel → cache-sentinel 26379 peers",
            "cache-sentinel → cache 6379 peers",
            "api → cache 6379 uses",
            "api → cache-sentinel 26379 uses",
        ])
        let facts = try #require(Connections.facts(for: "cache", in: SystemIndex(system), domain: system.clusterDomain.value)).facts.map(\.name)
        #expect(facts == ["sentinels", "masterName"])
    }

    @Test func namingOnePortOpensOnlyItsRole() throws {
        let system = try system(SentinelCacheSettings(replicas: Located(3, at: at), sentinels: Located(3, at: at)),
                                uses: "{target: cache, ports: [sentinel]}")
        #expect(flows(system).filter { $0.hasSuffix("uses") } == ["api → cache-sentinel 26379 uses"])
    }

    @Test func standaloneModeHasNoSentinels() throws {
        let system = try system(SentinelCacheSettings(replicas: Located(1, at: at), sentinels: nil))
        #expect(system.stores[0].quorumGroups.isEmpty)
        #expect(flows(system) == ["cache → cache 6379 peers", "api → cache 6379 uses"])
        #expect(try #require(Connections.facts(for: "cache", in: SystemIndex(system), domain: system.clusterDomain.value)).facts.map(\.name) == ["host", "port", "url"])
    }

    @Test func genericQuorumRulesJudgeTheSentinels() throws {
        let system = try system(SentinelCacheSettings(replicas: Located(3, at: at), sentinels: Located(4, at: at)))
        let findings = RuleRegistry.check(system, environment: "prod", rules: [QuorumSizeOdd.self]).map(\.message)
        #expect(findings.count == 1 && findings[0].hasPrefix("cache sentinels 'cache-sentinel' has 4 members"), "\(findings)")
    }
}

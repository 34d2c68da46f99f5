import Testing
@testable import SpecParsing
import SpecModel
import SpecDiagnostics

/// Decodes `spec` with `overlays` (each a file body after its `overlay:` header) merged in order.
private func merged(_ spec: String, _ overlays: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) -> ParsedSpec {
    let base = SpecParser.load(file: "s.cluster.yaml", bytes: Array(spec.utf8))
    let loaded = overlays.enumerated().map { index, body in
        SpecParser.loadOverlay(file: "o\(index).yaml", bytes: Array("clusterspec: v1\noverlay: {spec: demo, environment: e\(index)}\n\(body)".utf8))
    }
    return SpecParser.decode(base, overlays: loaded)
}

private let base = """
    clusterspec: v1
    name: demo
    namespaces:
      apps: {}
    stores:
      etcd: {engine: etcd, members: 3}
      pg: {engine: postgres, mode: cloudnative-pg}
    services:
      api:
        image: x/api:1.0
        replicas: 2
        command: [api, serve]
        ports: {http: 8080, admin: 9090}
        env: {A: "1", B: "2"}
        uses: [etcd, {target: pg, env: {DATABASE_URL: uri}}]
      worker:
        image: x/worker:1.0

    """

@Suite("Overlay merge semantics: spec + overlay in, model out")
struct OverlayMergeTests {
    @Test func mappingsMergeByKeyAndScalarsReplace() throws {
        let spec = try #require(merged(base, ["services:\n  api: {replicas: 5, env: {B: two, C: \"3\"}}\n"]).spec)
        let api = try #require(spec.services.first { $0.name.value == "api" })
        #expect(api.replicas.value == 5)
        #expect(api.replicas.location.file == "o0.yaml", "the value came from the overlay, and says so")
        #expect(api.workload.container.image.value == "x/api:1.0", "untouched keys stay")
        let literals = api.workload.container.env.compactMap { variable -> String? in
            if case .literal(let value) = variable.source, !variable.name.isDefault { return "\(variable.name.value)=\(value.value)" }
            return nil
        }
        #expect(literals == ["A=1", "B=two", "C=3"], "merged by key, order kept, new keys appended")
    }

    @Test func anOverlaySetsPodDetails() throws {
        let overlay = """
            services:
              worker:
                priorityClassName: batch-low
                tolerations: [{key: spot, operator: Exists, effect: NoSchedule}]
                lifecycle: {preStop: {sleep: 5}}
                placement: {spread: [{topologyKey: topology.example.com/rack}]}
                sidecars: {agent: {image: x/agent:2.0}}
                initContainers: {prepare: {image: x/prepare:1.0, inherit: false}}

            """
        let parsed = merged(base, [overlay])
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics.map(\.message))")
        let worker = try #require(parsed.spec?.services.first { $0.name.value == "worker" }?.workload)
        #expect(worker.priorityClassName?.value == "batch-low")
        #expect(worker.priorityClassName?.location.file == "o0.yaml")
        #expect(worker.tolerations.map { $0.key?.value } == ["spot"])
        if case .sleep(let seconds) = worker.container.lifecycle?.preStop { #expect(seconds.value == 5) } else { Issue.record("no preStop sleep") }
        #expect(worker.placement.spread.map(\.topologyKey.value) == ["topology.example.com/rack"])
        #expect(worker.sidecars.map(\.container.image.value) == ["x/agent:2.0"])
        #expect(worker.initContainers.map(\.inherits) == [false])
    }

    @Test func listsReplace() throws {
        let spec = try #require(merged(base, ["services:\n  api: {command: [api, migrate]}\n"]).spec)
        #expect(spec.services[0].workload.container.command?.value == ["api", "migrate"])
    }

    @Test func nullRemovesAKeyOrAnElement() throws {
        let spec = try #require(merged(base, ["services:\n  worker: null\n  api: {env: {A: null}, ports: {admin: null}}\n"]).spec)
        #expect(spec.services.map(\.name.value) == ["api"])
        #expect(!spec.services[0].workload.container.env.contains { $0.name.value == "A" })
        #expect(spec.services[0].workload.container.ports.map(\.name.value) == ["http"])
    }

    @Test func keyedListsMergeByName() throws {
        let spec = try #require(merged(base, ["stores:\n  cache: {engine: etcd}\nservices:\n  api:\n    uses: [cache, {target: etcd, $patch: delete}, {target: pg, env: {PGURI: uri}}]\n"]).spec)
        let uses = spec.services[0].workload.uses
        #expect(uses.map(\.target.value) == ["pg", "cache"], "etcd removed, pg kept in place, cache appended")
        #expect(uses.first?.env?.map(\.key.value) == ["DATABASE_URL", "PGURI"], "pg's entry merged, not replaced")
    }

    @Test func patchReplaceReplacesInsteadOfMerging() throws {
        let spec = try #require(merged(base, ["services:\n  api:\n    env: {$patch: replace, ONLY: me}\n    uses: [{$patch: replace}, etcd]\n"]).spec)
        let own = spec.services[0].workload.container.env.filter { !$0.name.isDefault }.map(\.name.value)
        #expect(own == ["ONLY"])
        #expect(spec.services[0].workload.uses.map(\.target.value) == ["etcd"])
    }

    @Test func overlaysApplyInOrder() throws {
        let spec = try #require(merged(base, ["stores:\n  etcd: {members: 5}\n", "stores:\n  etcd: {members: 7}\n"]).spec)
        guard let etcd = spec.stores[0].settings as? EtcdSettings else { Issue.record("not etcd"); return }
        #expect(etcd.members.value == 7)
        #expect(etcd.members.location.file == "o1.yaml")
    }

    @Test func removingWhatDoesNotExistIsALocatedError() {
        let result = merged(base, ["services:\n  ghost: null\n  api: {env: {NOPE: null}, uses: [{target: redis, $patch: delete}]}\n"])
        let found = result.diagnostics.sorted(by: Diagnostic.sortKey).map { "\($0.location?.file ?? ""):\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.id) \($0.message)" }
        #expect(found == [
            "o0.yaml:4:10 overlay-removes-missing the overlay removes 'services.ghost', which the spec it layers on does not have",
            "o0.yaml:5:21 overlay-removes-missing the overlay removes 'services.api.env.NOPE', which the spec it layers on does not have",
            "o0.yaml:5:35 overlay-removes-missing the overlay removes 'services.api.uses.redis', which the spec it layers on does not have",
        ])
        #expect(result.spec == nil)
    }

    @Test func unknownKeysAndTypeChangesPointAtTheOverlay() {
        func found(_ overlay: String) -> [String] {
            merged(base, [overlay]).diagnostics.map { "\($0.location?.file ?? ""):\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.id)" }
        }
        #expect(found("services:\n  api: {replicaz: 3}\n") == ["o0.yaml:4:9 unknown-key"])
        #expect(found("services: [api]\n") == ["o0.yaml:3:11 type-mismatch"])
        #expect(found("services:\n  api: {replicas: many}\n") == ["o0.yaml:4:19 type-mismatch"])
    }
}

@Suite("Overlay files and parent chains")
struct OverlayResolverTests {
    static func overlay(_ file: String, _ header: String, _ body: String = "") -> LoadedOverlay {
        SpecParser.loadOverlay(file: file, bytes: Array("clusterspec: v1\noverlay: \(header)\n\(body)".utf8))
    }

    @Test func chainsAreOrderedParentsFirst() {
        let (plans, diagnostics) = OverlayResolver.resolve([
            Self.overlay("prod-eu.yaml", "{spec: demo, environment: prod-eu, parent: prod}"),
            Self.overlay("prod.yaml", "{spec: demo, environment: prod}"),
            Self.overlay("dev.yaml", "{spec: demo, environment: dev}"),
        ], systems: ["demo"])
        #expect(diagnostics.isEmpty)
        #expect(plans["demo"]?.map(\.name) == ["dev", "prod", "prod-eu"])
        #expect(plans["demo"]?.last?.chain.map(\.file) == ["prod.yaml", "prod-eu.yaml"])
        #expect(plans["demo"]?.last?.parent == "prod")
    }

    @Test func unknownSpecMissingParentCycleAndDuplicateAreLocated() {
        let (plans, diagnostics) = OverlayResolver.resolve([
            Self.overlay("a.yaml", "{spec: dmeo, environment: dev}"),
            Self.overlay("b.yaml", "{spec: demo, environment: prod, parent: prdo}"),
            Self.overlay("c.yaml", "{spec: demo, environment: x, parent: y}"),
            Self.overlay("d.yaml", "{spec: demo, environment: y, parent: x}"),
            Self.overlay("e.yaml", "{spec: demo, environment: staging}"),
            Self.overlay("f.yaml", "{spec: demo, environment: staging}"),
        ], systems: ["demo"])
        let found = diagnostics.map { "\($0.location?.file ?? ""):\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.id): \($0.message)" }.sorted()
        #expect(found == [
            "a.yaml:2:17 overlay-unknown-spec: overlay for unknown spec 'dmeo'; did you mean 'demo'?",
            "b.yaml:2:50 overlay-unknown-parent: parent environment 'prdo' of 'demo' has no overlay",
            "c.yaml:2:47 overlay-cycle: the parents of environment 'x' form a cycle: x → y → x",
            "d.yaml:2:47 overlay-cycle: the parents of environment 'y' form a cycle: y → x → y",
            "f.yaml:2:36 duplicate-name: environment 'staging' of 'demo' is defined by two overlays",
        ])
        #expect(plans["demo"]?.map(\.name) == ["staging"])
    }

    @Test func overlayHeaderProblems() {
        let noHeader = SpecParser.loadOverlay(file: "h.yaml", bytes: Array("clusterspec: v1\nservices: {}\n".utf8))
        #expect(noHeader.diagnostics.map(\.id) == ["missing-field"])
        let rename = Self.overlay("r.yaml", "{spec: demo, environment: dev}", "name: other\n")
        #expect(rename.diagnostics.map(\.message) == ["an overlay cannot rename its system; remove 'name'"])
        let badEnv = Self.overlay("e.yaml", "{spec: demo, environment: Prod}")
        #expect(badEnv.diagnostics.map(\.id) == ["invalid-name"])
    }
}

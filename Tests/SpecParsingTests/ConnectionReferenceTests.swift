import Testing
@testable import SpecParsing
import SpecModel
import SpecDiagnostics

/// `${connection:<target>.<fact>}` in environment values: expanded exactly as in ConfigMap data,
/// and an unknown target or fact is an error at the value's line.
@Suite("Connection references in env values")
struct ConnectionReferenceTests {
    static let system = spec("""
        stores:
          etcd: {engine: etcd, members: 3}
          pg: {engine: postgres, mode: cloudnative-pg}
        services:
          frontend: {image: x/frontend:1.0, ports: {grpc: 7233}}

        """)

    /// The literal value of `name` in `env`.
    static func literal(_ env: [EnvVarSpec], _ name: String) -> String? {
        env.first { $0.name.value == name }.flatMap { variable in
            if case .literal(let value) = variable.source { return value.value }
            return nil
        }
    }

    @Test func envValuesAreExpandedLikeConfigMapData() throws {
        let model = try model(Self.system + """
              history:
                image: x/history:1.0
                env:
                  FRONTEND_ADDRESS: ${connection:frontend.host}:7233
                  ETCD: "[${connection:etcd.addresses}]"
                  PLAIN: no reference here
                initContainers:
                  schema: {command: [setup]}
            configMaps:
              cfg:
                data: {frontend: "${connection:frontend.host}:7233"}

            """)
        let history = try #require(model.services.first { $0.name.value == "history" })
        let env = history.workload.container.env
        #expect(Self.literal(env, "FRONTEND_ADDRESS") == "frontend.apps.svc.cluster.local:7233")
        #expect(Self.literal(env, "ETCD") == "[etcd-0.etcd-headless.apps.svc.cluster.local:2379,etcd-1.etcd-headless.apps.svc.cluster.local:2379,etcd-2.etcd-headless.apps.svc.cluster.local:2379]")
        #expect(Self.literal(env, "PLAIN") == "no reference here")
        #expect(Self.literal(history.workload.initContainers[0].container.env, "FRONTEND_ADDRESS") == "frontend.apps.svc.cluster.local:7233",
                "the init container inherits the expanded value")
        #expect(model.configMaps[0].data[0].value.value == Self.literal(env, "FRONTEND_ADDRESS"), "one substitution for both")
    }

    @Test func unknownTargetAndFactAreLocatedErrorsReportedOnce() {
        let text = Self.system + """
              history:
                image: x/history:1.0
                env:
                  A: ${connection:fronted.host}
                  B: ${connection:frontend.hots}
                initContainers:
                  schema: {command: [setup]}

            """
        #expect(diagnostics(text) == [
            "13:10 unknown-connection-fact: 'fronted.host' in env 'A' of service 'history' names no store or service; did you mean 'frontend'?",
            "14:10 unknown-connection-fact: 'frontend' offers no connection fact 'hots'; did you mean 'host'?",
        ])
    }

    @Test func secretFactsCannotBeWrittenIntoAValue() {
        let text = Self.system + """
              api: {image: x/api:1.0, env: {DSN: "postgres://app:${connection:pg.password}@db"}}

            """
        #expect(diagnostics(text) == [
            "10:38 unknown-connection-fact: 'pg.password' in env 'DSN' of service 'api' is a Secret value; only non-secret facts can be written into a value",
        ])
    }

    @Test func sidecarsAndInitContainersOfTheirOwnToo() throws {
        let model = try model(Self.system + """
              history:
                image: x/history:1.0
                uses: [etcd]
                sidecars:
                  proxy: {image: x/proxy:1.0, env: {UPSTREAM: "${connection:frontend.host}:7233"}}
                initContainers:
                  wait: {image: x/wait:1.0, inherit: false, env: {TARGET: "${connection:frontend.host}"}}

            """)
        let history = try #require(model.services.first { $0.name.value == "history" }?.workload)
        #expect(Self.literal(history.sidecars[0].container.env, "UPSTREAM") == "frontend.apps.svc.cluster.local:7233")
        #expect(history.initContainers[0].container.env.map(\.name.value) == ["TARGET"],
                "inherit: false: no injected connection variables either")
        #expect(Self.literal(history.initContainers[0].container.env, "TARGET") == "frontend.apps.svc.cluster.local")
        #expect(history.container.env.contains { $0.name.value.hasPrefix("ETCD_") }, "the main container gets the uses: facts")
        #expect(diagnostics(Self.system + """
              history:
                image: x/history:1.0
                sidecars:
                  proxy: {image: x/proxy:1.0, env: {UPSTREAM: "${connection:frontend.hots}"}}

            """) == [
            "13:51 unknown-connection-fact: 'frontend' offers no connection fact 'hots'; did you mean 'host'?",
        ])
    }

    @Test func jobsAndStatefulServicesToo() throws {
        let model = try model(Self.system + """
            jobs:
              seed: {image: x/seed:1.0, env: {TARGET: "${connection:frontend.host}"}}
            statefulServices:
              cache: {image: x/cache:1.0, ports: {client: 6000}, env: {UPSTREAM: "${connection:frontend.port}"}}

            """)
        #expect(Self.literal(model.jobs[0].workload.container.env, "TARGET") == "frontend.apps.svc.cluster.local")
        #expect(Self.literal(model.statefulServices[0].workload.container.env, "UPSTREAM") == "7233")
    }

    @Test func aValueAnOverlaySetIsReportedAtTheOverlayLine() throws {
        let base = SpecParser.load(file: "s.cluster.yaml", bytes: Array((Self.system + "  api: {image: x/api:1.0}\n").utf8))
        let overlay = SpecParser.loadOverlay(file: "prod.yaml", bytes: Array("""
            clusterspec: v1
            overlay: {spec: demo, environment: prod}
            services:
              api:
                env: {UPSTREAM: "${connection:frontend.address}"}

            """.utf8))
        let parsed = SpecParser.decode(base, overlays: [overlay])
        let errors = parsed.diagnostics.map { "\($0.location?.description ?? "-") \($0.message)" }
        #expect(errors == ["prod.yaml:5:21 'frontend' offers no connection fact 'address'"])
    }
}

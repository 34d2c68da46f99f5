import Testing
@testable import SpecParsing
import SpecModel
import SpecDiagnostics

/// Workers, singletons and their impossible combinations: located parse errors.
@Suite("Workers and singletons parse into the model or into located errors")
struct WorkloadParsingTests {
    @Test func workersAreServicesThatServeNoOne() throws {
        let model = try model(spec("""
            services:
              api: {image: x/api:1.0, ports: {http: 8080}}
            workers:
              consumer: {image: x/consumer:1.0, replicas: 2, ports: {metrics: 9090}}

            """))
        #expect(model.services.map(\.name.value) == ["api", "consumer"])
        #expect(model.services.map(\.kind) == [.service, .worker])
        #expect(model.services[1].serviceGroups.isEmpty, "a worker's ports are published by no Service")
    }

    @Test func aWorkerTakesNoServiceKeys() {
        #expect(diagnostics(spec("workers:\n  consumer: {image: x/c:1.0, ports: {http: 8080}, expose: {host: a.example.com}}\n")) == [
            "6:51 unknown-key: unknown key 'expose' in worker 'consumer'",
        ])
        #expect(diagnostics(spec("workers:\n  consumer: {image: x/c:1.0, ports: {m: 9090}, metrics: {port: m, serviceMonitor: true}}\n")) == [
            "6:57 conflicting-fields: worker 'consumer' has no Service for a ServiceMonitor to select; Prometheus finds its pods by their scrape annotations",
        ])
    }

    @Test func recreateIsASingleton() throws {
        let model = try model(spec("workers:\n  scheduler: {image: x/s:1.0, strategy: recreate}\n"))
        let scheduler = model.services[0]
        #expect(scheduler.strategy.isRecreate)
        #expect(scheduler.replicas.value == 1)
        #expect(scheduler.pdb.budget?.value == .maxUnavailable(.count(1)))
    }

    @Test func recreateWithAnAutoscalerOrReplicasIsAnError() {
        #expect(diagnostics(spec("workers:\n  scheduler: {image: x/s:1.0, strategy: recreate, autoscale: {min: 1, max: 3, cpu: 80}}\n")) == [
            "6:41 conflicting-fields: 'strategy: recreate' runs a singleton, but 'autoscale' would run up to 3 pods",
        ])
        #expect(diagnostics(spec("services:\n  ui: {image: x/ui:1.0, replicas: 2, strategy: recreate}\n")) == [
            "6:48 conflicting-fields: 'strategy: recreate' runs a singleton, but 'replicas' is 2",
        ])
        #expect(diagnostics(spec("services:\n  ui: {image: x/ui:1.0, strategy: rolling}\n")) == [
            "6:35 type-mismatch: expected 'recreate' or a rolling-update budget {maxSurge, maxUnavailable} for 'strategy', found 'rolling'",
        ])
    }

    @Test func anOverlayThatScalesASingletonIsReportedAtItsLine() {
        let base = SpecParser.load(file: "s.cluster.yaml", bytes: Array(spec("workers:\n  scheduler: {image: x/s:1.0, strategy: recreate}\n").utf8))
        let overlay = SpecParser.loadOverlay(file: "prod.yaml", bytes: Array(
            "clusterspec: v1\noverlay: {spec: demo, environment: prod}\nworkers:\n  scheduler: {replicas: 3}\n".utf8))
        let parsed = SpecParser.decode(base, overlays: [overlay])
        let found = parsed.diagnostics.map { diagnostic in
            "\(diagnostic.location?.description ?? "-") \(diagnostic.message) | " + diagnostic.notes.map { "\($0.location?.description ?? "-") \($0.message)" }.joined()
        }
        // The spec line is the error and the overlay line its note here; the compiler moves findings
        // whose note points into an overlay to the overlay line (OverlayAttribution, tested end to end).
        #expect(found == ["s.cluster.yaml:6:41 'strategy: recreate' runs a singleton, but 'replicas' is 3 | prod.yaml:4:25 replicas"])
    }
}

@Suite("from: on public Services")
struct PublicSourcesParsingTests {
    @Test func rangesAreCIDRs() {
        #expect(diagnostics(spec("services:\n  gw: {image: x/gw:1.0, ports: {http: 80}, service: {type: LoadBalancer, from: [10.0.0.0/33]}}\n")) == [
            "6:81 invalid-value: '10.0.0.0/33' is not an address range: expected CIDR notation such as 10.0.0.0/16 or 2001:db8::/32",
        ])
        #expect(diagnostics(spec("services:\n  gw: {image: x/gw:1.0, ports: {http: 80}, service: {type: LoadBalancer, from: everywhere}}\n")) == [
            "6:80 type-mismatch: expected 'anywhere' or a list of address ranges (CIDRs) for 'from', found 'everywhere'",
        ])
        #expect(diagnostics(spec("services:\n  gw: {image: x/gw:1.0, ports: {http: 80}, service: {type: LoadBalancer, from: []}}\n")) == [
            "6:80 invalid-value: 'from' lists no address range: nothing outside the cluster could reach the Service",
        ])
    }

    @Test func aClusterIPServiceHasNoOutsideClients() {
        #expect(diagnostics(spec("services:\n  gw: {image: x/gw:1.0, ports: {http: 80}, service: {from: anywhere}}\n")) == [
            "6:60 conflicting-fields: 'from' says where outside traffic comes from, but a ClusterIP Service is reachable only inside the cluster",
        ])
    }
}

@Suite("routes: located errors")
struct RouteParsingTests {
    static let services = spec("""
          tools: {}
        defaults: {namespace: apps}
        services:
          web: {image: x/web:1.0, ports: {http: 8080}}
          api: {image: x/api:1.0, ports: {http: 8080, debug: 6060}, service: {ports: [http]}}
          ops: {image: x/ops:1.0, namespace: tools, ports: {http: 8080}}
        workers:
          consumer: {image: x/consumer:1.0}

        """)

    @Test func backendsArePublishedPortsOfServicesInTheRoutesNamespace() {
        #expect(diagnostics(Self.services + "routes:\n  app: {host: app.example.com, paths: {/: web, /x: wbe, /w: consumer, /d: {service: api, port: debug}, /o: ops}}\n") == [
            "14:52 unknown-service: route 'app' routes '/x' to 'wbe', which is not a service of this spec; did you mean 'web'?",
            "14:61 unknown-service: 'consumer' is a worker: it serves no traffic to route to",
            "14:96 unknown-port: route 'app' routes '/d' to port 'debug' of service 'api', which none of its Services publishes",
            "14:108 conflicting-fields: 'ops' runs in namespace 'tools', but route 'app' is an Ingress in 'apps': an Ingress routes only to Services of its own namespace",
        ])
    }

    @Test func aServiceWithoutPortsCannotBeRoutedOrExposed() {
        #expect(diagnostics(spec("services:\n  quiet: {image: x/q:1.0, expose: {host: q.example.com}}\nroutes:\n  r: {host: r.example.com, paths: {/: quiet}}\n")) == [
            "6:35 missing-field: 'expose' needs a port: service 'quiet' declares none",
            "8:39 missing-field: route 'r' routes '/' to service 'quiet', which declares no ports",
        ])
    }

    @Test func aHostAndPathIsRoutedOnce() {
        #expect(diagnostics(Self.services + "routes:\n  app: {host: app.example.com, paths: {/: web}}\n  more: {host: app.example.com, paths: {/: api}}\n") == [
            "15:41 duplicate-route: app.example.com/ is routed twice: an ingress controller would pick one of them",
        ])
        #expect(diagnostics(Self.services + "routes:\n  app: {host: app.example.com, paths: {api: web}}\n") == [
            "14:40 invalid-value: ingress path must start with '/', found 'api'",
        ])
    }
}

/// Pod details that Kubernetes would reject, or that would silently mean something else: located errors.
@Suite("Pod details parse into the model or into located errors")
struct PodDetailsParsingTests {
    @Test func aPreStopHookIsExactlyOneAction() {
        #expect(diagnostics(spec("services:\n  api: {image: x/a:1.0, lifecycle: {preStop: {sleep: 5, exec: [drain]}}}\n")) == [
            "6:46 conflicting-fields: 'preStop' needs exactly one of 'exec', 'sleep' or 'path'",
        ])
        #expect(diagnostics(spec("workers:\n  w: {image: x/w:1.0, lifecycle: {preStop: {path: /drain}}}\n")) == [
            "6:44 missing-field: 'preStop' needs a port: worker 'w' declares none",
        ])
        #expect(diagnostics(spec("services:\n  api: {image: x/a:1.0, ports: {http: 80}, lifecycle: {preStop: {sleep: 5, port: http}}}\n")) == [
            "6:76 conflicting-fields: 'port' applies to 'path' hooks only",
        ])
    }

    @Test func tolerationsSayWhatTheyMatch() {
        #expect(diagnostics(spec("services:\n  api: {image: x/a:1.0, tolerations: [{key: k, value: v, tolerationSeconds: 5}]}\n")) == [
            "6:77 conflicting-fields: 'tolerationSeconds' applies to 'effect: NoExecute' only",
        ])
        #expect(diagnostics(spec("services:\n  api: {image: x/a:1.0, tolerations: [{operator: Exists, key: k, value: v}]}\n")) == [
            "6:73 conflicting-fields: operator 'Exists' matches any value; remove 'value'",
        ])
        #expect(diagnostics(spec("services:\n  api: {image: x/a:1.0, tolerations: [{value: v}]}\n")) == [
            "6:39 missing-field: a toleration needs 'key' (or 'operator: Exists' alone to tolerate every taint)",
        ])
    }

    @Test func spreadsAreOverOtherLabelsOnceEach() {
        #expect(diagnostics(spec("services:\n  api: {image: x/a:1.0, placement: {spread: [{topologyKey: topology.kubernetes.io/zone}]}}\n")) == [
            "6:60 invalid-value: spreading over zones is 'placement.zones' (with its mode), not a 'spread' entry",
        ])
        #expect(diagnostics(spec("services:\n  api: {image: x/a:1.0, placement: {spread: [{topologyKey: rack}, {topologyKey: rack, mode: preferred, minDomains: 2}]}}\n")) == [
            "6:81 duplicate-key: two 'spread' entries spread over 'rack'",
            "6:116 conflicting-fields: 'minDomains' applies to 'mode: required' only",
        ])
    }

    @Test func sidecarsShareVolumesByNameAndInitContainersMayInheritNothing() throws {
        let model = try model(spec("""
            secrets:
              db: {namespace: apps, keys: [password]}
            services:
              api:
                image: x/a:1.0
                env: {PASSWORD: {secret: db, key: password}, MODE: fast}
                volumes: {cache: {emptyDir: {}, mountPath: /cache}}
                sidecars:
                  agent: {image: x/agent:1.0, volumes: {cache: {mountPath: /data, readOnly: true}}}
                initContainers:
                  fresh: {image: x/init:1.0, inherit: false, env: {MODE: slow}}
                  inherited: {command: [/migrate]}
            """))
        let api = model.services[0].workload
        #expect(api.sidecars.map(\.name.value) == ["agent"])
        let shared = try #require(api.sidecars.first?.container.volumes.first)
        #expect(shared.mountPath.value == "/data" && shared.readOnly)
        if case .emptyDir = shared.source {} else { Issue.record("the sidecar mounts the main container's emptyDir, found \(shared.source)") }
        #expect(api.initContainers.map(\.inherits) == [false, true])
        #expect(api.initContainers[0].container.env.map(\.name.value) == ["MODE"])
        #expect(api.initContainers[0].container.volumes.isEmpty)
        #expect(api.initContainers[1].container.env.map(\.name.value) == ["PASSWORD", "MODE"])
        #expect(api.podContainers.map(\.owner) == ["api", "api/fresh", "api/inherited", "api/agent"])
    }

    @Test func aSidecarVolumeOfAnotherSourceUnderTheSameNameIsAnError() {
        #expect(diagnostics(spec("""
            services:
              api:
                image: x/a:1.0
                volumes: {cache: {emptyDir: {}, mountPath: /cache}}
                sidecars:
                  agent: {image: x/agent:1.0, volumes: {cache: {claim: data, mountPath: /data}}, securityContext: {fsGroup: 2000}}
            """)) == [
            "10:45 conflicting-fields: volume 'cache' of sidecar 'agent' of service 'api' is another volume than the main container's of that name",
            "10:113 invalid-value: 'fsGroup' is the pod's (it owns every volume): set it on service 'api', not on a sidecar",
        ])
        #expect(diagnostics(spec("services:\n  api: {image: x/a:1.0, volumes: {t: {emptyDir: {}, mountPath: /t}}, sidecars: {agent: {image: x/agent:1.0, volumes: {other: {mountPath: /x}}}}}\n")) == [
            "6:126 missing-field: volume 'other' needs exactly one of 'configMap', 'secret', 'emptyDir' or 'claim', or the name of a volume of the main container to share",
        ])
    }
}

import Foundation
import SpecModel
import Testing

/// The judges are only worth their verdicts if they apply Kubernetes' and Istio's rules, and if a
/// wrong policy or a wrong spec makes the reachability comparison fail. These tests show both.
@Suite("The reachability judges")
struct EvaluatorTests {
    static let pods = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: a}
        spec:
          template:
            metadata: {labels: {app: web}}
            spec: {serviceAccountName: web, containers: [{name: web, ports: [{containerPort: 8080}, {containerPort: 53, protocol: UDP}]}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: db, namespace: a}
        spec:
          template:
            metadata: {labels: {app: db}}
            spec: {serviceAccountName: db, containers: [{name: db, ports: [{containerPort: 5432}]}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: job, namespace: b}
        spec:
          template:
            metadata: {labels: {app: web}}
            spec: {serviceAccountName: job, containers: [{name: job}]}

        """

    static func cluster(_ policies: String) throws -> (ClusterModel, NetworkPolicyEvaluator) {
        var cluster = try ClusterModel(stream: pods + "---\n" + policies)
        cluster.addAddress("203.0.113.9", ports: [Port(443)])
        let evaluator = NetworkPolicyEvaluator(cluster)
        #expect(evaluator.problems.isEmpty, "\(evaluator.problems)")
        return (cluster, evaluator)
    }

    static func pod(_ cluster: ClusterModel, _ id: String) -> Endpoint { cluster.pods.first { $0.id == id }! }

    @Test func unselectedPodsAllowEverythingAndSelectedOnesOnlyTheirRules() throws {
        let (cluster, evaluator) = try Self.cluster("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: db, namespace: a}
            spec:
              podSelector: {matchLabels: {app: db}}
              policyTypes: [Ingress]
              ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432, protocol: TCP}]}]

            """)
        let web = Self.pod(cluster, "a/web"), db = Self.pod(cluster, "a/db"), job = Self.pod(cluster, "b/job")
        #expect(evaluator.allows(web, db, Port(5432), in: cluster))
        #expect(!evaluator.allows(job, db, Port(5432), in: cluster), "a podSelector alone means the policy's namespace")
        #expect(!evaluator.allows(web, db, Port(5433), in: cluster), "ports restrict")
        #expect(evaluator.allows(db, web, Port(8080), in: cluster), "web is selected by nothing; db's egress is not isolated")
        #expect(evaluator.allows(db, cluster.addresses[0], Port(443), in: cluster), "Ingress-only policies leave egress open")
    }

    @Test func namespaceAndPodSelectorsInOnePeerAreAndInTwoPeersOr() throws {
        let and = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: db, namespace: a}
            spec:
              podSelector: {matchLabels: {app: db}}
              policyTypes: [Ingress]
              ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: b}}, podSelector: {matchLabels: {app: web}}}]}]

            """
        let (cluster, evaluator) = try Self.cluster(and)
        #expect(evaluator.allows(Self.pod(cluster, "b/job"), Self.pod(cluster, "a/db"), Port(5432), in: cluster))
        #expect(!evaluator.allows(Self.pod(cluster, "a/web"), Self.pod(cluster, "a/db"), Port(5432), in: cluster))
        let or = and.replacingOccurrences(
            of: "[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: b}}, podSelector: {matchLabels: {app: web}}}]",
            with: "[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: b}}}, {podSelector: {matchLabels: {app: web}}}]")
        #expect(or != and)
        let (cluster2, evaluator2) = try Self.cluster(or)
        #expect(evaluator2.allows(Self.pod(cluster2, "a/web"), Self.pod(cluster2, "a/db"), Port(5432), in: cluster2),
                "as a second peer the podSelector admits web of namespace a")
    }

    @Test func egressNeedsARuleAndProtocolsAndIPBlocksCount() throws {
        let (cluster, evaluator) = try Self.cluster("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: a}
            spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: web-out, namespace: a}
            spec:
              podSelector: {matchLabels: {app: web}}
              policyTypes: [Egress]
              egress:
              - to: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.8/30]}}]
                ports: [{port: 443, protocol: TCP}]
              - to: [{podSelector: {matchLabels: {app: web}}}]
                ports: [{port: 53, protocol: UDP}]

            """)
        let web = Self.pod(cluster, "a/web"), db = Self.pod(cluster, "a/db")
        #expect(!evaluator.allows(web, cluster.addresses[0], Port(443), in: cluster), "203.0.113.9 is in the except range")
        #expect(!evaluator.allows(web, web, Port(53, "TCP"), in: cluster), "the rule is for UDP")
        #expect(!evaluator.allows(web, web, Port(53, "UDP"), in: cluster), "egress allows it, web's ingress (default deny) does not")
        #expect(!evaluator.allows(db, web, Port(8080), in: cluster))
        #expect(evaluator.allows(Self.pod(cluster, "b/job"), Self.pod(cluster, "b/job"), Port(8080), in: cluster), "namespace b has no policy")
    }

    @Test func istioModesAndAuthorization() throws {
        var cluster = try ClusterModel(stream: Self.pods + """
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: a}
            spec: {mtls: {mode: STRICT}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: db-metrics, namespace: a}
            spec: {selector: {matchLabels: {app: db}}, mtls: {mode: STRICT}, portLevelMtls: {9187: {mode: PERMISSIVE}}}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: allow-nothing, namespace: a}
            spec: {}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: db, namespace: a}
            spec:
              selector: {matchLabels: {app: db}}
              action: ALLOW
              rules:
              - from: [{source: {principals: [cluster.local/ns/a/sa/web]}}]
                to: [{operation: {ports: ["5432"]}}]
              - from: [{source: {notPrincipals: ["*"]}}]
                to: [{operation: {ports: ["9187"]}}]

            """)
        cluster.addPod(namespace: "monitoring", name: "prometheus", labels: [:], ports: [])
        let istio = IstioEvaluator(cluster, rootNamespace: "istio-system", trustDomain: "cluster.local")
        #expect(istio.problems.isEmpty)
        let web = Self.pod(cluster, "a/web"), db = Self.pod(cluster, "a/db"), job = Self.pod(cluster, "b/job")
        let prometheus = Self.pod(cluster, "monitoring/prometheus")
        #expect(istio.mode(of: db, port: Port(5432)) == "STRICT")
        #expect(istio.mode(of: db, port: Port(9187)) == "PERMISSIVE")
        #expect(istio.allows(web, sourceMeshed: true, db, Port(5432)))
        #expect(!istio.allows(job, sourceMeshed: true, db, Port(5432)), "another principal")
        #expect(!istio.allows(web, sourceMeshed: false, db, Port(5432)), "STRICT refuses plaintext")
        #expect(istio.allows(prometheus, sourceMeshed: false, db, Port(9187)), "plaintext on the permissive port")
        #expect(!istio.allows(web, sourceMeshed: true, db, Port(9187)), "notPrincipals * admits only callers without identity")
        #expect(!istio.allows(db, sourceMeshed: true, web, Port(8080)), "allow-nothing covers workloads without their own policy")
    }

    // MARK: Mutations: the comparison catches a wrong policy and a wrong spec

    static func mismatches(_ example: ExampleEnvironment, spec: SystemSpec? = nil,
                           mutate: (inout [[String: Any]]) -> Void = { _ in }) throws -> (network: [String], mesh: [String]) {
        let spec = spec ?? example.spec
        var cluster = try clusterAround(example.spec, stream: example.stream)
        mutate(&cluster.objects)
        let declared = DeclaredTraffic(spec)
        let network = networkMismatches(spec, cluster, NetworkPolicyEvaluator(cluster), declared).mismatches
        let mesh = meshMismatches(spec, cluster, IstioEvaluator(cluster, rootNamespace: "istio-system", trustDomain: "cluster.local"),
                                  NetworkPolicyEvaluator(cluster), declared).mismatches
        return (network, mesh)
    }

    static func editing(_ objects: inout [[String: Any]], kind: String, name: String, _ edit: (inout [String: Any]) -> Void) {
        for index in objects.indices where objects[index]["kind"] as? String == kind
            && (objects[index]["metadata"] as? [String: Any])?["name"] as? String == name {
            var spec = objects[index]["spec"] as? [String: Any] ?? [:]
            edit(&spec)
            objects[index]["spec"] = spec
        }
    }

    @Test func aMissingNetworkPolicyRuleIsCaught() throws {
        let goverse = ExampleEnvironment(system: "goverse", environment: nil)
        #expect(try Self.mismatches(goverse).network.isEmpty)
        let found = try Self.mismatches(goverse) { objects in
            Self.editing(&objects, kind: "NetworkPolicy", name: "etcd") { spec in
                var ingress = spec["ingress"] as? [[String: Any]] ?? []
                ingress.removeLast()
                spec["ingress"] = ingress
            }
        }.network
        #expect(found.contains { $0.contains("→ goverse/etcd on 2379/TCP: the policies deny it, the spec declares it") }, "\(found.prefix(3))")
    }

    @Test func anOverlyBroadNetworkPolicyIsCaught() throws {
        let goverse = ExampleEnvironment(system: "goverse", environment: nil)
        let found = try Self.mismatches(goverse) { objects in
            Self.editing(&objects, kind: "NetworkPolicy", name: "postgres") { spec in
                var ingress = spec["ingress"] as? [[String: Any]] ?? []
                ingress.append(["from": [["namespaceSelector": [String: Any]()]]])   // every pod of every namespace, every port
                spec["ingress"] = ingress
            }
        }.network
        #expect(found.contains { $0.hasPrefix("elsewhere/stranger → goverse/postgres on 5432/TCP: the policies allow it") }, "\(found.prefix(3))")
    }

    @Test func aDependencyThePoliciesDoNotCarryIsCaught() throws {
        let goverse = ExampleEnvironment(system: "goverse", environment: nil)
        var spec = goverse.spec
        let index = try #require(spec.services.firstIndex { $0.name.value == "inspector" })
        spec.services[index].workload.uses.append(DependencySpec(target: Located("postgres", at: spec.name.location)))
        let found = try Self.mismatches(goverse, spec: spec).network
        #expect(found.contains { $0.hasPrefix("goverse/inspector → goverse/postgres on 5432/TCP: the policies deny it, the spec declares it") },
                "\(found.prefix(3))")
    }

    @Test func aWrongPrincipalIsCaught() throws {
        let platform = ExampleEnvironment(system: "platform-kernel", environment: nil)
        #expect(try Self.mismatches(platform).mesh.isEmpty)
        let found = try Self.mismatches(platform) { objects in
            Self.editing(&objects, kind: "AuthorizationPolicy", name: "money") { spec in
                spec["rules"] = [["from": [["source": ["principals": ["cluster.local/ns/platform-services/sa/search"]]]],
                                  "to": [["operation": ["ports": ["8080", "50050"]]]]]]
            }
        }.mesh
        #expect(found.contains { $0.hasPrefix("platform-services/gateway → platform-services/money on 8080/TCP: the sidecar refuses it, the spec makes it admissible") })
        #expect(found.contains { $0.hasPrefix("platform-services/search → platform-services/money on 8080/TCP: the sidecar accepts it, the spec does not declare it") })
    }

    @Test func admittingCallersWithoutASidecarEverywhereIsCaught() throws {
        let shop = ExampleEnvironment(system: "shop", environment: nil)
        #expect(try Self.mismatches(shop).mesh.isEmpty)
        let found = try Self.mismatches(shop) { objects in
            for index in objects.indices where objects[index]["kind"] as? String == "AuthorizationPolicy" {
                var spec = objects[index]["spec"] as? [String: Any] ?? [:]
                spec["rules"] = (spec["rules"] as? [[String: Any]] ?? []).map { rule in
                    var rule = rule
                    rule["from"] = (rule["from"] as? [[String: Any]] ?? []) + [["source": ["notPrincipals": ["*"]]]]
                    return rule
                }
                objects[index]["spec"] = spec
            }
        }.mesh
        #expect(found.contains { $0.hasPrefix("elsewhere/stranger → partners/pricing on 50051/TCP: the sidecar accepts it, the spec does not declare it") },
                "\(found.prefix(3))")
    }

    @Test func istioIPBlocksMatchTheSourceAddress() throws {
        var cluster = try ClusterModel(stream: Self.pods + """
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: web, namespace: a}
            spec:
              selector: {matchLabels: {app: web}}
              action: ALLOW
              rules: [{from: [{source: {ipBlocks: [192.0.2.0/24, "2001:db8::/32"]}}], to: [{operation: {ports: ["8080"]}}]}]

            """)
        cluster.addAddress("192.0.2.1", ports: [Port(8080)])
        cluster.addAddress("198.51.100.7", ports: [Port(8080)])
        let istio = IstioEvaluator(cluster, rootNamespace: "istio-system", trustDomain: "cluster.local")
        #expect(istio.problems.isEmpty)
        let web = Self.pod(cluster, "a/web")
        #expect(istio.allows(cluster.addresses[0], sourceMeshed: false, web, Port(8080)))
        #expect(!istio.allows(cluster.addresses[1], sourceMeshed: false, web, Port(8080)), "outside the range")
        #expect(!istio.allows(cluster.addresses[0], sourceMeshed: false, web, Port(8443)), "another port")
        #expect(!istio.allows(Self.pod(cluster, "a/db"), sourceMeshed: true, web, Port(8080)), "a pod's address is not in the range")
    }

    /// The shop fixture's partner gateway admits 192.0.2.0/24 on 8443 through its LoadBalancer:
    /// dropping the range, or widening it, is caught by both judges.
    @Test func aPublicServiceThatDropsOrWidensItsRangesIsCaught() throws {
        let shop = ExampleEnvironment(system: "shop", environment: nil)
        let dropped = try Self.mismatches(shop) { objects in
            Self.editing(&objects, kind: "NetworkPolicy", name: "partner-gateway") { spec in spec["ingress"] = [[String: Any]]() }
            Self.editing(&objects, kind: "AuthorizationPolicy", name: "partner-gateway") { spec in spec["rules"] = [[String: Any]]() }
        }
        #expect(dropped.network.contains { $0.hasPrefix("192.0.2.1 → partners/partner-gateway on 8443/TCP: the policies deny it, the spec declares it") },
                "\(dropped.network.prefix(3))")
        #expect(dropped.mesh.contains { $0.hasPrefix("192.0.2.1 → partners/partner-gateway on 8443/TCP: the sidecar refuses it, the spec makes it admissible") },
                "\(dropped.mesh.prefix(3))")
        let widened = try Self.mismatches(shop) { objects in
            Self.editing(&objects, kind: "NetworkPolicy", name: "partner-gateway") { spec in
                spec["ingress"] = [["from": [["ipBlock": ["cidr": "0.0.0.0/0"]]], "ports": [["port": 8443, "protocol": "TCP"]]]]
            }
        }
        #expect(widened.network.contains { $0.hasPrefix("198.51.100.7 → partners/partner-gateway on 8443/TCP: the policies allow it, the spec does not declare it") },
                "\(widened.network.prefix(3))")
    }

    @Test func aMissingAllowNothingIsCaught() throws {
        let platform = ExampleEnvironment(system: "platform-kernel", environment: nil)
        let found = try Self.mismatches(platform) { objects in
            objects.removeAll { $0["kind"] as? String == "AuthorizationPolicy" && ($0["metadata"] as? [String: Any])?["name"] as? String == "allow-nothing" }
        }.mesh
        #expect(found.contains { $0.hasPrefix("platform-services/gateway → platform-services/audit on 8080/TCP: the sidecar accepts it, the spec does not declare it") },
                "\(found.prefix(3))")
    }
}

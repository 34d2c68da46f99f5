import ClusterSpec
import Foundation
import ManifestEmission
import SpecModel
import Testing

/// The repository root, found from this file.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Every example spec compiled with its overlays, and the mesh fixture that uses every mesh
/// feature (callers, every kind of external endpoint, STRICT with scraping from outside the mesh),
/// once for all tests.
let exampleCompilation: Compilation = {
    let fileManager = FileManager.default
    func files(_ directory: String, suffix: String) -> [String] {
        let root = repositoryRoot.appendingPathComponent(directory)
        guard let walker = fileManager.enumerator(atPath: root.path) else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(suffix) }.sorted().map { root.appendingPathComponent($0).path }
    }
    let fixture = repositoryRoot.appendingPathComponent("Tests/ClusterSpecTests/Fixtures/mesh/shop.cluster.yaml").path
    return Compiler.compile(specPaths: files("specs", suffix: ".cluster.yaml") + [fixture], overlayPaths: files("overlays", suffix: ".yaml"),
                            completeSpecSet: true, options: CompileOptions(today: CompileOptions.date("2026-11-21")!))
}()

/// One compiled environment of one example (environment nil: the base spec).
struct ExampleEnvironment: CustomTestStringConvertible, Sendable {
    var system: String
    var environment: String?
    var testDescription: String { "\(system)/\(environment ?? "base")" }

    static var all: [ExampleEnvironment] {
        exampleCompilation.systems.flatMap { system in
            [ExampleEnvironment(system: system.name, environment: nil)]
                + system.environments.map { ExampleEnvironment(system: system.name, environment: $0.name) }
        }
    }

    var spec: SystemSpec {
        let system = exampleCompilation.systems.first { $0.name == self.system }!
        guard let environment else { return system.spec }
        return system.environments.first { $0.name == environment }!.spec
    }

    var stream: String {
        let system = exampleCompilation.systems.first { $0.name == self.system }!
        return SystemEmitter.stream(system.resources(for: environment) ?? [])
    }
}

/// The emitted stream of `spec`'s environment, with the pods around it the spec does not run: cluster
/// DNS, istiod, the ingress controller, a scraper, caller and operator pods, the pods behind
/// namespace endpoints, a stranger in every namespace, a decoy carrying a workload's name label from
/// another system, and addresses for the API server, external ranges and the internet.
func clusterAround(_ spec: SystemSpec, stream: String) throws -> ClusterModel {
    var cluster = try ClusterModel(stream: stream)
    let mesh = spec.mesh
    cluster.addPod(namespace: mesh.dnsNamespace.value, name: "coredns", labels: ["k8s-app": "kube-dns"], ports: [Port(53, "UDP"), Port(53, "TCP")])
    cluster.addPod(namespace: mesh.istioNamespace.value, name: "istiod", labels: ["app": "istiod", "istio": "pilot"], ports: [Port(15012), Port(15017)])
    cluster.addPod(namespace: mesh.ingressNamespace?.value ?? "ingress-nginx", name: "ingress-controller",
                   labels: ["app.kubernetes.io/name": "ingress-nginx"], ports: [Port(80), Port(443)])
    cluster.addPod(namespace: mesh.monitoringNamespace?.value ?? "monitoring", name: "prometheus",
                   labels: ["app.kubernetes.io/name": "prometheus"], ports: [Port(9090)])
    cluster.addPod(namespace: mesh.cnpgOperatorNamespace.value, name: "cnpg-controller-manager",
                   labels: ["app.kubernetes.io/name": "cloudnative-pg"], ports: [Port(9443)])
    for namespace in DeclaredTraffic.tlsIngressNamespaces(spec).sorted() {
        cluster.addPod(namespace: namespace, name: "cm-acme-http-solver", labels: ["acme.cert-manager.io/http01-solver": "true"], ports: [Port(8089)])
    }
    for caller in mesh.callers {
        cluster.addPod(namespace: caller.namespace.value, name: "client", labels: ["app": "client"], ports: [Port(8080)])
    }
    for external in spec.external {
        let ports = Set(external.ports.map { Port($0.number.value, $0.portProtocol.value.rawValue) })
        switch external.destination {
        case .namespace(let namespace, let labels):
            var podLabels = Dictionary(labels.map { ($0.key.value, $0.value.value) }, uniquingKeysWith: { $1 })
            if podLabels.isEmpty { podLabels = ["app": external.name.value] }
            cluster.addPod(namespace: namespace.value, name: external.name.value, labels: podLabels, ports: ports)
        case .cidr(let cidr):
            if let range = IPv4Range(cidr.value) { cluster.addAddress(dotted(range.firstHost), ports: ports) }
        case .host:
            break
        }
    }
    for store in spec.stores {
        if let postgres = store.settings as? PostgresSettings, let cidr = postgres.external?.cidr, let range = IPv4Range(cidr.value) {
            cluster.addAddress(dotted(range.firstHost), ports: [])
        }
    }
    // A client inside every range a public Service admits (the internet address below stands for 'anywhere').
    for group in (spec.services.map(\.serviceGroups) + spec.statefulServices.map(\.serviceGroups)).joined() {
        for range in group.from?.ranges ?? [] where group.from?.isAnywhere == false {
            if let range = IPv4Range(range.value) { cluster.addAddress(dotted(range.firstHost), ports: []) }
        }
    }
    let everyPort = cluster.allPodPorts.union([Port(443), Port(6443), Port(5432)])
    if let range = IPv4Range(mesh.apiServerCIDR.value), mesh.apiServerCIDR.value != "0.0.0.0/0" {
        cluster.addAddress(dotted(range.firstHost), ports: everyPort)   // the API server where the spec says it is
    }
    cluster.addAddress("172.16.0.1", ports: everyPort)        // another address outside the pod range
    cluster.addAddress("198.51.100.7", ports: everyPort)      // somewhere on the internet
    for index in cluster.addresses.indices where cluster.addresses[index].ports.isEmpty { cluster.addresses[index].ports = everyPort }

    var namespaces = Set(cluster.namespaceLabels.keys)
    namespaces.formUnion(spec.namespaces.map(\.name.value))
    namespaces.insert("elsewhere")
    for namespace in namespaces.sorted() {
        cluster.addPod(namespace: namespace, name: "stranger", labels: ["app": "stranger"], ports: everyPort)
    }
    for namespace in spec.namespaces.map(\.name.value) {
        guard let workload = cluster.pods.first(where: { $0.namespace == namespace && $0.owner != nil }) else { continue }
        var labels = workload.labels
        labels["app.kubernetes.io/part-of"] = "another-system"
        cluster.addPod(namespace: namespace, name: "decoy", labels: labels, serviceAccount: workload.serviceAccount ?? "default", ports: everyPort)
    }
    return cluster
}

func dotted(_ address: UInt32) -> String {
    [24, 16, 8, 0].map { String((address >> UInt32($0)) & 0xff) }.joined(separator: ".")
}

/// Every (source, destination, port) whose verdict differs between the emitted policies and the spec.
func networkMismatches(_ spec: SystemSpec, _ cluster: ClusterModel, _ evaluator: NetworkPolicyEvaluator,
                       _ declared: DeclaredTraffic) -> (mismatches: [String], allowed: Int, denied: Int) {
    var mismatches: [String] = [], allowed = 0, denied = 0
    // Every port anything listens on is tried against every destination, so a policy that is
    // broader than its pods' own ports shows too.
    let probePorts = cluster.allPodPorts.sorted()
    // Addresses outside the cluster open connections too: to the pods, which their policies judge.
    for source in cluster.pods + cluster.addresses {
        for destination in source.isPod ? cluster.pods + cluster.addresses : cluster.pods {
            for port in destination.isPod ? probePorts : destination.ports.sorted() {
                let actual = evaluator.allows(source, destination, port, in: cluster)
                let expected = declared.networkAllows(source, destination, port)
                if actual { allowed += 1 } else { denied += 1 }
                if actual != expected {
                    mismatches.append("\(source) → \(destination) on \(port): the policies \(actual ? "allow" : "deny") it, the spec \(expected ? "declares" : "does not declare") it")
                }
            }
        }
    }
    return (mismatches, allowed, denied)
}

/// The same for connections into meshed pods, judged by their sidecar (ports the sidecar does not
/// intercept excluded); and, where the namespace also denies by default, by network policy and
/// sidecar together, which must admit exactly the declared callers (plaintext only on permissive ports).
func meshMismatches(_ spec: SystemSpec, _ cluster: ClusterModel, _ evaluator: IstioEvaluator, _ network: NetworkPolicyEvaluator,
                    _ declared: DeclaredTraffic) -> (mismatches: [String], allowed: Int, denied: Int) {
    var mismatches: [String] = [], allowed = 0, denied = 0
    // The sidecar intercepts TCP only, and not its own merged-metrics port.
    let probePorts = cluster.allPodPorts.sorted().filter { $0.proto == "TCP" && $0.number != 15020 }
    let anonymousSources = cluster.pods.filter { !$0.meshed }, meshedSources = cluster.pods.filter(\.meshed)
    func identity(_ pod: Endpoint) -> String { "\(pod.namespace ?? "")/\(pod.serviceAccount ?? "default")" }
    for destination in cluster.pods where destination.meshed {
        let denies = declared.denies(destination.namespace ?? "")
        for port in probePorts {
            let anonymousDeclared = anonymousSources.contains { declared.declares($0, destination, port, byAddress: false) }
            let declaredIdentities = Set(meshedSources.filter { declared.declares($0, destination, port) }.map(identity))
            // Addresses outside the cluster have no sidecar: the clients of public Services.
            for source in cluster.pods + cluster.addresses {
                let sourceMeshed = source.meshed
                let actual = evaluator.allows(source, sourceMeshed: sourceMeshed, destination, port)
                let expected = declared.meshAllows(source, sourceMeshed: sourceMeshed, destination, port,
                                                   identityDeclared: sourceMeshed && declaredIdentities.contains(identity(source)),
                                                   anonymousDeclared: anonymousDeclared)
                if actual { allowed += 1 } else { denied += 1 }
                if actual != expected {
                    mismatches.append("\(source) → \(destination) on \(port): the sidecar \(actual ? "accepts" : "refuses") it, the spec \(expected ? "makes it admissible" : "does not declare it")")
                }
                guard denies else { continue }
                let together = actual && network.allows(source, destination, port, in: cluster)
                let exact = declared.networkAllows(source, destination, port) && (sourceMeshed || declared.isPermissive(destination, port))
                if together != exact {
                    mismatches.append("\(source) → \(destination) on \(port): network policy and sidecar together \(together ? "admit" : "refuse") it, the spec \(exact ? "declares" : "does not declare") it")
                }
            }
        }
    }
    return (mismatches, allowed, denied)
}

@Suite("Reachability: the emitted policies allow exactly the declared traffic")
struct ReachabilityTests {
    @Test func theExamplesCompileCleanly() {
        let errors = exampleCompilation.diagnostics.filter { $0.severity == .error && $0.suppression == nil }
        #expect(errors.isEmpty, "\(errors.map(\.message))")
        #expect(ExampleEnvironment.all.count >= 22, "five systems, each with a base and three or more environments, and the fixture")
        #expect(ExampleEnvironment.all.contains { $0.system == "shop" })
    }

    @Test(arguments: ExampleEnvironment.all)
    func networkPoliciesAllowExactlyTheDeclaredTraffic(_ example: ExampleEnvironment) throws {
        let spec = example.spec
        let cluster = try clusterAround(spec, stream: example.stream)
        let evaluator = NetworkPolicyEvaluator(cluster)
        #expect(evaluator.problems.isEmpty, "\(evaluator.problems)")
        let declared = DeclaredTraffic(spec)
        let (mismatches, allowed, denied) = networkMismatches(spec, cluster, evaluator, declared)
        #expect(mismatches.isEmpty, "\(mismatches.count) differences, e.g.:\n\(mismatches.prefix(15).joined(separator: "\n"))")
        #expect(allowed > 0)
        if spec.namespaces.contains(where: { declared.denies($0.name.value) }) {
            #expect(denied > 0, "a namespace that denies by default refuses something")
            #expect(!evaluator.policies.isEmpty)
        }
    }

    @Test(arguments: ExampleEnvironment.all)
    func sidecarsAcceptExactlyTheDeclaredCallers(_ example: ExampleEnvironment) throws {
        let spec = example.spec
        let cluster = try clusterAround(spec, stream: example.stream)
        let evaluator = IstioEvaluator(cluster, rootNamespace: spec.mesh.istioNamespace.value, trustDomain: spec.mesh.trustDomain.value)
        #expect(evaluator.problems.isEmpty, "\(evaluator.problems)")
        let declared = DeclaredTraffic(spec)
        for pod in cluster.pods where pod.owner != nil {
            #expect(pod.meshed == (declared.mode(of: pod.namespace ?? "") != .off), "\(pod) has a sidecar exactly when its namespace is meshed")
        }
        let (mismatches, allowed, denied) = meshMismatches(spec, cluster, evaluator, NetworkPolicyEvaluator(cluster), declared)
        #expect(mismatches.isEmpty, "\(mismatches.count) differences, e.g.:\n\(mismatches.prefix(15).joined(separator: "\n"))")
        if cluster.pods.contains(where: \.meshed) {
            #expect(allowed > 0 && denied > 0)
        }
    }

    /// The issue's done-when: Platform-Kernel's services run STRICT mutual TLS as the seed says, and
    /// Goverse's NetworkPolicies select every workload (the seed's left etcd, gates and backups open).
    @Test func seedsPostureIsReproducedAndCompleted() throws {
        let platform = ExampleEnvironment(system: "platform-kernel", environment: "prod")
        let platformCluster = try clusterAround(platform.spec, stream: platform.stream)
        let istio = IstioEvaluator(platformCluster, rootNamespace: "istio-system", trustDomain: "cluster.local")
        let services = platformCluster.pods.filter { $0.namespace == "platform-services" && $0.owner != nil }
        #expect(services.count == 12)
        for pod in services {
            for port in pod.ports where port.number != 15020 { #expect(istio.mode(of: pod, port: port) == "STRICT", "\(pod) \(port)") }
        }
        #expect(platformCluster.meshedNamespaces.contains("platform-services"))

        for environment in ["base", "dev", "staging", "prod"] {
            let goverse = ExampleEnvironment(system: "goverse", environment: environment == "base" ? nil : environment)
            let cluster = try clusterAround(goverse.spec, stream: goverse.stream)
            let evaluator = NetworkPolicyEvaluator(cluster)
            for pod in cluster.pods where pod.namespace == "goverse" && pod.owner != nil {
                let own = evaluator.policies.filter { $0.namespace == "goverse" && !$0.podSelector.matchLabels.isEmpty && $0.podSelector.matches(pod.labels) }
                #expect(own.count == 1, "\(goverse.testDescription): \(pod) is selected by its own policy")
            }
        }
    }
}

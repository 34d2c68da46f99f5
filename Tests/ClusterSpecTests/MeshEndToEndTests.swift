import Foundation
import Testing

/// Mesh policy through the built binary: every kind of mesh object validates against the Kubernetes
/// and vendored Istio schemas, and mesh inconsistencies fail the gate with their rule ids.
@Suite("Mesh policy, end to end on the built binary", .serialized)
struct MeshEndToEndTests {
    /// A system that uses every mesh feature: STRICT and PERMISSIVE namespaces, an unmeshed store
    /// namespace, ingress, monitoring outside the mesh (a port-level PERMISSIVE exception), callers,
    /// every kind of external endpoint, CloudNativePG, Kafka and an external database.
    static let spec = (try? String(contentsOf: Paths.root.appendingPathComponent("Tests/ClusterSpecTests/Fixtures/mesh/shop.cluster.yaml"), encoding: .utf8)) ?? ""

    @Test(.needsJudges) func everyMeshObjectIsSchemaValid() throws {
        let dir = try TemporaryDirectory()
        try dir.write("shop.cluster.yaml", Self.spec)
        let out = dir.url.appendingPathComponent("out")
        let result = try clusterspec(["build", "shop.cluster.yaml", "-o", out.path], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let files = ManifestValidation.manifestFiles(under: out)
        let kinds = Set(files.map { $0.lastPathComponent.split(separator: "-").first.map(String.init) ?? "" })
        for kind in ["networkpolicy", "peerauthentication", "authorizationpolicy", "destinationrule"] {
            #expect(kinds.contains(kind), "\(kind) emitted")
        }
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("shop/base/apps/peerauthentication-api-metrics.yaml").path),
                "the scraped workload's metrics port is made PERMISSIVE")
        let problems = try ManifestValidation.problems(in: files)
        #expect(problems.isEmpty, "invalid manifests:\n\(problems.joined(separator: "\n"))")
    }

    /// The 1-based line of the first line containing `text`.
    static func line(of text: String, in spec: String) -> Int {
        (spec.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(text) } ?? -1) + 1
    }

    @Test(arguments: [
        ("  edge: {mtls: permissive}", "  edge: {}", "expose: {host: shop.example.com", "mesh-caller-outside-strict"),
        ("  ingressNamespace: edge\n", "", "expose: {host: shop.example.com", "exposed-needs-ingress-source"),
        ("uses: [orders, events,", "uses: [{target: orders, ports: [pg]}, events,", "uses: [{target: orders", "uses-port-declared"),
        ("reporting: [{target: events, ports: [client]}, catalog]", "reporting: [{target: event, ports: [client]}, catalog]", "reporting:", "dependency-declared"),
        ("uses: [{target: api, ports: [http]}]", "uses: [api]", "metrics: {port: metrics", "strict-metrics-port-dedicated"),
        ("  partners: {mtls: permissive}", "  partners: {mtls: permissive, networkPolicy: off}", "reporting:", "plaintext-needs-network-policy"),
        ("  apiServer: 10.0.0.1/32\n", "", "  api:", "api-server-range-set"),
        ("otel: {namespace: observability,", "otel: {namespace: data,", "otel: {namespace: data", "external-namespace-open"),
    ])
    func meshInconsistenciesFailTheGate(change: String, with replacement: String, at marker: String, rule: String) throws {
        let broken = Self.spec.replacingOccurrences(of: change, with: replacement)
        #expect(broken != Self.spec)
        let dir = try TemporaryDirectory()
        try dir.write("shop.cluster.yaml", broken)
        let clean = try clusterspec(["check", "shop.cluster.yaml", "--fail-on", "warning"], in: dir.url)
        #expect(clean.status == 1, "\(clean.stdout)\(clean.stderr)")
        let line = Self.line(of: marker, in: broken)
        #expect(clean.stdout.contains("shop.cluster.yaml:\(line):"), "finding on line \(line): \(clean.stdout)")
        #expect(clean.stdout.contains("[\(rule)]"), "\(clean.stdout)")
    }

    @Test func theFixtureItselfPassesTheGate() throws {
        let dir = try TemporaryDirectory()
        try dir.write("shop.cluster.yaml", Self.spec)
        let result = try clusterspec(["check", "shop.cluster.yaml", "--fail-on", "warning"], in: dir.url)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }
}

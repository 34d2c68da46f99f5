import Foundation
import Yams

/// A port and protocol, the test's own type (the judge shares no code with the compiler).
struct Port: Hashable, Comparable, CustomStringConvertible {
    var number: Int
    var proto: String

    init(_ number: Int, _ proto: String = "TCP") {
        self.number = number
        self.proto = proto
    }

    static func < (lhs: Port, rhs: Port) -> Bool { (lhs.number, lhs.proto) < (rhs.number, rhs.proto) }
    var description: String { "\(number)/\(proto)" }
}

/// An IPv4 address range, for `ipBlock` and the spec's CIDRs.
struct IPv4Range {
    var base: UInt32
    var mask: UInt32

    init?(_ cidr: String) {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let bits = Int(parts[1]), (0...32).contains(bits), let address = IPv4Range.address(String(parts[0])) else { return nil }
        mask = bits == 0 ? 0 : UInt32.max << UInt32(32 - bits)
        base = address & mask
    }

    func contains(_ address: UInt32) -> Bool { address & mask == base }

    /// The first address after the network address.
    var firstHost: UInt32 { base | (mask == UInt32.max ? 0 : 1) }

    static func address(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".").compactMap { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 < 256 }) else { return nil }
        return octets.reduce(0) { $0 << 8 | $1 }
    }
}

/// Something that opens or accepts connections: a pod (from an emitted workload, or one the test
/// adds: DNS, istiod, the ingress controller, a scraper, operators, strangers) or an address
/// outside the cluster.
struct Endpoint: Hashable, CustomStringConvertible {
    enum Kind: Hashable { case pod, address }
    var kind: Kind
    /// `namespace/name` of a pod, the address of an address.
    var id: String
    var namespace: String?
    var labels: [String: String]
    var ip: UInt32
    var serviceAccount: String?
    /// The emitted object (Deployment, StatefulSet, CronJob, CNPG Cluster) a pod belongs to; nil for
    /// pods the test adds.
    var owner: String?
    var ports: Set<Port>
    /// Whether the pod has an Istio sidecar: its namespace is labelled for injection and the pod does
    /// not opt out, or the pod asks for one itself.
    var meshed = false

    var isPod: Bool { kind == .pod }
    var description: String { id }
}

/// The objects of one rendered stream, and the pods and addresses they and their surroundings make up.
struct ClusterModel {
    var objects: [[String: Any]]
    var pods: [Endpoint] = []
    var addresses: [Endpoint] = []
    /// Labels of every namespace (Kubernetes sets `kubernetes.io/metadata.name` on all of them).
    var namespaceLabels: [String: [String: String]] = [:]
    /// Namespaces labelled for sidecar injection.
    var meshedNamespaces: Set<String> = []
    private var nextIP: UInt32 = IPv4Range.address("10.244.0.10")!

    init(stream: String) throws {
        objects = try Yams.load_all(yaml: stream).compactMap { $0 as? [String: Any] }
        for object in objects where object["kind"] as? String == "Namespace" {
            let metadata = object["metadata"] as? [String: Any] ?? [:]
            let name = metadata["name"] as? String ?? ""
            let labels = metadata["labels"] as? [String: String] ?? [:]
            namespaceLabels[name] = labels.merging([("kubernetes.io/metadata.name", name)]) { $1 }
            if labels["istio-injection"] == "enabled" { meshedNamespaces.insert(name) }
        }
        for object in objects { addWorkloadPods(object) }
    }

    /// A pod per emitted pod template (one stands for all replicas: they share labels and identity).
    private mutating func addWorkloadPods(_ object: [String: Any]) {
        let kind = object["kind"] as? String ?? ""
        let metadata = object["metadata"] as? [String: Any] ?? [:]
        let name = metadata["name"] as? String ?? "", namespace = metadata["namespace"] as? String ?? ""
        let spec = object["spec"] as? [String: Any] ?? [:]
        let template: [String: Any]?
        switch kind {
        case "Deployment", "StatefulSet", "Job": template = spec["template"] as? [String: Any]
        case "CronJob": template = ((spec["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any])?["template"] as? [String: Any]
        case "Cluster" where (object["apiVersion"] as? String ?? "").hasPrefix("postgresql.cnpg.io/"):
            // CloudNativePG labels every instance pod with its cluster's name and runs it as a
            // ServiceAccount of that name; PostgreSQL listens on 5432, the instance manager on 8000.
            let inherited = (spec["inheritedMetadata"] as? [String: Any])?["labels"] as? [String: String] ?? [:]
            addPod(namespace: namespace, name: name, labels: inherited.merging(["cnpg.io/cluster": name, "cnpg.io/podRole": "instance"]) { $1 },
                   serviceAccount: name, owner: name, ports: [Port(5432), Port(8000)])
            return
        default: return
        }
        guard let template else { return }
        let labels = (template["metadata"] as? [String: Any])?["labels"] as? [String: String] ?? [:]
        let podSpec = template["spec"] as? [String: Any] ?? [:]
        var ports = Set<Port>()
        for container in podSpec["containers"] as? [[String: Any]] ?? [] {
            for port in container["ports"] as? [[String: Any]] ?? [] {
                if let number = port["containerPort"] as? Int { ports.insert(Port(number, port["protocol"] as? String ?? "TCP")) }
            }
        }
        addPod(namespace: namespace, name: name, labels: labels, serviceAccount: podSpec["serviceAccountName"] as? String ?? "default",
               owner: name, ports: ports)
    }

    /// Adds a pod; in a meshed namespace it also gets the sidecar's merged-metrics port.
    mutating func addPod(namespace: String, name: String, labels: [String: String], serviceAccount: String = "default", owner: String? = nil,
                         ports: Set<Port>) {
        var ports = ports
        let injection = labels["sidecar.istio.io/inject"]
        let meshed = injection == "true" || (meshedNamespaces.contains(namespace) && injection != "false")
        if meshed { ports.insert(Port(15020)) }
        pods.append(Endpoint(kind: .pod, id: "\(namespace)/\(name)", namespace: namespace, labels: labels, ip: nextIP,
                             serviceAccount: serviceAccount, owner: owner, ports: ports, meshed: meshed))
        nextIP += 1
        if namespaceLabels[namespace] == nil { namespaceLabels[namespace] = ["kubernetes.io/metadata.name": namespace] }
    }

    mutating func addAddress(_ text: String, ports: Set<Port>) {
        guard let ip = IPv4Range.address(text) else { return }
        addresses.append(Endpoint(kind: .address, id: text, namespace: nil, labels: [:], ip: ip, serviceAccount: nil, owner: nil, ports: ports))
    }

    /// Every port any pod listens on.
    var allPodPorts: Set<Port> { pods.reduce(into: Set<Port>()) { $0.formUnion($1.ports) } }

    func objects(kind: String) -> [[String: Any]] {
        objects.filter { $0["kind"] as? String == kind }
    }
}

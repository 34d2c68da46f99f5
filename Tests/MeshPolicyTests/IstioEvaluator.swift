/// Applies Istio's PeerAuthentication and AuthorizationPolicy (security.istio.io/v1) to a connection
/// into a meshed pod, as the destination's sidecar would:
/// - mTLS mode: a workload PeerAuthentication selecting the pod (its `portLevelMtls` entry for the
///   port first), else the namespace's, else the root namespace's, else PERMISSIVE; STRICT refuses a
///   caller without a sidecar;
/// - authorization: a matching DENY policy refuses; with no ALLOW policy for the pod everything is
///   allowed, otherwise some rule of some ALLOW policy must match (a policy without rules matches
///   nothing). A source matches when every field it sets matches: `principals` and `namespaces` need
///   mutual TLS; `notPrincipals: ["*"]` matches exactly the callers without an identity;
///   `ipBlocks` matches the connection's source address (IPv4 here; IPv6 ranges match no endpoint).
/// Fields the evaluator does not know are reported.
struct IstioEvaluator {
    struct PeerAuthentication {
        var namespace: String
        var selector: [String: String]?
        var mode: String?
        var portModes: [Int: String]
    }

    struct AuthorizationPolicy {
        var name: String
        var namespace: String
        var selector: [String: String]?
        var action: String
        var rules: [[String: Any]]
    }

    var peerAuthentications: [PeerAuthentication] = []
    var authorizationPolicies: [AuthorizationPolicy] = []
    let rootNamespace: String
    let trustDomain: String
    private(set) var problems: [String] = []

    init(_ cluster: ClusterModel, rootNamespace: String, trustDomain: String) {
        self.rootNamespace = rootNamespace
        self.trustDomain = trustDomain
        for object in cluster.objects(kind: "PeerAuthentication") {
            let metadata = object["metadata"] as? [String: Any] ?? [:]
            let spec = object["spec"] as? [String: Any] ?? [:]
            unknown(spec, ["selector", "mtls", "portLevelMtls"], "PeerAuthentication \(metadata["name"] ?? "?")")
            var portModes: [Int: String] = [:]
            for (key, value) in spec["portLevelMtls"] as? [AnyHashable: Any] ?? [:] {
                let number = (key as? Int) ?? Int("\(key)") ?? -1
                portModes[number] = (value as? [String: Any])?["mode"] as? String
            }
            peerAuthentications.append(PeerAuthentication(
                namespace: metadata["namespace"] as? String ?? "", selector: (spec["selector"] as? [String: Any])?["matchLabels"] as? [String: String],
                mode: (spec["mtls"] as? [String: Any])?["mode"] as? String, portModes: portModes))
        }
        for object in cluster.objects(kind: "AuthorizationPolicy") {
            let metadata = object["metadata"] as? [String: Any] ?? [:]
            let name = metadata["name"] as? String ?? "?"
            let spec = object["spec"] as? [String: Any] ?? [:]
            unknown(spec, ["selector", "action", "rules"], "AuthorizationPolicy \(name)")
            let rules = spec["rules"] as? [[String: Any]] ?? []
            for rule in rules {
                unknown(rule, ["from", "to"], "AuthorizationPolicy \(name)")
                for from in rule["from"] as? [[String: Any]] ?? [] {
                    unknown(from["source"] as? [String: Any] ?? [:], ["principals", "notPrincipals", "namespaces", "notNamespaces", "ipBlocks"], "AuthorizationPolicy \(name)")
                }
                for to in rule["to"] as? [[String: Any]] ?? [] {
                    unknown(to["operation"] as? [String: Any] ?? [:], ["ports"], "AuthorizationPolicy \(name)")
                }
            }
            authorizationPolicies.append(AuthorizationPolicy(
                name: name, namespace: metadata["namespace"] as? String ?? "",
                selector: (spec["selector"] as? [String: Any])?["matchLabels"] as? [String: String],
                action: spec["action"] as? String ?? "ALLOW", rules: rules))
        }
    }

    private mutating func unknown(_ map: [String: Any], _ known: Set<String>, _ owner: String) {
        for key in map.keys where !known.contains(key) { problems.append("\(owner): field '\(key)' is not understood by the evaluator") }
    }

    /// The effective mTLS mode of `pod` on `port`.
    func mode(of pod: Endpoint, port: Port) -> String {
        func selects(_ selector: [String: String]?) -> Bool { selector.map { $0.allSatisfy { pod.labels[$0.key] == $0.value } } ?? false }
        if let workload = peerAuthentications.first(where: { $0.namespace == pod.namespace && selects($0.selector) }) {
            if let portMode = workload.portModes[port.number] { return portMode }
            if let mode = workload.mode { return mode }
        }
        if let namespace = peerAuthentications.first(where: { $0.namespace == pod.namespace && $0.selector == nil }), let mode = namespace.mode { return mode }
        if let root = peerAuthentications.first(where: { $0.namespace == rootNamespace && $0.selector == nil }), let mode = root.mode { return mode }
        return "PERMISSIVE"
    }

    /// Whether the destination's sidecar accepts `source` on `port`; `sourceMeshed` says whether the
    /// source has a sidecar (and so a principal).
    func allows(_ source: Endpoint, sourceMeshed: Bool, _ destination: Endpoint, _ port: Port) -> Bool {
        if !sourceMeshed && mode(of: destination, port: port) == "STRICT" { return false }
        let principal = sourceMeshed ? "\(trustDomain)/ns/\(source.namespace ?? "")/sa/\(source.serviceAccount ?? "default")" : nil
        let applying = authorizationPolicies.filter { policy in
            (policy.namespace == destination.namespace || (policy.namespace == rootNamespace && policy.selector == nil))
                && (policy.selector.map { $0.allSatisfy { destination.labels[$0.key] == $0.value } } ?? true)
        }
        func matches(_ policy: AuthorizationPolicy) -> Bool {
            policy.rules.contains { rule in
                let sources = (rule["from"] as? [[String: Any]])?.compactMap { $0["source"] as? [String: Any] }
                let operations = (rule["to"] as? [[String: Any]])?.compactMap { $0["operation"] as? [String: Any] }
                let fromOK = sources.map { $0.contains { sourceMatches($0, principal: principal, namespace: source.namespace, address: source.ip) } } ?? true
                let toOK = operations.map { $0.contains { ($0["ports"] as? [String]).map { $0.contains(String(port.number)) } ?? true } } ?? true
                return fromOK && toOK
            }
        }
        if applying.contains(where: { $0.action == "DENY" && matches($0) }) { return false }
        let allows = applying.filter { $0.action == "ALLOW" }
        return allows.isEmpty || allows.contains(where: matches)
    }

    private func sourceMatches(_ source: [String: Any], principal: String?, namespace: String?, address: UInt32) -> Bool {
        func matchesAny(_ value: String?, _ patterns: [String]) -> Bool {
            guard let value else { return false }
            return patterns.contains { pattern in
                if pattern == "*" { return true }
                if pattern.hasPrefix("*") { return value.hasSuffix(pattern.dropFirst()) }
                if pattern.hasSuffix("*") { return value.hasPrefix(pattern.dropLast()) }
                return value == pattern
            }
        }
        if let principals = source["principals"] as? [String], !matchesAny(principal, principals) { return false }
        if let notPrincipals = source["notPrincipals"] as? [String], matchesAny(principal, notPrincipals) { return false }
        // A namespace is only known from the caller's certificate.
        let authenticatedNamespace = principal == nil ? nil : namespace
        if let namespaces = source["namespaces"] as? [String], !matchesAny(authenticatedNamespace, namespaces) { return false }
        if let notNamespaces = source["notNamespaces"] as? [String], matchesAny(authenticatedNamespace, notNamespaces) { return false }
        if let blocks = source["ipBlocks"] as? [String], !blocks.contains(where: { IPv4Range($0)?.contains(address) ?? false }) { return false }
        return true
    }
}

import SpecModel
import SpecDiagnostics

/// Every `uses:` edge leads to ports its target declares.
struct UsesPortDeclared: Rule {
    static let description = RuleDescription(
        id: "uses-port-declared",
        title: "Dependencies name ports the target has",
        summary: "Every port a 'uses:' entry names exists on its target, and a target that is used declares at least one port.",
        rationale: "Network policy opens exactly the ports of each declared edge: a misspelt port or a target without ports yields an edge that allows nothing, and the caller's connections are dropped at run time.",
        remediation: "Name one of the target's ports, or declare the port on the target.",
        severity: .error,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, uses: [{target: auth, ports: [↓grcp]}]}\n  auth: {image: x/auth:1.0, ports: {grpc: 50051}}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, uses: [↓worker]}\n  worker: {image: x/worker:1.0}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, uses: [{target: etcd, ports: [↓peer]}]}\nstores:\n  etcd: {engine: etcd}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, uses: [auth, {target: etcd, ports: [client]}, {target: smtp, ports: [submission]}]}\n  auth: {image: x/auth:1.0, ports: {grpc: 50051}}\nstores:\n  etcd: {engine: etcd}\nexternal:\n  smtp: {host: smtp.example.com, ports: {submission: 587}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        for (subject, caller, dependency) in context.dependencies {
            let target = dependency.target.value
            guard let offered = Self.ports(of: target, in: context.index) else { continue }  // unknown: dependency-declared
            if offered.isEmpty {
                findings.append(context.finding(
                    "\(caller) '\(target)', which declares no ports: there is nothing to connect to and no traffic is allowed",
                    about: subject, at: dependency.target.location,
                    fix: "Declare the port '\(target)' listens on under its 'ports:', or remove '\(target)' from 'uses'."))
                continue
            }
            for port in dependency.ports where !offered.contains(port.value) {
                findings.append(context.finding(
                    "'\(target)' has no port '\(port.value)'\(NameSuggestion.closest(to: port.value, in: offered).map { "; did you mean '\($0)'?" } ?? "")",
                    about: subject, at: port.location, notes: [DiagnosticNote("its ports: \(offered.joined(separator: ", "))")]))
            }
        }
        return findings
    }

    /// The port names `target` offers, nil when it names nothing usable.
    private static func ports(of target: String, in index: SystemIndex) -> [String]? {
        if let workload = index.connectableWorkloads[target] { return workload.container.ports.map(\.name.value) }
        if let store = index.stores[target] { return store.clientPorts.map(\.name) }
        if let external = index.external[target] { return external.ports.map(\.name.value) }
        return nil
    }
}

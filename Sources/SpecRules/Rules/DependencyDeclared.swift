import SpecModel
import SpecDiagnostics

/// Every `uses:` names something the system declares, on ports it has.
struct DependencyDeclared: Rule {
    static let description = RuleDescription(
        id: "dependency-declared",
        title: "Dependencies are declared",
        summary: "Every 'uses:' target is a service, stateful service or store of the system, and every port it names exists on the target.",
        rationale: "Dependencies drive connection wiring and network policy; a misspelt target silently gets no connection settings and no allowed traffic, and the failure surfaces at run time.",
        remediation: "Fix the name, or declare the target in the spec.",
        severity: .error,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, uses: [↓postgress]}\nstores:\n  postgres: {engine: postgres, mode: cloudnative-pg}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, uses: [{target: auth, ports: [↓grcp]}]}\n  auth: {image: x/auth:1.0, ports: {grpc: 50051}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, uses: [auth, {target: etcd, ports: [client]}]}\n  auth: {image: x/auth:1.0, ports: {grpc: 50051}}\nstores:\n  etcd: {engine: etcd}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        let system = context.system
        var ports: [String: [String]] = [:]
        for service in system.services { ports[service.name.value] = service.workload.container.ports.map(\.name.value) }
        for stateful in system.statefulServices { ports[stateful.name.value] = stateful.workload.container.ports.map(\.name.value) }
        for store in system.stores { ports[store.name.value] = Topology.clientPorts(of: store).map(\.name) }
        let names = ports.keys.sorted()
        var findings: [Diagnostic] = []
        for (workload, _) in context.workloads {
            for dependency in workload.uses {
                let target = dependency.target.value
                guard let targetPorts = ports[target] else {
                    findings.append(context.finding(
                        "'\(workload.name.value)' uses '\(target)', which the system does not declare\(Self.hint(target, names))",
                        about: workload.name.value, at: dependency.target.location))
                    continue
                }
                for port in dependency.ports where !targetPorts.contains(port.value) {
                    findings.append(context.finding(
                        "'\(target)' has no port '\(port.value)'\(Self.hint(port.value, targetPorts))",
                        about: workload.name.value, at: port.location, notes: [DiagnosticNote("its ports: \(targetPorts.joined(separator: ", "))")]))
                }
                if target == workload.name.value {
                    findings.append(context.finding("'\(workload.name.value)' lists itself in 'uses'", about: workload.name.value, at: dependency.target.location))
                }
            }
        }
        return findings
    }

    private static func hint(_ word: String, _ candidates: [String]) -> String {
        NameSuggestion.closest(to: word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }
}

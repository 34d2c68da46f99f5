import SpecModel
import SpecDiagnostics

/// Every `uses:` names something the system declares.
struct DependencyDeclared: Rule {
    static let description = RuleDescription(
        id: "dependency-declared",
        title: "Dependencies are declared",
        summary: "Every 'uses:' target (of a workload or of 'mesh.callers') is a service, stateful service, store or external endpoint of the system (not a job or a worker, which serve no traffic).",
        rationale: "Dependencies drive connection wiring and network policy; a misspelt target silently gets no connection settings and no allowed traffic, and the failure surfaces at run time.",
        remediation: "Fix the name, or declare the target in the spec.",
        severity: .error,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, uses: [↓postgress]}\nstores:\n  postgres: {engine: postgres, mode: cloudnative-pg}\n"),
            RuleExample("mesh:\n  callers:\n    reporting: [↓apii]\nservices:\n  api: {image: x/api:1.0, ports: {http: 8080}}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, uses: [↓consumer]}\nworkers:\n  consumer: {image: x/consumer:1.0, ports: {metrics: 9090}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, uses: [auth, etcd, api, payments]}\n  auth: {image: x/auth:1.0, ports: {grpc: 50051}}\nstores:\n  etcd: {engine: etcd}\nexternal:\n  payments: {host: api.payments.example, ports: {https: 443}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        let system = context.system
        var known = Set<String>()
        for workload in system.services.filter({ !$0.isWorker }).map(\.workload) + system.statefulServices.map(\.workload) {
            known.insert(workload.name.value)
        }
        for store in system.stores { known.insert(store.name.value) }
        for external in system.external { known.insert(external.name.value) }
        let names = known.sorted()
        return context.dependencies.compactMap { subject, caller, dependency in
            let target = dependency.target.value
            guard !known.contains(target) else { return nil }
            let which: String
            if system.jobs.contains(where: { $0.name.value == target }) {
                which = "is a job: nothing can connect to it"
            } else if system.services.contains(where: { $0.name.value == target && $0.isWorker }) {
                which = "is a worker: it serves no traffic"
            } else {
                which = "the system does not declare"
            }
            return context.finding("\(caller) '\(target)', which \(which)\(Self.hint(target, names))",
                                   about: subject, at: dependency.target.location)
        }
    }

    private static func hint(_ word: String, _ candidates: [String]) -> String {
        NameSuggestion.closest(to: word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }
}

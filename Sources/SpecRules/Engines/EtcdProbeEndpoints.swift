import SpecModel
import SpecDiagnostics

/// The etcd version serves the `/livez` and `/readyz` endpoints the emitted probes use.
struct EtcdProbeEndpoints: Rule {
    static let description = RuleDescription(
        id: "etcd-probe-endpoints",
        title: "etcd version serves /livez and /readyz",
        summary: "An etcd store runs v3.5.11 or later (v3.4.29 or later on 3.4), where the /livez and /readyz endpoints of its probes exist.",
        rationale: "The emitted startup, liveness and readiness probes ask the metrics listener for /livez and /readyz, which etcd added in v3.5.11 and v3.4.29; an older member answers 404, so its pod never becomes Ready and the startup probe restarts it forever.",
        remediation: "Use 'version: v3.5.11' or later (the default is v3.5.17).",
        severity: .error,
        triggering: [
            RuleExample("stores:\n  etcd: {engine: etcd, version: ↓v3.5.9}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, image: ↓quay.io/coreos/etcd:v3.4.23}\n"),
        ],
        nonTriggering: [
            RuleExample("stores:\n  etcd: {engine: etcd, version: v3.5.11}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, version: v3.4.29}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, version: v3.6.0}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, image: \"registry.example.com/etcd@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}\n"),
        ])

    /// The first version of each minor line with the endpoints.
    static let floors: [(minor: Int, patch: Int)] = [(4, 29), (5, 11)]

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.stores.compactMap { store in
            guard store.settings is EtcdSettings, let version = Self.version(of: store.image.value), version.major == 3,
                  Self.lacksEndpoints(minor: version.minor, patch: version.patch) else { return nil }
            return context.finding("etcd \(version.text) has no /livez and /readyz (they exist from v3.5.11 and v3.4.29): '\(store.name.value)' would never become Ready",
                                   about: store.name.value, at: store.image.location)
        }
    }

    static func lacksEndpoints(minor: Int, patch: Int) -> Bool {
        if minor < 4 { return true }
        guard let floor = floors.first(where: { $0.minor == minor }) else { return false }
        return patch < floor.patch
    }

    /// `v3.5.9` from `quay.io/coreos/etcd:v3.5.9`; nil for a digest or an unversioned tag.
    static func version(of image: String) -> (text: String, major: Int, minor: Int, patch: Int)? {
        guard !image.contains("@"), let colon = image.lastIndex(of: ":") else { return nil }
        let tag = image[image.index(after: colon)...]
        guard !tag.contains("/") else { return nil }
        let numbers = tag.drop(while: { $0 == "v" }).split(separator: "-").first?.split(separator: ".").map { Int($0) } ?? []
        guard numbers.count >= 3, let major = numbers[0], let minor = numbers[1], let patch = numbers[2] else { return nil }
        return (String(tag), major, minor, patch)
    }
}

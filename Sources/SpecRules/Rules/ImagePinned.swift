import SpecModel
import SpecDiagnostics

/// Images are pinned to a tag or digest, never `latest` or nothing.
struct ImagePinned: Rule {
    static let description = RuleDescription(
        id: "image-pinned",
        title: "Images are pinned",
        summary: "Every container image names a tag other than 'latest', or a digest.",
        rationale: "An unpinned image changes under a running Deployment: a restarted pod pulls different code than its siblings, rollbacks do not roll anything back, and the manifest diff no longer shows what runs (the Goverse seed uses ':latest').",
        remediation: "Pin the image to a release tag or a sha256 digest.",
        severity: .error,
        severityByEnvironment: ["dev": .warning],
        triggering: [
            RuleExample("services:\n  api: {image: ↓goverse/gate:latest}\n"),
            RuleExample("services:\n  api: {image: ↓goverse/gate}\n"),
            RuleExample("jobs:\n  backup: {image: ↓registry.example.com:5000/tools/backup, schedule: \"@daily\"}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, image: ↓quay.io/coreos/etcd:latest}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: goverse/gate:v1.2.0}\n"),
            RuleExample("services:\n  api: {image: \"registry.example.com:5000/gate@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var images: [(owner: String, image: Located<String>)] = []
        for (workload, _) in context.workloads {
            images += workload.podContainers.map { ($0.owner, $0.container.image) }
        }
        for store in context.system.stores {
            images.append((store.name.value, store.image))
            images += store.roles.compactMap { role in role.image.map { (role.name, $0) } }
        }
        var seen = Set<SourceLocation>()
        return images.compactMap { owner, image in
            guard !ImageReference(image.value).isPinned, seen.insert(image.location).inserted else { return nil }
            let tag = ImageReference(image.value).tag
            return context.finding("image '\(image.value)' of '\(owner)' is \(tag == nil ? "not pinned to a tag or digest" : "tagged 'latest'")",
                                   about: owner, at: image.location)
        }
    }
}

import SpecModel

/// The emission room's entry point: a parsed system in, its Kubernetes objects and files out.
public enum SystemEmitter {
    /// Every object of `system`, in `kustomize build` order.
    public static func resources(_ system: SystemSpec) -> [Resource] {
        let name = system.name.value
        var resources: [Resource] = []
        resources += system.namespaces.filter(\.create.value).map { ConfigEmitter.namespace($0, system: system) }
        resources += system.configMaps.map { ConfigEmitter.configMap($0, system: name) }
        resources += system.volumeClaims.map { ConfigEmitter.volumeClaim($0, system: name) }
        for secret in system.secrets {
            guard let sync = secret.sync as? any SecretSyncEmitting else { continue }
            resources += sync.resources(for: secret, system: system)
        }
        let services = ServiceEmitter(system: system)
        resources += system.services.flatMap(services.resources)
        resources += system.routes.map { IngressEmitter.route($0, system: system) }
        let jobs = JobEmitter(system: system)
        resources += system.jobs.flatMap(jobs.resources)
        let kit = StatefulToolkit(system: system)
        resources += system.statefulServices.flatMap(StatefulServiceEmitter(kit: kit).resources)
        resources += system.stores.flatMap(StoreEmitter(kit: kit).resources)
        resources += MeshEmitter(system: system).resources()
        return ResourceOrder.sorted(resources)
    }

    /// Objects that share kind, namespace and name (a generated name colliding with a declared one).
    public static func collisions(_ resources: [Resource]) -> [(first: Resource, second: Resource)] {
        var seen: [String: Resource] = [:]
        var result: [(first: Resource, second: Resource)] = []
        for resource in resources {
            if let first = seen[resource.id] {
                result.append((first, resource))
            } else {
                seen[resource.id] = resource
            }
        }
        return result
    }

    /// The `base/` directory: one file per object and a `kustomization.yaml` listing them in order.
    public static func baseTree(_ resources: [Resource]) -> FileTree {
        baseTree(resources, texts: resources.map { ManifestWriter.yaml($0.body) })
    }

    /// The `base/` directory from objects already written (`texts[i]` is `resources[i]`).
    static func baseTree(_ resources: [Resource], texts: [String]) -> FileTree {
        var tree = FileTree()
        for (resource, text) in zip(resources, texts) {
            tree[resource.fileName] = text
        }
        tree["kustomization.yaml"] = ManifestWriter.yaml(kustomization(resources: resources.map(\.fileName)))
        return tree
    }

    /// Every file of a system: `base/`, `overlays/<env>/` and `rendered/<env>.yaml` for each
    /// environment (parents before the environments layered on them). Each distinct object is
    /// written once: an environment's object equal to its parent's reuses the parent's text, in the
    /// rendered stream as in the overlay.
    public static func files(base: [Resource], environments: [(name: String, parent: String?, resources: [Resource])]) -> FileTree {
        var tree = FileTree()
        let baseTexts = base.map { ManifestWriter.yaml($0.body) }
        tree.merge(baseTree(base, texts: baseTexts), under: "base")
        var written: [String: (resources: [Resource], texts: [String])] = [:]
        for environment in environments {
            let parent = environment.parent.flatMap { written[$0] } ?? (base, baseTexts)
            let layer = OverlayEmitter.layer(parent: parent.resources, parentTexts: parent.texts, child: environment.resources,
                                             parentDirectory: environment.parent.map { "../\($0)" } ?? "../../base")
            tree.merge(layer.files, under: "overlays/\(environment.name)")
            tree["rendered/\(environment.name).yaml"] = ManifestWriter.stream(layer.texts)
            written[environment.name] = (environment.resources, layer.texts)
        }
        return tree
    }

    /// A Kustomization with built-in fields only, so Flux and Argo CD build it without plugins.
    public static func kustomization(resources: [String], extra: KeyValuePairs<String, ManifestValue> = [:]) -> ManifestValue {
        var entries: [ManifestValue.Entry] = [
            .init("apiVersion", "kustomize.config.k8s.io/v1beta1"),
            .init("kind", "Kustomization"),
            .init("resources", .list(resources.map(ManifestValue.string))),
        ]
        for (key, value) in extra where value != .absent { entries.append(.init(key, value)) }
        return .map(entries)
    }

    /// A multi-document YAML stream of `resources`.
    public static func stream(_ resources: [Resource]) -> String {
        ManifestWriter.yamlStream(resources.map(\.body))
    }
}

import SpecModel

/// An environment's kustomize overlay: the minimal difference between its objects and its
/// parent's (the base, or another environment). Added objects become resource files, removed ones
/// delete patches, changed ones one strategic-merge patch each holding only what changed.
///
/// The patches follow kustomize's merge semantics exactly, so `kustomize build` reproduces the
/// environment's objects: maps merge by key and `null` deletes; lists in built-in kinds that
/// Kubernetes merges by key (containers by name, env by name, ports, mounts…) are patched item by
/// item, knowing that kustomize puts the patch's items first and the untouched ones after; every
/// other list, and every list in a custom resource, is replaced whole.
public enum OverlayEmitter {
    /// The overlay directory's files, relative to `overlays/<env>/`.
    public static func tree(parent: [Resource], child: [Resource], parentDirectory: String) -> FileTree {
        layer(parent: parent, parentTexts: parent.map { ManifestWriter.yaml($0.body) }, child: child, parentDirectory: parentDirectory).files
    }

    /// The overlay directory's files and the text of every child object, in order: an object equal
    /// to its parent's reuses `parentTexts` (the parent's objects as written), every other one is
    /// written once and used both here and by the caller (the rendered stream).
    public static func layer(parent: [Resource], parentTexts: [String], child: [Resource], parentDirectory: String)
        -> (files: FileTree, texts: [String]) {
        var tree = FileTree()
        var parentIndex: [String: Int] = [:]
        parentIndex.reserveCapacity(parent.count)
        for (index, resource) in parent.enumerated() where parentIndex[resource.id] == nil { parentIndex[resource.id] = index }
        var childIDs = Set<String>()
        childIDs.reserveCapacity(child.count)
        var texts: [String] = []
        texts.reserveCapacity(child.count)
        var resources = [parentDirectory]
        var patches: [String] = []
        for resource in child {
            childIDs.insert(resource.id)
            guard let index = parentIndex[resource.id] else {
                let path = "resources/\(resource.fileName)"
                let text = ManifestWriter.yaml(resource.body)
                tree[path] = text
                texts.append(text)
                resources.append(path)
                continue
            }
            let before = parent[index]
            if before.body == resource.body {
                texts.append(parentTexts[index])
                continue
            }
            texts.append(ManifestWriter.yaml(resource.body))
            if let patch = changedPatch(from: before, to: resource) {
                let path = "patches/\(resource.fileName)"
                tree[path] = ManifestWriter.yaml(patch)
                patches.append(path)
            }
        }
        for resource in parent where !childIDs.contains(resource.id) {
            let path = "patches/\(deleteFileName(resource))"
            tree[path] = ManifestWriter.yaml(identity(resource, extra: [.init("$patch", "delete")]))
            patches.append(path)
        }
        tree["kustomization.yaml"] = ManifestWriter.yaml(SystemEmitter.kustomization(
            resources: resources,
            extra: ["patches": .nonEmpty(patches.sorted().map { ["path": .string($0)] })]))
        return (tree, texts)
    }

    private static func deleteFileName(_ resource: Resource) -> String {
        let file = "delete-\(resource.kind.lowercased())-\(resource.name).yaml"
        return resource.namespace.map { "\($0)/\(file)" } ?? file
    }

    /// apiVersion, kind and metadata name/namespace: what a patch needs to find its target.
    private static func identity(_ resource: Resource, extra: [ManifestValue.Entry] = []) -> ManifestValue {
        .map(extra + [
            .init("apiVersion", .string(resource.apiVersion)),
            .init("kind", .string(resource.kind)),
            .init("metadata", .map([.init("name", .string(resource.name))] + (resource.namespace.map { [.init("namespace", .string($0))] } ?? []))),
        ])
    }

    /// The strategic-merge patch turning `before` into `after`, or nil when they are equal.
    public static func strategicPatch(from before: Resource, to after: Resource) -> ManifestValue? {
        guard before.body != after.body else { return nil }
        return changedPatch(from: before, to: after)
    }

    /// The patch for objects known to differ.
    private static func changedPatch(from before: Resource, to after: Resource) -> ManifestValue? {
        let builtIn = isBuiltIn(after)
        guard case .map(var entries)? = diff(before.body, after.body, path: [], kind: after.kind, builtIn: builtIn) else { return nil }
        // The identity must be in every patch, whatever changed.
        entries.removeAll { $0.key == "apiVersion" || $0.key == "kind" }
        var metadata: [ManifestValue.Entry] = [.init("name", .string(after.name))]
        if let namespace = after.namespace { metadata.append(.init("namespace", .string(namespace))) }
        if let index = entries.firstIndex(where: { $0.key == "metadata" }) {
            if case .map(let changed) = entries[index].value {
                metadata += changed.filter { $0.key != "name" && $0.key != "namespace" }
            }
            entries.remove(at: index)
        }
        return .map([.init("apiVersion", .string(after.apiVersion)), .init("kind", .string(after.kind)), .init("metadata", .map(metadata))] + entries)
    }

    /// Kinds Kubernetes itself defines (kustomize knows their merge keys); custom resources are not.
    static func isBuiltIn(_ resource: Resource) -> Bool {
        resource.group.isEmpty || !resource.group.contains(".") || resource.group.hasSuffix(".k8s.io")
    }

    /// The merge keys of a list in a built-in kind, by field name (and, for `ports`, by owner):
    /// Kubernetes' list-map keys, which kustomize matches items on.
    static func mergeKeys(field: String, path: [String], kind: String) -> [String]? {
        switch field {
        case "containers", "initContainers", "ephemeralContainers", "volumes", "imagePullSecrets", "env": return ["name"]
        case "volumeMounts": return ["mountPath"]
        case "topologySpreadConstraints": return ["topologyKey", "whenUnsatisfiable"]
        case "ports": return kind == "Service" && path == ["spec", "ports"] ? ["port", "protocol"] : ["containerPort", "protocol"]
        default: return nil
        }
    }

    private static func diff(_ before: ManifestValue, _ after: ManifestValue, path: [String], kind: String, builtIn: Bool) -> ManifestValue? {
        if before == after { return nil }
        switch (before, after) {
        case (.map(let old), .map(let new)):
            var entries: [ManifestValue.Entry] = []
            // Keys are unique within a map; look them up by hash once maps are more than a few entries.
            let oldByKey = old.count > 8 ? Dictionary(old.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }) : nil
            let newKeys = new.count > 8 ? Set(new.map(\.key)) : nil
            for entry in new {
                if let previous = oldByKey.map({ $0[entry.key] }) ?? old.first(where: { $0.key == entry.key })?.value {
                    if let change = diff(previous, entry.value, path: path + [entry.key], kind: kind, builtIn: builtIn) {
                        entries.append(.init(entry.key, change))
                    }
                } else {
                    entries.append(entry)
                }
            }
            for entry in old where !(newKeys.map { $0.contains(entry.key) } ?? new.contains(where: { $0.key == entry.key })) {
                entries.append(.init(entry.key, .null))
            }
            return entries.isEmpty ? nil : .map(entries)
        case (.list(let old), .list(let new)):
            if builtIn, let field = path.last, let keys = mergeKeys(field: field, path: path, kind: kind),
               let patch = keyedListPatch(old, new, keys: keys, path: path, kind: kind) {
                return .list(patch)
            }
            return after
        default:
            return after
        }
    }

    /// A patch for a list merged by `keys`, or nil when an item lacks them (then the list is
    /// replaced whole). kustomize's result is: the patch's items in patch order, then the
    /// parent's items the patch does not mention, in parent order. So the longest tail of the new
    /// list made of untouched parent items, in parent order, stays out of the patch; everything
    /// before it is listed (unchanged items as their keys alone, which positions them).
    private static func keyedListPatch(_ old: [ManifestValue], _ new: [ManifestValue], keys: [String], path: [String], kind: String) -> [ManifestValue]? {
        func identity(_ item: ManifestValue) -> [ManifestValue.Entry]? {
            let entries = keys.compactMap { key in item[key].map { ManifestValue.Entry(key, $0) } }
            return entries.isEmpty ? nil : entries
        }
        let oldIdentities = old.map(identity), newIdentities = new.map(identity)
        guard !oldIdentities.contains(where: { $0 == nil }), !newIdentities.contains(where: { $0 == nil }) else { return nil }
        let oldKeys = oldIdentities.compactMap { $0 }, newKeys = newIdentities.compactMap { $0 }
        guard Set(oldKeys).count == oldKeys.count, Set(newKeys).count == newKeys.count else { return nil }
        var oldByKey: [[ManifestValue.Entry]: (position: Int, item: ManifestValue)] = [:]
        for (position, (key, item)) in zip(oldKeys, old).enumerated() { oldByKey[key] = (position, item) }
        // The untouched tail: walking back from the end, items equal to the parent's whose parent
        // positions keep decreasing (so they appear in the parent in the same order).
        var tail = 0
        var nextPosition = Int.max
        for (itemKey, item) in zip(newKeys, new).reversed() {
            guard let previous = oldByKey[itemKey], previous.item == item, previous.position < nextPosition else { break }
            nextPosition = previous.position
            tail += 1
        }
        var patch: [ManifestValue] = []
        for (itemKey, item) in zip(newKeys, new).prefix(new.count - tail) {
            if let previous = oldByKey[itemKey]?.item {
                let change = diff(previous, item, path: path + ["[]"], kind: kind, builtIn: true)
                var entries = itemKey
                if case .map(let changed)? = change { entries += changed.filter { !keys.contains($0.key) } }
                patch.append(.map(entries))
            } else {
                patch.append(item)
            }
        }
        let kept = Set(newKeys)
        for itemKey in oldKeys where !kept.contains(itemKey) {
            patch.append(.map(itemKey + [.init("$patch", "delete")]))
        }
        return patch
    }
}

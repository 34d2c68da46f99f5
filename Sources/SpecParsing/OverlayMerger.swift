import SpecModel
import SpecDiagnostics

/// Merges an overlay's patch into a spec tree, on YAML nodes, before decoding — so every value
/// keeps the location of the file it came from, and diagnostics about an overlay's values point
/// at the overlay's lines.
///
/// Semantics (documented in README):
/// - mappings merge key by key; a key set to `null` is removed;
/// - scalars replace;
/// - lists replace, except lists keyed by name — `uses` (by target), `envFrom` (by Secret or
///   ConfigMap name), `waivers` (by rule and target) — which merge item by item, new items
///   appended; `{…, $patch: delete}` removes an item;
/// - `$patch: replace` in a mapping (or as the first item of a keyed list) replaces instead of
///   merging;
/// - removing something the spec does not have is an error.
struct OverlayMerger {
    let reader: NodeReader

    func merge(_ base: YAMLNode, _ patch: YAMLNode) -> YAMLNode {
        merge(base, patch, path: []) ?? base
    }

    /// The merged node, or nil when the patch removes it.
    private func merge(_ base: YAMLNode?, _ patch: YAMLNode, path: [String]) -> YAMLNode? {
        if patch.isNull {
            if base == nil { reportMissing(path, at: patch.location) }
            return nil
        }
        switch patch.content {
        case .mapping(let patchPairs):
            switch directive(of: patch) {
            case "replace": return fresh(withoutDirective(patch), path: path)
            case "delete":
                if base == nil { reportMissing(path, at: patch.location) }
                return nil
            default: break
            }
            guard let base, case .mapping(let basePairs) = base.content else { return fresh(patch, path: path) }
            var result: [YAMLNode.Pair] = []
            var patched = Set<String>()
            let patchByKey = Dictionary(patchPairs.compactMap { pair in pair.key.scalar.map { ($0, pair) } }, uniquingKeysWith: { first, _ in first })
            for pair in basePairs {
                guard let key = pair.key.scalar, let patchPair = patchByKey[key] else {
                    result.append(pair)
                    continue
                }
                patched.insert(key)
                if let merged = merge(pair.value, patchPair.value, path: path + [key]) {
                    result.append(YAMLNode.Pair(key: pair.key, value: merged))
                }
            }
            for pair in patchPairs {
                guard let key = pair.key.scalar, !patched.contains(key) else { continue }
                if key == "$patch" { continue }
                if let added = merge(nil, pair.value, path: path + [key]) {
                    result.append(YAMLNode.Pair(key: pair.key, value: added))
                }
            }
            var merged = base
            merged.content = .mapping(result)
            return merged
        case .sequence(let patchItems):
            let key = path.last ?? ""
            guard let identity = Self.listKeys[key], let base, case .sequence(let baseItems) = base.content else {
                return fresh(patch, path: path)
            }
            if let first = patchItems.first, directive(of: first) == "replace" {
                var replaced = patch
                replaced.content = .sequence(Array(patchItems.dropFirst()))
                return fresh(replaced, path: path)
            }
            var result = baseItems
            for item in patchItems {
                let itemKey = identity(item)
                let index = itemKey.flatMap { wanted in result.firstIndex { identity($0) == wanted } }
                if directive(of: item) == "delete" {
                    if let index { result.remove(at: index) } else { reportMissing(path + [itemKey ?? "?"], at: item.location) }
                    continue
                }
                if let index {
                    if let merged = merge(result[index], item, path: path + [itemKey ?? ""]) { result[index] = merged }
                } else if let added = fresh(item, path: path) {
                    result.append(added)
                }
            }
            var merged = base
            merged.content = .sequence(result)
            return merged
        case .scalar:
            return patch
        }
    }

    /// A patch value that does not meet an existing one: removals inside it have nothing to remove.
    private func fresh(_ node: YAMLNode, path: [String]) -> YAMLNode? {
        switch node.content {
        case .scalar:
            if node.isNull {
                reportMissing(path, at: node.location)
                return nil
            }
            return node
        case .sequence(let items):
            var copy = node
            copy.content = .sequence(items.compactMap { item in
                if directive(of: item) != nil {
                    reader.error("invalid-value", "'$patch' only applies to an item that exists in the spec", at: item.location)
                    return nil
                }
                return fresh(item, path: path)
            })
            return copy
        case .mapping(let pairs):
            var copy = node
            copy.content = .mapping(pairs.compactMap { pair in
                guard let key = pair.key.scalar, key != "$patch" else { return nil }
                return fresh(pair.value, path: path + [key]).map { YAMLNode.Pair(key: pair.key, value: $0) }
            })
            return copy
        }
    }

    private func directive(of node: YAMLNode) -> String? {
        guard let pairs = node.pairs, let pair = pairs.first(where: { $0.key.scalar == "$patch" }) else { return nil }
        let value = pair.value.scalar ?? ""
        guard ["replace", "delete"].contains(value) else {
            reader.error("invalid-value", "'$patch' takes 'replace' or 'delete', found '\(value)'", at: pair.value.location)
            return nil
        }
        return value
    }

    private func withoutDirective(_ node: YAMLNode) -> YAMLNode {
        var copy = node
        if let pairs = node.pairs { copy.content = .mapping(pairs.filter { $0.key.scalar != "$patch" }) }
        return copy
    }

    private func reportMissing(_ path: [String], at location: SourceLocation) {
        reader.error("overlay-removes-missing", "the overlay removes '\(path.joined(separator: "."))', which the spec it layers on does not have",
                     at: location, fix: "Remove this line, or check the name against the spec.")
    }

    /// Lists whose items are identified by a name, so overlays merge them item by item.
    static let listKeys: [String: @Sendable (YAMLNode) -> String?] = [
        "uses": { item in item.scalar ?? item.pairs?.first { $0.key.scalar == "target" }?.value.scalar },
        "envFrom": { item in item.pairs?.first { $0.key.scalar == "secret" || $0.key.scalar == "configMap" }.flatMap { pair in
            pair.value.scalar.map { "\(pair.key.scalar ?? ""):\($0)" }
        } },
        "waivers": { item in
            guard let pairs = item.pairs, let rule = pairs.first(where: { $0.key.scalar == "rule" })?.value.scalar,
                  let target = pairs.first(where: { $0.key.scalar == "target" })?.value.scalar else { return nil }
            return "\(rule) on \(target)"
        },
    ]
}

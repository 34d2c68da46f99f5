import SpecModel
import SpecDiagnostics

/// Expands YAML merge keys (`<<: *anchor`, `<<: [*a, *b]`) once, right after composing, so every
/// later stage — overlay merging, decoding — sees plain mappings: the merged mappings' entries
/// first, keys written in the mapping itself overriding them, earlier merged mappings winning
/// over later ones. Merged values keep their own locations.
enum MergeKeys {
    static func expand(_ node: YAMLNode, reader: NodeReader) -> YAMLNode {
        switch node.content {
        case .scalar:
            return node
        case .sequence(let items):
            var copy = node
            copy.content = .sequence(items.map { expand($0, reader: reader) })
            return copy
        case .mapping(let pairs):
            var copy = node
            copy.content = .mapping(expandPairs(pairs, reader: reader))
            return copy
        }
    }

    private static func isMergeKey(_ pair: YAMLNode.Pair) -> Bool {
        if case .scalar("<<", .plain) = pair.key.content { return pair.key.tag == nil }
        return false
    }

    private static func expandPairs(_ pairs: [YAMLNode.Pair], reader: NodeReader) -> [YAMLNode.Pair] {
        let expanded = pairs.map { YAMLNode.Pair(key: $0.key, value: expand($0.value, reader: reader)) }
        guard expanded.contains(where: isMergeKey) else { return expanded }
        var explicit: [YAMLNode.Pair] = []
        var sources: [YAMLNode] = []
        for pair in expanded {
            guard isMergeKey(pair) else {
                explicit.append(pair)
                continue
            }
            if pair.value.pairs != nil {
                sources.append(pair.value)
            } else if let items = pair.value.items, !items.isEmpty, items.allSatisfy({ $0.pairs != nil }) {
                sources += items
            } else {
                reader.error("type-mismatch", "a merge key '<<' takes a mapping or a list of mappings, found \(pair.value.kindDescription)",
                             at: pair.value.location)
            }
        }
        var taken = Set(explicit.compactMap { $0.key.scalar })
        var merged: [YAMLNode.Pair] = []
        for source in sources {
            for pair in source.pairs ?? [] {
                guard let key = pair.key.scalar, !taken.contains(key) else { continue }
                taken.insert(key)
                merged.append(pair)
            }
        }
        return merged + explicit
    }
}

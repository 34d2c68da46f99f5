/// An ordered JSON/YAML value: manifests are built as these trees, in the key order Kubernetes
/// users write (`apiVersion, kind, metadata, spec`), and only `ManifestWriter` turns them into text.
public indirect enum ManifestValue: Sendable, Hashable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([ManifestValue])
    case map([Entry])
    /// An explicit `null`: in a strategic-merge patch it deletes the field.
    case null
    /// Marks a value to leave out: literal builders drop entries and items holding it,
    /// so a finished tree never contains it.
    case absent

    /// One key/value pair of a map.
    public struct Entry: Sendable, Hashable {
        public var key: String
        public var value: ManifestValue

        public init(_ key: String, _ value: ManifestValue) {
            self.key = key
            self.value = value
        }
    }

    /// A map from entries, dropping absent values.
    public static func map(_ entries: KeyValuePairs<String, ManifestValue>) -> ManifestValue {
        .map(entries.compactMap { $0.value == .absent ? nil : Entry($0.key, $0.value) })
    }

    /// A string map with keys sorted (labels, annotations, ConfigMap data: order carries no meaning,
    /// so a fixed order keeps output stable however the spec or its overlays list them).
    public static func sortedStrings(_ pairs: [(String, String)]) -> ManifestValue {
        var byKey: [String: String] = [:]
        for (key, value) in pairs { byKey[key] = value }
        return .map(byKey.keys.sorted().map { Entry($0, .string(byKey[$0] ?? "")) })
    }

    /// `value` when present, else absent.
    public static func optional(_ value: ManifestValue?) -> ManifestValue { value ?? .absent }

    /// A string when present, else absent.
    public static func optional(_ value: String?) -> ManifestValue { value.map(ManifestValue.string) ?? .absent }

    /// An int when present, else absent.
    public static func optional(_ value: Int?) -> ManifestValue { value.map(ManifestValue.int) ?? .absent }

    /// The list, or absent when empty (Kubernetes treats an absent list and an empty one alike).
    public static func nonEmpty(_ items: [ManifestValue]) -> ManifestValue {
        let kept = items.filter { $0 != .absent }
        return kept.isEmpty ? .absent : .list(kept)
    }

    /// The map, or absent when it has no entries.
    public static func nonEmpty(_ value: ManifestValue) -> ManifestValue {
        if case .map(let entries) = value, entries.isEmpty { return .absent }
        if case .list(let items) = value, items.isEmpty { return .absent }
        return value
    }

    /// The value under `key` when this is a map.
    public subscript(key: String) -> ManifestValue? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// The string payload, if this is a string.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

extension ManifestValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: ManifestValue...) { self = .list(elements.filter { $0 != .absent }) }
    public init(dictionaryLiteral elements: (String, ManifestValue)...) {
        self = .map(elements.compactMap { $0.1 == .absent ? nil : Entry($0.0, $0.1) })
    }
}

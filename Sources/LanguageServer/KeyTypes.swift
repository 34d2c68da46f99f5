import SpecModel
import SpecParsing

/// Which format a document is in, hence which key table is its root.
enum DocumentKind: Sendable {
    case spec, overlay, project

    /// The root table of the format: an overlay takes the spec's keys (but `name`) under its header.
    var root: KeyTable {
        switch self {
        case .spec: return SpecKeys.document
        case .overlay:
            return KeyTable([KeyDescription("overlay", .object(SpecKeys.overlayHeader), "The system it layers on, and its environment.")])
                + SpecKeys.document.without(["name"])
        case .project: return SpecKeys.projectFile
        }
    }
}

/// Types of keys along a path, from the decoder's key tables.
enum KeyTypes {
    /// The description of the key at the end of `path` (keys and chosen names from the root),
    /// with `engine(i)` giving the engine of a store whose name is `path[i]`.
    static func key(at path: [String], root: KeyTable, engine: (Int) -> String?) -> KeyDescription? {
        guard let last = path.last else { return nil }
        guard let parent = type(at: Array(path.dropLast()), root: root, engine: engine) else { return nil }
        return table(of: parent, engine: engine(path.count - 2))?[last]
    }

    /// The type of the value at `path` (the root mapping for an empty path).
    static func type(at path: [String], root: KeyTable, engine: (Int) -> String?) -> ValueType? {
        var current = ValueType.object(root)
        for (index, component) in path.enumerated() {
            guard let next = step(current, component, engine: engine(index - 1)) else { return nil }
            current = next
        }
        return current
    }

    /// The keys a mapping of `type` takes (a store's: the common ones plus its engine's).
    static func table(of type: ValueType, engine: String?) -> KeyTable? {
        switch type {
        case .object(let table): return table
        case .list(let item): return table(of: item, engine: engine)
        case .anyOf(let types): return types.lazy.compactMap { table(of: $0, engine: engine) }.first
        case .store(let variants): return variants.first { $0.engine == engine }?.table ?? SpecKeys.storeCommon
        default: return nil
        }
    }

    private static func step(_ type: ValueType, _ component: String, engine: String?) -> ValueType? {
        switch type {
        case .object, .store: return table(of: type, engine: engine)?[component]?.type
        case .namedMap(let value, _): return value
        case .textMap: return .text
        case .list(let item): return step(item, component, engine: engine)
        case .anyOf(let types): return types.lazy.compactMap { step($0, component, engine: engine) }.first
        default: return nil
        }
    }

    /// Words a value of `type` may be.
    static func values(of type: ValueType) -> [String] {
        switch type {
        case .choice(let options): return options
        case .boolean: return ["true", "false"]
        case .word(let word): return [word]
        case .list(let item): return values(of: item)
        case .anyOf(let types): return types.flatMap(values)
        default: return []
        }
    }

    /// A short description of a type for hover and completion details.
    static func describe(_ type: ValueType) -> String {
        switch type {
        case .text: return "text"
        case .nonEmptyText: return "non-empty text"
        case .path: return "a path starting with /"
        case .name(let kind): return describe(kind)
        case .integer(let range):
            return range.upperBound >= Int(Int32.max) ? "integer ≥ \(range.lowerBound)" : "integer \(range.lowerBound)–\(range.upperBound)"
        case .boolean: return "true or false"
        case .choice(let options): return "one of " + options.joined(separator: ", ")
        case .quantity: return "quantity (250m, 2, 512Mi)"
        case .duration: return "duration (30s, 1h30m)"
        case .countOrPercent: return "count or percentage"
        case .date: return "date YYYY-MM-DD"
        case .list(let item): return "list of " + describe(item)
        case .textMap(let kind): return "mapping of \(describe(kind)) to text"
        case .namedMap(let value, let kind): return "mapping of \(describe(kind)) to " + describe(value)
        case .object(let table): return table.id.isEmpty ? "mapping" : "mapping (\(table.id))"
        case .anyOf(let types): return types.map(describe).joined(separator: " or ")
        case .word(let word): return "'\(word)'"
        case .nothing: return "nothing"
        case .store: return "store (keys depend on engine)"
        }
    }

    private static func describe(_ kind: NameKind) -> String {
        switch kind {
        case .label: return "DNS label"
        case .subdomain: return "DNS subdomain"
        case .port: return "port name"
        case .environmentVariable: return "variable name"
        case .qualified: return "label key"
        case .path: return "path"
        case .any: return "name"
        }
    }

    /// Hover text of a key: name, type, default and its line.
    static func hover(_ key: KeyDescription) -> String {
        var text = "**\(key.name)**"
        if let type = key.type { text += " — \(describe(type))" }
        if let value = key.defaultValue {
            switch value {
            case .integer(let number): text += " (default `\(number)`)"
            case .text(let word): text += " (default `\(word)`)"
            case .boolean(let flag): text += " (default `\(flag)`)"
            }
        }
        if key.isRequired { text += ", required" }
        return text + "\n\n" + key.summary
    }
}

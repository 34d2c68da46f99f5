import SpecModel
import Yams

/// Reads emitted YAML back into value trees (for comparing a committed tree with a new one).
public enum ManifestReader {
    /// Every document of a YAML stream; nil when the text is not YAML.
    public static func documents(_ text: String) -> [ManifestValue]? {
        guard let nodes = try? Yams.compose_all(yaml: text) else { return nil }
        return nodes.map(value)
    }

    static func value(_ node: Node) -> ManifestValue {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            switch scalar.string {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null", "~", "": return .null
            default: return Int(scalar.string).map(ManifestValue.int) ?? .string(scalar.string)
            }
        case .mapping(let mapping):
            return .map(mapping.map { ManifestValue.Entry($0.key.string ?? "", value($0.value)) })
        case .sequence(let sequence):
            return .list(sequence.map(value))
        case .alias:
            return .null
        }
    }
}

/// One object as a reviewer names it: kind, namespace, name.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var kind: String
    public var namespace: String
    public var name: String

    public init?(_ object: ManifestValue) {
        guard let kind = object["kind"]?.stringValue, let name = object["metadata"]?["name"]?.stringValue else { return nil }
        self.kind = kind
        self.namespace = object["metadata"]?["namespace"]?.stringValue ?? ""
        self.name = name
    }

    /// `PDB etcd`: short kind names for the common long ones.
    public var description: String { "\(shortKind) \(name)" }

    /// The kind, shortened for the common long ones (`PDB`, `HPA`).
    public var shortKind: String {
        ["PodDisruptionBudget": "PDB", "HorizontalPodAutoscaler": "HPA"][kind] ?? kind
    }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.kind, lhs.namespace, lhs.name) < (rhs.kind, rhs.namespace, rhs.name)
    }
}

/// What changed between two sets of objects, in reviewer terms.
public enum SemanticDiff {
    /// One changed leaf: a short path and both values.
    public struct Change: Sendable, Equatable {
        public var path: String
        public var old: String
        public var new: String
    }

    /// One object's changes, or its addition or removal.
    public struct ObjectChange: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case added, removed, changed([Change]) }
        public var key: ObjectKey
        public var kind: Kind
        /// Whether the name alone is ambiguous (the same kind and name in several namespaces), so
        /// the summary names the namespace too.
        public var showsNamespace = false

        /// `+ Deployment inspector`, `− CronJob backup`, `StatefulSet etcd replicas 3 → 5`,
        /// `+ PeerAuthentication apps/default`.
        public var summary: String {
            let name = showsNamespace && !key.namespace.isEmpty ? "\(key.shortKind) \(key.namespace)/\(key.name)" : key.description
            switch kind {
            case .added: return "+ \(name)"
            case .removed: return "− \(name)"
            case .changed(let changes):
                let shown = changes.prefix(4).map { "\($0.path) \($0.old) → \($0.new)" }
                let more = changes.count > 4 ? " (+\(changes.count - 4) more)" : ""
                return "\(name) " + shown.joined(separator: ", ") + more
            }
        }
    }

    /// The changes from `old` to `new` objects, ordered by object.
    public static func compare(_ old: [ManifestValue], _ new: [ManifestValue]) -> [ObjectChange] {
        var before: [ObjectKey: ManifestValue] = [:], after: [ObjectKey: ManifestValue] = [:]
        for object in old { if let key = ObjectKey(object) { before[key] = object } }
        for object in new { if let key = ObjectKey(object) { after[key] = object } }
        var result: [ObjectChange] = []
        let keys = Set(before.keys).union(after.keys)
        var namespaces: [String: Set<String>] = [:]
        for key in keys { namespaces["\(key.kind)/\(key.name)", default: []].insert(key.namespace) }
        for key in keys.sorted() {
            switch (before[key], after[key]) {
            case (nil, .some): result.append(ObjectChange(key: key, kind: .added))
            case (.some, nil): result.append(ObjectChange(key: key, kind: .removed))
            case (.some(let a), .some(let b)) where a != b:
                var changes: [Change] = []
                let (old, new) = key.kind == "Secret" ? hidingSecretValues(a, b) : (a, b)
                leaves(old, new, path: [], into: &changes)
                if !changes.isEmpty { result.append(ObjectChange(key: key, kind: .changed(changes))) }
            default: break
            }
        }
        for index in result.indices where (namespaces["\(result[index].key.kind)/\(result[index].key.name)"]?.count ?? 0) > 1 {
            result[index].showsNamespace = true
        }
        return result
    }

    /// What a Secret's `data` and `stringData` values become before comparing: a marker that says
    /// whether the value changed, never the value.
    public static let hiddenValue = "(secret value)", changedHiddenValue = "(secret value, changed)"

    private static func hidingSecretValues(_ old: ManifestValue, _ new: ManifestValue) -> (ManifestValue, ManifestValue) {
        func hidden(_ object: ManifestValue, comparedWith other: ManifestValue, marking changed: Bool) -> ManifestValue {
            guard case .map(let fields) = object else { return object }
            return .map(fields.map { field in
                guard field.key == "data" || field.key == "stringData", case .map(let values) = field.value else { return field }
                return .init(field.key, .map(values.map { entry in
                    let differs = other[field.key]?[entry.key] != entry.value
                    return .init(entry.key, .string(changed && differs ? changedHiddenValue : hiddenValue))
                }))
            })
        }
        return (hidden(old, comparedWith: new, marking: false), hidden(new, comparedWith: old, marking: true))
    }

    /// Prefixes that every reader knows are there.
    private static let noise: [[String]] = [["spec", "template", "spec"], ["spec", "jobTemplate", "spec", "template", "spec"], ["spec", "template"], ["spec"], ["data"]]

    private static func shortPath(_ path: [String]) -> String {
        var parts = path
        for prefix in noise where parts.starts(with: prefix) && parts.count > prefix.count {
            parts.removeFirst(prefix.count)
            break
        }
        // An env entry's value reads as the variable itself.
        if parts.count >= 2, parts[parts.count - 2].hasPrefix("["), parts.last == "value" { parts.removeLast() }
        return parts.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    private static func text(_ value: ManifestValue?) -> String {
        guard let value else { return "(none)" }
        switch value {
        case .string(let string): return string
        case .int(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null, .absent: return "null"
        case .list, .map: return ManifestWriter.json(value)
        }
    }

    /// Both values, short: multi-line text as a line count, long text from where the two differ.
    private static func render(_ old: ManifestValue?, _ new: ManifestValue?) -> (String, String) {
        let a = text(old), b = text(new)
        if a.contains("\n") || b.contains("\n") {
            func lines(_ text: String) -> Int { text.split(separator: "\n").count }
            let after = lines(a) == lines(b) ? "(\(lines(b)) lines, edited)" : "(\(lines(b)) lines)"
            return (old == nil ? "(none)" : "(\(lines(a)) lines)", new == nil ? "(none)" : after)
        }
        let limit = 48
        guard a.count > limit || b.count > limit else { return (a, b) }
        // Both cut between tokens, from a little before the first token where they differ.
        let before = TextClip.tokens(a), after = TextClip.tokens(b)
        let common = zip(before, after).prefix { $0 == $1 }.count
        // Keep a few tokens (about twelve characters, never a long one) of what they share before the difference.
        var skip = common, kept = 0
        while skip > 0, kept < 12, kept + before[skip - 1].count <= 24 {
            skip -= 1
            kept += before[skip].count
        }
        return (TextClip.clip(before, droppingFirst: skip, limit: limit), TextClip.clip(after, droppingFirst: skip, limit: limit))
    }

    private static func leaves(_ old: ManifestValue?, _ new: ManifestValue?, path: [String], into changes: inout [Change]) {
        guard old != new else { return }
        switch (old, new) {
        case (.map(let a)?, .map(let b)?):
            for entry in b { leaves(a.first { $0.key == entry.key }?.value, entry.value, path: path + [entry.key], into: &changes) }
            for entry in a where !b.contains(where: { $0.key == entry.key }) {
                leaves(entry.value, nil, path: path + [entry.key], into: &changes)
            }
        case (nil, .map(let b)?):
            // An added object reads as its fields (a named list item's name is already in the path).
            for entry in b where !(entry.key == "name" && path.last?.hasPrefix("[") == true) {
                leaves(nil, entry.value, path: path + [entry.key], into: &changes)
            }
        case (.map(let a)?, nil):
            for entry in a where !(entry.key == "name" && path.last?.hasPrefix("[") == true) {
                leaves(entry.value, nil, path: path + [entry.key], into: &changes)
            }
        case (.list(let a)?, .list(let b)?) where (a + b).allSatisfy({ $0["name"]?.stringValue != nil }):
            // Named items (containers, env, volumes) are matched by name, as people read them.
            for item in b {
                let name = item["name"]?.stringValue ?? ""
                leaves(a.first { $0["name"]?.stringValue == name }, item, path: path + ["[\(name)]"], into: &changes)
            }
            for item in a where !b.contains(where: { $0["name"] == item["name"] }) {
                leaves(item, nil, path: path + ["[\(item["name"]?.stringValue ?? "")]"], into: &changes)
            }
        case (.list, .list) where path.last == "ingress" || path.last == "egress" || path.last == "rules":
            // Policy rules read as who may connect on which ports, one line per peer.
            let before = policyEntries(old), after = policyEntries(new)
            for entry in after where !before.contains(entry) { changes.append(Change(path: shortPath(path), old: "(none)", new: entry)) }
            for entry in before where !after.contains(entry) { changes.append(Change(path: shortPath(path), old: entry, new: "(none)")) }
        default:
            let (before, after) = render(old, new)
            changes.append(Change(path: shortPath(path), old: before, new: after))
        }
    }

    /// NetworkPolicy rules (`from`/`to` peers with `ports`) and AuthorizationPolicy rules (`from`
    /// sources with `to` operations), one `from gateway (platform-services) on 8080` per peer and port,
    /// so regrouping rules shows nothing and one new port shows as one line.
    private static func policyEntries(_ value: ManifestValue?) -> [String] {
        guard case .list(let rules)? = value else { return [] }
        var entries: [String] = []
        for rule in rules {
            let isAuthorization = listItems(rule["from"]).contains { $0["source"] != nil } || listItems(rule["to"]).contains { $0["operation"] != nil }
            if !isAuthorization, let peers = rule["from"] ?? rule["to"], case .list(let items) = peers {
                let direction = rule["from"] != nil ? "from" : "to"
                let ports = listItems(rule["ports"]).map { "\(text($0["port"]))\($0["protocol"]?.stringValue == "UDP" ? "/UDP" : "")" }
                for item in items {
                    for port in ports.isEmpty ? ["any port"] : ports { entries.append("\(direction) \(peerText(item)) on \(port)") }
                }
            } else {
                let ports = listItems(rule["to"]).flatMap { listItems($0["operation"]?["ports"]).map(text) }
                for source in listItems(rule["from"]) {
                    guard case .map(let fields)? = source["source"] else { continue }
                    for field in fields {
                        for value in listItems(field.value).map(text) {
                            for port in ports.isEmpty ? ["any port"] : ports { entries.append("from \(sourceText(field.key, value)) on \(port)") }
                        }
                    }
                }
            }
        }
        return entries
    }

    private static func listItems(_ value: ManifestValue?) -> [ManifestValue] {
        if case .list(let items)? = value { return items }
        return []
    }

    /// `gateway (platform-services)` for a principal `<trust domain>/ns/platform-services/sa/gateway`.
    private static func sourceText(_ field: String, _ value: String) -> String {
        switch field {
        case "principals":
            let parts = value.split(separator: "/")
            if parts.count == 5, parts[1] == "ns", parts[3] == "sa" { return "\(parts[4]) (\(parts[2]))" }
            return value
        case "namespaces": return "namespace \(value)"
        case "notPrincipals" where value == "*": return "callers without a mesh identity"
        default: return "\(field) \(value)"
        }
    }

    private static func peerText(_ peer: ManifestValue) -> String {
        if let cidr = peer["ipBlock"]?["cidr"]?.stringValue { return cidr }
        let namespace = peer["namespaceSelector"]?["matchLabels"]?["kubernetes.io/metadata.name"]?.stringValue
        if let pods = peer["podSelector"]?["matchLabels"] {
            let name = ([Topology.nameLabel] + Engines.groupNameLabels).lazy.compactMap { pods[$0]?.stringValue }.first ?? text(pods)
            return namespace.map { "\(name) (\($0))" } ?? name
        }
        return namespace.map { "namespace \($0)" } ?? text(peer)
    }
}

/// Shortening text for one-line summaries without cutting a token in half: JSON strings (with
/// their quotes), words, numbers and single punctuation marks are the units.
public enum TextClip {
    /// `text` in tokens; joined they give `text` back.
    public static func tokens(_ text: String) -> [Substring] {
        var tokens: [Substring] = []
        var index = text.startIndex
        let separators: Set<Character> = [" ", ",", ":", ";", "=", "/", "{", "}", "[", "]", "(", ")", "\t"]
        while index < text.endIndex {
            let start = index
            let character = text[index]
            if character == "\"" {
                // A quoted string up to its closing quote (escapes skipped), or the rest of the text.
                index = text.index(after: index)
                while index < text.endIndex, text[index] != "\"" {
                    if text[index] == "\\" { index = text.index(after: index) }
                    if index < text.endIndex { index = text.index(after: index) }
                }
                if index < text.endIndex { index = text.index(after: index) }
            } else if separators.contains(character) {
                index = text.index(after: index)
            } else {
                while index < text.endIndex, !separators.contains(text[index]), text[index] != "\"" { index = text.index(after: index) }
            }
            tokens.append(text[start..<index])
        }
        return tokens
    }

    /// At most about `limit` characters of `tokens` after the first `skip`, whole tokens only, with
    /// `…` where text was left out; a single token longer than four times the limit is given as
    /// its length.
    public static func clip(_ tokens: [Substring], droppingFirst skip: Int = 0, limit: Int) -> String {
        let shown = tokens.dropFirst(skip)
        var text = "", count = 0, taken = 0
        for token in shown {
            if taken > 0, count + token.count > limit { break }
            text += token
            count += token.count
            taken += 1
        }
        if taken == 1, count > 4 * limit, let first = shown.first { text = "(\(first.count) characters)" }
        return (skip > 0 ? "…" : "") + text + (taken < shown.count ? "…" : "")
    }

    /// `text` clipped to about `limit` characters between tokens.
    public static func clip(_ text: String, limit: Int) -> String {
        text.count <= limit ? text : clip(tokens(text), limit: limit)
    }
}

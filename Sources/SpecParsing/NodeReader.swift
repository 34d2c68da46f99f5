import SpecModel
import SpecDiagnostics

/// Turns YAML nodes into typed values, recording a located diagnostic for every mismatch
/// instead of stopping at the first, so one run reports all of a file's problems.
final class NodeReader {
    private(set) var bag = DiagnosticBag()

    func error(_ id: String, _ message: String, at location: SourceLocation, notes: [DiagnosticNote] = [], fix: String? = nil,
               edits: [SuggestedEdit] = []) {
        bag.error(id, message, at: location, notes: notes, fix: fix, edits: edits)
    }

    /// Replacing the plain scalar `node` (a misspelt key or value) with the closest of `candidates`.
    private func replacement(_ node: YAMLNode, _ text: String, among candidates: [String]) -> [SuggestedEdit] {
        guard case .scalar(_, .plain) = node.content, let close = NameSuggestion.closest(to: text, in: candidates) else { return [] }
        return [SuggestedEdit("Replace '\(text)' with '\(close)'", at: node.location, length: text.unicodeScalars.count, replacement: close)]
    }

    func warning(_ id: String, _ message: String, at location: SourceLocation, notes: [DiagnosticNote] = [], fix: String? = nil) {
        bag.warning(id, message, at: location, notes: notes, fix: fix)
    }

    func append(_ diagnostic: Diagnostic) {
        bag.append(diagnostic)
    }

    // MARK: Mappings

    /// Opens `node` as a mapping whose keys must be among `known`'s.
    /// Reports duplicate keys, unknown keys (with a suggestion) and a non-mapping node.
    func mapping(_ node: YAMLNode, _ what: String, known: KeyTable) -> Fields? {
        if node.isNull { return Fields(node: node, entries: [:], order: []) }
        guard let written = node.pairs else {
            error("type-mismatch", "expected a mapping for \(what), found \(node.kindDescription)", at: node.location)
            return nil
        }
        let pairs = written
        var entries: [String: YAMLNode.Pair] = [:]
        var order: [String] = []
        for pair in pairs {
            guard let key = scalarKey(pair.key, in: what) else { continue }
            if let first = entries[key] {
                error("duplicate-key", "duplicate key '\(key)' in \(what)", at: pair.key.location,
                      notes: [DiagnosticNote("first defined here", at: first.key.location)],
                      fix: "Remove one of the two entries; YAML keeps only one of them.")
                continue
            }
            if key.hasPrefix("x-"), known.allowsExtensions { continue }
            guard known.contains(key) else {
                let listed = known.names
                error("unknown-key", "unknown key '\(key)' in \(what)\(NameSuggestion.hint(for: key, in: listed))",
                      at: pair.key.location,
                      notes: [DiagnosticNote("expected one of: \(listed.joined(separator: ", "))\(known.allowsExtensions ? ", or an x- extension key" : "")")],
                      edits: replacement(pair.key, key, among: listed))
                continue
            }
            entries[key] = pair
            order.append(key)
        }
        return Fields(node: node, entries: entries, order: order)
    }

    /// Opens `node` as a list of mappings with `known` keys (`tolerations:`, `waivers:`): each item
    /// that is one, with its node. `list` names the list in the type error, `item` one entry.
    func mappingItems(_ node: YAMLNode, list: String, item: String, known: KeyTable) -> [(node: YAMLNode, fields: Fields)] {
        guard let items = node.items else {
            error("type-mismatch", "expected a list \(list), found \(node.kindDescription)", at: node.location)
            return []
        }
        return items.compactMap { entry in mapping(entry, item, known: known).map { (entry, $0) } }
    }

    /// Opens `node` as a mapping from user-chosen names to values (e.g. `services:`), in spec order.
    /// Reports duplicate names; the name checks are the caller's.
    func namedEntries(_ node: YAMLNode, _ what: String) -> [(name: Located<String>, value: YAMLNode)] {
        if node.isNull { return [] }
        guard let written = node.pairs else {
            error("type-mismatch", "expected a mapping of names for \(what), found \(node.kindDescription)", at: node.location)
            return []
        }
        let pairs = written
        var seen: [String: SourceLocation] = [:]
        var result: [(name: Located<String>, value: YAMLNode)] = []
        for pair in pairs {
            guard let key = scalarKey(pair.key, in: what) else { continue }
            if let first = seen[key] {
                error("duplicate-key", "duplicate key '\(key)' in \(what)", at: pair.key.location,
                      notes: [DiagnosticNote("first defined here", at: first)],
                      fix: "Remove one of the two entries; YAML keeps only one of them.")
                continue
            }
            seen[key] = pair.key.location
            result.append((Located(key, at: pair.key.location), pair.value))
        }
        return result
    }

    private func scalarKey(_ node: YAMLNode, in what: String) -> String? {
        guard let key = node.scalar, !node.isNull else {
            error("type-mismatch", "expected a plain key in \(what), found \(node.kindDescription)", at: node.location)
            return nil
        }
        return key
    }

    // MARK: Scalars

    /// Any scalar as its exact text (numbers and booleans included: `PORT: 8080` means "8080").
    func string(_ node: YAMLNode, _ what: String) -> Located<String>? {
        guard let text = node.scalar, !node.isNull else {
            error("type-mismatch", "expected a string for \(what), found \(node.kindDescription)", at: node.location)
            return nil
        }
        return Located(text, at: node.location)
    }

    /// A non-empty string.
    func nonEmptyString(_ node: YAMLNode, _ what: String) -> Located<String>? {
        guard let value = string(node, what) else { return nil }
        if value.value.isEmpty {
            error("invalid-value", "\(what) must not be empty", at: node.location)
            return nil
        }
        return value
    }

    /// A plain decimal integer within `range`.
    func int(_ node: YAMLNode, _ what: String, in range: ClosedRange<Int> = 0...Int.max) -> Located<Int>? {
        guard case .scalar(let text, .plain) = node.content, node.tag == nil, let value = Int(text) else {
            error("type-mismatch", "expected an integer for \(what), found \(node.kindDescription)", at: node.location)
            return nil
        }
        guard range.contains(value) else {
            error("invalid-value", "\(what) must be \(Self.describe(range)), found \(value)", at: node.location)
            return nil
        }
        return Located(value, at: node.location)
    }

    /// `true` or `false`, nothing else (YAML 1.1's yes/no/on/off are rejected as ambiguous).
    func bool(_ node: YAMLNode, _ what: String) -> Located<Bool>? {
        if case .scalar(let text, .plain) = node.content, node.tag == nil {
            if text == "true" { return Located(true, at: node.location) }
            if text == "false" { return Located(false, at: node.location) }
        }
        error("type-mismatch", "expected true or false for \(what), found \(node.kindDescription)\(node.scalar.map { " '\($0)'" } ?? "")",
              at: node.location)
        return nil
    }

    /// One of an enumeration's raw values.
    func choice<E: RawRepresentable & CaseIterable & Sendable>(_ node: YAMLNode, _ what: String, as type: E.Type) -> Located<E>? where E.RawValue == String {
        choice(node, what, among: E.allCases.map(\.rawValue)).flatMap { text in E(rawValue: text.value).map { Located($0, at: text.location) } }
    }

    /// One of `options`, with a suggestion when the text is close to one.
    func choice(_ node: YAMLNode, _ what: String, among options: [String]) -> Located<String>? {
        guard let text = string(node, what) else { return nil }
        if options.contains(text.value) { return Located(text.value, at: node.location) }
        error("invalid-value",
              "'\(text.value)' is not a valid \(what)\(NameSuggestion.hint(for: text.value, in: options))",
              at: node.location, notes: [DiagnosticNote("expected one of: \(options.joined(separator: ", "))")],
              edits: replacement(node, text.value, among: options))
        return nil
    }

    /// A list of strings.
    func stringList(_ node: YAMLNode, _ what: String) -> Located<[String]>? {
        guard let items = node.items else {
            error("type-mismatch", "expected a list of strings for \(what), found \(node.kindDescription)", at: node.location)
            return nil
        }
        var values: [String] = []
        for item in items {
            if let value = string(item, "an item of \(what)") { values.append(value.value) }
        }
        return Located(values, at: node.location)
    }

    /// A list of strings, each keeping its location.
    func locatedStrings(_ node: YAMLNode, _ what: String) -> [Located<String>] {
        guard let items = node.items else {
            error("type-mismatch", "expected a list of strings for \(what), found \(node.kindDescription)", at: node.location)
            return []
        }
        return items.compactMap { string($0, "an item of \(what)") }
    }

    /// A Kubernetes quantity such as `250m`, `1.5`, `512Mi`.
    func quantity(_ node: YAMLNode, _ what: String) -> Located<Quantity>? {
        guard let text = string(node, what) else { return nil }
        guard let quantity = Quantity(text.value), quantity.value >= 0 else {
            error("invalid-value", "'\(text.value)' is not a valid quantity for \(what)",
                  at: node.location, notes: [DiagnosticNote("a quantity is a non-negative number with an optional suffix: 250m, 2, 512Mi, 10Gi")])
            return nil
        }
        return Located(quantity, at: node.location)
    }

    /// A duration such as `30s`, `1m`, `1h30m` (Prometheus and Go style, whole units).
    func duration(_ node: YAMLNode, _ what: String) -> Located<String>? {
        guard let text = nonEmptyString(node, what) else { return nil }
        var valid = true, expectDigit = true, sawDigit = false
        for character in text.value {
            if character.isASCII, character.isNumber {
                sawDigit = true
                expectDigit = false
            } else if "smhdwy".contains(character), sawDigit {
                sawDigit = false
                expectDigit = true
            } else {
                valid = false
                break
            }
        }
        guard valid, expectDigit, !sawDigit else {
            error("invalid-value", "'\(text.value)' is not a duration such as 30s, 1m or 1h30m", at: text.location)
            return nil
        }
        return text
    }

    /// An integer or a percentage string such as `25%`.
    func intOrPercent(_ node: YAMLNode, _ what: String) -> Located<IntOrPercent>? {
        if case .scalar(let text, .plain) = node.content, node.tag == nil, let value = Int(text) {
            guard value >= 0 else {
                error("invalid-value", "\(what) must not be negative, found \(value)", at: node.location)
                return nil
            }
            return Located(.count(value), at: node.location)
        }
        if let text = node.scalar, text.hasSuffix("%"), let value = Int(text.dropLast()), (0...100).contains(value) {
            return Located(.percent(value), at: node.location)
        }
        error("type-mismatch", "expected an integer or a percentage such as 25% for \(what), found \(node.kindDescription)", at: node.location)
        return nil
    }

    /// A string/string mapping in spec order (labels, annotations, data).
    func keyValues(_ node: YAMLNode, _ what: String) -> [KeyValue] {
        namedEntries(node, what).compactMap { entry in
            guard let value = string(entry.value, "'\(entry.name.value)' in \(what)") else { return nil }
            return KeyValue(key: entry.name, value: value)
        }
    }

    /// Label or annotation mapping with key (and, for labels, value) syntax checks.
    func metadataEntries(_ node: YAMLNode, _ what: String, areLabels: Bool) -> [KeyValue] {
        let entries = keyValues(node, what)
        for entry in entries {
            if !KubernetesName.isQualifiedKey(entry.key.value) {
                error("invalid-name", "'\(entry.key.value)' is not a valid \(areLabels ? "label" : "annotation") key",
                      at: entry.key.location,
                      notes: [DiagnosticNote("a key is an optional DNS-subdomain prefix and '/', then up to 63 alphanumerics, '-', '_' or '.'")])
            }
            if areLabels, !KubernetesName.isLabelValue(entry.value.value) {
                error("invalid-value", "'\(entry.value.value)' is not a valid label value",
                      at: entry.value.location,
                      notes: [DiagnosticNote("a label value is empty or up to 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric")])
            }
        }
        return entries
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "at least \(range.lowerBound)" }
        return "between \(range.lowerBound) and \(range.upperBound)"
    }
}

/// The recognised entries of one YAML mapping, looked up by key.
struct Fields {
    let node: YAMLNode
    let entries: [String: YAMLNode.Pair]
    /// Keys in the order the spec wrote them.
    let order: [String]

    /// The value under `key`, or nil when absent or null.
    subscript(_ key: String) -> YAMLNode? {
        guard let value = entries[key]?.value, !value.isNull else { return nil }
        return value
    }

    /// Whether the key is written at all (even with a null value).
    func has(_ key: String) -> Bool { entries[key] != nil }

    /// Where the key itself stands.
    func keyLocation(_ key: String) -> SourceLocation? { entries[key]?.key.location }

    var location: SourceLocation { node.location }
}

import SpecModel

/// A YAML node with its position, as read from a spec file. Unlike a decoded dictionary it keeps
/// key order, duplicate keys and every node's location.
struct YAMLNode: Sendable {
    /// How a scalar was written; plain scalars are type-resolved (`3` is an integer),
    /// quoted and block scalars are always strings.
    enum ScalarStyle: Sendable {
        case plain, quoted, block
    }

    /// One `key: value` entry of a mapping.
    struct Pair: Sendable {
        var key: YAMLNode
        var value: YAMLNode
    }

    enum Content: Sendable {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        case mapping([Pair])
    }

    var content: Content
    var location: SourceLocation
    /// An explicit tag such as `!!str`, if the spec wrote one.
    var tag: String?

    init(_ content: Content, at location: SourceLocation, tag: String? = nil) {
        self.content = content
        self.location = location
        self.tag = tag
    }

    /// The scalar text when this is a scalar.
    var scalar: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    /// True for `~`, `null`, `Null`, `NULL` and the empty plain scalar.
    var isNull: Bool {
        guard tag == nil || tag == "tag:yaml.org,2002:null", case .scalar(let text, .plain) = content else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// The mapping entries when this is a mapping.
    var pairs: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The items when this is a sequence.
    var items: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// A short name of the node's kind for messages ("a mapping", "a list", "a string", "an integer").
    var kindDescription: String {
        switch content {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let text, let style):
            if isNull { return "null" }
            guard style == .plain, tag == nil else { return "a string" }
            if Int(text) != nil { return "an integer" }
            if ["true", "false", "True", "False", "TRUE", "FALSE"].contains(text) { return "a boolean" }
            if Double(text) != nil { return "a number" }
            return "a string"
        }
    }
}

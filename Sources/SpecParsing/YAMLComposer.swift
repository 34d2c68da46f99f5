import CYaml
import SpecModel
import SpecDiagnostics

/// Limits that keep hostile or accidental input from exhausting memory or the stack.
struct YAMLLimits: Sendable {
    /// Deepest nesting of mappings and sequences accepted.
    var maxDepth = 64
    /// Aliases may expand a document to this many nodes beyond the ones it writes…
    var aliasAllowance = 200_000
    /// …plus this many per node written: the bound grows with the document, so a large spec using
    /// anchors is accepted while a billion laughs (a few hundred nodes expanding to 10⁹) stops early.
    var aliasExpansionPerNode = 10

    static let standard = YAMLLimits()

    /// Most nodes a document that writes `written` nodes may expand to.
    func maxExpandedNodes(written: Int) -> Int { aliasAllowance + aliasExpansionPerNode * written }
}

/// Builds `YAMLNode` trees from libyaml's event stream.
///
/// It works on events rather than on `Yams.compose` so that it can keep going past duplicate keys
/// (reported later, all of them), stop at a nesting limit before recursion gets deep, and bound
/// the size aliases expand to — all with the exact libyaml marks.
struct YAMLComposer {
    enum Failure: Error {
        case diagnostic(Diagnostic)
    }

    private let file: String
    private let limits: YAMLLimits
    private var parser = yaml_parser_t()
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    /// The bytes being parsed, to locate libyaml's reader errors (which carry a byte offset only).
    private var input: [UInt8] = []
    /// Lines of the input and the character length of the last one: libyaml puts errors at the end
    /// of a file without a final newline on a line after it, which is moved back onto the last line.
    private var lastLine = (number: 1, length: 0)
    /// Nodes the document writes (scalars, sequences, mappings) and nodes it expands to (aliases
    /// counted with their anchors' size).
    private var writtenNodes = 0
    private var expandedNodes = 0

    init(file: String, limits: YAMLLimits = .standard) {
        self.file = file
        self.limits = limits
    }

    /// Parses `bytes` (valid UTF-8) and returns the single document's root, or nil for an empty stream.
    mutating func compose(_ bytes: [UInt8]) throws(Failure) -> YAMLNode? {
        // libyaml checks nesting as it scans (before any event reaches us); give it our limit so
        // both agree. The setting is process-wide and always set to the same value.
        yaml_set_max_nest_level(Int32(limits.maxDepth))
        input = bytes
        lastLine = (1, 0)
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lastLine = (lastLine.number + 1, 0)
            } else if byte & 0xC0 != 0x80 {
                lastLine.length += 1
            }
        }
        yaml_parser_initialize(&parser)
        defer { yaml_parser_delete(&parser) }
        return try bytes.withUnsafeBufferPointer { buffer throws(Failure) -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = try next()  // stream start
            guard event.type == YAML_STREAM_START_EVENT else { return nil }
            event = try next()
            guard event.type == YAML_DOCUMENT_START_EVENT else { return nil }
            let root = try node(from: try next(), depth: 0)
            _ = try next()  // document end
            let after = try next()
            if after.type == YAML_DOCUMENT_START_EVENT {
                throw .diagnostic(Diagnostic(
                    id: "yaml-multiple-documents", severity: .error,
                    message: "a spec file holds one document, but a second one starts here",
                    location: location(after.start_mark),
                    fix: "Split the documents into separate spec files."))
            }
            return root
        }
    }

    /// A copied-out event (libyaml's strings are freed as soon as the event is deleted).
    private struct Event {
        var type: yaml_event_type_t
        var start_mark: yaml_mark_t
        var anchor: String?
        var tag: String?
        var value: String
        var style: YAMLNode.ScalarStyle
    }

    private mutating func next() throws(Failure) -> Event {
        var raw = yaml_event_t()
        guard yaml_parser_parse(&parser, &raw) == 1 else {
            throw .diagnostic(syntaxError())
        }
        defer { yaml_event_delete(&raw) }
        var event = Event(type: raw.type, start_mark: raw.start_mark, anchor: nil, tag: nil, value: "", style: .plain)
        switch raw.type {
        case YAML_SCALAR_EVENT:
            let scalar = raw.data.scalar
            event.anchor = scalar.anchor.map { String(cString: $0) }
            event.tag = scalar.tag.map { String(cString: $0) }
            event.value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            switch scalar.style {
            case YAML_PLAIN_SCALAR_STYLE: event.style = .plain
            case YAML_LITERAL_SCALAR_STYLE, YAML_FOLDED_SCALAR_STYLE: event.style = .block
            default: event.style = .quoted
            }
        case YAML_SEQUENCE_START_EVENT:
            event.anchor = raw.data.sequence_start.anchor.map { String(cString: $0) }
            event.tag = raw.data.sequence_start.tag.map { String(cString: $0) }
        case YAML_MAPPING_START_EVENT:
            event.anchor = raw.data.mapping_start.anchor.map { String(cString: $0) }
            event.tag = raw.data.mapping_start.tag.map { String(cString: $0) }
        case YAML_ALIAS_EVENT:
            event.anchor = raw.data.alias.anchor.map { String(cString: $0) }
        default:
            break
        }
        return event
    }

    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        let line = Int(mark.line) + 1
        guard line <= lastLine.number else { return SourceLocation(file: file, line: lastLine.number, column: lastLine.length + 1) }
        return SourceLocation(file: file, line: line, column: Int(mark.column) + 1)
    }

    private func syntaxError() -> Diagnostic {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        if problem.hasPrefix("Maximum nesting level") {
            return Diagnostic(id: "yaml-limits", severity: .error,
                              message: "YAML nested deeper than \(limits.maxDepth) levels",
                              location: location(parser.problem_mark),
                              fix: "A spec never needs this depth; check for runaway brackets.")
        }
        if parser.error == YAML_READER_ERROR {
            // Reader errors have no mark, only the offset of the byte at fault.
            let offset = min(max(0, Int(parser.problem_offset)), input.count)
            return Diagnostic(id: "yaml-syntax", severity: .error, message: "malformed YAML: \(problem)",
                              location: SpecParser.location(ofByte: offset, in: input, file: file))
        }
        var message = "malformed YAML: \(problem)"
        var notes: [DiagnosticNote] = []
        if let context = parser.context.map({ String(cString: $0) }) {
            notes.append(DiagnosticNote(context, at: location(parser.context_mark)))
        }
        if problem.contains("cannot start any token"), parser.problem_mark.column == 0 || problem.contains("tab") {
            message += " (tabs cannot indent YAML; use spaces)"
        }
        return Diagnostic(id: "yaml-syntax", severity: .error, message: message,
                          location: location(parser.problem_mark), notes: notes)
    }

    /// Builds the node that `event` starts; returns it with the number of nodes it expands to.
    private mutating func node(from event: Event, depth: Int) throws(Failure) -> YAMLNode {
        try node(sized: event, depth: depth).node
    }

    private mutating func node(sized event: Event, depth: Int) throws(Failure) -> (node: YAMLNode, size: Int) {
        let here = location(event.start_mark)
        switch event.type {
        case YAML_ALIAS_EVENT:
            let name = event.anchor ?? ""
            guard let anchored = anchors[name] else {
                throw .diagnostic(Diagnostic(id: "yaml-syntax", severity: .error,
                                             message: "malformed YAML: alias '*\(name)' names no anchor defined before it",
                                             location: here))
            }
            try count(anchored.size, written: false, at: here)
            return anchored
        case YAML_SCALAR_EVENT:
            try count(1, written: true, at: here)
            let node = YAMLNode(.scalar(event.value, event.style), at: here, tag: event.tag)
            remember(event.anchor, node, size: 1)
            return (node, 1)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            guard depth < limits.maxDepth else {
                throw .diagnostic(Diagnostic(id: "yaml-limits", severity: .error,
                                             message: "YAML nested deeper than \(limits.maxDepth) levels",
                                             location: here,
                                             fix: "A spec never needs this depth; check for runaway brackets."))
            }
            try count(1, written: true, at: here)
            var size = 1
            let built: YAMLNode
            if event.type == YAML_SEQUENCE_START_EVENT {
                var items: [YAMLNode] = []
                var item = try next()
                while item.type != YAML_SEQUENCE_END_EVENT {
                    let child = try node(sized: item, depth: depth + 1)
                    items.append(child.node)
                    size += child.size
                    item = try next()
                }
                built = YAMLNode(.sequence(items), at: here, tag: event.tag)
            } else {
                var pairs: [YAMLNode.Pair] = []
                var keyEvent = try next()
                while keyEvent.type != YAML_MAPPING_END_EVENT {
                    let key = try node(sized: keyEvent, depth: depth + 1)
                    let value = try node(sized: try next(), depth: depth + 1)
                    pairs.append(YAMLNode.Pair(key: key.node, value: value.node))
                    size += key.size + value.size
                    keyEvent = try next()
                }
                built = YAMLNode(.mapping(pairs), at: here, tag: event.tag)
            }
            remember(event.anchor, built, size: size)
            return (built, size)
        default:
            throw .diagnostic(Diagnostic(id: "yaml-syntax", severity: .error,
                                         message: "malformed YAML: unexpected event", location: here))
        }
    }

    private mutating func remember(_ anchor: String?, _ node: YAMLNode, size: Int) {
        if let anchor { anchors[anchor] = (node, size) }
    }

    private mutating func count(_ nodes: Int, written: Bool, at location: SourceLocation) throws(Failure) {
        if written { writtenNodes += 1 }
        expandedNodes += nodes
        let limit = limits.maxExpandedNodes(written: writtenNodes)
        if expandedNodes > limit {
            throw .diagnostic(Diagnostic(
                id: "yaml-limits", severity: .error,
                message: "aliases expand the document to more than \(limit) YAML nodes (\(limits.aliasAllowance) plus \(limits.aliasExpansionPerNode) per node it writes, \(writtenNodes) so far)",
                location: location,
                fix: "Write the values out, or use fewer nested aliases."))
        }
    }
}

import SpecModel
import SpecParsing

/// Where a position is in a document's key structure, found from indentation and the line's own
/// flow mappings rather than from a YAML parse, so it works while the user is typing and the
/// document does not parse.
struct KeyContext: Sendable {
    /// Keys (and chosen names) from the root to the mapping holding the token.
    var path: [String]
    /// The token under the position and where it starts (0-based line, 1-based scalar column).
    var token: String
    var line: Int
    var column: Int
    /// Whether the token is a key (else a value, or nothing yet).
    var isKey: Bool
    /// For a value: the key it belongs to.
    var valueOf: String?
    /// Keys already written in the mapping (block style), for completion.
    var siblings: Set<String>
    /// The line of each path component's key, for looking up a store's engine.
    var pathLines: [Int]

    /// The context at 0-based `line`, 1-based scalar `column` of `text`.
    static func at(line: Int, column: Int, in text: TextLines) -> KeyContext {
        let current = ScannedLine(text.line(line))
        // The block parents: lines above with a smaller key column whose value is a block.
        var parents: [(key: String, line: Int)] = []
        var limit = current.key != nil || !current.content.isEmpty ? current.keyColumn : column - 1
        var index = line - 1
        while index >= 0, limit > 0 {
            let scanned = ScannedLine(text.line(index))
            if let key = scanned.key, scanned.keyColumn < limit, scanned.isBlockParent {
                parents.insert((key, index), at: 0)
                limit = scanned.keyColumn
            } else if scanned.key == nil, !scanned.content.isEmpty, scanned.keyColumn < limit, !scanned.isListItem {
                break
            }
            index -= 1
        }
        var context = KeyContext(path: parents.map(\.key), token: "", line: line, column: column, isKey: true, valueOf: nil,
                                 siblings: siblings(of: line, column: current.keyColumn, in: text), pathLines: parents.map(\.line))
        current.locate(column: column, into: &context)
        return context
    }

    /// Keys written at `column` in the block around `line`.
    private static func siblings(of line: Int, column: Int, in text: TextLines) -> Set<String> {
        var keys = Set<String>()
        for direction in [-1, 1] {
            var index = line + direction
            while index >= 0, index < text.lines.count {
                let scanned = ScannedLine(text.line(index))
                if scanned.content.isEmpty { index += direction; continue }
                if scanned.keyColumn < column { break }
                if scanned.keyColumn == column {
                    if direction == -1 || !scanned.isListItem, let key = scanned.key { keys.insert(key) }
                    if scanned.isListItem { break }
                }
                index += direction
            }
        }
        return keys
    }
}

/// One line of block YAML: its indentation (list dashes count as indentation), its key, and the
/// rest of the line.
struct ScannedLine {
    let scalars: [Unicode.Scalar]
    /// 0-based column where the key (or the content) starts.
    private(set) var keyColumn = 0
    private(set) var key: String?
    /// 0-based column after the key's colon.
    private(set) var valueStart = 0
    private(set) var isListItem = false
    /// The line without indentation and comment-only content.
    private(set) var content = ""

    init(_ line: Substring) {
        scalars = Array(line.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if scalars[index] == " " { index += 1; continue }
            if scalars[index] == "-", index + 1 == scalars.count || scalars[index + 1] == " " {
                isListItem = true
                index += 1
                continue
            }
            break
        }
        keyColumn = index
        guard index < scalars.count, scalars[index] != "#" else { return }
        content = String(String.UnicodeScalarView(scalars[index...]))
        if let (name, end) = Self.key(in: scalars, from: index) {
            key = name
            valueStart = end
        }
    }

    /// A key starting at `start`: a plain or quoted scalar followed by `:` and a blank or the end.
    static func key(in scalars: [Unicode.Scalar], from start: Int) -> (String, Int)? {
        var index = start
        var name = ""
        if scalars[start] == "\"" || scalars[start] == "'" {
            index += 1
            while index < scalars.count, scalars[index] != scalars[start] { name.unicodeScalars.append(scalars[index]); index += 1 }
            index += 1
        } else {
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == ":", index + 1 == scalars.count || scalars[index + 1] == " " { break }
                if "{}[],#".unicodeScalars.contains(scalar) { return nil }
                name.unicodeScalars.append(scalar)
                index += 1
            }
        }
        guard index < scalars.count, scalars[index] == ":", index + 1 == scalars.count || scalars[index + 1] == " " else { return nil }
        let trimmed = name.trimmingTrailingBlanks
        return trimmed.isEmpty ? nil : (trimmed, index + 1)
    }

    /// Whether the key's value continues on the following lines (nothing after the colon but a
    /// comment, an anchor or a block scalar indicator).
    var isBlockParent: Bool {
        guard key != nil else { return false }
        let rest = String(String.UnicodeScalarView(scalars[min(valueStart, scalars.count)...])).trimmingLeadingBlanks
        return rest.isEmpty || rest.hasPrefix("#") || rest.hasPrefix("&")
    }

    /// Fills in the token at 1-based `column`: walks the line's flow mappings so `{members: 4}`
    /// and `[etcd, kafka]` resolve like block style.
    func locate(column: Int, into context: inout KeyContext) {
        let cursor = column - 1
        var path: [String] = []
        var lastKey: String?
        if let key {
            if cursor <= valueStart - 1 || cursor < keyColumn + key.unicodeScalars.count {
                context.token = key
                context.column = keyColumn + 1
                context.isKey = true
                return
            }
            lastKey = key
        } else if cursor <= keyColumn {
            context.column = keyColumn + 1
            return
        }
        var stack: [(key: String?, isList: Bool)] = []
        var index = key == nil ? keyColumn : valueStart
        var expectingKey = key == nil && !isListItem
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case " ", "\t": index += 1; continue
            case "#" where index == 0 || scalars[index - 1] == " ": index = scalars.count; continue
            case "{":
                stack.append((lastKey, false))
                if let lastKey { path.append(lastKey) }
                lastKey = nil
                expectingKey = true
                index += 1
                continue
            case "[":
                stack.append((lastKey, true))
                if let lastKey { path.append(lastKey) }
                expectingKey = false
                index += 1
                continue
            case "}", "]":
                if let top = stack.popLast(), top.key != nil { path.removeLast() }
                lastKey = stack.last?.key
                expectingKey = false
                index += 1
                continue
            case ",":
                expectingKey = stack.last?.isList == false
                index += 1
                continue
            default: break
            }
            let start = index
            let quoted = scalar == "\"" || scalar == "'"
            index += 1
            while index < scalars.count {
                let next = scalars[index]
                if quoted { index += 1; if next == scalar { break }; continue }
                if ",{}[]".unicodeScalars.contains(next) { break }
                if next == ":", index + 1 == scalars.count || scalars[index + 1] == " " { break }
                index += 1
            }
            var token = String(String.UnicodeScalarView(scalars[start..<index])).trimmingTrailingBlanks
            if quoted, token.count >= 2 { token = String(token.dropFirst().dropLast()) }
            let isKey = index < scalars.count && scalars[index] == ":"
            if cursor >= start, cursor <= index {
                context.token = token
                context.column = start + 1
                finish(&context, path: path, stack: stack, lastKey: lastKey, isKey: isKey || (expectingKey && stack.last?.isList != true))
                return
            }
            if isKey {
                lastKey = token
                index += 1
                expectingKey = false
            }
        }
        // After everything written: a value of the last key, or a new key inside an open mapping.
        context.column = column
        finish(&context, path: path, stack: stack, lastKey: lastKey, isKey: stack.last.map { !$0.isList && expectingKey } ?? expectingKey)
    }

    /// Sets the path and the key a value belongs to: in a flow list the list's key, in a mapping
    /// the last key; a block list item's scalar belongs to the key above it.
    private func finish(_ context: inout KeyContext, path: [String], stack: [(key: String?, isList: Bool)], lastKey: String?, isKey: Bool) {
        defer { context.pathLines += Array(repeating: context.line, count: max(0, context.path.count - context.pathLines.count)) }
        context.isKey = isKey
        if !stack.isEmpty { context.siblings = [] }
        if isKey {
            context.path += path
        } else if let top = stack.last, top.isList {
            context.path += top.key == nil ? path : Array(path.dropLast())
            context.valueOf = top.key
        } else if stack.isEmpty, key == nil, isListItem, let listKey = context.path.last {
            context.path.removeLast()
            context.valueOf = listKey
        } else {
            context.path += path
            context.valueOf = lastKey
        }
    }
}

extension String {
    var trimmingTrailingBlanks: String {
        var text = self
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }

    var trimmingLeadingBlanks: String { String(drop { $0 == " " || $0 == "\t" }) }
}

import ClusterSpec
import Foundation
import SpecModel
import SpecParsing
import SpecRules

/// `clusterspec lsp`: a Language Server Protocol server over stdio. On open, change and save of a
/// spec, overlay or project file it runs the compiler's own parse + rules pipeline (overlays
/// included, unsaved texts in place of the files) and publishes the same located diagnostics —
/// rule id as code, notes as related information, fixes that are text edits as code actions —
/// and answers hover (key descriptions from the key tables, rule explanations) and completion
/// (keys, enumerated values such as engines, `uses:` targets).
///
/// One thread reads frames into an inbox; the main loop handles them in order and analyses a
/// changed document once it has been quiet for `debounce`, so a burst of changes produces one
/// analysis and one publish, for the latest version.
public enum LanguageServer {
    /// Quiet time after a change before the document is analysed.
    public static let debounce: TimeInterval = 0.15

    /// Serves until `exit` (or the end of input); returns the process exit code: 0 after a
    /// `shutdown` request, 1 otherwise (as the protocol asks).
    public static func run(input: FileHandle = .standardInput, output: FileHandle = .standardOutput) -> Int32 {
        let inbox = Inbox()
        let reader = Thread {
            var messages = MessageReader(input)
            while true {
                let item = messages.next()
                inbox.push(item)
                if case .end = item { return }
            }
        }
        reader.start()
        var server = Server(writer: MessageWriter(output: output))
        return server.serve(inbox)
    }
}

/// Frames waiting for the main loop.
final class Inbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Incoming] = []

    func push(_ item: Incoming) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    /// The next frame, or nil when `deadline` passes first.
    func pop(until deadline: Date?) -> Incoming? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty {
            if let deadline {
                if !condition.wait(until: deadline) { return nil }
            } else {
                condition.wait()
            }
        }
        return items.removeFirst()
    }
}

struct Server {
    let writer: MessageWriter
    private var documents: [String: OpenDocument] = [:]
    /// What was last published, by file path.
    private var published: [String: [PublishedDiagnostic]] = [:]
    private var dirty: [String] = []
    private var deadline: Date?
    private var shutdownRequested = false

    init(writer: MessageWriter) { self.writer = writer }

    mutating func serve(_ inbox: Inbox) -> Int32 {
        while true {
            guard let item = inbox.pop(until: deadline) else {
                analyseDirty()
                continue
            }
            switch item {
            case .end: return shutdownRequested ? 0 : 1
            case .malformed(let reason): reply(id: .null, error: (-32700, "parse error: \(reason)"))
            case .message(let message):
                if message["method"]?.string == "exit" { return shutdownRequested ? 0 : 1 }
                handle(message)
            }
        }
    }

    // MARK: Dispatch

    private mutating func handle(_ message: JSON) {
        let id = message["id"]
        guard let method = message["method"]?.string else {
            // A response to a request of ours (we send none) or nonsense.
            if id == nil || message["result"] == nil && message["error"] == nil { reply(id: id ?? .null, error: (-32600, "invalid request: no method")) }
            return
        }
        let params = message["params"] ?? .null
        switch method {
        case "initialize": reply(id: id, result: Self.capabilities)
        case "initialized", "$/cancelRequest", "$/setTrace", "workspace/didChangeConfiguration": break
        case "shutdown":
            shutdownRequested = true
            reply(id: id, result: .null)
        case "textDocument/didOpen":
            guard let item = params["textDocument"], let uri = item["uri"]?.string, let text = item["text"]?.string else { return }
            documents[uri] = OpenDocument(uri: uri, version: item["version"]?.int ?? 0, text: text)
            analyse(uri)
        case "textDocument/didChange":
            guard let uri = params["textDocument"]?["uri"]?.string, var document = documents[uri],
                  let text = params["contentChanges"]?.array?.last?["text"]?.string else { return }
            document = OpenDocument(uri: uri, version: params["textDocument"]?["version"]?.int ?? document.version + 1, text: text)
            documents[uri] = document
            if !dirty.contains(uri) { dirty.append(uri) }
            deadline = Date().addingTimeInterval(LanguageServer.debounce)
        case "textDocument/didSave":
            guard let uri = params["textDocument"]?["uri"]?.string, documents[uri] != nil else { return }
            if !dirty.contains(uri) { dirty.append(uri) }
            deadline = Date()
        case "textDocument/didClose":
            guard let uri = params["textDocument"]?["uri"]?.string, let document = documents.removeValue(forKey: uri) else { return }
            dirty.removeAll { $0 == uri }
            publish(path: document.path, [])
        case "textDocument/hover": respond(id, hover(params))
        case "textDocument/completion": respond(id, completion(params))
        case "textDocument/codeAction": respond(id, codeActions(params))
        default:
            if id != nil { reply(id: id, error: (-32601, "method not found: \(method)")) }
        }
    }

    private static var capabilities: JSON {
        ["capabilities": [
            "positionEncoding": "utf-16",
            "textDocumentSync": ["openClose": true, "change": 1, "save": ["includeText": false]],
            "hoverProvider": true,
            "completionProvider": ["triggerCharacters": [":", " ", "-", "[", ",", "{"]],
            "codeActionProvider": ["codeActionKinds": ["quickfix"]],
        ], "serverInfo": ["name": "clusterspec", "version": .string(ClusterSpecVersion.current)]]
    }

    private func respond(_ id: JSON?, _ result: JSON?) {
        if let result { reply(id: id, result: result) } else { reply(id: id, error: (-32602, "invalid params")) }
    }

    private func reply(id: JSON?, result: JSON) {
        guard let id else { return }
        writer.send(["jsonrpc": "2.0", "id": id, "result": result])
    }

    private func reply(id: JSON?, error: (code: Int, message: String)) {
        writer.send(["jsonrpc": "2.0", "id": id ?? .null, "error": ["code": .int(error.code), "message": .string(error.message)]])
    }

    // MARK: Diagnostics

    private mutating func analyseDirty() {
        deadline = nil
        let uris = dirty
        dirty = []
        for uri in uris { analyse(uri) }
    }

    private mutating func analyse(_ uri: String) {
        guard let document = documents[uri] else { return }
        let results = Analysis.run(document, open: documents)
        for (path, diagnostics) in results.sorted(by: { $0.key < $1.key }) {
            if diagnostics.isEmpty, published[path]?.isEmpty ?? true, path != document.path { continue }
            publish(path: path, diagnostics)
        }
    }

    private mutating func publish(path: String, _ diagnostics: [PublishedDiagnostic]) {
        published[path] = diagnostics
        var params: [String: JSON] = ["uri": .string(DocumentPaths.uri(of: path)), "diagnostics": .array(diagnostics.map(\.json))]
        if let open = documents.values.first(where: { $0.path == path }) { params["version"] = .int(open.version) }
        writer.send(["jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": .object(params)])
    }

    // MARK: Hover, completion, code actions

    private func position(_ params: JSON) -> (document: OpenDocument, line: Int, column: Int, character: Int)? {
        guard let uri = params["textDocument"]?["uri"]?.string, let document = documents[uri],
              let line = params["position"]?["line"]?.int, let character = params["position"]?["character"]?.int else { return nil }
        return (document, line, document.lines.column(line: line, character: character), character)
    }

    private func hover(_ params: JSON) -> JSON? {
        guard let (document, line, column, character) = position(params) else { return nil }
        let context = KeyContext.at(line: line, column: column, in: document.lines)
        var parts: [String] = []
        let engine = engineLookup(document, context)
        if context.isKey, !context.token.isEmpty,
           let key = KeyTypes.key(at: context.path + [context.token], root: document.kind.root, engine: engine) {
            parts.append(KeyTypes.hover(key))
        } else if let owner = context.valueOf {
            if owner == "rule", context.path.last == "waivers", case .success(let text) = RuleBook.explain(context.token) {
                parts.append("```\n\(text)```")
            } else if let key = KeyTypes.key(at: context.path + [owner], root: document.kind.root, engine: engine) {
                parts.append(KeyTypes.hover(key))
            }
        }
        for diagnostic in published[document.path] ?? [] where diagnostic.range.contains(line: line, character: character) {
            guard let rule = RuleRegistry.rule(withID: diagnostic.id)?.description else { continue }
            parts.append("**\(rule.id)**: \(rule.title)\n\n\(rule.summary)\n\n\(rule.rationale)\n\nFix: \(rule.remediation)\n\n`clusterspec explain \(rule.id)`")
        }
        guard !parts.isEmpty else { return .null }
        let length = max(1, context.token.unicodeScalars.count)
        let start = document.lines.utf16(line: line, column: context.column), end = document.lines.utf16(line: line, column: context.column + length)
        return ["contents": ["kind": "markdown", "value": .string(parts.joined(separator: "\n\n---\n\n"))],
                "range": LSPRange(startLine: line, startCharacter: start, endLine: line, endCharacter: end).json]
    }

    private func completion(_ params: JSON) -> JSON? {
        guard let (document, line, column, _) = position(params) else { return nil }
        let context = KeyContext.at(line: line, column: column, in: document.lines)
        let engine = engineLookup(document, context)
        var items: [JSON] = []
        if context.isKey {
            guard let type = KeyTypes.type(at: context.path, root: document.kind.root, engine: engine),
                  let table = KeyTypes.table(of: type, engine: engine(context.path.count - 1)) else { return ["isIncomplete": false, "items": []] }
            for key in table.keys where !context.siblings.contains(key.name) || key.name == context.token {
                items.append(["label": .string(key.name), "kind": 10, "detail": .string(key.type.map(KeyTypes.describe) ?? ""),
                              "documentation": ["kind": "markdown", "value": .string(KeyTypes.hover(key))],
                              "insertText": .string("\(key.name): ")])
            }
        } else if let owner = context.valueOf {
            var words: [String] = []
            if owner == "uses" || (owner == "target" && context.path.last == "uses") {
                words = Self.usesTargets(document.lines)
            } else if let type = KeyTypes.key(at: context.path + [owner], root: document.kind.root, engine: engine)?.type {
                words = KeyTypes.values(of: type)
            }
            for word in words { items.append(["label": .string(word), "kind": 12]) }
        }
        return ["isIncomplete": false, "items": .array(items)]
    }

    private func codeActions(_ params: JSON) -> JSON? {
        guard let uri = params["textDocument"]?["uri"]?.string, let document = documents[uri],
              let start = params["range"]?["start"], let end = params["range"]?["end"],
              let startLine = start["line"]?.int, let startCharacter = start["character"]?.int,
              let endLine = end["line"]?.int, let endCharacter = end["character"]?.int else { return nil }
        var actions: [JSON] = []
        for diagnostic in published[document.path] ?? [] {
            let range = diagnostic.range
            let overlaps = (range.startLine, range.startCharacter) <= (endLine, endCharacter) && (startLine, startCharacter) <= (range.endLine, range.endCharacter)
            guard overlaps else { continue }
            for edit in diagnostic.edits {
                actions.append(["title": .string(edit.title), "kind": "quickfix", "diagnostics": [diagnostic.json], "isPreferred": true,
                                "edit": ["changes": .object([uri: [["range": edit.range.json, "newText": .string(edit.text)]]])]])
            }
        }
        return .array(actions)
    }

    /// The `engine:` of the store named at path index `index`, read from the document's lines.
    private func engineLookup(_ document: OpenDocument, _ context: KeyContext) -> (Int) -> String? {
        let lines = document.lines
        return { index in
            guard index >= 0, index < context.pathLines.count, context.path.indices.contains(index - 1), context.path[index - 1] == "stores" else {
                return nil
            }
            let storeLine = context.pathLines[index]
            let own = ScannedLine(lines.line(storeLine))
            if let range = own.content.range(of: "engine:") {
                let rest = String(own.content[range.upperBound...]).trimmingLeadingBlanks
                let word = rest.prefix { !",} #".contains($0) }
                if !word.isEmpty { return String(word) }
            }
            var row = storeLine + 1
            while row < lines.lines.count {
                let scanned = ScannedLine(lines.line(row))
                if !scanned.content.isEmpty, scanned.keyColumn <= own.keyColumn { break }
                if scanned.key == "engine", let value = scanned.content.split(separator: ":", maxSplits: 1).last {
                    return value.split(separator: "#").first.map { String($0).trimmingLeadingBlanks.trimmingTrailingBlanks }
                }
                row += 1
            }
            return nil
        }
    }

    /// What `uses:` can name: the services, stateful services, stores and external endpoints the
    /// document declares.
    static func usesTargets(_ lines: TextLines) -> [String] {
        var names: [String] = []
        var section: String?, childColumn: Int?
        for index in lines.lines.indices {
            let scanned = ScannedLine(lines.line(index))
            guard !scanned.content.isEmpty else { continue }
            if scanned.keyColumn == 0 {
                section = scanned.key
                childColumn = nil
                continue
            }
            guard let section, ["services", "statefulServices", "stores", "external"].contains(section), let key = scanned.key else { continue }
            if childColumn == nil { childColumn = scanned.keyColumn }
            if scanned.keyColumn == childColumn { names.append(key) }
        }
        return names
    }
}

import ClusterSpec
import Foundation
import SpecDiagnostics
import SpecModel
import SpecParsing

/// One document the editor has open.
struct OpenDocument: Sendable {
    var uri: String
    var path: String
    var version: Int
    var text: String
    var lines: TextLines

    init(uri: String, version: Int, text: String) {
        self.uri = uri
        self.path = DocumentPaths.path(of: uri)
        self.version = version
        self.text = text
        self.lines = TextLines(text)
    }

    var kind: DocumentKind {
        if (path as NSString).lastPathComponent == Project.fileName { return .project }
        if path.hasSuffix(SpecFiles.suffix) { return .spec }
        return .overlay
    }
}

/// A diagnostic as published, with what its code actions need.
struct PublishedDiagnostic: Sendable {
    var json: JSON
    var id: String
    var range: LSPRange
    var edits: [(title: String, range: LSPRange, text: String)]
}

struct LSPRange: Sendable, Equatable {
    var startLine: Int, startCharacter: Int, endLine: Int, endCharacter: Int

    var json: JSON {
        ["start": ["line": .int(startLine), "character": .int(startCharacter)], "end": ["line": .int(endLine), "character": .int(endCharacter)]]
    }

    func contains(line: Int, character: Int) -> Bool {
        (line, character) >= (startLine, startCharacter) && (line, character) <= (endLine, endCharacter)
    }
}

/// `file://` URIs and paths.
enum DocumentPaths {
    static func path(of uri: String) -> String {
        guard uri.hasPrefix("file://") else { return uri }
        return String(uri.dropFirst("file://".count)).removingPercentEncoding ?? String(uri.dropFirst("file://".count))
    }

    static func uri(of path: String) -> String {
        "file://" + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path)
    }
}

/// Compiles what an open document belongs to — a spec with every overlay of its system, or the
/// project of an overlay — with the editor's unsaved texts in place of the files, and turns the
/// diagnostics into LSP's, per file.
enum Analysis {
    /// Diagnostics by file path for every file the compilation read.
    static func run(_ document: OpenDocument, open: [String: OpenDocument]) -> [String: [PublishedDiagnostic]] {
        let byPath = Dictionary(open.values.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        func input(_ path: String) -> SpecInput? {
            if let open = byPath[path] { return SpecInput(path: path, text: open.text) }
            guard let bytes = try? SpecFiles.read(path) else { return nil }
            return SpecInput(path: path, bytes: bytes)
        }
        let texts: [String: TextLines]
        var result: [String: [PublishedDiagnostic]] = [:]
        switch document.kind {
        case .project:
            let parsed = SpecParser.parseProjectFile(file: document.path, bytes: Array(document.text.utf8))
            texts = [document.path: document.lines]
            result[document.path] = []
            for diagnostic in parsed.diagnostics { append(diagnostic, fallback: document.path, texts: texts, into: &result) }
            return result
        case .spec, .overlay:
            let (specs, overlays) = files(for: document)
            let inputs = (specs.contains(document.path) || document.kind == .overlay ? specs : specs + [document.path]).compactMap(input)
            let overlayInputs = (overlays.contains(document.path) || document.kind == .spec ? overlays : overlays + [document.path]).compactMap(input)
            var options = CompileOptions()
            options.tolerating = ["unknown-key"]
            let compilation = Compiler.compile(inputs, overlays: overlayInputs, completeSpecSet: document.kind == .overlay, options: options)
            var lines: [String: TextLines] = [:]
            for item in inputs + overlayInputs {
                lines[item.path] = TextLines(String(decoding: item.bytes, as: UTF8.self))
                result[item.path] = []
            }
            texts = lines
            for diagnostic in compilation.diagnostics where diagnostic.suppression == nil {
                append(diagnostic, fallback: document.path, texts: texts, into: &result)
            }
            return result
        }
    }

    /// The spec files and overlay files compiled with `document`: a spec with its project's
    /// overlays; an overlay with its project's specs and overlays.
    private static func files(for document: OpenDocument) -> (specs: [String], overlays: [String]) {
        let start: String
        if document.kind == .spec {
            start = document.path
        } else if let projectFile = Project.findFile(from: (document.path as NSString).deletingLastPathComponent),
                  let project = try? Project.load(file: projectFile) {
            start = project.specs
        } else {
            // Without a project file: overlays/<system>/<env>.yaml beside specs/.
            let root = ((document.path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
            start = ((root as NSString).deletingLastPathComponent as NSString).appendingPathComponent(Project.defaultSpecs)
        }
        guard let workspace = try? Workspace.resolve(specArguments: [start], overlays: nil) else { return ([], []) }
        return (workspace.specs, workspace.overlays)
    }

    private static func append(_ diagnostic: Diagnostic, fallback: String, texts: [String: TextLines], into result: inout [String: [PublishedDiagnostic]]) {
        let file = diagnostic.location?.file ?? fallback
        let lines = texts[file] ?? TextLines("")
        let range = self.range(diagnostic.location, in: lines)
        var message = diagnostic.message
        var related: [JSON] = []
        for note in diagnostic.notes {
            if let location = note.location, let noteLines = texts[location.file] {
                related.append(["location": ["uri": .string(DocumentPaths.uri(of: location.file)), "range": self.range(location, in: noteLines).json],
                                "message": .string(note.message)])
            } else {
                message += "\nnote: \(note.message)"
            }
        }
        if let fix = diagnostic.fix { message += "\nfix: \(fix)" }
        let severity: Int
        switch diagnostic.severity {
        case .error: severity = 1
        case .warning: severity = 2
        case .note: severity = 3
        }
        var json: [String: JSON] = ["range": range.json, "severity": .int(severity), "code": .string(diagnostic.id),
                                    "source": "clusterspec", "message": .string(message)]
        if !related.isEmpty { json["relatedInformation"] = .array(related) }
        let edits = diagnostic.edits.compactMap { edit -> (String, LSPRange, String)? in
            guard let editLines = texts[edit.location.file], edit.location.file == file else { return nil }
            let line = edit.location.line - 1
            let start = editLines.utf16(line: line, column: edit.location.column)
            let end = editLines.utf16(line: line, column: edit.location.column + edit.length)
            return (edit.title, LSPRange(startLine: line, startCharacter: start, endLine: line, endCharacter: end), edit.replacement)
        }
        result[file, default: []].append(PublishedDiagnostic(json: .object(json), id: diagnostic.id, range: range, edits: edits))
    }

    /// The LSP range of the token a diagnostic points at (the whole first line for none).
    static func range(_ location: SourceLocation?, in lines: TextLines) -> LSPRange {
        guard let location else { return LSPRange(startLine: 0, startCharacter: 0, endLine: 0, endCharacter: lines.line(0).utf16.count) }
        let line = max(0, location.line - 1)
        let length = lines.tokenLength(line: line, column: location.column)
        return LSPRange(startLine: line, startCharacter: lines.utf16(line: line, column: location.column),
                        endLine: line, endCharacter: lines.utf16(line: line, column: location.column + length))
    }
}

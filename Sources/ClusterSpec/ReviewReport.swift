import ManifestEmission
import SpecDiagnostics
import SpecModel

/// A pull-request comment in Markdown (`golden check --format markdown`, `diff --format
/// markdown`): operational warnings first, then per system and scope the objects added, removed
/// and changed with their field summaries, policy changes per peer, the graph of each changed
/// system and a collapsed unified diff. Secret values never appear (`SemanticDiff` hides them in
/// summaries, `SecretRedaction` in the diff). The whole stays within `limit` characters (GitHub
/// limits comments to 65,536): whole lines and items are left out, never parts of them, with a
/// count of what was left out, and every code fence that is opened is closed.
public struct ReviewReport: Sendable {
    /// The changed objects of one system in one scope (`base`, an environment, `staging → prod`).
    public struct Scope: Sendable {
        public var system: String
        public var name: String
        public var changes: [SemanticDiff.ObjectChange]
        public var oldCount: Int
        public var newCount: Int

        public init(system: String, name: String, changes: [SemanticDiff.ObjectChange], oldCount: Int, newCount: Int) {
            self.system = system
            self.name = name
            self.changes = changes
            self.oldCount = oldCount
            self.newCount = newCount
        }
    }

    /// A file as it was and as it is (nil: absent on that side).
    public struct FileChange: Sendable {
        public var path: String
        public var old: String?
        public var new: String?

        public init(path: String, old: String?, new: String?) {
            self.path = path
            self.old = old
            self.new = new
        }
    }

    /// GitHub's limit on a comment body, in characters.
    public static let commentLimit = 65_536
    /// The longest summary line; longer ones are cut between tokens.
    static let lineLimit = 400
    /// Room kept for the diff section's frame while the summary is written.
    static let diffReserve = 1_000

    public var title: String
    public var warnings: [String]
    public var scopes: [Scope]
    public var files: [FileChange]
    /// Mermaid graphs of the systems that changed (changed nodes highlighted), in system order.
    public var graphs: [(system: String, mermaid: String)]

    public init(title: String, warnings: [String], scopes: [Scope], files: [FileChange], graphs: [(system: String, mermaid: String)]) {
        self.title = title
        self.warnings = warnings
        self.scopes = scopes
        self.files = files
        self.graphs = graphs
    }

    /// The comment.
    public func markdown(limit: Int = commentLimit) -> String {
        var page = BoundedText(limit: limit)
        page.append("### \(Self.escape(title))\n")
        var summary: [String] = []
        if !warnings.isEmpty {
            summary += ["", "> [!WARNING]"] + warnings.map { "> - \(Self.escape($0))" }
        }
        for scope in scopes {
            summary += [""] + Self.lines(of: scope)
        }
        page.appendLines(summary.map { TextClip.clip($0, limit: Self.lineLimit) }, keeping: Self.diffReserve, what: "summary lines")
        for (system, mermaid) in graphs {
            let block = "\n<details><summary>Graph of \(Self.escape(system)) (changed objects highlighted)</summary>\n\n```mermaid\n\(mermaid)```\n\n</details>\n"
            if !page.append(block, keeping: Self.diffReserve) {
                page.append("\n_Graph of \(Self.escape(system)) not shown: \(block.count) characters._\n", keeping: Self.diffReserve / 2)
            }
        }
        appendDiff(to: &page)
        return page.text
    }

    private func appendDiff(to page: inout BoundedText) {
        guard !files.isEmpty else { return }
        var lines: [String] = []
        for file in files {
            let diff = UnifiedDiff.render(old: file.old.map(SecretRedaction.redact) ?? "", new: file.new.map(SecretRedaction.redact) ?? "",
                                          oldName: file.old == nil ? "/dev/null" : file.path, newName: file.new == nil ? "/dev/null" : file.path)
            lines += diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { TextClip.clip(String($0), limit: 2 * Self.lineLimit) }
        }
        let fence = String(repeating: "`", count: max(3, Self.longestBacktickRun(lines) + 1))
        let opening = "\n<details><summary>Unified diff (\(files.count) file\(files.count == 1 ? "" : "s"), secret values hidden)</summary>\n\n\(fence)diff\n"
        let closing = "\(fence)\n\n</details>\n"
        // The longest "more not shown" line that can follow.
        let note = "_\(lines.count) more diff lines not shown._\n"
        guard page.append(opening, keeping: closing.count + note.count) else {
            page.append("\n_Unified diff not shown: \(lines.count) lines._\n")
            return
        }
        let shown = page.appendLines(lines, keeping: closing.count + note.count, what: nil)
        page.append(closing)
        if shown < lines.count { page.append("_\(lines.count - shown) more diff lines not shown._\n") }
    }

    /// `#### goverse/prod`, the counts, the objects, then the policy changes per peer.
    private static func lines(of scope: Scope) -> [String] {
        var lines = ["#### \(escape(scope.system))/\(escape(scope.name))"]
        if scope.oldCount == 0 { return lines + ["New: \(scope.newCount) objects."] }
        if scope.newCount == 0 { return lines + ["Removed: \(scope.oldCount) objects."] }
        var added = 0, removed = 0, changed = 0
        var objects: [String] = [], policies: [String] = []
        for change in scope.changes {
            let name = "`\(change.key.description)`" + (change.showsNamespace && !change.key.namespace.isEmpty ? " (\(escape(change.key.namespace)))" : "")
            switch change.kind {
            case .added:
                added += 1
                objects.append("- ➕ \(name)")
            case .removed:
                removed += 1
                objects.append("- ➖ \(name)")
            case .changed(let fields):
                changed += 1
                let isPolicyRule: (SemanticDiff.Change) -> Bool = { ["ingress", "egress", "rules"].contains($0.path) && change.key.kind.hasSuffix("Policy") }
                let plain = fields.filter { !isPolicyRule($0) }
                if !plain.isEmpty {
                    objects.append("- ✏️ \(name): " + plain.map { "\(escape($0.path)) \(escape($0.old)) → \(escape($0.new))" }.joined(separator: ", "))
                }
                for rule in fields where isPolicyRule(rule) {
                    let entry = rule.old == "(none)" ? "allows \(escape(rule.new))" : "no longer allows \(escape(rule.old))"
                    policies.append("- \(name) \(rule.path): \(entry)")
                }
            }
        }
        lines.append("\(added) added, \(removed) removed, \(changed) changed.")
        lines += objects
        if !policies.isEmpty { lines += ["", "Policy changes:"] + policies }
        return lines
    }

    /// Text with Markdown's markup characters escaped and control characters made visible.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in TerminalSafety.escape(text) {
            if "\\`*_[]<>|#~".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    private static func longestBacktickRun(_ lines: [String]) -> Int {
        var longest = 0
        for line in lines where line.contains("`") {
            var run = 0
            for character in line {
                run = character == "`" ? run + 1 : 0
                longest = max(longest, run)
            }
        }
        return longest
    }
}

/// Text that never grows past `limit` characters: appends whole pieces only.
struct BoundedText {
    let limit: Int
    private(set) var text = ""
    private var count = 0

    init(limit: Int) { self.limit = limit }

    /// Appends `piece` when it fits with `reserve` characters to spare; says whether it did.
    @discardableResult
    mutating func append(_ piece: String, keeping reserve: Int = 0) -> Bool {
        let length = piece.count
        guard count + length + reserve <= limit else { return false }
        text += piece
        count += length
        return true
    }

    /// Appends lines while they fit with `reserve` to spare; then, when `what` is given, one
    /// `_N more <what> not shown._` line. Returns how many lines went in.
    @discardableResult
    mutating func appendLines(_ lines: [String], keeping reserve: Int, what: String?) -> Int {
        let note = what.map { "\n_\(lines.count) more \($0) not shown._\n" } ?? ""
        for (index, line) in lines.enumerated() {
            let isLast = index == lines.count - 1
            guard append(line + "\n", keeping: reserve + (isLast ? 0 : note.count)) else {
                if let what { append("\n_\(lines.count - index) more \(what) not shown._\n") }
                return index
            }
        }
        return lines.count
    }
}

/// The values of Secrets in emitted YAML, replaced for display: every entry of a Secret's
/// top-level `data` and `stringData` reads `(secret value)`. It reads the layout the emitter
/// writes (documents separated by `---`, `kind` before the data, block mappings).
enum SecretRedaction {
    static func redact(_ text: String) -> String {
        var output: [Substring] = []
        var isSecret = false, inData = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "---" {
                isSecret = false
                inData = false
                output.append(line)
                continue
            }
            if let first = line.first, first != " " {
                if line == "kind: Secret" { isSecret = true }
                let key = line.prefix { $0 != ":" }
                inData = isSecret && (key == "data" || key == "stringData")
                if inData, line != "\(key):" {
                    // An inline mapping (`data: {a: b}`): all of it is values.
                    output.append(Substring("\(key): \(SemanticDiff.hiddenValue)"))
                    inData = false
                    continue
                }
                output.append(line)
                continue
            }
            guard inData else {
                output.append(line)
                continue
            }
            // `  key: value` is an entry; deeper lines continue a block scalar and go.
            if line.hasPrefix("  "), !line.hasPrefix("   "), let colon = line.firstIndex(of: ":") {
                output.append(Substring("\(line[..<colon]): \(SemanticDiff.hiddenValue)"))
            }
        }
        return output.joined(separator: "\n")
    }
}

extension ReviewReport {
    /// The report of `golden check`: what the specs now compile to against the committed tree.
    public static func golden(_ comparison: GoldenComparison, directory: String, compilation: Compilation) -> ReviewReport {
        let title = comparison.isClean ? "clusterspec: \(directory)/ is up to date"
            : "clusterspec: \(directory)/ differs from the specs in \(comparison.differingFileCount) file\(comparison.differingFileCount == 1 ? "" : "s")"
                + " (\(comparison.changed.count) changed, \(comparison.added.count) new, \(comparison.stale.count) stale)"
        return ReviewReport(title: title, warnings: comparison.warnings, scopes: comparison.scopes, files: comparison.files,
                            graphs: graphs(of: comparison.scopes, in: compilation.systems))
    }

    /// The report of `diff`: environment `from` against `to`, per system.
    public static func environments(_ compilation: Compilation, from: String, to: String) -> ReviewReport {
        var scopes: [Scope] = [], files: [FileChange] = [], warnings: [String] = []
        for system in compilation.systems {
            guard let old = system.resources(for: from == "base" ? nil : from), let new = system.resources(for: to == "base" ? nil : to) else { continue }
            let before = old.map(\.body), after = new.map(\.body)
            let changes = SemanticDiff.compare(before, after)
            guard !changes.isEmpty else { continue }
            let scope = "\(from) → \(to)"
            scopes.append(Scope(system: system.name, name: scope, changes: changes, oldCount: old.count, newCount: new.count))
            warnings += Golden.membershipWarnings(changes, old: before, scope: "\(system.name)/\(scope)")
            files.append(FileChange(path: "\(system.name)/\(from).yaml → \(to).yaml", old: SystemEmitter.stream(old), new: SystemEmitter.stream(new)))
        }
        let title = scopes.isEmpty ? "clusterspec: no differences between \(from) and \(to)"
            : "clusterspec: \(from) → \(to) differs in \(scopes.count) system\(scopes.count == 1 ? "" : "s")"
        return ReviewReport(title: title, warnings: warnings, scopes: scopes, files: files, graphs: graphs(of: scopes, in: compilation.systems))
    }

    /// The declared graph of each system with changes, its changed objects' nodes highlighted.
    private static func graphs(of scopes: [Scope], in systems: [CompiledSystem]) -> [(system: String, mermaid: String)] {
        var changed: [String: Set<String>] = [:]
        for scope in scopes {
            for change in scope.changes { changed[scope.system, default: []].insert("\(change.key.namespace)/\(change.key.name)") }
        }
        return systems.compactMap { system in
            guard let ids = changed[system.name] else { return nil }
            return (system.name, SystemGraph.declared(system.spec).mermaid(highlighting: ids))
        }
    }
}

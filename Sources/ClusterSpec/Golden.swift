import Foundation
import ManifestEmission
import SpecDiagnostics
import SpecModel

/// The committed golden tree against a fresh compilation: which files differ, a unified diff of
/// each, and a summary of what changed in reviewer terms.
public struct GoldenComparison: Sendable {
    /// Paths whose contents differ, paths only in the new tree, paths only in golden (stale).
    public var changed: [String] = []
    public var added: [String] = []
    public var stale: [String] = []
    /// `goverse/prod: StatefulSet etcd replicas 3 → 5, …` lines.
    public var summary: [String] = []
    /// Warnings about changes that need care on a running cluster.
    public var warnings: [String] = []
    /// The changed objects per system and scope, for reports that lay them out themselves.
    public var scopes: [ReviewReport.Scope] = []
    /// Both texts of every differing file (nil: absent on that side), for reports that render
    /// their own diff.
    public var files: [ReviewReport.FileChange] = []
    /// The unified diff of every differing file.
    public var diff: String = ""

    public var isClean: Bool { changed.isEmpty && added.isEmpty && stale.isEmpty }
    public var differingFileCount: Int { changed.count + added.count + stale.count }
}

/// The golden workflow: compare a compilation's tree with `golden/`, or replace `golden/` with it.
public enum Golden {
    /// Every regular file under `directory`, by relative path (an empty tree when it is missing).
    public static func read(_ directory: String) throws(FileError) -> FileTree {
        var files: [String: String] = [:]
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { return FileTree() }
        guard isDirectory.boolValue, let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw FileError("\(directory): is not a directory")
        }
        let root = URL(fileURLWithPath: directory)
        for case let relative as String in enumerator {
            let url = root.appendingPathComponent(relative)
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            guard let data = FileManager.default.contents(atPath: url.path) else { throw FileError("\(url.path): cannot be read") }
            files[relative] = String(decoding: data, as: UTF8.self)
        }
        return FileTree(files: files)
    }

    public static func compare(golden: FileTree, compiled: FileTree, goldenName: String = "golden") -> GoldenComparison {
        var comparison = GoldenComparison()
        let goldenPaths = Set(golden.paths), compiledPaths = Set(compiled.paths)
        for path in goldenPaths.union(compiledPaths).sorted() {
            let old = golden[path], new = compiled[path]
            if old == new { continue }
            if old == nil { comparison.added.append(path) } else if new == nil { comparison.stale.append(path) } else { comparison.changed.append(path) }
            comparison.files.append(ReviewReport.FileChange(path: "\(goldenName)/\(path)", old: old, new: new))
            // The diff goes to a terminal: values the specs decoded from escapes stay inert.
            comparison.diff += TerminalSafety.escape(UnifiedDiff.render(old: old ?? "", new: new ?? "",
                                                                        oldName: old == nil ? "/dev/null" : "\(goldenName)/\(path)",
                                                                        newName: new == nil ? "/dev/null" : "\(goldenName)/\(path)"),
                                                     keepingTabs: true, keepingLineBreaks: true)
        }
        (comparison.summary, comparison.warnings, comparison.scopes) = summarize(golden: golden, compiled: compiled)
        return comparison
    }

    /// One line per system and scope (base or environment) whose objects changed.
    static func summarize(golden: FileTree, compiled: FileTree) -> (lines: [String], warnings: [String], scopes: [ReviewReport.Scope]) {
        var lines: [String] = [], warnings: [String] = [], changed: [ReviewReport.Scope] = []
        let systems = Set((golden.paths + compiled.paths).compactMap { $0.split(separator: "/").first.map(String.init) }).sorted()
        for system in systems {
            var scopes: [(String, [ManifestValue], [ManifestValue])] = [("base", objects(in: golden, under: "\(system)/base/"), objects(in: compiled, under: "\(system)/base/"))]
            let environments = Set((golden.paths + compiled.paths).compactMap { path -> String? in
                guard path.hasPrefix("\(system)/rendered/"), path.hasSuffix(".yaml") else { return nil }
                return String(path.dropFirst("\(system)/rendered/".count).dropLast(5))
            }).sorted()
            for environment in environments {
                let path = "\(system)/rendered/\(environment).yaml"
                scopes.append((environment, ManifestReader.documents(golden[path] ?? "") ?? [], ManifestReader.documents(compiled[path] ?? "") ?? []))
            }
            for (scope, old, new) in scopes {
                let changes = SemanticDiff.compare(old, new)
                guard !changes.isEmpty else { continue }
                lines += Environments.describe(changes, scope: "\(system)/\(scope)", oldCount: old.count, newCount: new.count)
                warnings += membershipWarnings(changes, old: old, scope: "\(system)/\(scope)")
                changed.append(ReviewReport.Scope(system: system, name: scope, changes: changes, oldCount: old.count, newCount: new.count))
            }
        }
        return (lines, warnings, changed)
    }

    /// Quorum members a revision adds or removes: a Raft membership change of the running
    /// cluster, which the membership comparison (its findings are printed first) allowed.
    static func membershipWarnings(_ changes: [SemanticDiff.ObjectChange], old: [ManifestValue], scope: String) -> [String] {
        let quorumComponents = Engines.quorumComponents
        var previous: [ObjectKey: ManifestValue] = [:]
        for object in old {
            if let key = ObjectKey(object), key.kind == "StatefulSet", previous[key] == nil { previous[key] = object }
        }
        return changes.compactMap { change in
            guard change.key.kind == "StatefulSet", case .changed(let fields) = change.kind,
                  let replicas = fields.first(where: { $0.path == "replicas" }),
                  let object = previous[change.key],
                  let component = object["metadata"]?["labels"]?["app.kubernetes.io/component"]?.stringValue,
                  quorumComponents.contains(component) else { return nil }
            return "\(scope): \(change.key.name) members \(replicas.old) → \(replicas.new) — a membership change of the running cluster; "
                + "the membership findings above say what it takes (the printed steps, or nothing when it is automatic)"
        }
    }

    private static func objects(in tree: FileTree, under prefix: String) -> [ManifestValue] {
        tree.paths.filter { $0.hasPrefix(prefix) && !$0.hasSuffix("kustomization.yaml") }.flatMap { ManifestReader.documents(tree[$0] ?? "") ?? [] }
    }
}

/// Unified diffs (`diff -u` format, three lines of context) from the standard library's Myers
/// difference.
enum UnifiedDiff {
    static func render(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        // An edit script: (kind, line), kind 0 equal, -1 removed, +1 inserted.
        var script: [(Int, String)] = []
        let difference = b.difference(from: a)
        var removed = Set<Int>(), inserted = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, removed.contains(i) { script.append((-1, a[i])); i += 1 } else if j < b.count, inserted.contains(j) { script.append((1, b[j])); j += 1 } else {
                if i < a.count { script.append((0, a[i])) }
                i += 1
                j += 1
            }
        }
        var output = "--- \(oldName)\n+++ \(newName)\n"
        var index = 0
        var oldLine = 1, newLine = 1
        while index < script.count {
            guard let start = script[index...].firstIndex(where: { $0.0 != 0 }) else { break }
            // Advance the line counters over the equal run before the hunk's context.
            let hunkStart = max(index, start - context)
            for k in index..<hunkStart { if script[k].0 == 0 { oldLine += 1; newLine += 1 } }
            var end = start
            var lastChange = start
            while end < script.count {
                if script[end].0 != 0 { lastChange = end }
                if end - lastChange > 2 * context { break }
                end += 1
            }
            let hunkEnd = min(script.count, lastChange + context + 1)
            let hunk = script[hunkStart..<hunkEnd]
            let oldCount = hunk.filter { $0.0 <= 0 }.count, newCount = hunk.filter { $0.0 >= 0 }.count
            // `diff -u` ranges: "start,count", or just "start" for one line.
            func range(_ start: Int, _ count: Int) -> String { count == 1 ? "\(start)" : "\(count == 0 ? start - 1 : start),\(count)" }
            output += "@@ -\(range(oldLine, oldCount)) +\(range(newLine, newCount)) @@\n"
            for (kind, line) in hunk {
                output += (kind < 0 ? "-" : kind > 0 ? "+" : " ") + line + "\n"
                if kind <= 0 { oldLine += 1 }
                if kind >= 0 { newLine += 1 }
            }
            index = hunkEnd
        }
        return output
    }

    private static func lines(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

/// Differences between environments, in the golden summary's terms.
public enum Environments {
    /// Summary lines for `scope` (e.g. `goverse: staging → prod`) between two sets of objects.
    public static func differences(_ old: [Resource], _ new: [Resource], scope: String) -> [String] {
        let changes = SemanticDiff.compare(old.map(\.body), new.map(\.body))
        guard !changes.isEmpty else { return ["\(scope): no differences"] }
        return describe(changes, scope: scope, oldCount: old.count, newCount: new.count)
    }

    /// A few changes on one line (`scope: a; b`), more as a heading and one object per line;
    /// a scope that appears or disappears entirely as a count. Values quoted from objects are
    /// shown with terminal controls escaped.
    static func describe(_ changes: [SemanticDiff.ObjectChange], scope: String, oldCount: Int, newCount: Int) -> [String] {
        if oldCount == 0 { return ["\(scope): new (\(newCount) objects)"] }
        if newCount == 0 { return ["\(scope): removed (\(oldCount) objects)"] }
        let summaries = changes.map { TerminalSafety.escape($0.summary) }
        if changes.count <= 2 { return ["\(scope): " + summaries.joined(separator: "; ")] }
        return ["\(scope):"] + summaries.map { "  \($0)" }
    }
}

extension Golden {
    /// Compares the golden directory with what `compilation` produced.
    public static func check(_ directory: String, against compilation: Compilation) throws(FileError) -> GoldenComparison {
        compare(golden: try read(directory), compiled: compilation.tree, goldenName: directory)
    }

    /// Replaces the golden directory atomically with `compilation`'s tree; returns what changed.
    public static func update(_ directory: String, from compilation: Compilation) throws(FileError) -> GoldenComparison {
        let previous = (try? read(directory)) ?? FileTree()
        let tree = compilation.tree
        let comparison = compare(golden: previous, compiled: tree, goldenName: directory)
        try OutputDirectory.replace(directory, with: tree,
                                    protecting: compilation.systems.map(\.spec.file) + compilation.overlayFiles)
        return comparison
    }
}

import Foundation
import Testing
import Yams
@testable import ManifestEmission

/// Property tests of `ManifestWriter` over random trees: the text is libyaml's for the same tree,
/// and two independent readers (Yams and PyYAML, a YAML 1.1 reader) read back exactly the tree —
/// every string a string, every number a number.
@Suite("The YAML writer over random trees")
struct WriterPropertyTests {
    static let treeCount = 3_000

    @Test func sameBytesAsLibYAML() {
        var random = SeededRandom(seed: 0x5EED)
        var mismatches: [String] = []
        for _ in 0..<Self.treeCount {
            let tree = RandomTree.value(&random, depth: 0)
            let written = ManifestWriter.yaml(tree)
            let reference = LibYAMLReference.yaml(tree)
            if written != reference, mismatches.count < 5 {
                mismatches.append("tree: \(tree)\nwriter:\n\(written)\nlibyaml:\n\(reference)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n---\n"))")
    }

    @Test func yamsReadsBackTheSameTree() throws {
        var random = SeededRandom(seed: 0xBEEF)
        var failures: [String] = []
        for _ in 0..<Self.treeCount {
            let tree = RandomTree.value(&random, depth: 0)
            let text = ManifestWriter.yaml(tree)
            guard let node = try Yams.compose(yaml: text) else {
                failures.append("nothing read back from:\n\(text)")
                continue
            }
            if !Self.matches(node, tree), failures.count < 5 { failures.append("tree: \(tree)\ntext:\n\(text)") }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n---\n"))")
    }

    /// Every branch of `ManifestWriter.style(for:)` and of the writer's own fallbacks is reached
    /// by the random trees (otherwise the properties above would prove little).
    @Test func randomTreesReachEveryStyle() {
        var random = SeededRandom(seed: 0x5EED)
        var requested = Set<String>(), texts = ""
        for _ in 0..<Self.treeCount {
            let tree = RandomTree.value(&random, depth: 0)
            RandomTree.visitStrings(tree) { requested.insert("\(ManifestWriter.style(for: $0))") }
            texts += ManifestWriter.yaml(tree)
        }
        #expect(requested == ["plain", "doubleQuoted", "literal"])
        for marker in [": '", "- '", ": \"", ": |\n", ": |-\n", ": |+\n", ": |2", "? ", "\n...\n", ": {}", ": []", "\\u", "\\U", "\\t", "\\L"] {
            #expect(texts.contains(marker), "no written tree contains \(marker.debugDescription)")
        }
    }

    @Test func pyYAMLReadsBackTheSameTree() throws {
        guard let python = Self.judgesPython else {
            Issue.record("the judges' Python with PyYAML is needed for the round trip: run scripts/test, which creates .venv-test/")
            return
        }
        var random = SeededRandom(seed: 0xFACE)
        let trees = (0..<Self.treeCount).map { _ in RandomTree.value(&random, depth: 0) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clusterspec-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // One document per file: a document ending in `...` closes the stream for the next one.
        let yamlFiles = try trees.enumerated().map { index, tree in
            let url = directory.appendingPathComponent("\(index).yaml")
            try Data(ManifestWriter.yaml(tree).utf8).write(to: url)
            return url.path
        }
        let expected = directory.appendingPathComponent("expected.json")
        try Data(("[" + trees.map(ManifestWriter.json).joined(separator: ",") + "]").utf8).write(to: expected)
        let list = directory.appendingPathComponent("files.txt")
        try Data(yamlFiles.joined(separator: "\n").utf8).write(to: list)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tools/yaml_roundtrip.py")
        let process = Process()
        process.executableURL = python
        process.arguments = [script.path, list.path, expected.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(report)")
        #expect(report.contains("\(Self.treeCount) documents read back identically"), "\(report)")
    }

    /// Whether `node`, as Yams resolves it, is `value`. Yams decodes scalars with Foundation, which
    /// drops a leading U+FEFF as a byte-order mark (libyaml and PyYAML keep it), so that one
    /// character is not compared.
    static func matches(_ node: Node, _ value: ManifestValue) -> Bool {
        func yamsText(_ text: String) -> String { text.hasPrefix("\u{FEFF}") ? String(text.unicodeScalars.dropFirst()) : text }
        switch value {
        case .string(let text): return node.tag == .init(.str) && node.string == yamsText(text)
        case .int(let number): return node.tag == .init(.int) && node.int == number
        case .bool(let flag): return node.tag == .init(.bool) && node.bool == flag
        case .null, .absent: return node.tag == .init(.null)
        case .list(let items):
            guard let sequence = node.sequence, sequence.count == items.count else { return false }
            return zip(sequence, items).allSatisfy { matches($0, $1) }
        case .map(let entries):
            guard let mapping = node.mapping, mapping.count == entries.count else { return false }
            return zip(mapping, entries).allSatisfy { pair, entry in
                pair.key.tag == .init(.str) && pair.key.string == yamsText(entry.key) && matches(pair.value, entry.value)
            }
        }
    }

    /// The Python of the judges' virtual environment (`CLUSTERSPEC_JUDGES`, else `.venv-test/bin`
    /// of this checkout), where scripts/test installs PyYAML; never a Python from PATH.
    static var judgesPython: URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = ProcessInfo.processInfo.environment["CLUSTERSPEC_JUDGES"].map { URL(fileURLWithPath: $0) }
            ?? root.appendingPathComponent(".venv-test/bin")
        let python = directory.appendingPathComponent("python3")
        return FileManager.default.isExecutableFile(atPath: python.path) ? python : nil
    }
}

/// The writer's reference: the same tree as Yams nodes serialised by libyaml's own emitter, with the
/// styles `ManifestWriter.style(for:)` asks for.
enum LibYAMLReference {
    static func yaml(_ value: ManifestValue) -> String {
        (try? Yams.serialize(node: node(value), indent: 2, width: -1, allowUnicode: true, lineBreak: .ln)) ?? "<libyaml failed>"
    }

    private static func node(_ value: ManifestValue) -> Node {
        switch value {
        case .string(let text): return .scalar(Node.Scalar(text, .implicit, style(text)))
        case .int(let number): return .scalar(Node.Scalar(String(number), .implicit, .plain))
        case .bool(let flag): return .scalar(Node.Scalar(flag ? "true" : "false", .implicit, .plain))
        case .list(let items): return .sequence(Node.Sequence(items.map(node), .implicit, .block))
        case .map(let entries):
            if entries.isEmpty { return .mapping(Node.Mapping([], .implicit, .flow)) }
            return .mapping(Node.Mapping(entries.map { (Node.scalar(Node.Scalar($0.key, .implicit, style($0.key))), node($0.value)) }, .implicit, .block))
        case .absent, .null: return .scalar(Node.Scalar("null", .implicit, .plain))
        }
    }

    private static func style(_ text: String) -> Node.Scalar.Style {
        switch ManifestWriter.style(for: text) {
        case .plain: return .plain
        case .doubleQuoted: return .doubleQuoted
        case .literal: return .literal
        }
    }
}

/// Random manifest trees whose strings are made of fragments that exercise every quoting rule:
/// YAML 1.1 words and numbers, indicators, spaces and breaks at either end, escapes, Unicode
/// (printable or not), and keys longer than libyaml's simple-key limit.
enum RandomTree {
    static let fragments: [String] = [
        "", "a", "word", "x y", " ", "  ", "\n", "\n\n", "\t", "\r", "\r\n", ":", ": ", " #", "#", "-", "- ", "?", "? ",
        "'", "\"", "\\", "---", "...", "yes", "No", "null", "~", "true", "0755", "1e3", "1_000", "1:30", ".inf", "-.5", "+1",
        "2024-01-01", "0x1F", "é", "日本", "😀", "\u{85}", "\u{2028}", "\u{FEFF}", "\u{0}", "\u{7}", "\u{1B}", "\u{A0}", "\u{7F}",
        "{", "}", "[", "]", "*", "&", "!", "|", ">", "%", "@", "`", ",", "=", "<<", "key: value", "a\nb", "line\n", " lead",
        String(repeating: "k", count: 130),
    ]

    static func string(_ random: inout SeededRandom) -> String {
        (0..<random.next(below: 4)).map { _ in fragments[random.next(below: fragments.count)] }.joined()
    }

    static func value(_ random: inout SeededRandom, depth: Int) -> ManifestValue {
        let kind = random.next(below: depth >= 3 ? 4 : 7)
        switch kind {
        case 0, 1: return .string(string(&random))
        case 2: return .int(random.next(below: 3) == 0 ? -random.next(below: 100_000) : random.next(below: 100_000))
        case 3: return random.next(below: 4) == 0 ? .null : .bool(random.next(below: 2) == 0)
        case 4: return .list((0..<random.next(below: 4)).map { _ in value(&random, depth: depth + 1) })
        default:
            var seen = Set<String>()
            var entries: [ManifestValue.Entry] = []
            for _ in 0..<random.next(below: 5) {
                let key = string(&random)
                guard seen.insert(key).inserted else { continue }
                entries.append(.init(key, value(&random, depth: depth + 1)))
            }
            return .map(entries)
        }
    }

    static func visitStrings(_ value: ManifestValue, _ body: (String) -> Void) {
        switch value {
        case .string(let text): body(text)
        case .list(let items): items.forEach { visitStrings($0, body) }
        case .map(let entries):
            for entry in entries {
                body(entry.key)
                visitStrings(entry.value, body)
            }
        default: break
        }
    }
}

/// A small deterministic generator (SplitMix64), so every run tests the same trees.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

import ClusterSpec
import ManifestEmission
import SpecDiagnostics
import SpecParsing
import SpecRules

/// The whole input path — spec parse, overlay parse and merge, decode, wiring, rules, emission,
/// overlay patches and every report format — on one fuzz input, with the invariants that must
/// hold for any bytes. `scripts/fuzz` links it into a libFuzzer executable; the corpus replay
/// test runs every committed corpus file through it in-process.
///
/// A fuzz input is a spec optionally followed by overlay files, each introduced by
/// `overlaySeparator` on a line of its own.
public enum FuzzHarness {
    /// Starts an overlay file inside a fuzz input.
    public static let overlaySeparator = "\n#%clusterspec-fuzz overlay\n"

    /// The fixed date waivers are judged against, so a run never depends on the clock.
    static let today = CompileOptions.date("2026-06-01") ?? CompileOptions.currentDate()

    /// The spec's bytes and each overlay's bytes.
    public static func split(_ bytes: [UInt8]) -> (spec: [UInt8], overlays: [[UInt8]]) {
        let separator = Array(overlaySeparator.utf8)
        var parts: [[UInt8]] = [], current: [UInt8] = [], index = 0
        while index < bytes.count {
            if bytes[index] == separator[0], index + separator.count <= bytes.count, Array(bytes[index..<index + separator.count]) == separator {
                parts.append(current)
                current = []
                index += separator.count
            } else {
                current.append(bytes[index])
                index += 1
            }
        }
        parts.append(current)
        return (parts[0], Array(parts.dropFirst()))
    }

    /// A fuzz input from a spec and its overlays (the seed corpus is made this way).
    public static func join(spec: String, overlays: [String]) -> [UInt8] {
        Array(([spec] + overlays).joined(separator: overlaySeparator).utf8)
    }

    /// Runs one input through the pipeline and returns every broken invariant (empty: all hold).
    public static func run(_ bytes: [UInt8]) -> [String] {
        let (spec, overlays) = split(bytes)
        let specInput = SpecInput(path: "specs/fuzz.cluster.yaml", bytes: spec)
        let overlayInputs = overlays.enumerated().map { SpecInput(path: "overlays/fuzz/\($0.offset).yaml", bytes: $0.element) }
        let options = CompileOptions(today: today)
        let compilation = Compiler.compile([specInput], overlays: overlayInputs, options: options)
        var problems: [String] = []

        // Every diagnostic points into an input, at a line that exists.
        var lineCounts = ["specs/fuzz.cluster.yaml": lineCount(spec)]
        for input in overlayInputs { lineCounts[input.path] = lineCount(input.bytes) }
        for diagnostic in compilation.diagnostics {
            for location in [diagnostic.location].compactMap({ $0 }) + diagnostic.notes.compactMap(\.location) {
                guard let lines = lineCounts[location.file] else {
                    problems.append("\(diagnostic.id) points at unknown file '\(location.file)'")
                    continue
                }
                if location.line < 1 || location.line > lines || location.column < 1 {
                    problems.append("\(diagnostic.id) at \(location) is outside the file (\(lines) lines)")
                }
            }
        }

        // No report format lets input drive the terminal (tabs stay: the text excerpt keeps them to
        // line the caret up, and a tab moves the cursor only to the next stop).
        let files = [specInput.path] + overlayInputs.map(\.path)
        guard case .success(let policy) = FailPolicy.parse([]) else { return ["the default --fail-on policy does not parse"] }
        let report = Checking.report(compilation, files: files, policy: policy)
        for format in OutputFormat.allCases {
            let text = Checking.render(report, as: format, colored: false)
            if let scalar = text.unicodeScalars.first(where: { TerminalSafety.isUnsafe($0) && $0 != "\n" && $0 != "\t" }) {
                problems.append("\(format.rawValue) report holds U+\(String(scalar.value, radix: 16, uppercase: true))")
            }
        }

        // Emitted files read back as YAML.
        if !compilation.hasInputErrors {
            let tree = compilation.tree
            for path in tree.paths where path.hasSuffix(".yaml") && ManifestReader.documents(tree[path] ?? "") == nil {
                problems.append("emitted \(path) does not read back as YAML")
            }
        }
        return problems
    }

    /// Every rule's examples as complete specs: small inputs that reach each rule (seeds, and
    /// part of the committed corpus).
    public static func ruleExampleSeeds() -> [(name: String, bytes: [UInt8])] {
        RuleRegistry.all.flatMap { rule -> [(name: String, bytes: [UInt8])] in
            let description = rule.description
            return description.triggering.enumerated().map { ("\(description.id)-t\($0.offset + 1)", Array($0.element.fullSpec.utf8)) }
                + description.nonTriggering.enumerated().map { ("\(description.id)-n\($0.offset + 1)", Array($0.element.fullSpec.utf8)) }
        }
    }

    /// libFuzzer's dictionary (`-dict=`): every spec key, engine and enumerated value, the YAML
    /// punctuation specs are made of, and the overlay separator.
    public static func dictionary() -> String {
        let words = SpecVocabulary.words + ["<<", "&a", "*a", "x-", "${connection:", "}", "\\e", "\\u202e", "---", ": ", "- ", "{", "[", "\"", "|", overlaySeparator]
        var lines = ["# Generated from SpecVocabulary (the decoder's key tables); a test keeps it current.",
                     "# Regenerate: RECORD=1 swift test --filter FuzzCorpusTests"]
        for word in words {
            var escaped = ""
            for byte in word.utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): escaped += "\\" + String(UnicodeScalar(byte))
                case 0x20...0x7E: escaped += String(UnicodeScalar(byte))
                default: escaped += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
                }
            }
            lines.append("\"\(escaped)\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Lines of `bytes` as diagnostics count them (a final line without a newline counts; an
    /// empty input has one line).
    static func lineCount(_ bytes: [UInt8]) -> Int {
        bytes.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }
}

/// libFuzzer's entry point: a broken invariant is a crash, so the fuzzer keeps the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func clusterspecFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let problems = FuzzHarness.run(bytes)
    if !problems.isEmpty { fatalError("clusterspec fuzz invariant broken: \(problems.joined(separator: "; "))") }
    return 0
}

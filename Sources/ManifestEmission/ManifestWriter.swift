import Yams

/// The one place that turns manifest trees into text. Block style, two-space indentation,
/// lists flush with their key (as kubectl and kustomize print them), multi-line strings as
/// literal blocks, and every string that a YAML 1.1 reader could take for something else quoted.
public enum ManifestWriter {
    /// One YAML document (no `---`), ending in a newline.
    public static func yaml(_ value: ManifestValue) -> String {
        do {
            return try Yams.serialize(node: node(value), indent: 2, width: -1, allowUnicode: true, lineBreak: .ln)
        } catch {
            // Serialising a tree of plain scalars, lists and maps cannot fail; if libyaml ever
            // disagrees, surface it in the output rather than crash.
            return "# clusterspec could not serialise this document: \(error)\n"
        }
    }

    /// Several documents as one stream, separated by `---`.
    public static func yamlStream(_ values: [ManifestValue]) -> String {
        values.map { "---\n" + yaml($0) }.joined()
    }

    /// Compact JSON with keys in tree order (for JSON consumers and hashing).
    public static func json(_ value: ManifestValue) -> String {
        var output = ""
        appendJSON(value, to: &output)
        return output
    }

    private static func node(_ value: ManifestValue) -> Node {
        switch value {
        case .string(let text):
            return .scalar(Node.Scalar(text, .implicit, style(for: text)))
        case .int(let number):
            return .scalar(Node.Scalar(String(number), .implicit, .plain))
        case .bool(let flag):
            return .scalar(Node.Scalar(flag ? "true" : "false", .implicit, .plain))
        case .list(let items):
            return .sequence(Node.Sequence(items.map(node), .implicit, .block))
        case .map(let entries):
            if entries.isEmpty { return .mapping(Node.Mapping([], .implicit, .flow)) }
            return .mapping(Node.Mapping(entries.map { (Node.scalar(Node.Scalar($0.key, .implicit, style(for: $0.key))), node($0.value)) }, .implicit, .block))
        case .absent, .null:
            return .scalar(Node.Scalar("null", .implicit, .plain))
        }
    }

    /// Multi-line text as a literal block; text a YAML reader would resolve to a number, boolean,
    /// null, timestamp or other non-string double-quoted; everything else plain (libyaml still
    /// quotes what plain style cannot express, such as a leading `*` or a `: ` inside).
    static func style(for text: String) -> Node.Scalar.Style {
        if text.contains("\n") {
            // libyaml cannot write trailing spaces on a line or some control characters in a block.
            let blockSafe = !text.contains(" \n") && !text.hasPrefix(" ") && !text.contains("\t")
                && text.unicodeScalars.allSatisfy { $0 == "\n" || $0.value >= 0x20 }
            return blockSafe ? .literal : .doubleQuoted
        }
        return needsQuotes(text) ? .doubleQuoted : .plain
    }

    /// True when a YAML 1.1 reader (what `kubectl` and most tooling use) would read `text`, written
    /// plain, as something other than a string: booleans and null in all their spellings, and
    /// anything shaped like a number or timestamp (`0755`, `1_000`, `1:30`, `1e3`, `.inf`,
    /// `2024-01-01`). Errs towards quoting: quoting a string that did not need it is harmless.
    static func needsQuotes(_ text: String) -> Bool {
        guard !text.isEmpty else { return true }
        if ambiguousWords.contains(text) { return true }
        var scalars = Substring(text).unicodeScalars[...]
        if let sign = scalars.first, sign == "+" || sign == "-" { scalars = scalars.dropFirst() }
        guard let first = scalars.first else { return false }
        if first == ".", ["inf", "Inf", "INF", "nan", "NaN", "NAN"].contains(String(String.UnicodeScalarView(scalars.dropFirst()))) {
            return true
        }
        guard ("0"..."9").contains(first) || first == "." else { return false }
        // Digits with the punctuation and letters numbers, timestamps and sexagesimals use.
        return scalars.allSatisfy { numberish.contains($0) }
    }

    private static let numberish = Set("0123456789_.:-+eEoObBxXabcdefABCDEFtTzZ ".unicodeScalars)

    private static let ambiguousWords: Set<String> = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", "=", "<<",
    ]

    private static func appendJSON(_ value: ManifestValue, to output: inout String) {
        switch value {
        case .string(let text): appendJSONString(text, to: &output)
        case .int(let number): output += String(number)
        case .bool(let flag): output += flag ? "true" : "false"
        case .absent, .null: output += "null"
        case .list(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                appendJSON(item, to: &output)
            }
            output += "]"
        case .map(let entries):
            output += "{"
            for (index, entry) in entries.enumerated() {
                if index > 0 { output += "," }
                appendJSONString(entry.key, to: &output)
                output += ":"
                appendJSON(entry.value, to: &output)
            }
            output += "}"
        }
    }

    /// A JSON string literal with the escapes RFC 8259 requires.
    public static func appendJSONString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}

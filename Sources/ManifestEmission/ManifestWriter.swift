import Foundation

/// The one place that turns manifest trees into text. Block style, two-space indentation,
/// lists flush with their key (as kubectl and kustomize print them), multi-line strings as
/// literal blocks, and every string that a YAML 1.1 reader could take for something else quoted.
///
/// The text is what libyaml writes for these trees (`YAMLEmitter` follows its emitter), produced
/// without building YAML events or resolving tags: the writer knows every scalar is a string,
/// number or boolean already.
public enum ManifestWriter {
    /// One YAML document (no `---`), ending in a newline.
    public static func yaml(_ value: ManifestValue) -> String {
        documentsWritten?.add()
        var emitter = YAMLEmitter()
        emitter.document(value)
        return String(decoding: emitter.bytes, as: UTF8.self)
    }

    /// Several documents as one stream, separated by `---`.
    public static func yamlStream(_ values: [ManifestValue]) -> String {
        stream(values.map(yaml))
    }

    /// Documents already written by `yaml(_:)` as one stream, each preceded by `---`.
    public static func stream(_ documents: [String]) -> String {
        var output = ""
        output.reserveCapacity(documents.reduce(0) { $0 + $1.utf8.count + 4 })
        for document in documents {
            output += "---\n"
            output += document
        }
        return output
    }

    /// Counts the documents `yaml(_:)` writes in the current task, when set: tests assert, for
    /// instance, that `check` writes none and that `build` writes each distinct object once.
    @TaskLocal public static var documentsWritten: DocumentCounter?

    /// Compact JSON with keys in tree order (for JSON consumers and hashing).
    public static func json(_ value: ManifestValue) -> String {
        var output = ""
        appendJSON(value, to: &output)
        return output
    }

    /// Multi-line text as a literal block; text a YAML reader would resolve to a number, boolean,
    /// null, timestamp or other non-string double-quoted; everything else plain (the writer still
    /// quotes what plain style cannot express, such as a leading `*` or a `: ` inside, as libyaml does).
    static func style(for text: String) -> YAMLEmitter.Style {
        var text = text
        let hasLineFeed = text.withUTF8 { $0.contains(UInt8(ascii: "\n")) }
        // A line feed is its own Character unless it follows a carriage return; the slow path below
        // decides with Character semantics (`\r\n` is one Character), the fast one needs no Characters.
        if hasLineFeed, text.contains("\n") {
            // Block scalars cannot hold trailing spaces on a line or some control characters.
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
        var text = text
        return text.withUTF8(needsQuotes)
    }

    /// `needsQuotes(_:)` on the text's UTF-8 bytes.
    static func needsQuotes(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        do {
            guard !utf8.isEmpty else { return true }
            if utf8.count <= 5, ambiguousWords.contains(String(decoding: utf8, as: UTF8.self)) { return true }
            var start = 0
            if utf8[0] == UInt8(ascii: "+") || utf8[0] == UInt8(ascii: "-") { start = 1 }
            guard start < utf8.count else { return false }
            let first = utf8[start]
            if first == UInt8(ascii: "."), utf8.count - start == 4,
               specialFloats.contains(String(decoding: UnsafeBufferPointer(rebasing: utf8[(start + 1)...]), as: UTF8.self)) {
                return true
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) || first == UInt8(ascii: ".") else { return false }
            // Digits with the punctuation and letters numbers, timestamps and sexagesimals use.
            for index in start..<utf8.count where !isNumberish(utf8[index]) { return false }
            return true
        }
    }

    private static let specialFloats: Set<String> = ["inf", "Inf", "INF", "nan", "NaN", "NAN"]

    @inline(__always)
    private static func isNumberish(_ byte: UInt8) -> Bool {
        byte < 128 && numberish[Int(byte)]
    }

    /// ASCII bytes a number or timestamp may contain.
    private static let numberish: [Bool] = {
        var table = [Bool](repeating: false, count: 128)
        for byte in "0123456789_.:-+eEoObBxXabcdefABCDEFtTzZ ".utf8 { table[Int(byte)] = true }
        return table
    }()

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

/// A count of YAML documents written (see `ManifestWriter.documentsWritten`).
public final class DocumentCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    public init() {}

    public var count: Int { lock.withLock { value } }

    func add() { lock.withLock { value += 1 } }
}

/// Keeps text a diagnostic echoes (spec values decoded from YAML escapes such as `"\e[2J"` or
/// `"\u202e"`, file names) from acting on the terminal that shows it: every character a terminal
/// would obey instead of display is written out as `\u{1B}`.
public enum TerminalSafety {
    /// Whether a terminal acts on `scalar` rather than showing it: C0 controls, DEL, C1 controls,
    /// and the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069)
    /// that reorder the rest of the line.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// How an unsafe character is shown: `\u{1B}`.
    public static func visible(_ scalar: Unicode.Scalar) -> String {
        "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
    }

    /// `text` with every unsafe character shown as `\u{…}`; tabs are kept when `keepingTabs`
    /// (source excerpts keep them so the caret lines up), line feeds when `keepingLineBreaks`
    /// (multi-line text such as a diff).
    public static func escape(_ text: String, keepingTabs: Bool = false, keepingLineBreaks: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var output = ""
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar), !(keepingTabs && scalar == "\t"), !(keepingLineBreaks && scalar == "\n") {
                output += visible(scalar)
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// JSON text with DEL, C1 and bidirectional controls written as `\uXXXX` escapes (JSON
    /// encoders escape only C0). They can only occur inside strings, so the document stays valid
    /// and decodes to the same values.
    public static func escapeJSON(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: isUnsafe) else { return json }
        var output = ""
        for scalar in json.unicodeScalars {
            if isUnsafe(scalar), scalar.value > 0x1F {
                let digits = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}

import SpecModel

/// Renders diagnostics the way compilers do:
/// `path:line:col: error: message [id]`, the source line, a caret, then notes and the fix.
/// Everything echoed from input (paths, messages quoting spec values, the source line) passes
/// through `TerminalSafety`, so no spec text can drive the terminal.
public struct TextRenderer: Sendable {
    /// Wraps parts of the output in terminal colours; identity when colour is off.
    public struct Styles: Sendable {
        public var error: @Sendable (String) -> String
        public var warning: @Sendable (String) -> String
        public var note: @Sendable (String) -> String
        public var emphasis: @Sendable (String) -> String
        public var caret: @Sendable (String) -> String

        public init(
            error: @escaping @Sendable (String) -> String, warning: @escaping @Sendable (String) -> String,
            note: @escaping @Sendable (String) -> String, emphasis: @escaping @Sendable (String) -> String,
            caret: @escaping @Sendable (String) -> String
        ) {
            self.error = error
            self.warning = warning
            self.note = note
            self.emphasis = emphasis
            self.caret = caret
        }

        /// No colour at all.
        public static let plain = Styles(error: { $0 }, warning: { $0 }, note: { $0 }, emphasis: { $0 }, caret: { $0 })
    }

    public var sources: SourceText
    public var styles: Styles

    public init(sources: SourceText, styles: Styles = .plain) {
        self.sources = sources
        self.styles = styles
    }

    /// All diagnostics, one block each. Waived findings are left out unless `includeSuppressed`
    /// (JSON and SARIF always list them).
    public func render(_ diagnostics: [Diagnostic], includeSuppressed: Bool = false) -> String {
        var output = ""
        for diagnostic in diagnostics where includeSuppressed || diagnostic.suppression == nil {
            output += render(diagnostic)
        }
        return output
    }

    /// One diagnostic block.
    public func render(_ diagnostic: Diagnostic) -> String {
        var output = ""
        let safe = { (text: String) in TerminalSafety.escape(text) }
        let prefix = diagnostic.location.map { "\(safe($0.file)):\($0.line):\($0.column): " } ?? "clusterspec: "
        let label: String
        switch diagnostic.severity {
        case .error: label = styles.error("error:")
        case .warning: label = styles.warning("warning:")
        case .note: label = styles.note("note:")
        }
        var headline = "\(styles.emphasis(prefix))\(label) \(safe(diagnostic.message)) [\(safe(diagnostic.id))]"
        if diagnostic.suppression != nil { headline += " (waived)" }
        output += headline + "\n"
        if let location = diagnostic.location {
            output += excerpt(at: location)
        }
        for note in diagnostic.notes {
            if let location = note.location {
                output += "\(styles.emphasis("\(safe(location.file)):\(location.line):\(location.column):")) \(styles.note("note:")) \(safe(note.message))\n"
            } else {
                output += "  \(styles.note("note:")) \(safe(note.message))\n"
            }
        }
        if let suppression = diagnostic.suppression {
            output += "  \(styles.note("waived:")) \(safe(suppression.reason)) (\(safe(suppression.location.description)))\n"
        }
        if let fix = diagnostic.fix {
            output += "  \(styles.note("fix:")) \(safe(fix))\n"
        }
        return output
    }

    /// The source line and a caret under the column. Tabs are kept so the caret lines up, other
    /// unsafe characters are shown escaped (the caret moves past their escape); lines wider than
    /// `maxExcerptWidth` are cut to a window around the column.
    private func excerpt(at location: SourceLocation) -> String {
        guard let fullLine = sources.line(location.line, of: location.file) else { return "" }
        var scalars = Array(fullLine.unicodeScalars)
        var caretIndex = max(0, location.column - 1)
        var prefix = "", suffix = ""
        if scalars.count > Self.maxExcerptWidth {
            let start = max(0, min(caretIndex - Self.maxExcerptWidth / 2, scalars.count - Self.maxExcerptWidth))
            let end = min(scalars.count, start + Self.maxExcerptWidth)
            if start > 0 { prefix = "…" }
            if end < scalars.count { suffix = "…" }
            scalars = Array(scalars[start..<end])
            caretIndex = caretIndex - start + prefix.count
        }
        var line = prefix
        line.unicodeScalars.append(contentsOf: scalars)
        line += suffix
        var padding = ""
        for (index, character) in line.unicodeScalars.enumerated() where index < caretIndex {
            if character == "\t" {
                padding.append("\t")
            } else {
                padding += String(repeating: " ", count: TerminalSafety.isUnsafe(character) ? TerminalSafety.visible(character).count : 1)
            }
        }
        line = TerminalSafety.escape(line, keepingTabs: true)
        let gutter = String(location.line)
        let blank = String(repeating: " ", count: gutter.count)
        return " \(gutter) | \(line)\n \(blank) | \(padding)\(styles.caret("^"))\n"
    }

    /// Widest source excerpt shown, in characters.
    static let maxExcerptWidth = 120
}

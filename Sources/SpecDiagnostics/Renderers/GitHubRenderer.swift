import SpecModel

/// GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding that
/// counts, escaped as the runner requires (terminal controls shown as `\u{…}` first, since the
/// runner's log and a local terminal would obey them). Waived findings are left out.
public enum GitHubRenderer {
    public static func render(_ report: Report) -> String {
        var output = ""
        for diagnostic in report.active {
            let command: String
            switch diagnostic.severity {
            case .error: command = "error"
            case .warning: command = "warning"
            case .note: command = "notice"
            }
            var properties: [String] = []
            if let location = diagnostic.location {
                properties += ["file=\(escapeProperty(TerminalSafety.escape(Report.reportPath(location.file))))", "line=\(location.line)", "col=\(location.column)"]
            }
            properties.append("title=\(escapeProperty("clusterspec \(TerminalSafety.escape(diagnostic.id))"))")
            var message = TerminalSafety.escape(diagnostic.message)
            if let fix = diagnostic.fix { message += "\nFix: \(TerminalSafety.escape(fix))" }
            output += "::\(command) \(properties.joined(separator: ","))::\(escapeData(message))\n"
        }
        return output
    }

    /// Message text: `%`, CR and LF escaped.
    static func escapeData(_ text: String) -> String {
        text.replacingAll(["%": "%25", "\r": "%0D", "\n": "%0A"])
    }

    /// Property values: additionally `:` and `,`.
    static func escapeProperty(_ text: String) -> String {
        text.replacingAll(["%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"])
    }
}

extension String {
    /// Replaces characters in one pass (so `%` introduced by an escape is not escaped again).
    func replacingAll(_ table: [Character: String]) -> String {
        var output = ""
        for character in self {
            if let replacement = table[character] { output += replacement } else { output.append(character) }
        }
        return output
    }
}

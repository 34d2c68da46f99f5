import Foundation
import SpecModel

/// Machine-readable findings: one object with the tool, a summary and every finding (waived ones
/// included, marked `suppressed`). Keys are sorted so the output is byte-stable.
public enum JSONRenderer {
    struct Position: Encodable {
        var file: String
        var line: Int
        var column: Int

        init?(_ location: SourceLocation?) {
            guard let location else { return nil }
            file = Report.reportPath(location.file)
            line = location.line
            column = location.column
        }
    }

    struct Note: Encodable {
        var message: String
        var location: Position?
    }

    struct Suppressed: Encodable {
        var reason: String
        var waiver: Position?
    }

    struct Finding: Encodable {
        var rule: String
        var severity: String
        var message: String
        var location: Position?
        var subject: String?
        var notes: [Note]?
        var fix: String?
        var suppressed: Suppressed?
    }

    struct Summary: Encodable {
        var errors: Int
        var warnings: Int
        var notes: Int
        var suppressed: Int
        var failed: Bool
        var exitCode: Int32
    }

    struct Tool: Encodable {
        var name = "clusterspec"
        var version: String
    }

    struct Document: Encodable {
        var tool: Tool
        var files: [String]
        var summary: Summary
        var findings: [Finding]
    }

    public static func render(_ report: Report) -> String {
        let counts = report.counts
        let document = Document(
            tool: Tool(version: report.toolVersion),
            files: report.files.map(Report.reportPath),
            summary: Summary(errors: counts.errors, warnings: counts.warnings, notes: counts.notes, suppressed: counts.suppressed,
                             failed: report.exitCode != 0, exitCode: report.exitCode),
            findings: report.diagnostics.map { diagnostic in
                Finding(rule: diagnostic.id, severity: diagnostic.severity.rawValue, message: diagnostic.message,
                        location: Position(diagnostic.location), subject: diagnostic.subject,
                        notes: diagnostic.notes.isEmpty ? nil : diagnostic.notes.map { Note(message: $0.message, location: Position($0.location)) },
                        fix: diagnostic.fix,
                        suppressed: diagnostic.suppression.map { Suppressed(reason: $0.reason, waiver: Position($0.location)) })
            })
        return encode(document)
    }

    /// Pretty, key-sorted JSON with a final newline, every terminal control escaped (`\u001b`,
    /// `\u202e`), so a report printed on a terminal cannot drive it.
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}\n" }
        return TerminalSafety.escapeJSON(String(decoding: data, as: UTF8.self)) + "\n"
    }
}

import Foundation
import SpecModel
import SpecDiagnostics
import SpecRules

/// Output formats of `clusterspec check`.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json, sarif, github, junit
}

/// The gate's threshold: findings at or above it fail the run, plus rules named on their own.
public struct FailPolicy: Sendable {
    public var severity: String
    public var rules: Set<String>

    /// Parses `--fail-on` values: `error`, `warning`, or rule ids. Unknown values are reported with
    /// a suggestion.
    public static func parse(_ values: [String]) -> Result<FailPolicy, FileError> {
        var policy = FailPolicy(severity: "error", rules: [])
        for value in values {
            if value == "error" || value == "warning" {
                if value == "warning" { policy.severity = "warning" }
            } else if RuleCatalog.ids.contains(value) {
                policy.rules.insert(value)
            } else {
                return .failure(FileError("--fail-on: '\(value)' is neither a severity (error, warning) nor a rule id"
                                          + NameSuggestion.hint(for: value, in: ["error", "warning"] + RuleCatalog.ids.sorted())))
            }
        }
        return .success(policy)
    }
}

/// Turns a compilation into a report and renders it.
public enum Checking {
    /// The rule catalog as renderer metadata, sorted by id.
    public static var ruleMetadata: [RuleMetadata] {
        RuleRegistry.all.map { rule in
            let description = rule.description
            return RuleMetadata(id: description.id, title: description.title, summary: description.summary,
                                rationale: description.rationale, remediation: description.remediation,
                                defaultSeverity: description.severity)
        }
    }

    public static func report(_ compilation: Compilation, files: [String], policy: FailPolicy) -> Report {
        var report = Report(diagnostics: compilation.diagnostics, rules: ruleMetadata, files: files, sources: compilation.sources,
                            toolVersion: ClusterSpecVersion.current, failOn: policy.severity == "warning" ? .warning : .error,
                            isRuleID: { RuleCatalog.isRuleID($0) })
        report.failOnRules = policy.rules
        return report
    }

    public static func render(_ report: Report, as format: OutputFormat, colored: Bool) -> String {
        switch format {
        case .text:
            let body = TextRenderer(sources: report.sources, styles: DiagnosticStyles.styles(colored: colored)).render(report.diagnostics)
            return body + report.summary + "\n"
        case .json: return JSONRenderer.render(report)
        case .sarif: return SARIFRenderer.render(report)
        case .github: return GitHubRenderer.render(report)
        case .junit: return JUnitRenderer.render(report)
        }
    }
}

extension Report {
    /// The exit code as a plain integer for the command line.
    public var processExitCode: Int32 { exitCode }
}

/// Writes report files atomically (temporary file in the same directory, then rename).
public enum ReportFiles {
    /// Fails early, before any work, when `path` cannot be written.
    public static func checkWritable(_ path: String) throws(FileError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileError("\(path): cannot write: directory '\(directory)' does not exist")
        }
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw FileError("\(path): cannot write: it is a directory")
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw FileError("\(path): cannot write: directory '\(directory)' is not writable")
        }
    }

    public static func write(_ text: String, to path: String) throws(FileError) {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).clusterspec-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try Data(text.utf8).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw FileError("\(path): cannot write (\(error.localizedDescription))")
        }
        // rename(2) replaces an existing report atomically (FileManager.replaceItemAt fails on
        // relative paths on Linux).
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw FileError("\(path): cannot write (\(reason))")
        }
    }
}

import ArgumentParser
import ClusterSpec
import Foundation

/// `clusterspec check`: the CI policy gate.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check specs against the invariant rules; fail the build on findings.",
        discussion: """
            Findings point at the spec line that caused them. Repeat --format (with matching --output
            files) to write several reports in one run; a format without an --output goes to stdout.

            FORMATS
              text    compiler-style findings with the source line and a caret (default)
              json    machine-readable findings, waived ones marked "suppressed"
              sarif   SARIF 2.1.0 for GitHub code scanning
              github  GitHub Actions annotations (::error file=…,line=…)
              junit   JUnit XML: a test case per rule per spec

            EXIT CODES
              0  no finding at or above --fail-on
              1  policy violations
              2  usage, parse, configuration or I/O error

            EXAMPLES
              clusterspec check specs
              clusterspec check specs --env prod --format sarif --output clusterspec.sarif --format text
              clusterspec check specs --fail-on warning --format github
            """)

    @OptionGroup var inputs: InputOptions

    @Option(name: .long, help: "Check only this environment (its overlays applied, its severities). Default: the base and every environment.")
    var env: String?

    @Option(name: .long, help: "Report format: text, json, sarif, github, junit. Repeatable.")
    var format: [OutputFormat] = []

    @Option(name: .long, help: "File for the report of the matching --format. Repeatable.")
    var output: [String] = []

    @Option(name: .long, help: "Fail on findings of this severity or worse (error, warning), or of this rule id. Repeatable.")
    var failOn: [String] = []

    @Option(name: .long, help: "Judge waiver expiry as of this date (YYYY-MM-DD) instead of today.")
    var today: String?

    @OptionGroup var options: OutputOptions

    func validate() throws {
        if output.count > max(format.count, 1) {
            throw ValidationError("each --output needs its own --format (got \(output.count) outputs for \(format.count) formats)")
        }
        if max(format.count, 1) - output.count > 1 {
            throw ValidationError("only one report can go to stdout; give the other formats an --output file")
        }
        _ = try parsedToday(today)
    }

    func run() throws {
        let policy: FailPolicy
        switch FailPolicy.parse(failOn) {
        case .success(let parsed): policy = parsed
        case .failure(let error):
            printError("clusterspec: error: \(error.description)\n")
            throw Exit.inputError
        }
        let formats = format.isEmpty ? [OutputFormat.text] : format
        do {
            for path in output { try ReportFiles.checkWritable(path) }
        } catch {
            printError("clusterspec: error: \(error.description)\n")
            throw Exit.inputError
        }
        let (specs, overlays, complete) = try inputs.resolve()
        var compileOptions = CompileOptions(environments: env.map { .only($0) } ?? .all)
        try parsedToday(today)?.apply(to: &compileOptions)
        let compilation = Compiler.compile(specPaths: specs, overlayPaths: overlays, completeSpecSet: complete, options: compileOptions)
        let report = Checking.report(compilation, files: specs + compilation.overlayFiles, policy: policy)
        for (index, format) in formats.enumerated() {
            if index < output.count {
                do {
                    try ReportFiles.write(Checking.render(report, as: format, colored: false), to: output[index])
                } catch {
                    printError("clusterspec: error: \(error.description)\n")
                    throw Exit.inputError
                }
            } else {
                let colored = format == .text && options.color.enabled(forFileDescriptor: STDOUT_FILENO)
                FileHandle.standardOutput.write(Data(Checking.render(report, as: format, colored: colored).utf8))
            }
        }
        if report.processExitCode != 0 { throw ExitCode(report.processExitCode) }
    }
}

extension OutputFormat: ExpressibleByArgument {}

/// `clusterspec rules`: the catalog.
struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the rules.",
        discussion: "With --format markdown, prints docs/rules.md.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, markdown }

    @Option(name: .long, help: "text (a table) or markdown (the rules reference).")
    var format: Format = .text

    func run() {
        print(format == .markdown ? RuleBook.markdown() : RuleBook.table(), terminator: "")
    }
}

/// `clusterspec explain RULE-ID`: one rule in full.
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Explain one rule: why it exists, how to fix it, examples.")

    @Argument(help: "A rule id, as printed in findings (e.g. pdb-keeps-quorum).")
    var rule: String

    func run() throws {
        switch RuleBook.explain(rule) {
        case .success(let text): print(text, terminator: "")
        case .failure(let error):
            printError("clusterspec: error: \(error.description)\n")
            throw Exit.inputError
        }
    }
}

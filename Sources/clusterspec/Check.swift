import ArgumentParser
import ClusterSpec
import Foundation

/// `clusterspec check`: the CI policy gate.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check specs against the invariant rules; fail the build on findings.",
        discussion: """
            Findings point at the spec line that caused them (or at the overlay line, when an \
            environment's overlay set the value). Repeat --format (with matching --output files) to write \
            several reports in one run; a format without an --output goes to stdout. Without --env, \
            --format and --output, the 'check:' defaults of clusterspec.yaml apply.

            FORMATS
              text    compiler-style findings with the source line and a caret (default)
              json    machine-readable findings, waived ones marked "suppressed"
              sarif   SARIF 2.1.0 for GitHub code scanning
              github  GitHub Actions annotations (::error file=…,line=…)
              junit   JUnit XML: a test case per rule per spec

            EXIT CODES
              0  no finding at or above --fail-on
              1  policy violations
              2  usage, parse, configuration or I/O error (an unknown --env too)

            EXAMPLES
              clusterspec check specs
              clusterspec check specs --env prod --format sarif --output x.sarif
              clusterspec check specs --fail-on warning --format github
            """)

    @OptionGroup var inputs: InputOptions

    @Option(name: .long, help: "Check only this environment (its overlays applied, its severities); every spec must have it. Default: the base and every environment.")
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
        if let problem = ReportPlan.pairingProblem(formats: format.count, outputs: output.count) { throw ValidationError(problem) }
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
        let workspace = try inputs.resolve(color: options.color)
        let defaults: CheckDefaults
        do {
            defaults = env == nil || (format.isEmpty && output.isEmpty) ? try workspace.checkDefaults() : CheckDefaults()
        } catch {
            printError(error.rendered(colored: options.color.enabled(forFileDescriptor: STDERR_FILENO)))
            throw Exit.inputError
        }
        let fromCommandLine = !format.isEmpty || !output.isEmpty
        let formats = fromCommandLine ? (format.isEmpty ? [.text] : format) : (defaults.formats.isEmpty ? [.text] : defaults.formats)
        let outputs = fromCommandLine ? output : defaults.outputs
        do {
            for path in outputs { try ReportFiles.checkWritable(path) }
        } catch {
            printError("clusterspec: error: \(error.description)\n")
            throw Exit.inputError
        }
        let environment = env ?? defaults.environment
        var compileOptions = CompileOptions(environments: environment.map { .only($0) } ?? .all, previous: inputs.previousRevision(of: workspace))
        try parsedToday(today)?.apply(to: &compileOptions)
        let compilation = Compiler.compile(workspace, options: compileOptions)
        let report = Checking.report(compilation, files: workspace.specs + compilation.overlayFiles, policy: policy)
        for (index, format) in formats.enumerated() {
            if index < outputs.count {
                do {
                    try ReportFiles.write(Checking.render(report, as: format, colored: false), to: outputs[index])
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

import ArgumentParser
import ClusterSpec
import Foundation

/// `clusterspec golden`: keep the committed compiled output in step with the specs.
struct GoldenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "golden",
        abstract: "Compare or update the committed compiled output (golden/).",
        discussion: """
            The pull-request workflow: edit a spec or overlay, run 'clusterspec golden update', commit \
            both; reviewers read the golden diff, and CI runs 'clusterspec golden check'.

            The specs, overlays and golden directories are the ones the nearest clusterspec.yaml at or \
            above the working directory (or above --specs) names; without one, specs/, overlays/ and \
            golden/ in the working directory (or beside --specs).
            """,
        subcommands: [GoldenCheck.self, GoldenUpdate.self])
}

/// Where the golden workflow reads and writes.
struct GoldenOptions: ParsableArguments {
    @Option(name: .long, help: "Spec directory (default: the one clusterspec.yaml names, else ./specs).")
    var specs: String?

    @Option(name: .long, help: "Overlay directory (default: the one clusterspec.yaml names, else overlays/ beside the specs).")
    var overlays: String?

    @Option(name: .long, help: "Golden directory (default: the one clusterspec.yaml names, else golden/ beside the specs).")
    var golden: String?

    @Option(name: .long, help: "The running revision's compiled output, to compare store membership against (default: the project's 'previous', else its golden directory).")
    var previous: String?

    @Option(name: .long, help: "Judge waiver expiry as of this date (YYYY-MM-DD) instead of today.")
    var today: String?

    @OptionGroup var output: OutputOptions

    /// The project: found from --specs when given, else from the working directory.
    func project() throws -> Project {
        do {
            if let specs { return try Project.containing(specPath: specs) }
            return try Project.current()
        } catch {
            printError(error.rendered(colored: output.color.enabled(forFileDescriptor: STDERR_FILENO)))
            throw Exit.inputError
        }
    }

    /// The golden directory to compare with or write.
    func goldenDirectory(of project: Project) -> String { golden ?? project.golden }

    /// Compiles the project's specs and overlays; exits 2 on input errors and 1 on rule errors.
    func compile(_ project: Project) throws -> Compilation {
        let workspace: Workspace
        do {
            workspace = try Workspace.whole(project, specs: specs, overlays: overlays)
        } catch {
            printError(error.rendered(colored: output.color.enabled(forFileDescriptor: STDERR_FILENO)))
            throw Exit.inputError
        }
        announce(workspace)
        // The same membership comparison as `check`: an unreviewed change never reaches golden/.
        var options = CompileOptions(previous: PreviousRevision(directory: previous ?? project.previous))
        try parsedToday(today)?.apply(to: &options)
        let compilation = Compiler.compile(workspace, options: options)
        report(compilation, color: output.color)
        if compilation.hasInputErrors { throw Exit.inputError }
        if compilation.hasErrors {
            printError("clusterspec: the specs do not pass their rules; fix the errors above first\n")
            throw Exit.violations
        }
        return compilation
    }

    func validate() throws { _ = try parsedToday(today) }
}

struct GoldenCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Fail (exit 1) when golden/ differs from what the specs compile to.",
        discussion: """
            Prints a unified diff of every differing file (stale files included) and a summary of what changed. \
            With --format markdown, prints a pull-request comment instead: membership and other operational \
            warnings first, per system and environment the objects added, removed and changed, policy changes \
            per peer, the graph of each changed system and a collapsed diff, secret values hidden, within \
            GitHub's 65,536-character limit.

            EXIT CODES
              0  up to date
              1  golden/ differs, or the specs fail their rules
              2  usage, parse, configuration or I/O error
            """)

    @OptionGroup var options: GoldenOptions

    @Option(name: .long, help: "text (default) or markdown (a pull-request comment).")
    var format: ReportStyle = .text

    func run() throws {
        let project = try options.project()
        let golden = options.goldenDirectory(of: project)
        let compilation = try options.compile(project)
        let comparison: GoldenComparison
        do {
            comparison = try Golden.check(golden, against: compilation)
        } catch {
            printError("clusterspec: error: \(error.description)\n")
            throw Exit.inputError
        }
        if format == .markdown {
            print(ReviewReport.golden(comparison, directory: golden, compilation: compilation).markdown(), terminator: "")
            if comparison.isClean { return }
            throw Exit.violations
        }
        if comparison.isClean {
            print("\(golden)/ is up to date")
            return
        }
        print(comparison.diff, terminator: "")
        print("\n\(golden)/ differs from the specs in \(comparison.differingFileCount) file\(comparison.differingFileCount == 1 ? "" : "s")"
              + " (\(comparison.changed.count) changed, \(comparison.added.count) new, \(comparison.stale.count) stale):")
        for line in comparison.summary { print("  \(line)") }
        for warning in comparison.warnings { print("warning: \(warning)") }
        print("Run 'clusterspec golden update' and commit \(golden)/ with the spec change.")
        throw Exit.violations
    }
}

struct GoldenUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Rewrite golden/ atomically from the specs and overlays.")

    @OptionGroup var options: GoldenOptions

    func run() throws {
        let project = try options.project()
        let golden = options.goldenDirectory(of: project)
        let compilation = try options.compile(project)
        let comparison: GoldenComparison
        do {
            comparison = try Golden.update(golden, from: compilation)
        } catch {
            printError("clusterspec: error: \(error.description)\n")
            throw Exit.inputError
        }
        if comparison.isClean {
            print("\(golden)/ was already up to date")
            return
        }
        print("updated \(golden)/: \(comparison.changed.count) changed, \(comparison.added.count) new, \(comparison.stale.count) removed")
        for line in comparison.summary { print("  \(line)") }
        for warning in comparison.warnings { print("warning: \(warning)") }
    }
}

/// `clusterspec diff`: what differs between two environments of one system.
struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise what differs between two environments of a spec.",
        discussion: """
            'base' names the spec without overlays.

            EXAMPLES
              clusterspec diff specs/goverse.cluster.yaml --env staging --env prod
              clusterspec diff specs/goverse.cluster.yaml --env base --env dev
              clusterspec diff specs --env dev --env prod --format markdown
            """)

    @OptionGroup var inputs: InputOptions

    @Option(name: .long, help: "The two environments to compare (give it twice).")
    var env: [String] = []

    @Option(name: .long, help: "text (default) or markdown (a pull-request comment).")
    var format: ReportStyle = .text

    func validate() throws {
        guard env.count == 2 else { throw ValidationError("give exactly two environments: --env A --env B") }
    }

    func run() throws {
        let workspace = try inputs.resolve(color: .auto)
        let compilation = Compiler.compile(workspace, options: CompileOptions(runRules: false))
        report(compilation, color: .auto)
        if compilation.hasInputErrors { throw Exit.inputError }
        var missing: [String] = []
        for system in compilation.systems {
            let names = ["base"] + system.environments.map(\.name)
            let sides = env.map { name in system.resources(for: name == "base" ? nil : name) }
            guard let old = sides[0], let new = sides[1] else {
                missing += env.filter { !names.contains($0) }.map { "\(system.name) has no environment '\($0)' (it has \(names.joined(separator: ", ")))" }
                continue
            }
            if format == .text {
                for line in Environments.differences(old, new, scope: "\(system.name): \(env[0]) → \(env[1])") { print(line) }
            }
        }
        if !missing.isEmpty {
            for line in Set(missing).sorted() { printError("clusterspec: error: \(line)\n") }
            throw Exit.inputError
        }
        if format == .markdown {
            print(ReviewReport.environments(compilation, from: env[0], to: env[1]).markdown(), terminator: "")
        }
    }
}

/// How `golden check` and `diff` print: for a terminal, or as a pull-request comment.
enum ReportStyle: String, ExpressibleByArgument, CaseIterable { case text, markdown }

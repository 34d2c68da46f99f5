import ArgumentParser
import ClusterSpec
import Foundation

/// `clusterspec build`: compile specs and write manifests.
struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile specs into Kubernetes manifests.",
        discussion: """
            Writes, for every spec, OUT/<system>/base/ (one file per object plus kustomization.yaml), \
            OUT/<system>/overlays/<env>/ (a kustomize overlay per environment: its parent plus minimal patches) \
            and OUT/<system>/rendered/<env>.yaml (each environment fully resolved). OUT is replaced atomically: \
            a failed build leaves it as it was. With -o - the objects of the base (or of --env) are printed to \
            stdout as one YAML stream instead.

            A directory argument stands for the *.cluster.yaml files directly inside it. Overlays are read \
            from --overlays, else from the directory the nearest clusterspec.yaml above the spec names, else \
            from overlays/ beside the spec's directory; stderr says which.

            EXAMPLES
              clusterspec build specs -o out
              clusterspec build specs/*.cluster.yaml --overlays overlays -o out
              clusterspec build specs/cyoda-go.cluster.yaml --env prod -o -
            """)

    @OptionGroup var inputs: InputOptions

    @Option(name: .shortAndLong, help: "Output directory, or - for a YAML stream on stdout.")
    var output: String

    @Flag(name: .long, help: "Write output even when rules report errors.")
    var noCheck = false

    @Option(name: .long, help: "Judge waiver expiry as of this date (YYYY-MM-DD) instead of today.")
    var today: String?

    @Option(name: .long, help: "With -o -: print this environment's objects instead of the base's.")
    var env: String?

    @OptionGroup var options: OutputOptions

    func validate() throws {
        _ = try parsedToday(today)
        if env != nil, output != "-" {
            throw ValidationError("--env selects what -o - prints; a directory output holds every environment")
        }
    }

    func run() throws {
        let workspace = try inputs.resolve(color: options.color)
        var compileOptions = CompileOptions(environments: env.map { .only($0) } ?? .all, previous: inputs.previousRevision(of: workspace))
        try parsedToday(today)?.apply(to: &compileOptions)
        let compilation = Compiler.compile(workspace, options: compileOptions)
        report(compilation, color: options.color)
        if compilation.hasInputErrors { throw Exit.inputError }
        if compilation.hasErrors && !noCheck {
            printError("clusterspec: nothing written: fix the errors above or pass --no-check\n")
            throw Exit.violations
        }
        if output == "-" {
            FileHandle.standardOutput.write(Data(compilation.stream(environment: env).utf8))
            return
        }
        do {
            try OutputDirectory.replace(output, with: compilation.tree, protecting: workspace.specs + workspace.overlays)
        } catch {
            printError("clusterspec: error: \(error.description)\n")
            throw Exit.inputError
        }
        let objects = compilation.systems.reduce(0) { $0 + $1.resources.count }
        let environments = compilation.systems.reduce(0) { $0 + $1.environments.count }
        printError("wrote \(counted(compilation.systems.count, "system")) (\(counted(objects, "base object")), \(counted(environments, "environment"))) to \(output)\n")
    }
}

/// Prints a compilation's diagnostics to stderr.
func report(_ compilation: Compilation, color: ColorMode) {
    guard !compilation.diagnostics.isEmpty else { return }
    printError(compilation.renderDiagnostics(colored: color.enabled(forFileDescriptor: STDERR_FILENO)))
}

/// "1 environment", "2 environments".
func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}

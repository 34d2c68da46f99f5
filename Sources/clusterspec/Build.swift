import ArgumentParser
import ClusterSpec
import Foundation

/// `clusterspec build`: compile specs and write manifests.
struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile specs into Kubernetes manifests.",
        discussion: """
            Writes OUT/<system>/base/ (one file per object plus kustomization.yaml) for every spec.
            OUT is replaced atomically: a failed build leaves it as it was. With -o - the objects are
            printed to stdout as one YAML stream instead.

            A directory argument stands for the *.cluster.yaml files directly inside it.

            EXAMPLES
              clusterspec build specs/*.cluster.yaml -o out
              clusterspec build specs -o out
              clusterspec build specs/cyoda-go.cluster.yaml -o - | kubectl apply --dry-run=client -f -
            """)

    @Argument(help: "Spec files (*.cluster.yaml) or directories holding them.")
    var specs: [String]

    @Option(name: .shortAndLong, help: "Output directory, or - for a YAML stream on stdout.")
    var output: String

    @Flag(name: .long, help: "Write output even when rules report errors.")
    var noCheck = false

    @Option(name: .long, help: "Judge waiver expiry as of this date (YYYY-MM-DD) instead of today.")
    var today: String?

    @OptionGroup var options: OutputOptions

    func validate() throws {
        if let today, CompileOptions.date(today) == nil {
            throw ValidationError("--today '\(today)' is not a date in YYYY-MM-DD form")
        }
    }

    func run() throws {
        let paths: [String]
        do {
            paths = try SpecFiles.expand(specs)
        } catch {
            printError("clusterspec: error: \(error.description)\n")
            throw Exit.inputError
        }
        var compileOptions = CompileOptions()
        if let today, let date = CompileOptions.date(today) { compileOptions.today = date }
        let compilation = Compiler.compile(paths: paths, options: compileOptions)
        report(compilation, color: options.color)
        if compilation.hasInputErrors { throw Exit.inputError }
        if compilation.hasErrors && !noCheck {
            printError("clusterspec: nothing written: fix the errors above or pass --no-check\n")
            throw Exit.violations
        }
        if output == "-" {
            FileHandle.standardOutput.write(Data(compilation.stream.utf8))
            return
        }
        do {
            try OutputDirectory.replace(output, with: compilation.tree)
        } catch {
            printError("clusterspec: error: \(error.description)\n")
            throw Exit.inputError
        }
        let objects = compilation.systems.reduce(0) { $0 + $1.resources.count }
        printError("wrote \(compilation.systems.count) system\(compilation.systems.count == 1 ? "" : "s") (\(objects) objects) to \(output)\n")
    }
}

/// Prints a compilation's diagnostics to stderr.
func report(_ compilation: Compilation, color: ColorMode) {
    guard !compilation.diagnostics.isEmpty else { return }
    printError(compilation.renderDiagnostics(colored: color.enabled(forFileDescriptor: STDERR_FILENO)))
}

import ArgumentParser
import ClusterSpec
import Foundation

/// The `clusterspec` command line. Commands parse arguments, call the `ClusterSpec` facade, write
/// files and map outcomes to exit codes; they hold no compiler logic.
struct Clusterspec: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusterspec",
        abstract: "Compile typed cluster specs into Kubernetes manifests.",
        discussion: """
            A spec (*.cluster.yaml) describes one system: namespaces, services, stores, jobs. \
            clusterspec checks it against invariant rules and writes plain Kubernetes manifests as a \
            kustomize base, with an overlay per environment.

            The project file clusterspec.yaml, found by walking up from a spec's directory (or from \
            the working directory for commands without spec paths), says where specs, overlays and \
            golden output live; without one, overlays/ and golden/ beside the spec directory are used.

            EXIT CODES
              0  success (no finding at or above --fail-on)
              1  policy violations
              2  usage, parse, configuration or I/O error

            EXAMPLES
              clusterspec init shop
              clusterspec build specs/*.cluster.yaml -o out
              clusterspec check
              clusterspec build specs/goverse.cluster.yaml -o -
              clusterspec check specs --format sarif --output clusterspec.sarif
              clusterspec golden check
              clusterspec diff specs/goverse.cluster.yaml --env staging --env prod
              clusterspec explain pdb-keeps-quorum
            """,
        version: ClusterSpecVersion.current,
        subcommands: [Init.self, Build.self, Check.self, GoldenCommand.self, Diff.self, Rules.self, Explain.self, Schema.self,
                      Lsp.self, Graph.self, Version.self, Completions.self, ArgoCDCommand.self])
}

/// Options every command shares.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Colour diagnostics: auto (terminal only, never with NO_COLOR), always, never.")
    var color: ColorMode = .auto

}

extension ColorMode: ExpressibleByArgument {}

/// Exit codes shared by every command.
enum Exit {
    static let violations = ExitCode(1)
    static let inputError = ExitCode(2)
}

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

/// Entry point: like `Clusterspec.main()`, but usage errors exit with 2 (not ArgumentParser's 64)
/// so every command follows the documented 0/1/2 contract.
@main
enum Main {
    static func main() {
        do {
            var command = try Clusterspec.parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = Clusterspec.exitCode(for: error)
            let message = Clusterspec.fullMessage(for: error)
            if code == .success {
                print(message)
                Foundation.exit(0)
            }
            printError(message + "\n")
            Foundation.exit(Exit.inputError.rawValue)
        }
    }
}

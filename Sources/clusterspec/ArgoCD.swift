import ArgumentParser
import ClusterSpec
import Foundation

/// `clusterspec argocd`: the Argo CD config management plugin's side (integrations/argocd).
struct ArgoCDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "argocd",
        abstract: "Commands the Argo CD config management plugin runs (integrations/argocd/plugin.yaml).",
        subcommands: [ArgoCDGenerate.self])
}

/// `clusterspec argocd generate`: the plugin's generate command.
struct ArgoCDGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Print one environment's objects for Argo CD (the plugin's generate command).",
        discussion: """
            Argo CD runs this in the Application's source directory. The environment comes from the \
            plugin parameter 'environment' (ARGOCD_APP_PARAMETERS, PARAM_ENVIRONMENT) or the plugin env \
            CLUSTERSPEC_ENVIRONMENT (ARGOCD_ENV_CLUSTERSPEC_ENVIRONMENT); the specs from the parameter \
            'spec' (or CLUSTERSPEC_SPEC), a spec file or directory inside the application directory, \
            by default the spec directory of the clusterspec.yaml found from there.

            stdout gets the environment's objects (what rendered/<env>.yaml holds) and nothing else, \
            only when everything succeeded; warnings go to stderr. An input error, an unknown \
            environment or a rule error exits non-zero with nothing on stdout, and so does a result \
            without objects: Argo CD with auto-prune would delete everything for empty output. \
            Nothing is written anywhere.

            EXIT CODES
              0  the objects are on stdout
              1  policy violations
              2  an unusable request, input error or unknown environment
            """)

    func run() throws {
        let request: ArgoCDRequest
        do {
            request = try ArgoCDRequest.read(from: ProcessInfo.processInfo.environment)
        } catch {
            printError("clusterspec: error: \(error.description)\n")
            throw Exit.inputError
        }
        let workspace: Workspace
        do {
            if let spec = request.spec {
                workspace = try Workspace.resolve(specArguments: [spec])
            } else {
                workspace = try Workspace.whole(Project.current())
            }
        } catch {
            printError(error.rendered(colored: false))
            throw Exit.inputError
        }
        announce(workspace)
        let compilation = Compiler.compile(workspace, options: CompileOptions(environments: .only(request.environment)))
        report(compilation, color: .never)
        if compilation.hasInputErrors { throw Exit.inputError }
        if compilation.hasErrors {
            printError("clusterspec: nothing printed: the '\(request.environment)' environment does not pass its rules\n")
            throw Exit.violations
        }
        let stream = compilation.stream(environment: request.environment)
        guard !stream.isEmpty else {
            printError("clusterspec: error: the '\(request.environment)' environment has no objects; nothing printed (Argo CD would prune everything)\n")
            throw Exit.inputError
        }
        FileHandle.standardOutput.write(Data(stream.utf8))
    }
}

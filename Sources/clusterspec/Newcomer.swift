import ArgumentParser
import ClusterSpec
import Foundation

/// `clusterspec init [NAME]`: a new system to start from.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a spec, dev and prod overlays (and clusterspec.yaml when there is none).",
        discussion: """
            Writes specs/NAME.cluster.yaml, overlays/NAME/dev.yaml and overlays/NAME/prod.yaml into the \
            project the working directory is in (the directories its clusterspec.yaml names), or starts a \
            project here with a clusterspec.yaml. Each file starts with a '# yaml-language-server: $schema=' \
            modeline pointing at schema/ (written too when missing), so editors complete and validate it. \
            Existing files are never overwritten. Prints a README snippet on stdout; 'clusterspec check' \
            passes on the result as written.

            EXAMPLES
              clusterspec init shop
              clusterspec init            # the name comes from the directory's name
            """)

    @Argument(help: "The system's name (a DNS label; default: from the working directory's name).")
    var name: String?

    func run() throws {
        let directory = FileManager.default.currentDirectoryPath
        guard let system = name ?? Scaffold.systemName(fromDirectory: URL(fileURLWithPath: directory).lastPathComponent) else {
            printError("clusterspec: error: cannot make a system name from this directory's name; give one: clusterspec init NAME\n")
            throw Exit.inputError
        }
        do {
            let scaffold = try Scaffold.plan(name: system)
            try scaffold.write()
            for file in scaffold.files { printError("created \(file.path)\n") }
            print(scaffold.readmeSnippet, terminator: "")
        } catch {
            printError("clusterspec: error: \(error.description)\n")
            throw Exit.inputError
        }
    }
}

/// `clusterspec version`: the same as `--version`.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print clusterspec's version (as --version does).")

    func run() {
        print(ClusterSpecVersion.current)
    }
}

/// `clusterspec completions bash|zsh|fish`: the shell completion script.
struct Completions: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a shell completion script.",
        discussion: """
            EXAMPLES
              clusterspec completions bash > /etc/bash_completion.d/clusterspec
              clusterspec completions zsh > "${fpath[1]}/_clusterspec"
              clusterspec completions fish > ~/.config/fish/completions/clusterspec.fish
            """)

    enum Shell: String, ExpressibleByArgument, CaseIterable { case bash, zsh, fish }

    @Argument(help: "bash, zsh or fish.")
    var shell: Shell

    func run() {
        let target: CompletionShell
        switch shell {
        case .bash: target = .bash
        case .zsh: target = .zsh
        case .fish: target = .fish
        }
        print(Clusterspec.completionScript(for: target), terminator: "")
    }
}

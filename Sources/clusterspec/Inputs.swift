import ArgumentParser
import ClusterSpec
import Foundation

/// The specs and overlays a command compiles.
struct InputOptions: ParsableArguments {
    @Argument(help: "Spec files (*.cluster.yaml) or directories holding them.")
    var specs: [String]

    @Option(name: .long, help: "Directory of overlay files (default: the one clusterspec.yaml names, else overlays/ beside the spec directory).")
    var overlays: String?

    @Option(name: .long, help: "The running revision's compiled output, to compare store membership against (default: the project's 'previous', else its golden directory).")
    var previous: String?

    /// The previous revision: --previous, else the workspace's project's.
    func previousRevision(of workspace: Workspace) -> PreviousRevision? {
        previous.map(PreviousRevision.init(directory:)) ?? workspace.previous
    }

    /// The specs, their project and overlays; says on stderr which overlays directory is used.
    func resolve(color: ColorMode) throws -> Workspace {
        let workspace: Workspace
        do {
            workspace = try Workspace.resolve(specArguments: specs, overlays: overlays)
        } catch {
            printError(error.rendered(colored: color.enabled(forFileDescriptor: STDERR_FILENO)))
            throw Exit.inputError
        }
        announce(workspace)
        return workspace
    }
}

/// Prints where the overlays come from (or that there are none), one line per directory.
func announce(_ workspace: Workspace) {
    for source in workspace.overlaySources { printError(source.description + "\n") }
}

/// Shared validation of `--today`.
func parsedToday(_ text: String?) throws -> CalendarDateText? {
    guard let text else { return nil }
    guard CompileOptions.date(text) != nil else { throw ValidationError("--today '\(text)' is not a date in YYYY-MM-DD form") }
    return CalendarDateText(text: text)
}

/// A validated `YYYY-MM-DD` argument.
struct CalendarDateText {
    var text: String

    func apply(to options: inout CompileOptions) {
        if let date = CompileOptions.date(text) { options.today = date }
    }
}

import ArgumentParser
import ClusterSpec
import Foundation

/// The specs and overlays a command compiles.
struct InputOptions: ParsableArguments {
    @Argument(help: "Spec files (*.cluster.yaml) or directories holding them.")
    var specs: [String]

    @Option(name: .long, help: "Directory of overlay files (default: ./overlays when it exists).")
    var overlays: String?

    /// Spec paths, overlay paths, and whether the specs are a directory's complete set.
    func resolve() throws -> (specs: [String], overlays: [String], complete: Bool) {
        do {
            let specPaths = try SpecFiles.expand(specs)
            let overlayPaths = try SpecFiles.overlayDirectory(overlays).map { try SpecFiles.overlayFiles(in: $0) } ?? []
            return (specPaths, overlayPaths, SpecFiles.namesDirectory(specs))
        } catch let error as FileError {
            printError("clusterspec: error: \(error.description)\n")
            throw Exit.inputError
        } catch {
            throw error
        }
    }
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

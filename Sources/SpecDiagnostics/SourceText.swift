import SpecModel

/// The text of the spec files a run read, so renderers can quote the offending line.
public struct SourceText: Sendable {
    private var linesByFile: [String: [Substring]] = [:]

    public init() {}

    /// Remembers `text` as the contents of `file`.
    public mutating func add(file: String, text: String) {
        linesByFile[file] = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
    }

    /// The 1-based `line` of `file`, if known.
    public func line(_ line: Int, of file: String) -> Substring? {
        guard let lines = linesByFile[file], line >= 1, line <= lines.count else { return nil }
        return lines[line - 1]
    }
}

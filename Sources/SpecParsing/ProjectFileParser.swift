import SpecModel
import SpecDiagnostics

/// The outcome of parsing a project file: the model when it could be read, and every diagnostic.
public struct ParsedProjectFile: Sendable {
    public var project: ProjectFile?
    public var diagnostics: [Diagnostic]
    /// The file's text, for quoting lines in diagnostics.
    public var text: String
}

extension SpecParser {
    /// Parses a project file (`clusterspec.yaml`) with the same checks as a spec: size, encoding,
    /// YAML syntax, unknown keys with "did you mean", types. Paths are kept as written.
    public static func parseProjectFile(file: String, bytes: [UInt8]) -> ParsedProjectFile {
        let (root, text, failure) = compose(file: file, bytes: bytes)
        if let failure { return ParsedProjectFile(project: nil, diagnostics: [failure], text: text) }
        let reader = NodeReader()
        let start = SourceLocation.start(of: file)
        guard let root, !root.isNull, root.pairs != nil else {
            reader.error("type-mismatch", "a project file must be a mapping starting with 'clusterspec: v1'", at: root?.location ?? start,
                         fix: "Write 'clusterspec: v1' and the directories that differ from the defaults (specs, overlays, golden).")
            return ParsedProjectFile(project: nil, diagnostics: reader.bag.diagnostics, text: text)
        }
        let expanded = MergeKeys.expand(root, reader: reader)
        guard let fields = reader.mapping(expanded, "the project file", known: SpecKeys.projectFile) else {
            return ParsedProjectFile(project: nil, diagnostics: reader.bag.diagnostics, text: text)
        }
        checkVersion(fields, of: "project file", reader: reader)
        func directory(_ key: String) -> Located<String>? {
            fields[key].flatMap { reader.nonEmptyString($0, "'\(key)' (a directory)") }
        }
        var project = ProjectFile(specs: directory("specs"), overlays: directory("overlays"), golden: directory("golden"),
                                  previous: directory("previous"))
        if let check = fields["check"], let defaults = reader.mapping(check, "'check'", known: SpecKeys.projectCheck) {
            project.check.environment = defaults["env"].flatMap { reader.nonEmptyString($0, "'check.env'") }
            if let environment = project.check.environment, !KubernetesName.isDNSLabel(environment.value) {
                reader.error("invalid-name", "environment name '\(environment.value)' is not valid: expected a DNS-1123 label",
                             at: environment.location)
            }
            project.check.formats = defaults["format"].map { oneOrMany($0, "'check.format'", reader: reader) } ?? []
            project.check.outputs = defaults["output"].map { oneOrMany($0, "'check.output'", reader: reader) } ?? []
        }
        let diagnostics = reader.bag.diagnostics
        return ParsedProjectFile(project: diagnostics.contains { $0.severity == .error } ? nil : project, diagnostics: diagnostics, text: text)
    }

    /// The `clusterspec:` format version of a spec or project file (`what`): required, and supported.
    static func checkVersion(_ fields: Fields, of what: String, reader: NodeReader) {
        guard let version = fields["clusterspec"] else {
            reader.error("missing-field", "the \(what) is missing required field 'clusterspec' (the format version)",
                         at: fields.location, fix: "Add 'clusterspec: v1' as the first line.")
            return
        }
        if let text = reader.string(version, "'clusterspec'"), !supportedVersions.contains(text.value) {
            reader.error("unsupported-version",
                         "unsupported \(what) version '\(text.value)'; this clusterspec reads \(supportedVersions.joined(separator: ", "))",
                         at: version.location)
        }
    }

    /// A string, or a list of strings (`format: sarif` or `format: [sarif, text]`).
    private static func oneOrMany(_ node: YAMLNode, _ what: String, reader: NodeReader) -> [Located<String>] {
        if node.items != nil { return reader.locatedStrings(node, what).filter { !$0.value.isEmpty } }
        return reader.nonEmptyString(node, what).map { [$0] } ?? []
    }
}

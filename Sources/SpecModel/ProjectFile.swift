/// The project file, `clusterspec.yaml`, as written: where the project keeps its specs, overlays
/// and compiled output, and defaults for the commands run in it. Paths are as written (relative
/// to the file's directory unless absolute); the facade resolves them.
public struct ProjectFile: Sendable {
    /// Directory of `*.cluster.yaml` specs.
    public var specs: Located<String>?
    /// Directory of overlay files (`<system>/<env>.yaml`).
    public var overlays: Located<String>?
    /// Directory of the committed compiled output.
    public var golden: Located<String>?
    /// Directory of the previous revision's compiled output, to compare store membership across
    /// revisions against.
    public var previous: Located<String>?
    /// Defaults for `clusterspec check`.
    public var check: CheckDefaultsSpec

    public init(specs: Located<String>? = nil, overlays: Located<String>? = nil, golden: Located<String>? = nil,
                previous: Located<String>? = nil, check: CheckDefaultsSpec = CheckDefaultsSpec()) {
        self.specs = specs
        self.overlays = overlays
        self.golden = golden
        self.previous = previous
        self.check = check
    }
}

/// `check:` in the project file: the values `--env`, `--format` and `--output` take when the
/// command line does not give them.
public struct CheckDefaultsSpec: Sendable {
    public var environment: Located<String>?
    public var formats: [Located<String>]
    public var outputs: [Located<String>]

    public init(environment: Located<String>? = nil, formats: [Located<String>] = [], outputs: [Located<String>] = []) {
        self.environment = environment
        self.formats = formats
        self.outputs = outputs
    }
}

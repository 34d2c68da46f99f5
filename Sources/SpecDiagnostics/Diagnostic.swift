import SpecModel

/// How serious a diagnostic is. Ordered: `note < warning < error`.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable {
    case note, warning, error

    private var rank: Int {
        switch self {
        case .note: return 0
        case .warning: return 1
        case .error: return 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// A secondary location that explains a diagnostic ("first defined here").
public struct DiagnosticNote: Sendable, Hashable {
    public var message: String
    public var location: SourceLocation?

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }
}

/// Why a finding is not counted: the waiver that covers it.
public struct Suppression: Sendable, Hashable {
    public var reason: String
    public var location: SourceLocation

    public init(reason: String, location: SourceLocation) {
        self.reason = reason
        self.location = location
    }
}

/// A fix that is a text replacement: `length` characters (Unicode scalars, on one line) at
/// `location` become `replacement`. Editors offer it as a code action (`clusterspec lsp`).
public struct SuggestedEdit: Sendable, Hashable {
    /// What the edit does, as a code action's title ("Replace 'replicaz' with 'replicas'").
    public var title: String
    public var location: SourceLocation
    public var length: Int
    public var replacement: String

    public init(_ title: String, at location: SourceLocation, length: Int, replacement: String) {
        self.title = title
        self.location = location
        self.length = length
        self.replacement = replacement
    }
}

/// One problem found in a spec: parse errors and rule findings alike.
///
/// `id` is stable (kebab-case) so tools, waivers and tests can key on it.
public struct Diagnostic: Sendable, Hashable {
    public var id: String
    public var severity: Severity
    public var message: String
    public var location: SourceLocation?
    public var notes: [DiagnosticNote]
    /// One sentence telling the user how to fix it.
    public var fix: String?
    /// Set when a waiver covers the finding; suppressed findings are reported, not counted.
    public var suppression: Suppression?
    /// The spec element the finding is about (a service, store or ConfigMap name); waivers match it.
    public var subject: String?
    /// The environment the finding was made in, while findings of several environments are merged.
    public var environment: String?
    /// The fix as text edits, when it is one (a misspelt key, an even member count).
    public var edits: [SuggestedEdit] = []

    public init(
        id: String, severity: Severity, message: String, location: SourceLocation?,
        notes: [DiagnosticNote] = [], fix: String? = nil, suppression: Suppression? = nil, subject: String? = nil
    ) {
        self.id = id
        self.severity = severity
        self.message = message
        self.location = location
        self.notes = notes
        self.fix = fix
        self.suppression = suppression
        self.subject = subject
    }

    /// Orders diagnostics by file, line, column, then id and message, so output never depends on
    /// the order in which specs were given or rules ran.
    public static func sortKey(_ lhs: Diagnostic, _ rhs: Diagnostic) -> Bool {
        let lhsLocation = lhs.location ?? SourceLocation(file: "", line: 0, column: 0)
        let rhsLocation = rhs.location ?? SourceLocation(file: "", line: 0, column: 0)
        if lhsLocation != rhsLocation { return lhsLocation < rhsLocation }
        if lhs.id != rhs.id { return lhs.id < rhs.id }
        return lhs.message < rhs.message
    }
}

/// Collects diagnostics while a stage runs.
public struct DiagnosticBag: Sendable {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public mutating func append(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    public mutating func append(contentsOf other: [Diagnostic]) {
        diagnostics.append(contentsOf: other)
    }

    /// Records an error.
    public mutating func error(_ id: String, _ message: String, at location: SourceLocation?, notes: [DiagnosticNote] = [], fix: String? = nil,
                               edits: [SuggestedEdit] = []) {
        var diagnostic = Diagnostic(id: id, severity: .error, message: message, location: location, notes: notes, fix: fix)
        diagnostic.edits = edits
        diagnostics.append(diagnostic)
    }

    /// Records a warning.
    public mutating func warning(_ id: String, _ message: String, at location: SourceLocation?, notes: [DiagnosticNote] = [], fix: String? = nil) {
        diagnostics.append(Diagnostic(id: id, severity: .warning, message: message, location: location, notes: notes, fix: fix))
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error && $0.suppression == nil } }
}

import SpecModel

/// What a key's value may be, as the decoder reads it. The JSON Schema (`clusterspec schema`), the
/// language server's completion and hover are generated from these, and tests
/// hold the decoder to them (every key accepted with a sample of its type, rejected with a value
/// of another type).
public indirect enum ValueType: Sendable {
    /// Any scalar, read as its text (`PORT: 8080` means "8080").
    case text
    /// A scalar whose text is not empty.
    case nonEmptyText
    /// Text starting with `/` (probe, ingress and mount paths).
    case path
    /// A name of one kind (a namespace, a port name).
    case name(NameKind)
    /// A plain decimal integer within the range.
    case integer(ClosedRange<Int>)
    /// `true` or `false` (YAML 1.1's yes/no/on/off are rejected as ambiguous).
    case boolean
    /// One of a closed set of words, from the Swift enumeration the decoder reads.
    case choice([String])
    /// A Kubernetes quantity: `250m`, `2`, `512Mi`.
    case quantity
    /// A duration in whole units: `30s`, `1m`, `1h30m`.
    case duration
    /// A count or a percentage: `1`, `25%`.
    case countOrPercent
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// A list of values of one type.
    case list(ValueType)
    /// A mapping from names the spec chooses to scalars read as text (labels, data, properties).
    case textMap(NameKind)
    /// A mapping from names the spec chooses to values of one type (`services:`, `ports:`).
    case namedMap(ValueType, names: NameKind)
    /// A mapping with the keys of a table.
    case object(KeyTable)
    /// Any of several shapes (`pdb: none` or `{maxUnavailable: 1}`).
    case anyOf([ValueType])
    /// Exactly this word (`none`).
    case word(String)
    /// YAML null (`emptyDir:` with nothing after it).
    case nothing
    /// A store: the keys every store takes plus those of the engine its `engine:` names.
    case store([StoreVariant])

    /// A closed set from a Swift enumeration, spelled as the decoder spells it.
    public static func choice<E: CaseIterable & RawRepresentable>(of type: E.Type) -> ValueType where E.RawValue == String {
        .choice(E.allCases.map(\.rawValue))
    }
}

/// The keys of a store of one engine.
public struct StoreVariant: Sendable {
    /// The `engine:` value.
    public var engine: String
    /// The common store keys followed by the engine's.
    public var table: KeyTable

    public init(engine: String, table: KeyTable) {
        self.engine = engine
        self.table = table
    }
}

/// How names chosen by the spec (the keys of a named map) must look.
public enum NameKind: String, Sendable {
    /// A DNS-1123 label (`api`, `etcd`).
    case label
    /// A DNS-1123 subdomain (`shop-db`, `app.config`).
    case subdomain
    /// A port name: up to 15 lowercase letters, digits or `-`, with a letter.
    case port
    /// An environment variable name.
    case environmentVariable
    /// A label or annotation key (`app.kubernetes.io/name`).
    case qualified
    /// An absolute path, starting with `/` (the paths of a route).
    case path
    /// Anything; the decoder checks the name itself (config keys, properties).
    case any
}

/// The value a decoder fills in when a key is left out, as the schema's `default` shows it.
public enum DefaultValue: Sendable, Equatable {
    case integer(Int)
    case text(String)
    case boolean(Bool)
}

/// One key an object accepts: its name, the type of its value, one line saying what it is, and
/// its default. A key written as a bare string literal (`"membership"`) has no type yet: it still
/// decodes as before, and `SpecSchemaTests` fails naming it until it is described.
public struct KeyDescription: Sendable, ExpressibleByStringLiteral {
    public var name: String
    /// nil for a key added without a description.
    public var type: ValueType?
    /// One line, as the schema and hover show it.
    public var summary: String
    public var defaultValue: DefaultValue?
    public var isRequired: Bool

    public init(_ name: String, _ type: ValueType, _ summary: String, default defaultValue: DefaultValue? = nil, required: Bool = false) {
        self.name = name
        self.type = type
        self.summary = summary
        self.defaultValue = defaultValue
        self.isRequired = required
    }

    /// A key without type or description (a test names it).
    public init(stringLiteral name: String) {
        self.name = name
        self.type = nil
        self.summary = ""
        self.defaultValue = nil
        self.isRequired = false
    }
}

/// The keys one kind of YAML mapping accepts, in the order the docs list them. The decoder checks
/// every mapping against its table (`NodeReader.mapping`): unknown keys, "did you mean".
public struct KeyTable: Sendable, ExpressibleByArrayLiteral {
    /// Names the table in the schema's `$defs` and in docs (`service`, `probe`); empty for a table
    /// that only exists inside another.
    public var id: String
    /// What an object of the table is, one line.
    public var summary: String
    public var keys: [KeyDescription]
    /// Whether keys starting with `x-` are allowed (and ignored): the place for YAML anchors.
    public var allowsExtensions: Bool

    public init(_ id: String, _ summary: String, extensions: Bool = false, _ keys: [KeyDescription]) {
        self.id = id
        self.summary = summary
        self.keys = keys
        self.allowsExtensions = extensions
    }

    public init(arrayLiteral keys: KeyDescription...) {
        self.init("", "", keys)
    }

    /// Keys that only exist inside another table.
    public init(_ keys: [KeyDescription]) {
        self.init("", "", keys)
    }

    /// The key names, in order.
    public var names: [String] { keys.map(\.name) }

    public func contains(_ name: String) -> Bool { keys.contains { $0.name == name } }

    public subscript(_ name: String) -> KeyDescription? { keys.first { $0.name == name } }

    /// This table with `other`'s keys appended (shared key sets: container + pod).
    public static func + (lhs: KeyTable, rhs: KeyTable) -> KeyTable {
        KeyTable(lhs.id, lhs.summary, extensions: lhs.allowsExtensions || rhs.allowsExtensions, lhs.keys + rhs.keys)
    }

    /// This table without the keys named.
    public func without(_ names: Set<String>) -> KeyTable {
        KeyTable(id, summary, extensions: allowsExtensions, keys.filter { !names.contains($0.name) })
    }

    /// The same keys under another id and summary.
    public func named(_ id: String, _ summary: String) -> KeyTable {
        KeyTable(id, summary, extensions: allowsExtensions, keys)
    }
}

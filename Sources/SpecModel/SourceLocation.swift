/// A position in a spec file: 1-based line and column, columns counted in Unicode characters.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file as the user named it (kept relative when given relative).
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// 1-based column, counted in Unicode scalars so multibyte text before it does not shift it.
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The start of a file, used for whole-file problems (unreadable, too large).
    public static func start(of file: String) -> SourceLocation {
        SourceLocation(file: file, line: 1, column: 1)
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

/// A value together with the place in the spec it came from.
///
/// Values the user did not write (defaults) carry the location of the element that owns them
/// and `isDefault == true`, so a finding about a default still points at a useful line.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation
    public var isDefault: Bool

    public init(_ value: Value, at location: SourceLocation, isDefault: Bool = false) {
        self.value = value
        self.location = location
        self.isDefault = isDefault
    }

    /// The same location with another value (used when a value is derived from this one).
    public func map<T>(_ transform: (Value) -> T) -> Located<T> {
        Located<T>(transform(value), at: location, isDefault: isDefault)
    }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}

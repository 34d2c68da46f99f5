/// A calendar date (`YYYY-MM-DD`), compared without time zones.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// Parses `YYYY-MM-DD`, rejecting impossible dates (2026-02-30).
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), day >= 1, day <= Self.days(in: month, of: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    private static func days(in month: Int, of year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// An accepted finding (`waivers:`): which rule, on which element, why, and until when.
/// Waivers are data, so they are reviewed like the rest of the spec and they expire.
public struct WaiverSpec: Sendable {
    public var rule: Located<String>
    /// The element's name (a service, store, ConfigMap…), or `*` for every element.
    public var target: Located<String>
    public var reason: Located<String>
    /// The last day the waiver applies.
    public var expires: Located<CalendarDate>
    public var location: SourceLocation

    public init(rule: Located<String>, target: Located<String>, reason: Located<String>, expires: Located<CalendarDate>, location: SourceLocation) {
        self.rule = rule
        self.target = target
        self.reason = reason
        self.expires = expires
        self.location = location
    }

    /// Whether this waiver covers a finding of `ruleID` about `subject`.
    public func covers(ruleID: String, subject: String?) -> Bool {
        rule.value == ruleID && (target.value == "*" || target.value == subject)
    }
}

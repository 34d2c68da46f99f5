/// A Kubernetes resource quantity (`100m`, `1.5`, `512Mi`, `2e3`), kept as written and as a number.
public struct Quantity: Sendable, Hashable, CustomStringConvertible {
    /// The text exactly as the spec wrote it; emitted verbatim.
    public let text: String
    /// The value in base units (cores for CPU, bytes for memory).
    public let value: Double

    /// Parses the Kubernetes quantity grammar; returns nil when `text` is not a quantity.
    public init?(_ text: String) {
        var number = Substring(text)
        var multiplier = 1.0
        let suffixes: [(String, Double)] = [
            ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
            ("Pi", 1_125_899_906_842_624), ("Ei", 1_152_921_504_606_846_976),
            ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18),
        ]
        if let exponentIndex = number.firstIndex(where: { $0 == "e" || $0 == "E" }),
           number.index(after: exponentIndex) < number.endIndex,
           let exponent = Int(number[number.index(after: exponentIndex)...]) {
            multiplier = Self.power10(exponent)
            number = number[..<exponentIndex]
        } else if let (suffix, factor) = suffixes.first(where: { number.hasSuffix($0.0) }) {
            multiplier = factor
            number = number.dropLast(suffix.count)
        }
        guard Self.isDecimal(number), let base = Double(number) else { return nil }
        self.text = text
        self.value = base * multiplier
    }

    public var description: String { text }

    private static func isDecimal(_ text: Substring) -> Bool {
        var digits = text
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return false }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !(parts.allSatisfy { $0.isEmpty }) else { return false }
        return parts.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    private static func power10(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<abs(exponent) { result *= 10 }
        return exponent < 0 ? 1 / result : result
    }
}

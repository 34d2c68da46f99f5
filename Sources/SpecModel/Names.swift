/// Kubernetes naming rules the spec enforces before anything becomes a resource name or a path.
public enum KubernetesName {
    /// A DNS-1123 label: 1–63 characters of `a-z0-9-`, starting and ending alphanumeric.
    /// Such a name can never contain `/` or `..`, so it is also safe as a path component.
    public static func isDNSLabel(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        for byte in bytes where !(isLowerAlnum(byte) || byte == UInt8(ascii: "-")) {
            return false
        }
        return isLowerAlnum(bytes[0]) && isLowerAlnum(bytes[bytes.count - 1])
    }

    /// A DNS-1123 subdomain: dot-separated labels, at most 253 characters (ConfigMap and Secret names).
    public static func isDNSSubdomain(_ name: String) -> Bool {
        guard (1...253).contains(name.utf8.count) else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    /// An IANA service name as Kubernetes requires for container port names: at most 15 characters of
    /// `a-z0-9-`, at least one letter, no leading, trailing or doubled hyphen.
    public static func isPortName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...15).contains(bytes.count) else { return false }
        guard bytes.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: "-") }) else { return false }
        guard bytes.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) else { return false }
        guard bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
        return !name.contains("--")
    }

    /// An environment variable name as Kubernetes accepts it (C identifier characters plus `.` and `-`,
    /// not starting with a digit).
    public static func isEnvName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// A label or annotation key: optional DNS-subdomain prefix and `/`, then a name of at most 63
    /// characters of alphanumerics, `-`, `_`, `.` that starts and ends alphanumeric.
    public static func isQualifiedKey(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isQualifiedName(String(parts[0]))
        case 2: return isDNSSubdomain(String(parts[0])) && isQualifiedName(String(parts[1]))
        default: return false
        }
    }

    /// A label value: empty, or at most 63 characters of alphanumerics, `-`, `_`, `.`,
    /// starting and ending alphanumeric.
    public static func isLabelValue(_ value: String) -> Bool {
        value.isEmpty || isQualifiedName(value)
    }

    private static func isQualifiedName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        guard bytes.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") })
        else { return false }
        return isAlnum(bytes[0]) && isAlnum(bytes[bytes.count - 1])
    }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isAlnum(_ byte: UInt8) -> Bool {
        isLowerAlnum(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}

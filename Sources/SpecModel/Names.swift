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

/// An IP address range in CIDR notation (`10.0.0.0/16`, `2001:db8::/32`), as NetworkPolicy
/// `ipBlock` takes it.
public struct CIDR: Sendable, Hashable {
    /// The address as 16 bytes (IPv4 addresses are stored IPv4-mapped).
    public var bytes: [UInt8]
    public var prefixLength: Int
    public var isIPv4: Bool

    /// Parses `address/prefix`; nil when either part is malformed or the prefix is too long.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]), parts[1].allSatisfy(\.isASCII) else { return nil }
        if let v4 = Self.ipv4(String(parts[0])) {
            guard (0...32).contains(prefix) else { return nil }
            bytes = Array(repeating: 0, count: 10) + [0xff, 0xff] + v4
            prefixLength = prefix
            isIPv4 = true
        } else if let v6 = Self.ipv6(String(parts[0])) {
            guard (0...128).contains(prefix) else { return nil }
            bytes = v6
            prefixLength = prefix
            isIPv4 = false
        } else {
            return nil
        }
    }

    private static func ipv4(_ text: String) -> [UInt8]? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var result: [UInt8] = []
        for octet in octets {
            guard (1...3).contains(octet.count), octet.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt8(octet) else { return nil }
            if octet.count > 1 && octet.first == "0" { return nil }
            result.append(value)
        }
        return result
    }

    private static func ipv6(_ text: String) -> [UInt8]? {
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var values: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(group.count), group.allSatisfy(\.isHexDigit), let value = UInt16(group, radix: 16) else { return nil }
                values.append(value)
            }
            return values
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }
}

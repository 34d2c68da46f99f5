import SpecModel
import SpecDiagnostics

/// The outcome of parsing one spec file: the model when it could be built, and every diagnostic.
public struct ParsedSpec: Sendable {
    public var spec: SystemSpec?
    public var diagnostics: [Diagnostic]
    /// The file's text (for quoting lines in diagnostics); empty when it could not be decoded.
    public var text: String
}

/// Entry point of the parsing room: bytes of a spec file in, typed model and diagnostics out.
public enum SpecParser {
    /// The supported values of the `clusterspec:` version key.
    static let supportedVersions = ["v1"]

    /// Largest spec or overlay file accepted: far above real specs (a few kilobytes; a 10,000-service
    /// system is about 3 MiB), low enough that a wrong file is refused before it is parsed. Every
    /// pass is linear in its input, so this bounds the work too.
    public static let maxFileSize = 32 << 20

    /// Parses `bytes` read from `file`. Never throws: every problem becomes a located diagnostic.
    public static func parse(file: String, bytes: [UInt8]) -> ParsedSpec {
        decode(load(file: file, bytes: bytes))
    }

    static func formatSize(_ bytes: Int) -> String {
        if bytes >= 1 << 20 { return "\((Double(bytes) / Double(1 << 20) * 10).rounded() / 10) MiB" }
        if bytes >= 1 << 10 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    /// Offset of the first byte that breaks UTF-8, or nil when the bytes are valid.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            switch byte {
            case 0x00...0x7F: index += 1; continue
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return index
            }
            guard index + length <= bytes.count else { return index }
            for offset in 1..<length where bytes[index + offset] & 0xC0 != 0x80 {
                return index
            }
            let second = bytes[index + 1]
            if (byte == 0xE0 && second < 0xA0) || (byte == 0xED && second > 0x9F)
                || (byte == 0xF0 && second < 0x90) || (byte == 0xF4 && second > 0x8F) {
                return index
            }
            index += length
        }
        return nil
    }

    /// The first character a YAML stream may not hold — C0 controls other than tab, LF and CR,
    /// DEL, C1 controls other than NEL, U+FFFE and U+FFFF (the set libyaml refuses) — or a byte
    /// order mark anywhere but at the very start, with its byte offset; nil when there is none.
    /// `bytes` must be valid UTF-8.
    static func firstForbiddenCharacter(_ bytes: [UInt8]) -> (offset: Int, scalar: UInt32)? {
        var index = 0
        while index < bytes.count {
            let byte = UInt32(bytes[index])
            let length: Int, value: UInt32
            switch byte {
            case 0x00...0x7F: (length, value) = (1, byte)
            case 0xC0...0xDF: (length, value) = (2, (byte & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F))
            case 0xE0...0xEF:
                (length, value) = (3, (byte & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F))
            default:
                (length, value) = (4, (byte & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12
                    | UInt32(bytes[index + 2] & 0x3F) << 6 | UInt32(bytes[index + 3] & 0x3F))
            }
            let allowed: Bool
            switch value {
            case 0x09, 0x0A, 0x0D, 0x20...0x7E, 0x85, 0xA0...0xD7FF, 0x10000...0x10FFFF: allowed = true
            case 0xFEFF: allowed = index == 0
            case 0xE000...0xFFFD: allowed = true
            default: allowed = false
            }
            if !allowed { return (index, value) }
            index += length
        }
        return nil
    }

    /// `U+001B`: a code point as Unicode writes it, at least four hex digits.
    static func unicodeName(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Line and character column of a byte offset in (valid-up-to-there) UTF-8.
    static func location(ofByte offset: Int, in bytes: [UInt8], file: String) -> SourceLocation {
        var line = 1, column = 1
        for byte in bytes[..<offset] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceLocation(file: file, line: line, column: column)
    }
}

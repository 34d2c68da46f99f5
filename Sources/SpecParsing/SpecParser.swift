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

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a secret looks like, by its name and by its value — the knowledge behind
/// `secret-not-inline`. Every pattern carries a value it must catch and one it must not; the
/// tests run both, so a pattern cannot silently stop working or start flagging the negatives.
///
/// Every scan here is a single pass over the text (no backtracking), so hostile values cost
/// linear time.
public struct SecretPattern: Sendable {
    /// Name judged or value scanned.
    public enum Kind: Sendable { case name, value }

    public var id: String
    public var kind: Kind
    /// What a finding calls it ("a PEM private key").
    public var description: String
    /// Must be caught.
    public var positive: String
    /// Must not be caught.
    public var negative: String
    let matches: @Sendable (String) -> Bool
}

public enum SecretShapes {
    // MARK: Names

    /// Name segments that mark a credential wherever they stand.
    static let secretSegments: Set<String> = [
        "PASSWORD", "PASSWORDS", "PASSWD", "PASS", "PWD", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN", "TOKENS",
        "CREDENTIAL", "CREDENTIALS", "CREDS", "APIKEY", "PRIVATEKEY", "AUTHKEY", "SECRETKEY",
    ]
    /// Segments that mark a credential only as the last word of a longer name (`HMAC_KEY`,
    /// `STRIPE_SK`; a bare `key` or `KEY_PREFIX` is not one).
    static let secretLastSegments: Set<String> = ["KEY", "SK", "AUTH"]
    /// Last segments that make the name describe the secret rather than hold it (`TOKEN_URL`,
    /// `SECRET_NAME`, `PASSWORD_MIN_LENGTH`).
    static let describingSegments: Set<String> = [
        "NAME", "NAMES", "REF", "ID", "IDS", "TYPE", "KIND", "HEADER", "URL", "URI", "ENDPOINT", "HOST", "PORT", "PREFIX",
        "SUFFIX", "FORMAT", "LENGTH", "LEN", "SIZE", "TTL", "EXPIRY", "EXPIRES", "TIMEOUT", "ALGORITHM", "ALG", "ISSUER",
        "AUDIENCE", "MODE", "ENABLED", "REQUIRED", "POLICY", "VERSION", "COUNT", "MIN", "MAX", "FIELD", "PARAM", "ROTATION",
    ]
    /// Last segments that point at where the secret is; fine when the value is a path.
    static let pointingSegments: Set<String> = ["FILE", "PATH", "DIR", "LOCATION", "MOUNT"]

    /// `DB_PASSWORD_FILE` → `DB PASSWORD FILE`; `apiToken` → `API TOKEN`; `-Dapp.password` → `DAPP PASSWORD`.
    static func segments(_ name: String) -> [String] {
        var result: [String] = [], current: [Character] = []
        func flush() {
            if !current.isEmpty { result.append(String(current).uppercased()) }
            current = []
        }
        let characters = Array(name)
        for (index, character) in characters.enumerated() {
            guard character.isLetter || character.isNumber else {
                flush()
                continue
            }
            if let previous = current.last, character.isUppercase {
                // camelCase boundary, or the last capital of an acronym before a word (`DBPassword`).
                let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) { flush() }
            }
            current.append(character)
        }
        flush()
        return result
    }

    /// Whether `name` names a credential, judged on whole segments; `value` decides for names that
    /// point at a file (`TOKEN_FILE: /run/token` is fine, `DB_PASSWORD_FILE: hunter2` is not).
    public static func nameLooksSecret(_ name: String, value: String? = nil) -> Bool {
        let parts = segments(name)
        guard let last = parts.last else { return false }
        let secret = parts.contains(where: secretSegments.contains)
            || (parts.count >= 2 && secretLastSegments.contains(last) && parts.dropLast().last != "PUBLIC")
            || (parts.count >= 2 && parts.suffix(2) == ["PRIVATE", "KEY"])
        guard secret else { return false }
        if describingSegments.contains(last) { return false }
        if pointingSegments.contains(last) { return !(value.map(isPath) ?? true) }
        return true
    }

    /// A literal that can be a credential: not empty, not a path, a boolean or a reference to
    /// something else (`$(VAR)`, `${…}`, `{{…}}`).
    public static func isLiteralValue(_ value: String) -> Bool {
        let trimmed = value.trimmingSpaces
        guard !trimmed.isEmpty, !isPath(trimmed), !isReference(trimmed) else { return false }
        return !["true", "false", "yes", "no", "on", "off", "null", "none", "~"].contains(trimmed.lowercased())
    }

    static func isPath(_ value: String) -> Bool {
        value.hasPrefix("/") || value.hasPrefix("./") || value.hasPrefix("../") || value.hasPrefix("~/")
    }

    static func isReference(_ value: String) -> Bool {
        value.hasPrefix("$(") || value.hasPrefix("${") || value.hasPrefix("{{") || value.hasPrefix("%(")
    }

    // MARK: Values

    /// The first secret shape found in `value` (a PEM private key, a URL with a password, a JWT, a
    /// provider key, a high-entropy string), or nil. Public certificates and keys are skipped.
    public static func valueShape(_ value: String) -> SecretPattern? {
        valuePatterns.first { $0.matches(value) }
    }

    /// The name of the first `name: value` or `name=value` pair inside `text` whose name looks
    /// secret and whose value is a literal (`password: Hunter2` in an embedded config file,
    /// `-Ddb.password=x` in JVM options), or nil.
    public static func embeddedSecret(_ text: String) -> String? {
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            // `name: value` / `name = value` / `"name": "value"` for the whole line…
            if let separator = line.firstIndex(where: { $0 == ":" || $0 == "=" }) {
                let name = unquoted(line[..<separator].trimmingSpaces.trimmingPrefix("{").trimmingPrefix("- ").trimmingPrefix("export "))
                let value = unquoted(line[line.index(after: separator)...].trimmingSpaces.trimmingSuffix("}").trimmingSuffix(",").trimmingSuffix(";"))
                if isSecretPair(name: name, value: value) { return name }
            }
            // …and `name=value` fields (DSNs, query strings, command lines).
            for field in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "&" || $0 == ";" || $0 == "," || $0 == "?" }) {
                guard let equals = field.firstIndex(of: "=") else { continue }
                let name = unquoted(String(field[..<equals]))
                let value = unquoted(String(field[field.index(after: equals)...]))
                if isSecretPair(name: name, value: value) { return name }
            }
        }
        return nil
    }

    private static func isSecretPair(name: String, value: String) -> Bool {
        guard !name.isEmpty, !name.contains(" "), !value.isEmpty else { return false }
        guard !["{", "[", "|", ">", "&", "*", "!"].contains(where: value.hasPrefix) else { return false }
        return nameLooksSecret(name, value: value) && isLiteralValue(value)
    }

    private static func unquoted(_ text: String) -> String {
        var text = text.trimmingSpaces
        for quote in ["\"", "'"] where text.count >= 2 && text.hasPrefix(quote) && text.hasSuffix(quote) {
            text = String(text.dropFirst().dropLast())
        }
        if text.hasPrefix("\"") || text.hasPrefix("'") { text.removeFirst() }
        return text
    }

    /// Value shapes, most specific first.
    public static let valuePatterns: [SecretPattern] = [
        SecretPattern(id: "pem-private-key", kind: .value, description: "a PEM private key",
                      positive: "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2Ab\n-----END RSA PRIVATE KEY-----\n",
                      negative: publicCertificate, matches: hasPrivateKeyBlock),
        SecretPattern(id: "url-password", kind: .value, description: "a URL with a password",
                      positive: "amqp://app:hunter2@mq:5672/app", negative: "amqp://app:$(MQ_PASSWORD)@mq:5672/app",
                      matches: { tokens($0, separators: " \t\n\r\"',;<>()[]{}").contains(where: hasURLPassword) }),
        SecretPattern(id: "jwt", kind: .value, description: "a JSON Web Token",
                      positive: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcGkifQ.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                      negative: "eyJhbGciOiJIUzI1NiJ9 is only a header",
                      matches: { tokens($0, separators: " \t\n\r\"',;:=<>()[]{}").contains(where: isJWT) }),
    ] + providerPrefixes.map { prefix in
        SecretPattern(id: "provider-\(prefix.provider)", kind: .value, description: "\(prefix.provider) credential (\(prefix.prefix)…)",
                      positive: prefix.positive, negative: prefix.negative,
                      matches: { text in tokens(text, separators: " \t\n\r\"',;:=<>()[]{}@/").contains { prefix.matches($0) } })
    } + [
        SecretPattern(id: "high-entropy", kind: .value, description: "a high-entropy string (a generated key or password)",
                      positive: "signing: Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6QUJD",
                      negative: "MkU3OEVBNTcwNTJENDM2Qk",
                      matches: { text in tokens(withoutPublicBlocks(text), separators: " \t\n\r\"',;:=<>()[]{}@").contains(where: isHighEntropy) }),
    ]

    /// Every pattern, names first.
    public static var patterns: [SecretPattern] { namePatterns + valuePatterns }

    /// The name rules as patterns (for documentation and the positive/negative tests).
    public static let namePatterns: [SecretPattern] = [
        SecretPattern(id: "name-segment", kind: .name, description: "a credential's name (PASSWORD, PASS, PWD, SECRET, TOKEN, CREDENTIAL, API key…)",
                      positive: "DB_PASS", negative: "BYPASS_CACHE", matches: { nameLooksSecret($0) }),
        SecretPattern(id: "name-last-segment", kind: .name, description: "a name ending in KEY, SK or AUTH",
                      positive: "JWT_SIGNING_KEY", negative: "KEY_PREFIX", matches: { nameLooksSecret($0) }),
        SecretPattern(id: "name-camel-case", kind: .name, description: "a camelCase credential name",
                      positive: "dbPassword", negative: "passthroughMode", matches: { nameLooksSecret($0) }),
        SecretPattern(id: "name-describing", kind: .name, description: "a name describing a secret, not holding it (…_NAME, …_URL, …_TTL)",
                      positive: "API_TOKEN", negative: "API_TOKEN_URL", matches: { nameLooksSecret($0) }),
        SecretPattern(id: "name-pointing", kind: .name, description: "a name pointing at a file holds a path, not the secret",
                      positive: "DB_PASSWORD_FILE=hunter2", negative: "TOKEN_FILE=/var/run/secrets/token",
                      matches: { pair in
                          let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                          return parts.count == 2 && nameLooksSecret(parts[0], value: parts[1]) && isLiteralValue(parts[1])
                      }),
    ]

    // MARK: Shapes

    /// A provider's key format: a fixed prefix and a body of at least `length` characters from
    /// `alphabet`. The positive example is stored without its prefix, so no key-shaped literal
    /// appears in the source for repository secret scanners to stop.
    struct ProviderPrefix: Sendable {
        var provider: String
        var prefix: String
        var length: Int
        var alphabet: @Sendable (Character) -> Bool
        var sampleBody: String
        var negative: String

        var positive: String { prefix + sampleBody }

        func matches(_ token: String) -> Bool {
            guard token.hasPrefix(prefix) else { return false }
            let body = token.dropFirst(prefix.count)
            return body.count >= length && body.allSatisfy(alphabet)
        }
    }

    static let alphanumeric: @Sendable (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber) }
    static let base64URL: @Sendable (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    static let upperAlphanumeric: @Sendable (Character) -> Bool = { $0.isASCII && ($0.isUppercase || $0.isNumber) }

    static let providerPrefixes: [ProviderPrefix] = [
        ProviderPrefix(provider: "AWS", prefix: "AKIA", length: 16, alphabet: upperAlphanumeric,
                       sampleBody: "IOSFODNN7EXAMPLE", negative: "AKIA-docs"),
        ProviderPrefix(provider: "AWS-session", prefix: "ASIA", length: 16, alphabet: upperAlphanumeric,
                       sampleBody: "Y34FZKBOKMUTVV7A", negative: "ASIAN-PACIFIC"),
        ProviderPrefix(provider: "GitHub", prefix: "ghp_", length: 36, alphabet: alphanumeric,
                       sampleBody: "16C7e42F292c6912E7710c838347Ae178B4a", negative: "ghp_short"),
        ProviderPrefix(provider: "GitHub-app", prefix: "ghs_", length: 36, alphabet: alphanumeric,
                       sampleBody: "16C7e42F292c6912E7710c838347Ae178B4a", negative: "ghs_"),
        ProviderPrefix(provider: "GitHub-fine-grained", prefix: "github_pat_", length: 22, alphabet: base64URL,
                       sampleBody: "11ABCDEFG0123456789_abcdefghijklmnopqrstuv", negative: "github_pat_docs"),
        ProviderPrefix(provider: "GitLab", prefix: "glpat-", length: 20, alphabet: base64URL,
                       sampleBody: "xYz1234567890abcdEFGH", negative: "glpat-x"),
        ProviderPrefix(provider: "Slack", prefix: "xoxb-", length: 20, alphabet: base64URL,
                       sampleBody: "123456789012-1234567890123-AbCdEfGhIjKlMnOp", negative: "xoxb-test"),
        ProviderPrefix(provider: "Stripe", prefix: "sk_live_", length: 16, alphabet: alphanumeric,
                       sampleBody: "4eC39HqLyjWDarjtT1zdp7dc", negative: "sk_live_"),
        ProviderPrefix(provider: "Stripe-restricted", prefix: "rk_live_", length: 16, alphabet: alphanumeric,
                       sampleBody: "4eC39HqLyjWDarjtT1zdp7dc", negative: "rk_live_x"),
        ProviderPrefix(provider: "Google", prefix: "AIza", length: 35, alphabet: base64URL,
                       sampleBody: "SyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe", negative: "AIzaShort"),
        ProviderPrefix(provider: "npm", prefix: "npm_", length: 36, alphabet: alphanumeric,
                       sampleBody: "abcdefghijklmnopqrstuvwxyz0123456789", negative: "npm_config"),
        ProviderPrefix(provider: "OpenAI", prefix: "sk-", length: 32, alphabet: base64URL,
                       sampleBody: "proj-abcdefghijklmnopqrstuvwxyz0123456789AB", negative: "sk-learn-toolkit"),
        ProviderPrefix(provider: "HashiCorp", prefix: "hvs.", length: 24, alphabet: base64URL,
                       sampleBody: "CAESIJ1234567890abcdefghijklmnopqrst", negative: "hvs.short"),
    ]

    /// Splits `text` at any of `separators` (single characters).
    static func tokens(_ text: String, separators: String) -> [String] {
        let set = Set(separators)
        return text.split(whereSeparator: { set.contains($0) }).map(String.init)
    }

    /// `scheme://user:password@host` with a password that is not a reference.
    static func hasURLPassword(_ token: String) -> Bool {
        guard let scheme = token.range(of: "://") else { return false }
        let rest = token[scheme.upperBound...]
        guard let at = rest.firstIndex(of: "@") else { return false }
        let authority = rest[..<at]
        guard !authority.contains("/"), let colon = authority.firstIndex(of: ":") else { return false }
        let password = String(authority[authority.index(after: colon)...])
        return !password.isEmpty && !isReference(password)
    }

    /// Three base64url parts, the first two JSON objects (`eyJ…`).
    static func isJWT(_ token: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].hasPrefix("eyJ"), parts[1].hasPrefix("eyJ"), parts[0].count >= 10, parts[1].count >= 10 else { return false }
        return parts.allSatisfy { $0.allSatisfy(base64URL) }
    }

    /// A PEM block whose label names a private key (`RSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`,
    /// `ENCRYPTED PRIVATE KEY`…); certificates and public keys are not secrets.
    static func hasPrivateKeyBlock(_ text: String) -> Bool {
        pemLabels(text).contains { $0.hasSuffix("PRIVATE KEY") || $0.hasSuffix("PRIVATE KEY BLOCK") }
    }

    /// The labels of every `-----BEGIN <label>-----` line.
    static func pemLabels(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let line = line.trimmingSpaces
            guard line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 else { return nil }
            return String(line.dropFirst(11).dropLast(5))
        }
    }

    /// `text` without the bodies of PEM blocks that are not private keys (certificates' base64
    /// lines are random-looking but public).
    static func withoutPublicBlocks(_ text: String) -> String {
        guard text.contains("-----BEGIN ") else { return text }
        var kept: [Substring] = [], insidePublic = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingSpaces
            if trimmed.hasPrefix("-----BEGIN "), !trimmed.contains("PRIVATE KEY") {
                insidePublic = true
            } else if trimmed.hasPrefix("-----END ") {
                insidePublic = false
            } else if !insidePublic {
                kept.append(line)
            }
        }
        return kept.joined(separator: "\n")
    }

    /// At least 32 characters mixing upper case, lower case and digits, not hexadecimal (digests,
    /// git SHAs and UUIDs are), with more than 4.3 bits of Shannon entropy per character.
    static func isHighEntropy(_ token: String) -> Bool {
        let characters = Array(token)
        guard characters.count >= 32, characters.count <= 4096 else { return false }
        guard characters.contains(where: { $0.isASCII && $0.isUppercase }), characters.contains(where: { $0.isASCII && $0.isLowercase }),
              characters.contains(where: { $0.isASCII && $0.isNumber }) else { return false }
        if characters.allSatisfy({ $0.isHexDigit || $0 == "-" }) { return false }
        guard characters.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+/=_-.~".contains($0)) }) else { return false }
        var counts: [Character: Int] = [:]
        for character in characters { counts[character, default: 0] += 1 }
        let length = Double(characters.count)
        var entropy = 0.0
        for count in counts.values {
            let probability = Double(count) / length
            entropy -= probability * log2(probability)
        }
        return entropy > 4.3
    }

    /// A public CA certificate: the negative of the private key pattern.
    static let publicCertificate = """
        -----BEGIN CERTIFICATE-----
        MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ
        RTESMBAGA1UEChMJQmFsdGltb3JlMRMwEQYDVQQLEwpDeWJlclRydXN0MSIwIAYD
        VQQDExlCYWx0aW1vcmUgQ3liZXJUcnVzdCBSb290MB4XDTAwMDUxMjE4NDYwMFoX
        -----END CERTIFICATE-----

        """
}

extension StringProtocol {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }

    func trimmingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : String(self)
    }

    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : String(self)
    }
}

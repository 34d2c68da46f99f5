import Testing
@testable import SpecRules

/// Every secret pattern with a value it must catch and one it must not (issue 14: secret values
/// slipped past `secret-not-inline` under short names and inside embedded config files).
@Suite("Secret shapes: every pattern catches its positive and passes its negative")
struct SecretShapeTests {
    @Test(arguments: SecretShapes.patterns.map(\.id))
    func pattern(_ id: String) throws {
        let pattern = try #require(SecretShapes.patterns.first { $0.id == id })
        #expect(pattern.matches(pattern.positive), "\(id) misses its positive \(pattern.positive.debugDescription)")
        #expect(!pattern.matches(pattern.negative), "\(id) catches its negative \(pattern.negative.debugDescription)")
        if pattern.kind == .value {
            // The rule as a whole agrees: the positive is a problem under a neutral name, the negative is not.
            #expect(SecretNotInline.problem(name: "VALUE", value: pattern.positive) != nil)
            #expect(SecretNotInline.problem(name: "VALUE", value: pattern.negative) == nil, "\(id): \(SecretNotInline.problem(name: "VALUE", value: pattern.negative) ?? "")")
        }
    }

    @Test(arguments: ["DB_PASS", "MYSQL_PWD", "JWT_SIGNING_KEY", "HMAC_KEY", "STRIPE_SK", "DB_PASSWORD", "api-token", "apiToken", "DBPassword",
                      "PRIVATE_KEY", "client.secret", "AWS_SECRET_ACCESS_KEY", "REDIS_AUTH", "SSH_PASSPHRASE", "-Ddb.password"])
    func secretNames(name: String) {
        #expect(SecretShapes.nameLooksSecret(name), "\(name): \(SecretShapes.segments(name))")
    }

    @Test(arguments: ["TASK", "DISK", "KEY_PREFIX", "BYPASS", "PASSTHROUGH", "TOKEN_URL", "SECRET_NAME", "PASSWORD_MIN_LENGTH", "PUBLIC_KEY",
                      "KMS_KEY_ID", "key", "KEYCLOAK_HOST", "SKIP_TLS", "MONKEY_MODE", "AUTHOR", "LOG_LEVEL"])
    func ordinaryNames(name: String) {
        #expect(!SecretShapes.nameLooksSecret(name), "\(name): \(SecretShapes.segments(name))")
    }

    @Test func fileNamesAreJudgedByTheirValue() {
        #expect(!SecretShapes.nameLooksSecret("TOKEN_FILE", value: "/var/run/secrets/token"))
        #expect(SecretShapes.nameLooksSecret("DB_PASSWORD_FILE", value: "hunter2"))
    }

    /// The issue's negatives: none is a secret under a neutral name.
    @Test(arguments: [
        "MkU3OEVBNTcwNTJENDM2Qk",  // a Kafka cluster id
        "ghcr.io/acme/api@sha256:6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b",  // an image digest
        "123e4567-e89b-12d3-a456-426614174000",  // a UUID
        "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",  // a git SHA
        SecretShapes.publicCertificate,  // a public CA certificate
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END PUBLIC KEY-----\n",
        "https://auth.example.com/realms/app/protocol/openid-connect/certs",
        "arn:aws:iam::123456789012:role/platform-vault-kms",
        "-XX:MaxRAMPercentage=75 -Dfile.encoding=UTF-8",
    ])
    func ordinaryValues(value: String) {
        #expect(SecretNotInline.problem(name: "VALUE", value: value) == nil, "\(value.prefix(40)): \(SecretNotInline.problem(name: "VALUE", value: value) ?? "")")
    }

    @Test func embeddedConfigFilesAreRead() {
        #expect(SecretShapes.embeddedSecret("database:\n  user: app\n  password: Hunter2Hunter2\n") == "password")
        #expect(SecretShapes.embeddedSecret("{\"clientSecret\": \"abc123\"}") == "clientSecret")
        #expect(SecretShapes.embeddedSecret("host=db user=app password=hunter2 sslmode=require") == "password")
        #expect(SecretShapes.embeddedSecret("password_file: /run/secrets/db\ntoken: ${TOKEN}\npassword:\n") == nil)
    }
}

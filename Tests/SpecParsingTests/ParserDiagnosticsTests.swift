import Testing
@testable import SpecParsing
import SpecModel

@Suite("Parser diagnostics point at the exact line and column")
struct ParserDiagnosticsTests {
    @Test func unknownKeySuggestsTheClosestOne() {
        let text = spec("""
            services:
              api:
                image: example/api:1.0
                replcas: 3
            """)
        #expect(diagnostics(text) == ["8:5 unknown-key: unknown key 'replcas' in service 'api'; did you mean 'replicas'?"])
    }

    @Test func wrongTypeLandsOnTheValue() {
        let text = spec("""
            services:
              api:
                image: example/api:1.0
                replicas: three
            """)
        #expect(diagnostics(text) == ["8:15 type-mismatch: expected an integer for 'replicas', found a string"])
    }

    @Test func quotedNumberIsAStringNotAnInteger() {
        let text = spec("""
            services:
              api:
                image: example/api:1.0
                replicas: "3"
            """)
        #expect(diagnostics(text) == ["8:15 type-mismatch: expected an integer for 'replicas', found a string"])
    }

    @Test func missingRequiredFieldPointsAtTheOwner() {
        let text = spec("""
            services:
              api:
                replicas: 2
            """)
        #expect(diagnostics(text) == ["6:3 missing-field: service 'api' is missing required field 'image'"])
    }

    @Test func everyDuplicateKeyIsReportedWithTheFirstAsNote() throws {
        let text = spec("""
            services:
              api:
                image: example/api:1.0
                replicas: 2
                replicas: 3
                ports: {http: 80, http: 81}
            """)
        #expect(diagnostics(text) == [
            "9:5 duplicate-key: duplicate key 'replicas' in service 'api'",
            "10:23 duplicate-key: duplicate key 'http' in ports of service 'api'",
        ])
        let note = try #require(parse(text).diagnostics.first?.notes.first)
        #expect(note.location?.line == 8)
        #expect(note.location?.column == 5)
    }

    @Test func allProblemsOfAFileComeInOneRun() {
        let text = spec("""
            services:
              api:
                image: example/api:1.0
                replicas: -1
                imagePullPolicy: Sometimes
                healthh: {}
              Worker:
                image: example/worker:1.0
            """)
        #expect(diagnostics(text) == [
            "8:15 invalid-value: 'replicas' must be between 0 and 10000, found -1",
            "9:22 invalid-value: 'Sometimes' is not a valid image pull policy",
            "10:5 unknown-key: unknown key 'healthh' in service 'api'; did you mean 'health'?",
            "11:3 invalid-name: service name 'Worker' is not valid: expected a DNS-1123 label: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit",
        ])
    }

    @Test func malformedYAMLGivesLibyamlsPosition() {
        let text = "clusterspec: v1\nname: demo\nnamespaces: [apps\n"
        #expect(diagnostics(text) == ["4:1 yaml-syntax: malformed YAML: did not find expected ',' or ']'"])
    }

    @Test func columnsCountCharactersNotBytes() {
        // 'é' and '日本' are multibyte in UTF-8; the column still counts characters.
        let text = spec("""
            configMaps:
              greeting: {data: {text: "héllo 日本"}, bogus: 1}
            """)
        #expect(diagnostics(text) == ["6:40 unknown-key: unknown key 'bogus' in ConfigMap 'greeting'"])
    }

    @Test func syntaxErrorAfterMultibyteTextHasCharacterColumn() {
        let text = "clusterspec: v1\nname: démo: x\n"
        #expect(diagnostics(text) == ["2:11 yaml-syntax: malformed YAML: mapping values are not allowed in this context"])
    }

    @Test func tabsAreExplained() throws {
        let text = "clusterspec: v1\nname: demo\nnamespaces:\n\tapps: {}\n"
        let message = try #require(diagnostics(text).first)
        #expect(message.hasPrefix("4:1 yaml-syntax: malformed YAML: found character that cannot start any token"))
        #expect(message.contains("tabs cannot indent YAML"))
    }

    @Test func aListIsNotASpec() {
        #expect(diagnostics("- clusterspec: v1\n") == [
            "1:1 type-mismatch: a spec must be a mapping with 'clusterspec: v1' and 'name:', found a list",
        ])
    }

    @Test func aScalarIsNotASpec() {
        #expect(diagnostics("just some text\n") == [
            "1:1 type-mismatch: a spec must be a mapping with 'clusterspec: v1' and 'name:', found a string",
        ])
    }

    @Test func emptyFile() {
        #expect(diagnostics("") == ["1:1 empty-spec: spec file is empty"])
        #expect(diagnostics("# only a comment\n") == ["1:1 empty-spec: spec file is empty"])
    }

    @Test func secondDocumentIsRejected() {
        #expect(diagnostics("clusterspec: v1\nname: a\n---\nclusterspec: v1\nname: b\n") == [
            "3:1 yaml-multiple-documents: a spec file holds one document, but a second one starts here",
        ])
    }

    @Test func unsupportedVersionAndMissingVersion() {
        #expect(diagnostics("clusterspec: v9\nname: demo\n") == [
            "1:14 unsupported-version: unsupported spec version 'v9'; this clusterspec reads v1",
        ])
        #expect(diagnostics("name: demo\n") == [
            "1:1 missing-field: the spec is missing required field 'clusterspec' (the format version)",
        ])
    }

    @Test func yesAndNoAreNotBooleans() {
        let text = spec("""
            services:
              api:
                image: example/api:1.0
                securityContext: {readOnlyRootFilesystem: yes}
            """)
        #expect(diagnostics(text) == ["8:47 type-mismatch: expected true or false for 'readOnlyRootFilesystem', found a string 'yes'"])
    }

    @Test func unknownEnumValueSuggests() {
        let text = spec("""
            services:
              api:
                image: example/api:1.0
                placement: {hosts: prefered}
            """)
        #expect(diagnostics(text) == ["8:24 invalid-value: 'prefered' is not a valid host spreading; did you mean 'preferred'?"])
    }

    @Test func unknownPortNameIsLocated() {
        let text = spec("""
            services:
              api:
                image: example/api:1.0
                ports: {http: 8080}
                health: {liveness: /live, port: htp}
            """)
        #expect(diagnostics(text) == ["9:37 unknown-port: service 'api' has no port named 'htp'; did you mean 'http'?"])
    }

    @Test func undeclaredNamespace() {
        let text = spec("""
            services:
              api:
                namespace: ap
                image: example/api:1.0
            """)
        #expect(diagnostics(text) == ["7:16 unknown-namespace: namespace 'ap' is not declared under 'namespaces:'; did you mean 'apps'?"])
    }
}

@Suite("Hostile and broken input never crashes")
struct HostileInputTests {
    @Test func fileOverThirtyTwoMegabytesIsRejectedWithoutParsing() {
        let big = "clusterspec: v1\nname: demo\n# " + String(repeating: "x", count: 40_000_000) + "\n"
        #expect(diagnostics(big) == ["1:1 file-too-large: spec file is 38.1 MiB; the limit is 32.0 MiB"])
    }

    /// Anchors reused across a large spec are fine: the alias bound grows with the document.
    @Test func aLargeSpecExpandingItsAnchorsIsAccepted() {
        var text = "clusterspec: v1\nname: demo\nnamespaces: {apps: {}}\n"
        text += "x-defaults: &defaults {image: x/svc:1.0, replicas: 3, ports: {http: 8080, grpc: 50051}, env: {A: a, B: b, C: c, D: d}, resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 500m, memory: 256Mi}}, health: {liveness: /live, readiness: /ready, port: http}}\nservices:\n"
        for index in 0..<12_000 { text += "  svc-\(index): {<<: *defaults}\n" }
        #expect(diagnostics(text).filter { $0.contains("yaml-limits") }.isEmpty)
    }

    @Test func deeplyNestedFlowCollectionsStopAtTheLimit() {
        let deep = "clusterspec: v1\nname: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        let found = diagnostics(deep)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("2:") == true)
        #expect(found.first?.contains("yaml-limits: YAML nested deeper than 64 levels") == true)
    }

    @Test func deeplyNestedBlockMappingsStopAtTheLimit() {
        var text = "clusterspec: v1\nname: demo\ndefaults:\n"
        for depth in 1...200 { text += String(repeating: " ", count: depth) + "k\(depth):\n" }
        #expect(diagnostics(text).first?.contains("yaml-limits") == true)
    }

    @Test func billionLaughsIsStoppedAtTheAliasThatExplodes() {
        var text = "clusterspec: v1\nname: demo\nlol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ")
            text += "lol\(level): &l\(level) [\(refs)]\n"
        }
        let found = diagnostics(text)
        #expect(found.count == 1)
        #expect(found.first?.contains("yaml-limits: aliases expand the document to more than 200") == true)
        #expect(found.first?.contains("(200000 plus 10 per node it writes") == true)
        #expect(found.first?.hasPrefix("8:") == true)  // the level whose aliases cross the budget
    }

    @Test func undefinedAliasIsASyntaxError() {
        #expect(diagnostics("clusterspec: v1\nname: *nothing\n").first?.contains("yaml-syntax") == true)
    }

    @Test func nonUTF8BytesAreLocated() {
        var bytes = Array("clusterspec: v1\nname: dé".utf8)
        bytes.append(0xFF)
        bytes += Array("mo\n".utf8)
        let parsed = SpecParser.parse(file: "bad.cluster.yaml", bytes: bytes)
        #expect(parsed.diagnostics.map(\.id) == ["invalid-encoding"])
        #expect(parsed.diagnostics.first?.location?.line == 2)
        #expect(parsed.diagnostics.first?.location?.column == 9)
        #expect(parsed.diagnostics.first?.message == "spec file is not valid UTF-8 (byte 0xFF at offset 25)")
    }

    /// Regression (issue 14): control characters were reported at 1:1 whatever line they were on.
    @Test(arguments: [0x00, 0x01, 0x07, 0x1B, 0x7F, 0x80, 0x9B, 0xFFFE, 0xFFFF] as [UInt32])
    func forbiddenCharactersAreLocatedOnTheirLine(code: UInt32) throws {
        let character = try #require(Unicode.Scalar(code))
        let text = "clusterspec: v1\nname: demo\nnamespaces:\n  apps: {labels: {team: \"ab\(Character(character))c\"}}\n"
        let code4 = SpecParser.unicodeName(code)
        #expect(diagnostics(text) == ["4:28 invalid-character: character \(code4) is not allowed in YAML (a control or non-character)"])
        let overlay = "clusterspec: v1\noverlay: {spec: demo, environment: prod}\n# é\(Character(character))\n"
        let loaded = SpecParser.loadOverlay(file: "prod.yaml", bytes: Array(overlay.utf8))
        #expect(loaded.diagnostics.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.id)" } == ["3:4 invalid-character"])
    }

    /// Fuzz finding (issue 14): at the end of a file without a final newline libyaml reported the
    /// error on a line after the last one, so no source line could be quoted.
    @Test func errorsAtTheEndOfAFileWithoutAFinalNewlineStayOnItsLastLine() {
        #expect(diagnostics("clusterspec: v1\nname: demo\nservices:\n  api: {image: x/api:1.0, replicas: 4").first?
            .hasPrefix("4:38 yaml-syntax: malformed YAML: did not find expected ',' or '}'") == true, "\(diagnostics("clusterspec: v1\nname: demo\nservices:\n  api: {image: x/api:1.0, replicas: 4"))")
        #expect(diagnostics("a: [1,").first?.hasPrefix("1:7 yaml-syntax") == true)
        #expect(diagnostics("a: [1,\n").first?.hasPrefix("2:1 yaml-syntax") == true)
    }

    @Test func aByteOrderMarkIsAcceptedOnlyAtTheStart() {
        #expect(diagnostics("\u{FEFF}clusterspec: v1\nname: demo\nnamespaces:\n  apps: {}\n").isEmpty)
        #expect(diagnostics("clusterspec: v1\nname: demo\n\u{FEFF}namespaces:\n  apps: {}\n")
            == ["3:1 invalid-character: a byte order mark (U+FEFF) is only allowed at the very start of the file"])
        #expect(diagnostics("clusterspec: v1\nname: de\u{FEFF}mo\n").first?.hasPrefix("2:9 invalid-character") == true)
    }

    @Test func controlCharactersWrittenAsEscapesAreAccepted() throws {
        let parsed = parse(spec("configMaps:\n  settings: {data: {banner: \"\\e[1mhello\\u202e\"}}\n"))
        #expect(parsed.diagnostics.filter { $0.severity == .error }.isEmpty)
        #expect(parsed.spec?.configMaps.first?.data.first?.value.value == "\u{1B}[1mhello\u{202E}")
    }

    @Test func invalidUTF8IsLocatedOnLaterLinesToo() {
        var bytes = Array("clusterspec: v1\nname: demo\nnamespaces:\n  apps: {}  # ".utf8)
        bytes += [0xE2, 0x28, 0xA1]  // a three-byte sequence broken at its second byte
        bytes += Array("\n".utf8)
        let parsed = SpecParser.parse(file: "bad.cluster.yaml", bytes: bytes)
        #expect(parsed.diagnostics.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.id)" } == ["4:15 invalid-encoding"])
    }

    @Test func overlongAndSurrogateEncodingsAreInvalid() {
        #expect(SpecParser.firstInvalidUTF8([0xC0, 0x80]) == 0)
        #expect(SpecParser.firstInvalidUTF8([0x41, 0xED, 0xA0, 0x80]) == 1)
        #expect(SpecParser.firstInvalidUTF8(Array("ok é 日本 🎉".utf8)) == nil)
    }

    @Test(arguments: ["../../etc", "a/b", "..", "UPPER", "-lead", "trail-", "x_y", String(repeating: "a", count: 64), ""])
    func systemNamesThatAreNotDNSLabelsAreRejected(name: String) {
        let found = diagnostics("clusterspec: v1\nname: \"\(name)\"\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("2:7 invalid-name: system name") == true)
        if name.contains("/") || name.contains("..") {
            #expect(found.first?.contains("it may not contain '/' or '..'") == true)
        }
    }

    @Test func pathLikeServiceNamesNeverBecomeNames() {
        let text = spec("""
            services:
              ../escape:
                image: example/api:1.0
            """)
        #expect(diagnostics(text).first?.hasPrefix("6:3 invalid-name: service name '../escape' is not valid") == true)
        #expect(parse(text).spec == nil)
    }
}

@Suite("Impossible store settings are located parse errors")
struct StoreParseErrorTests {
    @Test func zeroMembers() {
        #expect(diagnostics(spec("stores:\n  etcd: {engine: etcd, members: 0}\n")) == [
            "6:33 invalid-value: 'members' must be between 1 and 99, found 0",
        ])
    }

    @Test func negativeStorage() {
        #expect(diagnostics(spec("stores:\n  etcd: {engine: etcd, storage: {size: -10Gi}}\n")) == [
            "6:40 invalid-value: '-10Gi' is not a valid quantity for 'storage.size'",
        ])
    }

    @Test func unknownEngineSuggestsTheClosest() {
        #expect(diagnostics(spec("stores:\n  cache: {engine: postgress}\n")) == [
            "6:19 invalid-value: 'postgress' is not a valid store engine; did you mean 'postgres'?",
        ])
    }

    @Test func keysOfAnotherEngineAreUnknown() {
        #expect(diagnostics(spec("stores:\n  etcd: {engine: etcd, brokers: 3}\n")) == [
            "6:24 unknown-key: unknown key 'brokers' in store 'etcd'",
        ])
    }

    @Test func etcdClientsNeedACertificateSource() {
        let client = "services:\n  api: {image: x/api:1.0, uses: [etcd]}\n"
        #expect(diagnostics(spec("stores:\n  etcd: {engine: etcd, tls: {secret: etcd-tls}}\n" + client)) == [
            "8:34 missing-client-certificate: store 'etcd' accepts only clients with a certificate, and nothing gives 'api' one",
        ])
        #expect(diagnostics(spec("stores:\n  etcd: {engine: etcd, tls: {secret: etcd-tls, clientSecret: etcd-client}}\n" + client)).isEmpty)
        #expect(diagnostics(spec("stores:\n  etcd: {engine: etcd, tls: {issuer: ca, clientSecret: etcd-client}}\n")) == [
            "6:56 conflicting-fields: 'tls.clientSecret' goes with a declared 'secret'; with an 'issuer' cert-manager issues every client's certificate",
        ])
        let elsewhere = "namespaces:\n  apps: {}\n  web: {}\nstores:\n  etcd: {engine: etcd, namespace: apps, tls: {issuer: ca, kind: Issuer}}\n"
            + "services:\n  api: {image: x/api:1.0, namespace: web, uses: [etcd]}\n"
        #expect(diagnostics("clusterspec: v1\nname: demo\n" + elsewhere).map { $0.components(separatedBy: ":").prefix(3).joined(separator: ":") } == [
            "9:50 missing-client-certificate: 'api' in namespace 'web' cannot get a client certificate for store 'etcd' from Issuer 'ca'",
        ])
    }

    @Test func kafkaCombinedExcludesSeparateRoles() {
        #expect(diagnostics(spec("stores:\n  kafka: {engine: kafka, combined: 3, brokers: 3}\n")) == [
            "6:39 conflicting-fields: 'combined' runs brokers and controllers in the same pods; remove 'brokers' or 'combined'",
        ])
    }

    @Test func singlePostgresNeedsAnExistingPasswordSecret() {
        #expect(diagnostics(spec("stores:\n  pg: {engine: postgres}\n")) == [
            "6:3 missing-field: single-mode PostgreSQL needs 'credentials.secret': an existing Secret with a 'password' key (clusterspec never generates passwords)",
        ])
    }

    @Test func unknownConnectionFact() {
        #expect(diagnostics(spec("stores:\n  etcd: {engine: etcd}\nservices:\n  api: {image: x/api:1.0, uses: [{target: etcd, env: {E: endpoint}}]}\n")) == [
            "8:58 unknown-connection-fact: 'etcd' offers no connection fact 'endpoint'; did you mean 'endpoints'?",
        ])
    }

    @Test func storesAndWorkloadsShareOneNameSpace() {
        #expect(diagnostics(spec("stores:\n  api: {engine: etcd}\nservices:\n  api: {image: x/api:1.0}\n")) == [
            "6:3 duplicate-name: 'api' is already the name of another workload, store or external endpoint",
        ])
    }
}

import Foundation
import Testing

/// The shipped binary (`scripts/release`, `$CLUSTERSPEC_BIN`): the Swift standard library and
/// Foundation linked in, so it runs on a machine without a Swift toolchain. `readelf` reads what
/// the binary asks the dynamic loader for, and every example is built by the binary in a mount
/// namespace where the toolchain directory is an empty file system.
@Suite("Static Linux binary", .enabled(if: Paths.shipped != nil, "needs the shipped binary: scripts/test builds it with scripts/release and sets CLUSTERSPEC_BIN"))
struct StaticBinaryTests {
    /// The newest glibc symbol version the binary needs, as README "Install" states it (measured
    /// on the binary scripts/release builds on Debian 12: `hypot` is GLIBC_2.35, the rest older).
    static let minimumGlibc = (2, 35)
    /// The toolchain hidden from the binary.
    static let toolchain = "/opt/swift"

    static var binary: URL { Paths.shipped ?? Paths.binary }

    static func readelf(_ option: String) throws -> String {
        let result = try run(URL(fileURLWithPath: "/usr/bin/env"), ["readelf", option, binary.path])
        #expect(result.status == 0, "readelf \(option): \(result.stderr)")
        return result.stdout
    }

    @Test func needsNoSwiftLibraryAndNoToolchainPath() throws {
        let dynamic = try Self.readelf("-d")
        let needed = dynamic.split(separator: "\n").filter { $0.contains("(NEEDED)") }
            .compactMap { line in line.split(separator: "[").last.map { String($0.dropLast()) } }
        #expect(!needed.isEmpty, "readelf found the NEEDED entries:\n\(dynamic)")
        for library in needed {
            #expect(!["swift", "Foundation", "icu", "dispatch", "BlocksRuntime"].contains { library.contains($0) }, "needs \(library)")
        }
        #expect(Set(needed).isSubset(of: ["libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"]),
                "only glibc and the C++ runtime: \(needed)")
        #expect(!dynamic.contains("(RPATH)") && !dynamic.contains("(RUNPATH)"), "a library search path is set:\n\(dynamic)")
        #expect(!dynamic.contains(Self.toolchain))
    }

    @Test func theMinimumGlibcIsTheOneTheReadmeStates() throws {
        let versions = try Self.readelf("-V").split(separator: "\n").compactMap { line -> (Int, Int)? in
            guard let range = line.range(of: "Name: GLIBC_") else { return nil }
            let numbers = line[range.upperBound...].prefix { $0.isNumber || $0 == "." }.split(separator: ".").compactMap { Int($0) }
            return numbers.count >= 2 ? (numbers[0], numbers[1]) : nil
        }
        let newest = try #require(versions.max { $0 < $1 }, "no GLIBC_ version needs found")
        #expect(newest == Self.minimumGlibc, "the binary needs GLIBC_\(newest.0).\(newest.1)")
        let readme = try String(contentsOf: Paths.root.appendingPathComponent("README.md"), encoding: .utf8)
        let stated = "glibc \(Self.minimumGlibc.0).\(Self.minimumGlibc.1) or newer"
        let statesIt = readme.contains(stated)
        #expect(statesIt, "README.md does not say '\(stated)'")
    }

    /// Every example compiles, with the toolchain directory replaced by an empty file system, to
    /// exactly the committed golden/ tree.
    @Test(.enabled(if: getuid() == 0, "needs root for a mount namespace (unshare --mount)"))
    func everyExampleBuildsWithTheToolchainHidden() throws {
        let toolchainRuntime = Self.toolchain + "/usr/lib/swift/linux/libswiftCore.so"
        try #require(FileManager.default.fileExists(atPath: toolchainRuntime), "the Swift runtime is not under \(Self.toolchain): hiding it would prove nothing")
        let cache = try run(URL(fileURLWithPath: "/usr/bin/env"), ["ldconfig", "-p"], environment: ["PATH": "/usr/sbin:/sbin:/usr/bin:/bin"])
        #expect(!cache.stdout.contains("libswiftCore"), "the loader knows a Swift runtime outside \(Self.toolchain)")

        let project = try TemporaryDirectory()
        try copyProject(to: project.url)
        let out = project.url.appendingPathComponent("out")
        let script = """
            mount -t tmpfs -o ro,size=1m clusterspec-hidden "$1" || exit 97
            [ -z "$(ls -A "$1")" ] || exit 98
            [ ! -e "$1/usr/lib/swift/linux/libswiftCore.so" ] || exit 99
            exec env -u LD_LIBRARY_PATH "$2" build specs -o "$3"
            """
        let result = try run(URL(fileURLWithPath: "/usr/bin/unshare"), ["--mount", "/bin/sh", "-c", script, "sh", Self.toolchain, Self.binary.path, out.path],
                             in: project.url)
        #expect(result.status == 0, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("wrote \(Paths.exampleSpecs.count) systems"), "\(result.stderr)")
        let built = snapshot(out)
        let golden = snapshot(Paths.root.appendingPathComponent("golden"))
        #expect(!built.isEmpty && built == golden, "the output differs from golden/ in \(Set(built.keys).symmetricDifference(golden.keys).sorted().prefix(5)) or in contents")
        #expect(FileManager.default.fileExists(atPath: toolchainRuntime), "the namespace's mount stayed inside it")
    }
}

// swift-tools-version:6.0
import PackageDescription

/// clusterspec: a compiler from typed cluster specs to Kubernetes manifests.
///
/// Rooms (one target per pipeline stage; imports point one way):
/// SpecModel ← SpecDiagnostics ← SpecRules; SpecParsing and ManifestEmission on SpecModel;
/// ClusterSpec (facade) on all; the `clusterspec` executable on the facade only.
let package = Package(
    name: "clusterspec",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "clusterspec", targets: ["clusterspec"]),
        .library(name: "ClusterSpec", targets: ["ClusterSpec"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/onevcat/Rainbow", exact: "4.2.2"),
    ],
    targets: [
        .target(name: "SpecModel"),
        .target(name: "SpecDiagnostics", dependencies: ["SpecModel"]),
        .target(
            name: "SpecParsing",
            dependencies: ["SpecModel", "SpecDiagnostics", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "SpecRules", dependencies: ["SpecModel", "SpecDiagnostics"]),
        .target(
            name: "ManifestEmission",
            dependencies: [
                "SpecModel",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        .target(
            name: "ClusterSpec",
            dependencies: [
                "SpecModel", "SpecDiagnostics", "SpecParsing", "SpecRules", "ManifestEmission",
                .product(name: "Rainbow", package: "Rainbow"),
            ]
        ),
        // The fuzz target's harness (libFuzzer entry point included); `scripts/fuzz` links it with
        // -sanitize=fuzzer,address, the corpus replay test calls it directly.
        .target(name: "ClusterSpecFuzz", dependencies: ["ClusterSpec", "ManifestEmission", "SpecDiagnostics", "SpecParsing", "SpecRules"]),
        // `clusterspec lsp`: the language server (JSON-RPC over stdio, analysis, hover, completion).
        .target(name: "LanguageServer", dependencies: ["ClusterSpec", "SpecParsing", "SpecModel", "SpecDiagnostics", "SpecRules"]),
        .executableTarget(
            name: "clusterspec",
            dependencies: ["ClusterSpec", "LanguageServer", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "SpecParsingTests", dependencies: ["SpecParsing", "SpecModel", "SpecDiagnostics"]),
        .testTarget(
            name: "ManifestEmissionTests",
            dependencies: ["ManifestEmission", "SpecParsing", "SpecModel", "SpecDiagnostics", "SpecRules", .product(name: "Yams", package: "Yams")]
        ),
        .testTarget(name: "SpecRulesTests", dependencies: ["SpecRules", "SpecParsing", "SpecModel", "SpecDiagnostics"]),
        .testTarget(
            name: "MeshPolicyTests",
            dependencies: ["ClusterSpec", "SpecModel", "ManifestEmission", .product(name: "Yams", package: "Yams")]
        ),
        .testTarget(
            name: "ClusterSpecTests",
            dependencies: ["ClusterSpec", "ClusterSpecFuzz", "LanguageServer", "clusterspec", .product(name: "Yams", package: "Yams")],
            exclude: ["Fixtures"]
        ),
    ]
)

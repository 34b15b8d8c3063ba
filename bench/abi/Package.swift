// swift-tools-version:6.0
// The ABI call-cost benchmark: its own package, so the main Package.swift stays untouched.
// Build and run from the repository root:
//   swift build -c release --package-path bench/abi && bench/abi/.build/release/abi-bench
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which depends on where the repository was
// cloned: derive it instead of hard-coding it.
let hostPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "abi-bench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "abi-bench", targets: ["AbiBench"]),
        // The steps being timed, each a plugin library loaded through the host's own loader.
        .library(name: "BenchCSteps", type: .dynamic, targets: ["BenchCSteps"]),
        .library(name: "BenchSwiftSteps", type: .dynamic, targets: ["BenchSwiftSteps"]),
    ],
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "AbiBench",
            dependencies: [.product(name: "CrystallizeRuntime", package: hostPackage)]),
        // Plain C against crystallize.h alone (included by relative path): no SDK, no Swift.
        .target(name: "BenchCSteps", path: "Sources/BenchCSteps"),
        .target(name: "BenchSwiftSteps", dependencies: [.product(name: "Crystallize", package: hostPackage)]),
    ],
    swiftLanguageModes: [.v5]
)

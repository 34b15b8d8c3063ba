// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "crystallize-host",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "crystallize-host", targets: ["crystallize-host"]),
        // The local web dashboard: its own product, so the host's build never compiles a web server.
        .executable(name: "crystallize-dashboard", targets: ["crystallize-dashboard"]),
        .library(name: "Crystallize", targets: ["Crystallize"]),
        .library(name: "CrystallizeRuntime", targets: ["CrystallizeRuntime"]),
        .library(name: "MySteps", type: .dynamic, targets: ["MySteps"]),
        .library(name: "CTestPlugin", type: .dynamic, targets: ["CTestPlugin"]),
        .library(name: "SlurmExecution", type: .dynamic, targets: ["SlurmExecution"]),
        .library(name: "RayExecution", type: .dynamic, targets: ["RayExecution"]),
        .library(name: "ReliabilityTestPlugin", type: .dynamic, targets: ["ReliabilityTestPlugin"]),
        .library(name: "OptimizeTestPlugin", type: .dynamic, targets: ["OptimizeTestPlugin"]),
        .library(name: "SwiftOptimizerTestPlugin", type: .dynamic, targets: ["SwiftOptimizerTestPlugin"]),
        .library(name: "SDKTestPlugin", type: .dynamic, targets: ["SDKTestPlugin"]),
        .library(name: "ProbeTestPlugin", type: .dynamic, targets: ["ProbeTestPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // The contract with plugins: crystallize.h.
        .target(name: "CCrystallize", path: "Sources/CCrystallize"),
        // libffi, for calling plain C functions by their declared signature.
        .systemLibrary(name: "CFFI", path: "Sources/CFFI", pkgConfig: "libffi",
                       providers: [.apt(["libffi-dev"])]),
        // Starting child processes (workers, git, the Slurm client, the host in tests): one
        // mechanism, swift-subprocess, behind a small blocking/async `Command`.
        .target(name: "ChildProcesses", dependencies: [.product(name: "Subprocess", package: "swift-subprocess")]),
        // The engine.
        .target(
            name: "CrystallizeRuntime",
            dependencies: [
                "CCrystallize", "CFFI", "ChildProcesses",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            linkerSettings: [.linkedLibrary("dl")]
        ),
        // The SDK plugin authors import.
        .target(name: "Crystallize", dependencies: ["CCrystallize"]),
        // The thin command-line front end.
        .executableTarget(
            name: "crystallize-host",
            dependencies: [
                "CrystallizeRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The dashboard's HTTP front end (pages and routing live in CrystallizeRuntime/Dashboard).
        .executableTarget(
            name: "crystallize-dashboard",
            dependencies: ["CrystallizeRuntime", .product(name: "FlyingFox", package: "FlyingFox")]
        ),
        // Example and test plugins, each a dynamic product.
        .target(name: "MySteps", dependencies: ["Crystallize"], path: "Plugins/MySteps"),
        .target(name: "CTestPlugin", dependencies: ["CCrystallize"], path: "Plugins/CTestPlugin",
                linkerSettings: [.linkedLibrary("pthread"), .linkedLibrary("m")]),
        .target(name: "SwiftOptimizerTestPlugin", dependencies: ["Crystallize"], path: "Plugins/SwiftOptimizerTestPlugin"),
        .target(name: "SDKTestPlugin", dependencies: ["Crystallize"], path: "Plugins/SDKTestPlugin"),
        // Steps only tests and bench/ use (burn, save_numbers, text summaries, a probe verifier).
        .target(name: "ProbeTestPlugin", dependencies: ["Crystallize"], path: "Plugins/ProbeTestPlugin"),
        .target(name: "OptimizeTestPlugin", dependencies: ["CCrystallize"], path: "Plugins/OptimizeTestPlugin",
                linkerSettings: [.linkedLibrary("m")]),
        .target(name: "SlurmExecution", dependencies: ["Crystallize", "ChildProcesses"], path: "Plugins/SlurmExecution"),
        .target(name: "RayExecution", dependencies: ["Crystallize", "ChildProcesses"], path: "Plugins/RayExecution"),
        .target(name: "ReliabilityTestPlugin", dependencies: ["CCrystallize"], path: "Plugins/ReliabilityTestPlugin"),
        .testTarget(name: "CrystallizeRuntimeTests", dependencies: ["CrystallizeRuntime"]),
        .testTarget(name: "EndToEndTests", dependencies: ["CrystallizeRuntime", "ChildProcesses"]),
    ],
    swiftLanguageModes: [.v5]
)

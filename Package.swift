// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "TapeGrad",
    products: [
        // MARK: Public products
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "Ops", targets: ["Ops"]),
        .library(name: "Models", targets: ["Models"]),
        .executable(name: "runner", targets: ["Runner"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // MARK: Implementation
        // C headers of OpenBLAS (cblas.h) and LAPACKE (lapacke.h), from libopenblas-dev and liblapacke-dev.
        .systemLibrary(
            name: "CBLAS",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // Picks OpenBLAS's kernels from what the CPU can do (cpuid) when OpenBLAS itself does not know the CPU.
        .target(name: "CKernelChoice", dependencies: ["CBLAS"]),
        // zlib (zlib.h from zlib1g-dev), to read gzip-compressed datasets.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // prctl (a variadic C function, which Swift does not import): a sweep's trials stop when the sweep dies.
        .target(name: "CProcessControl"),
        // Tensors, the tape, the core differentiable ops and gradient checking.
        .target(
            name: "Autograd",
            dependencies: ["CBLAS", "CKernelChoice", .product(name: "RealModule", package: "swift-numerics")]
        ),
        // Neural-network operators built on Autograd: convolution, pooling, normalization, attention, losses.
        .target(name: "Ops", dependencies: ["Autograd", "CBLAS"]),
        // Models as plain functions, optimizers and datasets (SHA-256 from swift-crypto verifies downloads).
        .target(
            name: "Models",
            dependencies: ["Autograd", "Ops", "CZlib", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The `runner` command line: experiments, diagnostics, benchmarks.
        .executableTarget(
            name: "Runner",
            dependencies: [
                "Autograd", "Ops", "Models", "CBLAS", "CZlib", "CProcessControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests
        // Shared helpers of the test targets: the gradient-check case table, the observed matrix products.
        .target(name: "TestSupport", dependencies: ["Autograd"], path: "Tests/TestSupport"),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "TestSupport"]),
        .testTarget(name: "OpsTests", dependencies: ["Ops", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "TestSupport"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Models", "TestSupport"]),
    ]
)

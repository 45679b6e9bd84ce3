import ArgumentParser
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The `runner` command line: experiments, diagnostics and benchmarks.
@main
struct Runner: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runner",
        abstract: "Train and inspect TapeGrad models from the command line.",
        discussion: """
            Experiment specs (runner Experiments/cnn.json) arrive with the runner issue; today the runner \
            offers a small training demo and the engine benchmarks.
            """,
        subcommands: [Demo.self, Example.self, Bench.self]
    )

    static func main() {
        setvbuf(stdout, nil, _IOLBF, 0)  // progress lines reach logs and pipes as they are printed
        main(nil)
    }
}

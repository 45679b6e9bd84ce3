import ArgumentParser
import Autograd

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
            runner Experiments/cnn.json runs an experiment spec (the default subcommand `run`); see docs/spec.md.
            """,
        subcommands: [
            Run.self, Summary.self, Compare.self, GradCheck.self, Project.self, Schema.self, Demo.self, Example.self,
            Bench.self,
        ],
        defaultSubcommand: Run.self
    )

    static func main() {
        setvbuf(stdout, nil, _IOLBF, 0)  // progress lines reach logs and pipes as they are printed
        if let warning = BLASKernels.fallbackWarning { fputs(warning + "\n", stderr) }
        main(nil)
    }
}

import ArgumentParser
import Foundation
import Models

/// `runner project SPEC`: the examples of a classification spec's data, as the model sees them or as a layer of its
/// sequential model transforms them, projected on their first two principal components: `projection.csv` and a
/// scatter plot by class.
struct Project: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Project a spec's examples (or a layer's outputs) on their first two principal components.",
        discussion: """
            Writes projection.csv (index, pc1, pc2, label) and projection.svg / projection.png, one color per \
            class, into --out, and prints the share of the variance each component explains. With --layer N the \
            examples go through layers 0…N of the spec's sequential model in evaluation mode first: the untrained \
            model, or a trained one with --weights RUN/checkpoint.safetensors (run with RUN/spec.json).
            """)

    @Argument(help: "The spec file (JSON); for a trained model, the run's spec.json.") var spec: String
    @Option(name: .customLong("set"), help: "Override a key of the spec (repeatable).") var overrides: [String] = []
    @Option(help: "The split whose examples are projected (train, validation, test).") var split = ProjectionSplit.test
    @Option(help: "At most this many examples, the first of the split.") var limit = 1000
    @Option(help: "Project the output of this layer (0-based) of a sequential model instead of the raw inputs.")
    var layer: Int?
    @Option(
        help: """
            The trained weights for --layer: a run's checkpoint.safetensors, or its folder (weights.safetensors is \
            PyTorch's layout and does not load here).
            """)
    var weights: String?
    @Option(help: "The output folder (default: runs/NAME-projection-TIMESTAMP).") var out: String?

    func validate() throws {
        if limit < 2 { throw ValidationError("--limit must be at least 2: two principal components need 2 examples") }
        if let layer, layer < 0 { throw ValidationError("--layer must be a layer index, 0 or more; got \(layer)") }
        if weights != nil && layer == nil {
            throw ValidationError("--weights sets the model's weights, which only --layer uses; give --layer too")
        }
    }

    func run() throws {
        do {
            let spec = try SpecDocument.load(path: spec, overrides: overrides).spec
            if spec.data.dataset.isText || spec.data.dataset.isSequences {
                throw ProjectionError.notClassification(dataset: spec.data.dataset.rawValue)
            }
            let experiment = try buildExperiment(spec)
            var modelNote: String? = nil
            if let weights {
                modelNote = "weights from \(try loadWeights(weights, into: experiment.model))"
            } else if layer != nil {
                modelNote = "untrained (seed \(spec.seed)); --weights RUN/checkpoint.safetensors loads a trained one"
            }
            let projection = try Projection(experiment, split: split, layer: layer, limit: limit)
            let folder = out ?? defaultRunFolder(name: "\(spec.name)-projection")
            let files = try projection.writeFiles(to: folder, title: spec.name)
            print("data: \(experiment.dataNote)")
            if let modelNote { print("model: \(modelNote)") }
            print(
                "\(projection.coordinates.count) \(split.rawValue) examples, \(projection.source), "
                    + "\(projection.featureCount) features per example")
            let (first, second) = projection.explainedVarianceRatio
            print(
                String(
                    format: "explained variance ratio: pc1 %.4f, pc2 %.4f (together %.4f)", first, second,
                    first + second))
            print("wrote " + files.map { (folder as NSString).appendingPathComponent($0) }.joined(separator: ", "))
        } catch let error as SpecError {
            throw RunnerFailure(message: error.description)
        } catch let error as ProjectionError {
            throw RunnerFailure(message: error.description)
        }
    }

    /// Loads a run's checkpoint (the file, or `checkpoint.safetensors` in a run folder) into `model`; returns the
    /// file's path.
    private func loadWeights(_ path: String, into model: any Module) throws -> String {
        var isFolder: ObjCBool = false
        let file =
            FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
            ? (path as NSString).appendingPathComponent("checkpoint.safetensors") : path
        do {
            try Checkpoint.load(from: file, into: model)
        } catch .invalidMetadata(let path, let key, _) where key == Checkpoint.reservedPrefix + "format" {
            throw RunnerFailure(
                message: "--weights \(path) is not a TapeGrad checkpoint (weights.safetensors is PyTorch's layout); "
                    + "give the run's checkpoint.safetensors or its folder")
        } catch {
            throw RunnerFailure(message: "--weights: \(error)")
        }
        return file
    }
}

extension ProjectionSplit: ExpressibleByArgument {}

import Foundation
import Models
import Testing

/// The real datasets on this machine: Fashion-MNIST from Debian's `dataset-fashion-mnist` (installed by
/// `.ci/setup`) and the MNIST test split and tinyshakespeare in `../shared/data`.
@Suite struct DataRealDatasetTests {
    @Test func fashionMNISTTestSplitLoadsFromTheDebianPackage() throws {
        let resolver = DatasetResolver(environment: [:], currentDirectory: DataFixtures.repositoryRoot)
        let location = try resolver.locate(.fashionMNIST, split: .test)
        #expect(location.source == .systemPackage)
        #expect(location.directory == DataFixtures.systemFashionMNIST)

        let test = try location.loadImages(split: .test)
        #expect(test.count == 10_000)
        #expect(test.inputs.shape == [10_000, 1, 28, 28])
        #expect(test.inputs.dtype == .float32)
        #expect(test.classCount == 10)
        #expect(test.classCounts() == [Int](repeating: 1_000, count: 10))
        #expect(test.classNames?[9] == "Ankle boot")
        #expect(Array(test.labels.prefix(5)) == [9, 2, 1, 1, 6])  // the published first test labels
        let pixels = test.inputs.floats
        #expect(pixels.min() == 0)
        #expect(pixels.max() == 1)
        // Fashion-MNIST's test-set mean pixel is 0.2868 (a well-known normalization constant).
        let mean = pixels.reduce(0.0) { $0 + Double($1) } / Double(pixels.count)
        #expect(abs(mean - 0.2868) < 0.001)
    }

    @Test func mnistTestSplitLoadsFromTheSharedDirectory() throws {
        let resolver = DatasetResolver(environment: [:], currentDirectory: DataFixtures.repositoryRoot)
        let location = try resolver.locate(.mnist, split: .test)
        #expect(location.source == .sharedDirectory)
        #expect(location.directory == (DataFixtures.sharedData as NSString).appendingPathComponent("mnist"))

        let test = try location.loadImages(split: .test, scaling: .raw)
        #expect(test.inputs.shape == [10_000, 1, 28, 28])
        #expect(Array(test.labels.prefix(5)) == [7, 2, 1, 0, 4])  // the published first test digits
        #expect(test.classCounts() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        let pixels = test.inputs.floats
        #expect(pixels.min() == 0 && pixels.max() == 255)
        #expect(pixels.allSatisfy { $0 == $0.rounded() })  // raw bytes, not scaled
    }

    @Test func mnistShapedExperimentsFallBackToFashionMNISTAndSaySo() throws {
        let resolver = DatasetResolver(environment: [:], currentDirectory: DataFixtures.repositoryRoot)
        // ../shared/data/mnist holds only the test split, so train + test must come from Fashion-MNIST.
        let both = try resolver.locateMNISTShaped()
        #expect(both.requested == .mnist)
        #expect(both.dataset == .fashionMNIST)
        #expect(both.isSubstitute)
        #expect(both.files.count == 4)
        #expect(both.summary.contains("fashion-mnist from /usr/share/datasets/fashion-mnist"))
        #expect(both.summary.contains("instead of mnist: MNIST's train and test files are not both available"))
        // The test split alone is real MNIST.
        let testOnly = try resolver.locateMNISTShaped(split: .test)
        #expect(testOnly.dataset == .mnist && !testOnly.isSubstitute)
    }

    @Test func trainingSetLoadsQuickly() throws {
        let location = try DatasetResolver(environment: [:]).locate(.fashionMNIST, split: .train)
        let clock = ContinuousClock()
        var train: LabelledDataset?
        let elapsed = try clock.measure { train = try location.loadImages(split: .train) }
        print("Fashion-MNIST 60k training set loaded in \(elapsed)")
        // About 0.5 s in a debug build; a per-element closure or a byte-by-byte read would take far longer.
        #expect(elapsed < .seconds(10))
        #expect(train?.inputs.shape == [60_000, 1, 28, 28])
        #expect(train?.classCounts() == [Int](repeating: 6_000, count: 10))
    }
}

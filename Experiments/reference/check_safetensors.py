"""Checks TapeGrad's PyTorch export against PyTorch itself (a manual check, kept out of the tests and CI).

Run from the repository root with a Python that has torch, torchvision and safetensors:

    ../torchvenv/bin/pip install safetensors torchvision pillow
    ../torchvenv/bin/python Experiments/reference/check_safetensors.py

The script builds a small Swift program against the repository's Models library (in a temporary package that
depends on the repository, leaving it untouched). That program trains a Sequential CNN (conv, batch norm, linear,
dropout), an MLP with dropout, a Sequential CNN with residual blocks (one with the identity shortcut, one changing
channels and stride with a 1×1 convolution projection shortcut), a Vision Transformer, a decoder Transformer and
`ResNet`s of depth 18 and 50 (against torchvision's `resnet18` and `resnet50`: basic and bottleneck blocks) for a
few steps (in training mode, `ForwardContext(training: true, rng:)`),
writes each with `PyTorchExport.write`, and writes their evaluation-mode logits on fixed inputs. Then for each
model this script
  1. loads the file with `module.load_state_dict(safetensors.torch.load_file(path))` (strict: every name and
     shape must match) into the equivalent torch.nn module defined below,
  2. compares the module's logits with TapeGrad's (max |difference| must be ≤ 1e-5 · max(1, max |logit|): the
     deep ResNets, evaluated on running statistics from a few batches of two, give logits in the thousands, where
     float32 rounding alone differs by more than 1e-5),
  3. re-serializes the loaded tensors with `safetensors.torch.save` and compares the bytes with TapeGrad's file.
It exits with status 1 if any check fails.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from safetensors.torch import load_file, save

SWIFT_PROGRAM = r"""
import Foundation
import Models

let out = CommandLine.arguments[1]
var rng = RandomGenerator(seed: 2024)
let images = Tensor.normal([4, 1, 28, 28], using: &rng)
let labels = [3, 1, 4, 1]

/// A few Adam steps on random data in training mode (dropout drawing from the context's generator, batch norm on
/// batch statistics), so weights and batch-norm statistics are not at their initial values.
@MainActor
func train(_ model: any Module, labels: [Int], _ logits: (inout ForwardContext) -> Tensor) {
    let adam = Adam(model.parameters, learningRate: 0.01)
    var context = ForwardContext(training: true, rng: rng)
    for _ in 0..<3 {
        let loss = logits(&context).reshaped([labels.count, -1]).crossEntropy(labels: labels)
        adam.zeroGrad()
        loss.backward()
        adam.step()
    }
    rng = context.rng
}

let cnn = Sequential(
    [
        Conv2d(1, 8, kernel: 3, padding: 1, using: &rng), BatchNorm2d(8), ReLU(), MaxPool2d(2),
        Conv2d(8, 16, kernel: 3, padding: 1, using: &rng), BatchNorm2d(16), ReLU(), MaxPool2d(2), Flatten(),
        Linear(784, 32, using: &rng), BatchNorm1d(32), ReLU(), Dropout(0.25), Linear(32, 10, using: &rng),
    ], fusion: .all)
train(cnn, labels: labels) { cnn(images, &$0) }

let mlp = MLP(sizes: [784, 32, 16, 10], dropout: 0.2, using: &rng)
train(mlp, labels: labels) { mlp(images, &$0) }

// Two residual blocks: one keeping the shape (identity shortcut), one doubling the channels and halving the sides
// (a bias-free 1×1 convolution of stride 2 as its shortcut).
let resnet = Sequential(
    [
        Conv2d(1, 8, kernel: 3, padding: 1, using: &rng), BatchNorm2d(8), ReLU(), MaxPool2d(2),  // (8, 14, 14)
        Residual(
            Sequential([
                Conv2d(8, 8, kernel: 3, padding: 1, using: &rng), BatchNorm2d(8), ReLU(),
                Conv2d(8, 8, kernel: 3, padding: 1, using: &rng), BatchNorm2d(8),
            ])),
        ReLU(),
        Residual(
            Sequential([
                Conv2d(8, 16, kernel: 3, stride: 2, padding: 1, using: &rng), BatchNorm2d(16), ReLU(),
                Conv2d(16, 16, kernel: 3, padding: 1, using: &rng), BatchNorm2d(16),
            ]),
            shortcut: try Residual.projection(from: [8, 14, 14], to: [16, 7, 7], using: &rng)),  // (16, 7, 7)
        ReLU(), Flatten(), Dropout(0.25), Linear(784, 10, using: &rng),
    ], fusion: .all)
let resnetShape = try resnet.outputShape(for: [1, 28, 28])
precondition(resnetShape == [10], "resnet: output \(resnetShape)")
train(resnet, labels: labels) { resnet(images, &$0) }

var vitConfiguration = VisionTransformerConfiguration()
vitConfiguration.dim = 16
vitConfiguration.depth = 2
vitConfiguration.heads = 4
vitConfiguration.mlpDim = 32
let vit = VisionTransformer(vitConfiguration, using: &rng)
train(vit, labels: labels) { vit(images, &$0) }

var decoderConfiguration = DecoderTransformerConfiguration()
decoderConfiguration.vocabularySize = 13
decoderConfiguration.blockSize = 8
decoderConfiguration.dim = 16
decoderConfiguration.heads = 4
decoderConfiguration.layers = 2
let decoder = DecoderTransformer(decoderConfiguration, using: &rng)
let colourImages = Tensor.normal([2, 3, 32, 32], using: &rng)
let resnet18 = ResNet(ResNetConfiguration(depth: 18, classes: 10), using: &rng)
train(resnet18, labels: [3, 1]) { resnet18(colourImages, &$0) }
let resnet50 = ResNet(ResNetConfiguration(depth: 50, classes: 10), using: &rng)
train(resnet50, labels: [3, 1]) { resnet50(colourImages, &$0) }

let tokens = (0..<16).map { _ in rng.nextInt(below: 13) }
let targets = (0..<16).map { _ in rng.nextInt(below: 13) }
train(decoder, labels: targets) { decoder(tokens, batch: 2, &$0) }

try PyTorchExport.write(cnn, to: out + "/cnn.safetensors")
try PyTorchExport.write(mlp, to: out + "/mlp.safetensors")
try PyTorchExport.write(resnet, to: out + "/resnet.safetensors")
try PyTorchExport.write(resnet18, to: out + "/resnet18.safetensors")
try PyTorchExport.write(resnet50, to: out + "/resnet50.safetensors")
try PyTorchExport.write(vit, to: out + "/vit.safetensors")
try PyTorchExport.write(decoder, to: out + "/decoder.safetensors")
var evaluation = ForwardContext.evaluation
let io = SafetensorsFile(tensors: [
    "images": SafetensorsTensor(images),
    "colour_images": SafetensorsTensor(colourImages),
    "tokens": SafetensorsTensor(int64: tokens.map(Int64.init), shape: [2, 8]),
    "cnn": SafetensorsTensor(noGrad { cnn(images) }),
    "mlp": SafetensorsTensor(noGrad { mlp(images) }),
    "resnet": SafetensorsTensor(noGrad { resnet(images) }),
    "resnet18": SafetensorsTensor(noGrad { resnet18(colourImages) }),
    "resnet50": SafetensorsTensor(noGrad { resnet50(colourImages) }),
    "vit": SafetensorsTensor(noGrad { vit(images) }),
    "decoder": SafetensorsTensor(noGrad { decoder(tokens, batch: 2, &evaluation) }),
])
try io.write(to: out + "/io.safetensors")
"""

PACKAGE = """// swift-tools-version: 6.0
import PackageDescription
let package = Package(
    name: "ExportForPyTorch",
    dependencies: [.package(name: "TapeGrad", path: "{repo}")],
    targets: [.executableTarget(name: "Export", dependencies: [.product(name: "Models", package: "TapeGrad")])]
)
"""


def export_from_swift(repo, out):
    """Builds and runs the Swift program above in a temporary package depending on the repository's `Models`."""
    package = tempfile.mkdtemp(prefix="tapegrad-export-")
    os.makedirs(os.path.join(package, "Sources", "Export"))
    with open(os.path.join(package, "Package.swift"), "w") as f:
        f.write(PACKAGE.format(repo=repo))
    with open(os.path.join(package, "Sources", "Export", "main.swift"), "w") as f:
        f.write(SWIFT_PROGRAM)
    try:
        subprocess.run(["swift", "run", "--package-path", package, "Export", out], check=True)
    finally:
        shutil.rmtree(package)
        # SwiftPM's lock files for the package, named after its path, in the temporary directory.
        for lock in glob.glob(os.path.join(tempfile.gettempdir(), "_" + package.strip("/").replace("/", "_") + "_*")):
            os.remove(lock)


# The equivalent torch.nn modules, named as documented in Sources/Models/Checkpoint/PyTorchExport.swift.

def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(784, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.25), nn.Linear(32, 10))


def mlp():
    # MLP(sizes: [784, 32, 16, 10], dropout: 0.2): Linear, act, Dropout per hidden layer (indices 0, 3, 6).
    return nn.Sequential(
        nn.Linear(784, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 16), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(16, 10))


class Residual(nn.Module):
    """TapeGrad's `Residual`: body(x) + shortcut(x), the shortcut being the identity when absent (None)."""

    def __init__(self, body, shortcut=None):
        super().__init__()
        self.body = body
        self.shortcut = shortcut

    def forward(self, x):
        return self.body(x) + (self.shortcut(x) if self.shortcut is not None else x)


def resnet():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        Residual(nn.Sequential(
            nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8))),
        nn.ReLU(),
        Residual(nn.Sequential(
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16)),
            shortcut=nn.Conv2d(8, 16, 1, stride=2, bias=False)),
        nn.ReLU(), nn.Flatten(), nn.Dropout(0.25), nn.Linear(784, 10))


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(dim, dim, bias=False)
        self.key = nn.Linear(dim, dim, bias=False)
        self.value = nn.Linear(dim, dim, bias=False)
        self.output = nn.Linear(dim, dim, bias=False)

    def forward(self, x, causal):
        b, t, c = x.shape

        def split(y):
            return y.view(b, t, self.heads, c // self.heads).transpose(1, 2)  # (B, H, T, D)

        y = F.scaled_dot_product_attention(split(self.query(x)), split(self.key(x)), split(self.value(x)),
                                           is_causal=causal)
        return self.output(y.transpose(1, 2).reshape(b, t, c))


class FeedForward(nn.Module):
    def __init__(self, dim, hidden, activation):
        super().__init__()
        self.hidden = nn.Linear(dim, hidden)
        self.output = nn.Linear(hidden, dim)
        self.activation = activation

    def forward(self, x):
        return self.output(self.activation(self.hidden(x)))


class Block(nn.Module):
    def __init__(self, dim, hidden, heads, activation):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attention = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = FeedForward(dim, hidden, activation)

    def forward(self, x, causal):
        x = x + self.attention(self.norm1(x), causal)
        return x + self.mlp(self.norm2(x))


class VisionTransformer(nn.Module):
    def __init__(self, image=28, channels=1, patch=7, dim=16, depth=2, heads=4, hidden=32, classes=10):
        super().__init__()
        self.channels, self.size = channels, patch
        count = (image // patch) ** 2
        self.patch = nn.Linear(channels * patch * patch, dim)
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.position_embedding = nn.Parameter(torch.zeros(1, count + 1, dim))
        self.blocks = nn.ModuleList([Block(dim, hidden, heads, nn.GELU()) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, images):
        b, p = images.shape[0], self.size
        g = images.shape[2] // p
        patches = (images.reshape(b, self.channels, g, p, g, p).permute(0, 2, 4, 1, 3, 5)
                   .reshape(b, g * g, self.channels * p * p))  # (B, N, C·P·P)
        x = torch.cat([self.class_token.expand(b, -1, -1), self.patch(patches)], dim=1) + self.position_embedding
        for block in self.blocks:
            x = block(x, causal=False)
        return self.head(self.norm(x)[:, 0])


class DecoderTransformer(nn.Module):
    def __init__(self, vocabulary=13, block=8, dim=16, heads=4, layers=2, multiplier=4):
        super().__init__()
        self.token_embedding = nn.Embedding(vocabulary, dim)
        self.position_embedding = nn.Embedding(block, dim)
        self.blocks = nn.ModuleList([Block(dim, multiplier * dim, heads, nn.ReLU()) for _ in range(layers)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocabulary)

    def forward(self, tokens):
        x = self.token_embedding(tokens) + self.position_embedding(torch.arange(tokens.shape[1]))
        for block in self.blocks:
            x = block(x, causal=True)
        return self.head(self.norm(x))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", default=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    parser.add_argument("--exported", help="a directory already holding the Swift program's files (skips the build)")
    parser.add_argument("--keep", action="store_true", help="keep the exported files (their directory is printed)")
    args = parser.parse_args()
    out = args.exported or tempfile.mkdtemp(prefix="tapegrad-safetensors-")
    if not args.exported:
        export_from_swift(os.path.abspath(args.repo), out)

    io = load_file(os.path.join(out, "io.safetensors"))
    inputs = {"cnn": io["images"], "mlp": io["images"].flatten(1), "resnet": io["images"],
              "resnet18": io["colour_images"], "resnet50": io["colour_images"], "vit": io["images"],
              "decoder": io["tokens"]}
    modules = {"cnn": cnn(), "mlp": mlp(), "resnet": resnet(), "resnet18": torchvision.models.resnet18(num_classes=10),
               "resnet50": torchvision.models.resnet50(num_classes=10), "vit": VisionTransformer(),
               "decoder": DecoderTransformer()}
    failed = False
    for name, module in modules.items():
        path = os.path.join(out, name + ".safetensors")
        state = load_file(path)
        module.load_state_dict(state)  # strict: names and shapes must match exactly
        module.eval()
        with torch.no_grad():
            logits = module(inputs[name])
        difference = (logits - io[name]).abs().max().item()
        with open(path, "rb") as f:
            same_bytes = f.read() == save(state)
        scale = max(1.0, io[name].abs().max().item())
        ok = difference <= 1e-5 * scale and same_bytes
        failed |= not ok
        print(f"{name:8s} {len(state):3d} tensors  max |logit difference| {difference:.3e} (of {scale:.3g})  "
              f"bytes identical to safetensors.torch.save: {same_bytes}  {'OK' if ok else 'FAILED'}")
    if args.keep or args.exported:
        print("exported files in", out)
    else:
        shutil.rmtree(out)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

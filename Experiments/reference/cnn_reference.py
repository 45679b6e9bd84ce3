"""PyTorch side of `runner Experiments/cnn.json`: the same experiment end to end, as one would write it in PyTorch,
to set its time and accuracy beside the runner's (docs/performance.md, "The main job").

Run from the repository root with a Python that has torch (kept out of the tests and CI; see docs/performance.md):

    ../torchvenv/bin/python Experiments/reference/cnn_reference.py --out /tmp/cnn-torch

What it does, as the runner does for cnn.json (the numbers are read from the spec):
- data: the Fashion-MNIST training file (60,000), `validation` examples drawn at random with the seed and the rest
  for training; the first `test` images of the test file; pixels / 255, then standardized with the mean and
  standard deviation of the training split; the evaluation suites (shifted_up_4, rotated_90/180/270) made from the
  raw test images (a shift fills with zeros before standardization);
- model: conv 3×3 16 (padding 1) – BN – ReLU – max pool 2 – conv 3×3 32 – BN – ReLU – max pool 2 – dropout 0.25 –
  flatten – linear 1568→10, PyTorch's default initialization;
- training: Adam (lr from the spec), `epochs` epochs of shuffled batches of `batch_size` (the last one smaller),
  validation and test evaluated after each epoch; early stopping when validation accuracy has not improved for
  `early_stopping_patience` epochs, restoring the best epoch's weights;
- outputs: curves.csv (epoch, split, loss, accuracy, seconds) and summary.json (final metrics, seconds), no plots.

The random generators differ from the runner's (split, initialization, batch order, dropout), so accuracies agree
within the spread of seeds, not to the digit. Times are wall-clock for the whole script, data loading included.
"""
import argparse
import copy
import csv
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_bench import fashion_mnist  # noqa: E402  (the same data files the runner reads)

START = time.perf_counter()
EXPECTED_LAYERS = ["conv2d", "batchnorm2d", "relu", "maxpool2d", "conv2d", "batchnorm2d", "relu", "maxpool2d",
                   "dropout", "flatten", "linear"]


def model_from_spec(layers):
    """The spec's layer list as an nn.Sequential; only cnn.json's kinds of layer (checked)."""
    kinds = [layer["type"] for layer in layers]
    if kinds != EXPECTED_LAYERS:
        raise SystemExit(f"this script mirrors cnn.json's layers {EXPECTED_LAYERS}, got {kinds}")
    modules, channels, side = [], 1, 28
    for layer in layers:
        kind = layer["type"]
        if kind == "conv2d":
            k, p = layer["kernel"], layer.get("padding", 0)
            modules.append(nn.Conv2d(channels, layer["out"], k, padding=p))
            channels, side = layer["out"], side + 2 * p - k + 1
        elif kind == "batchnorm2d":
            modules.append(nn.BatchNorm2d(channels))
        elif kind == "relu":
            modules.append(nn.ReLU())
        elif kind == "maxpool2d":
            modules.append(nn.MaxPool2d(layer["kernel"]))
            side //= layer["kernel"]
        elif kind == "dropout":
            modules.append(nn.Dropout(layer["p"]))
        elif kind == "flatten":
            modules.append(nn.Flatten())
        elif kind == "linear":
            modules.append(nn.Linear(channels * side * side, 10))
    return nn.Sequential(*modules)


def suite(name, images):
    """A transformed copy of raw test images: shifted_up_<n> (zeros fill in) or rotated_<90|180|270>."""
    if name.startswith("shifted_up_"):
        n = int(name.rsplit("_", 1)[1])
        out = torch.zeros_like(images)
        out[:, :, :-n, :] = images[:, :, n:, :]
        return out
    if name.startswith("rotated_"):
        return torch.rot90(images, int(name.rsplit("_", 1)[1]) // 90, dims=(2, 3))  # counterclockwise
    raise SystemExit(f"suite {name} is not mirrored by this script")


def evaluate(model, x, y, batch=1000):
    """Mean cross-entropy and accuracy in evaluation mode."""
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(x[i:i + batch])
            loss += F.cross_entropy(logits, y[i:i + batch], reduction="sum").item()
            correct += (logits.argmax(1) == y[i:i + batch]).sum().item()
    return loss / len(x), correct / len(x)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spec", default="Experiments/cnn.json")
    parser.add_argument("--out", required=True, help="folder for curves.csv and summary.json")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    with open(args.spec) as f:
        spec = json.load(f)
    data, training = spec["data"], spec["training"]
    torch.set_num_threads(args.threads)
    torch.manual_seed(spec.get("seed", 0))
    os.makedirs(args.out, exist_ok=True)

    pool_x, pool_y = fashion_mnist("train")
    test_x, test_y = fashion_mnist("test", data["test"])
    order = torch.randperm(len(pool_x))
    validation_index, train_index = order[:data["validation"]], order[data["validation"]:][:data["train"]]
    train_x, train_y = pool_x[train_index], pool_y[train_index]
    validation_x, validation_y = pool_x[validation_index], pool_y[validation_index]
    suites = {name: suite(name, test_x) for name in spec.get("evaluation", {}).get("suites", [])}
    mean, std = train_x.mean(), train_x.std(unbiased=False)
    standardize = lambda x: (x - mean) / std  # noqa: E731
    train_x, validation_x, test_x = standardize(train_x), standardize(validation_x), standardize(test_x)
    suites = {name: standardize(x) for name, x in suites.items()}

    model = model_from_spec(spec["model"]["layers"])
    optimizer = torch.optim.Adam(model.parameters(), lr=spec["optimizer"]["lr"])
    batch, patience = training["batch_size"], training.get("early_stopping_patience")
    best = (-1.0, 0, None)  # validation accuracy, epoch, weights
    rows, epoch_seconds = [], []
    for epoch in range(1, training["epochs"] + 1):
        began = time.perf_counter()
        model.train()
        for indices in torch.randperm(len(train_x)).split(batch):
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(train_x[indices]), train_y[indices])
            loss.backward()
            optimizer.step()
        epoch_seconds.append(time.perf_counter() - began)
        for split, (x, y) in {"validation": (validation_x, validation_y), "test": (test_x, test_y)}.items():
            rows.append((epoch, split, *evaluate(model, x, y), time.perf_counter() - START))
        accuracy = rows[-2][3]
        print(f"epoch {epoch}: validation accuracy {accuracy:.4f}, test {rows[-1][3]:.4f} "
              f"({epoch_seconds[-1]:.1f} s)", flush=True)
        if accuracy > best[0]:
            best = (accuracy, epoch, copy.deepcopy(model.state_dict()))
        elif patience is not None and epoch - best[1] >= patience:
            print(f"early stop after epoch {epoch}: best epoch {best[1]}", flush=True)
            break
    if patience is not None:
        model.load_state_dict(best[2])

    metrics = {name: evaluate(model, x, y) for name, (x, y) in
               {"train": (train_x, train_y), "validation": (validation_x, validation_y), "test": (test_x, test_y),
                **{n: (x, test_y) for n, x in suites.items()}}.items()}
    total = time.perf_counter() - START
    with open(os.path.join(args.out, "curves.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["epoch", "split", "loss", "accuracy", "wall_seconds"])
        writer.writerows(rows)
    summary = {"metrics": {k: {"loss": v[0], "accuracy": v[1]} for k, v in metrics.items()},
               "best_epoch": best[1], "epochs_completed": len(epoch_seconds), "seconds_per_epoch": epoch_seconds,
               "total_seconds": total, "torch": torch.__version__, "threads": args.threads}
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    for name, (loss, accuracy) in metrics.items():
        print(f"  {name} loss {loss:.4f}  accuracy {accuracy:.4f}")
    print(f"total {total:.1f} s (data loading included), {len(epoch_seconds)} epochs, best epoch {best[1]}")


if __name__ == "__main__":
    main()

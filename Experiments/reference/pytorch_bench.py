"""PyTorch side of `runner bench train` and `runner bench accuracy`: the same workloads W1–W6, timed and trained
the same way, writing the same JSON and CSV fields.

Run from the repository root with a Python that has torch (kept out of the tests and CI; see docs/performance.md):

    python3 -m venv ../torchvenv && ../torchvenv/bin/pip install torch numpy
    ../torchvenv/bin/python Experiments/reference/pytorch_bench.py                  # timing, W1–W6
    ../torchvenv/bin/python Experiments/reference/pytorch_bench.py --accuracy       # accuracy at equal epochs

Timing: float32, batch 32, Adam (AdamW for W5), one step = forward + backward + optimizer step, the median over
--steps steps (W6: 20×) after --warmup steps, --threads threads (torch.set_num_threads).

Accuracy: W1–W4 train one epoch over the 60,000 Fashion-MNIST training images (batch 32, shuffled with --seed,
Adam lr 1e-3, pixels in [0, 1], dropout and batch norm in training mode), then report top-1 accuracy on the 10,000
test images (eval mode). W5 trains 2,000 AdamW steps (lr 1e-3) on random 64-character blocks of the first 90% of
tiny Shakespeare (batch 32), then reports the mean cross-entropy over the first 200 non-overlapping 64-character
blocks of the last 10% (block i at offset 64·i, targets shifted by one), eval mode.

The models mirror TapeGrad's (Sources/Models): PyTorch's default init for linear and conv layers; the Transformer
blocks are pre-LayerNorm with bias-free attention projections and N(0, 0.02²) weights, zero biases (GPT-2's init).
"""
import argparse
import csv
import datetime
import gzip
import json
import os
import platform
import resource
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

WORKLOADS = ["W1", "W2", "W3a", "W3b", "W4", "W5", "W6"]
TRAINING_COLUMNS = ["workload", "what", "steps", "median_ms", "min_ms", "max_ms", "samples_per_s", "gflops",
                    "percent_of_sgemm_peak", "peak_rss_mb", "final_loss"]
ACCURACY_COLUMNS = ["workload", "metric", "value", "steps", "seconds"]


# --- Data, found where TapeGrad's DatasetResolver looks ----------------------------------------------------------

def dataset_directory(name, required_file):
    """$TAPEGRAD_DATA/<name>, /usr/share/datasets/<name>, ../shared/data/<name>, ~/.cache/tapegrad/<name>."""
    candidates = []
    if os.environ.get("TAPEGRAD_DATA"):
        candidates.append(os.path.join(os.environ["TAPEGRAD_DATA"], name))
    candidates += [os.path.join("/usr/share/datasets", name), os.path.normpath(os.path.join("../shared/data", name))]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    candidates.append(os.path.join(cache, "tapegrad", name))
    for directory in candidates:
        if any(os.path.exists(os.path.join(directory, f)) for f in (required_file, required_file + ".gz")):
            return directory
    raise SystemExit(f"{name} not found; searched {', '.join(candidates)}")


def read_idx(directory, base, header, item_bytes, count=None):
    """The items of an IDX file (plain or .gz) after its header: all, or only the first `count` (read no further)."""
    path = os.path.join(directory, base)
    path = path + ".gz" if os.path.exists(path + ".gz") else path
    with open(path, "rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
    with (gzip.open(path) if compressed else open(path, "rb")) as f:
        data = f.read(header + count * item_bytes if count is not None else -1)
    return np.frombuffer(data, np.uint8, offset=header)


def fashion_mnist(split, count=None):
    """Images (N, 1, 28, 28) float32 in [0, 1] (p / 255, as TapeGrad) and labels (N,) int64."""
    directory = dataset_directory("fashion-mnist", "train-images-idx3-ubyte")
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(directory, f"{prefix}-images-idx3-ubyte", 16, 784, count)
    y = read_idx(directory, f"{prefix}-labels-idx1-ubyte", 8, 1, count)
    images = torch.from_numpy(x.reshape(-1, 1, 28, 28).astype(np.float32) / np.float32(255))
    return images, torch.from_numpy(y.astype(np.int64))


def shakespeare():
    """Token ids of the whole text and the vocabulary size; the vocabulary is the sorted set of its characters."""
    directory = dataset_directory("tinyshakespeare", "input.txt")
    with open(os.path.join(directory, "input.txt"), encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    ids = {c: i for i, c in enumerate(chars)}
    return torch.tensor([ids[c] for c in text], dtype=torch.long), len(chars)


# --- Models, as TapeGrad's ----------------------------------------------------------------------------------------

class Block(nn.Module):
    """Pre-LayerNorm block, as TransformerBlock:

    x = x + dropout(attention(ln1(x)));  x = x + dropout(W2·dropout(f(W1·ln2(x) + b1)) + b2)
    """

    def __init__(self, dim, heads, mlp, activation, dropout, causal):
        super().__init__()
        self.heads, self.causal, self.p = heads, causal, dropout
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim, bias=False) for _ in range(4))
        self.fc1, self.fc2, self.activation = nn.Linear(dim, mlp), nn.Linear(mlp, dim), activation
        for linear in (self.q, self.k, self.v, self.o, self.fc1, self.fc2):
            nn.init.normal_(linear.weight, std=0.02)
            if linear.bias is not None:
                nn.init.zeros_(linear.bias)

    def forward(self, x):
        b, t, c = x.shape
        h = self.ln1(x)
        q, k, v = (w(h).view(b, t, self.heads, c // self.heads).transpose(1, 2) for w in (self.q, self.k, self.v))
        a = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal)  # (B, H, T, D)
        a = a.transpose(1, 2).reshape(b, t, c)  # (B, T, C)
        x = x + F.dropout(self.o(a), self.p, self.training)
        h = F.dropout(self.activation(self.fc1(self.ln2(x))), self.p, self.training)
        return x + F.dropout(self.fc2(h), self.p, self.training)


class ViT(nn.Module):
    """Patch 7, dim 64, 6 blocks, 8 heads, MLP 128 GELU, class token, dropout 0.1 (as Models.VisionTransformer)."""

    def __init__(self, dim=64, depth=6, heads=8, mlp=128, patch=7, classes=10, dropout=0.1):
        super().__init__()
        self.patch, n = patch, (28 // patch) ** 2
        self.embed = nn.Linear(patch * patch, dim)
        self.cls = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, n + 1, dim) * 0.02)
        self.blocks = nn.Sequential(*(Block(dim, heads, mlp, F.gelu, dropout, False) for _ in range(depth)))
        self.norm, self.head, self.drop = nn.LayerNorm(dim), nn.Linear(dim, classes), nn.Dropout(dropout)

    def forward(self, x):
        b, p = x.shape[0], self.patch
        x = x.reshape(b, 1, 28 // p, p, 28 // p, p).permute(0, 2, 4, 1, 3, 5).reshape(b, -1, p * p)  # (B, N, P·P)
        x = torch.cat([self.cls.expand(b, -1, -1), self.embed(x)], 1) + self.pos  # (B, N+1, D)
        return self.head(self.norm(self.blocks(self.drop(x)))[:, 0])


class CharTransformer(nn.Module):
    """C 64, 4 heads, 4 layers, block 64, FFN 4× ReLU, no dropout (as Models.DecoderTransformer)."""

    def __init__(self, vocab, dim=64, heads=4, layers=4, block=64):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, dim), nn.Embedding(block, dim)
        self.blocks = nn.Sequential(*(Block(dim, heads, 4 * dim, F.relu, 0.0, True) for _ in range(layers)))
        self.norm, self.head = nn.LayerNorm(dim), nn.Linear(dim, vocab)
        for weight in (self.tok.weight, self.pos.weight, self.head.weight):
            nn.init.normal_(weight, std=0.02)
        nn.init.zeros_(self.head.bias)

    def forward(self, idx):
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))  # (B, T, C)
        return self.head(self.norm(self.blocks(x)))  # (B, T, V)


def classifiers():
    """W1–W4: name → (what, FLOPs per step, model constructor)."""
    return {
        "W1": ("MLP 784-128-10 ReLU", 19.5e6,
               lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))),
        "W2": ("CNN conv16-BN-pool-conv32-BN-pool-dropout-linear", 198e6, lambda: nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Dropout(0.25), nn.Flatten(), nn.Linear(1568, 10))),
        "W3a": ("Conv(1→64, 7×7)-ReLU-MaxPool2-Linear(7744→10)", 306e6, lambda: nn.Sequential(
            nn.Conv2d(1, 64, 7), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(7744, 10))),
        "W3b": ("W3a + Conv(64→128, 2×2)-ReLU-MaxPool2", 927e6, lambda: nn.Sequential(
            nn.Conv2d(1, 64, 7), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(64, 128, 2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3200, 10))),
        "W4": ("ViT patch 7, dim 64, 6 layers, 8 heads, MLP 128", 694e6, ViT),
    }


W5_WHAT = "char Transformer 64-dim, 4 heads, 4 layers, block 64, AdamW"
W6_WHAT = "relu(x·W + b).sum() forward + backward, x 1×8, W 8×8"


def classifier_step(model, optimizer):
    def step(x, y):
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


def language_step(model, optimizer, vocab):
    def step(x, y):
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x).view(-1, vocab), y.view(-1))
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


def random_blocks(tokens, generator, batch=32, block=64):
    """`batch` blocks at uniform offsets in [0, len − block) and the same blocks one token on (nanoGPT's get_batch),
    each (batch, block)."""
    starts = torch.randint(len(tokens) - block, (batch,), generator=generator)
    inputs = torch.stack([tokens[s:s + block] for s in starts])
    return inputs, torch.stack([tokens[s + 1:s + block + 1] for s in starts])


# --- Timing ------------------------------------------------------------------------------------------------------

def timing_workloads(batches, text, vocab):
    """name → (what, FLOPs per step, examples per step, steps multiplier, builder of a `step(i) -> loss`)."""
    def classifier(make):
        def build():
            torch.manual_seed(0)
            model = make()
            step = classifier_step(model, torch.optim.Adam(model.parameters(), 1e-3))
            return lambda i: step(*batches[i % len(batches)])
        return build

    def char_transformer():
        torch.manual_seed(0)
        model = CharTransformer(vocab)
        step = language_step(model, torch.optim.AdamW(model.parameters(), 1e-3), vocab)
        generator = torch.Generator().manual_seed(0)
        return lambda i: step(*random_blocks(text, generator))

    def tiny_graph():
        torch.manual_seed(0)
        x, w, b = torch.randn(1, 8), torch.randn(8, 8, requires_grad=True), torch.randn(8, requires_grad=True)

        def step(i):
            w.grad = None
            b.grad = None
            y = torch.relu(x @ w + b).sum()
            y.backward()
            return y.item()
        return step

    table = {name: (what, flops, 32, 1, classifier(make)) for name, (what, flops, make) in classifiers().items()}
    table["W5"] = (W5_WHAT, 2.87e9, 32, 1, char_transformer)
    table["W6"] = (W6_WHAT, 0.0, 1, 20, tiny_graph)
    return table


def sgemm_peak(n=2048, repetitions=5):
    """GFLOP/s of C = A·B for n×n float32 matrices (torch.mm), the median of `repetitions` after one warm-up."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    with torch.no_grad():
        torch.mm(a, b)
        times = []
        for _ in range(repetitions):
            start = time.perf_counter()
            torch.mm(a, b)
            times.append(time.perf_counter() - start)
    return 2 * n ** 3 / sorted(times)[repetitions // 2] / 1e9


def reset_peak_rss():
    """Lowers the kernel's record of the peak RSS (VmHWM, which ru_maxrss reports) to the current RSS (Linux ≥ 4.0),
    so that the figures below are the workloads', not the sgemm measurement's (as `runner bench train` does)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_rss_mb():
    """The process's peak resident set size so far (ru_maxrss, KiB on Linux) in MB (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_workloads(args, wanted, peak):
    text, vocab = shakespeare()
    x, y = fashion_mnist("train", count=64 * 32)
    batches = [(x[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]) for i in range(64)]
    print(table_row(["workload", "median ms", "min ms", "max ms", "samples/s", "GFLOP/s", "% peak", "peak RSS MB",
                     "loss", "what"], TIMING_WIDTHS))
    results = []
    for name, (what, flops, samples, multiplier, build) in timing_workloads(batches, text[:200_000], vocab).items():
        if name not in wanted:
            continue
        step = build()
        loss = 0.0
        for i in range(args.warmup):
            loss = step(i)
        times = []
        for i in range(args.steps * multiplier):
            start = time.perf_counter()
            loss = step(args.warmup + i)
            times.append((time.perf_counter() - start) * 1e3)
        times.sort()
        median = times[len(times) // 2]
        gflops = flops / median / 1e6 if flops else None
        result = {"workload": name, "what": what, "steps": len(times), "median_ms": round(median, 4),
                  "min_ms": round(times[0], 4), "max_ms": round(times[-1], 4),
                  "samples_per_s": round(samples * 1000 / median, 1),
                  "gflops": None if gflops is None else round(gflops, 2),
                  "percent_of_sgemm_peak": None if gflops is None else round(gflops / peak * 100, 2),
                  "peak_rss_mb": round(peak_rss_mb(), 1), "final_loss": round(loss, 4)}
        results.append(result)
        optional = lambda v: "–" if v is None else f"{v:.1f}"
        print(table_row([name, f"{median:.3f}", f"{times[0]:.3f}", f"{times[-1]:.3f}", f"{samples * 1000 / median:.1f}",
                         optional(gflops), optional(result["percent_of_sgemm_peak"]), f"{peak_rss_mb():.1f}",
                         f"{loss:.3f}", what], TIMING_WIDTHS))
    return results


# --- Accuracy at equal epochs ------------------------------------------------------------------------------------

def train_one_epoch(make, train, test, seed):
    """One epoch in a seeded random order, batch 32, Adam lr 1e-3; then test accuracy in percent (eval mode)."""
    torch.manual_seed(seed)
    model = make()
    step = classifier_step(model, torch.optim.Adam(model.parameters(), 1e-3))
    (x, y), order = train, torch.randperm(len(train[1]), generator=torch.Generator().manual_seed(seed))
    model.train()
    for first in range(0, len(order), 32):
        indices = order[first:first + 32]
        step(x[indices], y[indices])
    model.eval()
    correct = 0
    with torch.no_grad():
        for first in range(0, len(test[1]), 500):
            logits = model(test[0][first:first + 500])  # (500, 10)
            correct += (logits.argmax(1) == test[1][first:first + 500]).sum().item()
    return 100 * correct / len(test[1]), (len(order) + 31) // 32


def validation_loss(model, tokens, vocab, blocks=200, per_pass=50):
    """Mean cross-entropy over the first `blocks` non-overlapping 64-token blocks (block i at 64·i), eval mode."""
    model.eval()
    total = 0.0
    with torch.no_grad():
        for first in range(0, blocks, per_pass):
            count = min(per_pass, blocks - first)
            begin, end = 64 * first, 64 * (first + count)
            x, y = tokens[begin:end].view(count, 64), tokens[begin + 1:end + 1].view(count, 64)
            total += F.cross_entropy(model(x).view(-1, vocab), y.reshape(-1)).item() * count
    return total / blocks


def train_language_model(tokens, vocab, steps, seed):
    """`steps` AdamW steps (lr 1e-3) on random blocks of the first 90% of the text; then the validation loss."""
    n = int(len(tokens) * 0.9)  # as CharacterCorpus.split: the first 90% (floor) train, the rest validation
    train, validation = tokens[:n], tokens[n:]
    torch.manual_seed(seed)
    model = CharTransformer(vocab)
    step = language_step(model, torch.optim.AdamW(model.parameters(), 1e-3), vocab)
    generator = torch.Generator().manual_seed(seed + 1)
    model.train()
    for _ in range(steps):
        step(*random_blocks(train, generator))
    return validation_loss(model, validation, vocab)


def measure_accuracy(args, wanted):
    print(table_row(["workload", "metric", "value", "steps", "seconds"], ACCURACY_WIDTHS))
    results = []

    def report(name, metric, value, steps, seconds):
        results.append({"workload": name, "metric": metric, "value": round(value, 4), "steps": steps,
                        "seconds": round(seconds, 1)})
        print(table_row([name, metric, f"{value:.4f}", str(steps), f"{seconds:.1f}"], ACCURACY_WIDTHS))

    chosen = {name: spec for name, spec in classifiers().items() if name in wanted}
    if chosen:
        x, y = fashion_mnist("train")
        train, test = (x[:args.train_examples], y[:args.train_examples]), fashion_mnist("test")
        for name, (_, _, make) in chosen.items():
            start = time.perf_counter()
            accuracy, steps = train_one_epoch(make, train, test, args.seed)
            report(name, "test_accuracy_percent", accuracy, steps, time.perf_counter() - start)
    if "W5" in wanted:
        tokens, vocab = shakespeare()
        start = time.perf_counter()
        loss = train_language_model(tokens, vocab, args.w5_steps, args.seed)
        report("W5", "validation_loss", loss, args.w5_steps, time.perf_counter() - start)
    return results


# --- Output ------------------------------------------------------------------------------------------------------

TIMING_WIDTHS = [8, 9, 8, 8, 9, 7, 6, 11, 6, 0]
ACCURACY_WIDTHS = [8, 21, 8, 5, 7]


def table_row(cells, widths):
    """The first cell left-aligned, the others right-aligned to `widths`, the last as it is; two spaces apart."""
    return "  ".join(c.ljust(w) if i == 0 else c if i == len(cells) - 1 else c.rjust(w)
                     for i, (c, w) in enumerate(zip(cells, widths)))


def environment(threads):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return {"implementation": "PyTorch", "threads": threads, "cpu": cpu, "cores": len(os.sched_getaffinity(0)),
            "memory_gib": round(memory, 1), "torch": torch.__version__, "python": platform.python_version(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}


def write(args, header, results, columns):
    if args.json:
        with open(args.json, "w") as f:
            json.dump({**header, "results": results}, f, indent=2, sort_keys=True, ensure_ascii=False)
            f.write("\n")
        print(f"wrote {args.json}")
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(columns)
            for r in results:
                writer.writerow(["" if r[c] is None else r[c] for c in columns])
        print(f"wrote {args.csv}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accuracy", action="store_true", help="train to equal epochs and report accuracy")
    parser.add_argument("--steps", type=int, default=200, help="timed steps per workload (W6: 20×)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up steps per workload")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--only", default=None, help="comma-separated workloads, e.g. W1,W5 (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="accuracy: seed of init, shuffling and text blocks")
    parser.add_argument("--train-examples", type=int, default=60_000, help="accuracy: W1–W4 training images")
    parser.add_argument("--w5-steps", type=int, default=2000, help="accuracy: W5 training steps")
    parser.add_argument("--json", default=None, help="also write the results to this JSON file")
    parser.add_argument("--csv", default=None, help="also write the results to this CSV file")
    args = parser.parse_args()
    known = [w for w in WORKLOADS if w != "W6"] if args.accuracy else WORKLOADS
    wanted = set(args.only.split(",")) if args.only else set(known)
    if wanted - set(known):
        parser.error(f"unknown workload {', '.join(sorted(wanted - set(known)))}; choose among {', '.join(known)}")
    torch.set_num_threads(args.threads)
    header = environment(args.threads)
    print(f"machine: {header['cpu']}, {header['cores']} logical cores, {header['memory_gib']} GiB; "
          f"{args.threads} threads")
    print(f"versions: torch {header['torch']}, Python {header['python']}")
    if args.accuracy:
        header.update(seed=args.seed, train_examples=args.train_examples, w5_steps=args.w5_steps)
        write(args, header, measure_accuracy(args, wanted), ACCURACY_COLUMNS)
    else:
        header["sgemm_peak_gflops"] = round(sgemm_peak(), 2)
        print(f"sgemm peak (2048×2048 float32, torch.mm): {header['sgemm_peak_gflops']:.1f} GFLOP/s")
        reset_peak_rss()
        header.update(steps=args.steps, warmup=args.warmup)
        write(args, header, time_workloads(args, wanted, header["sgemm_peak_gflops"]), TRAINING_COLUMNS)


if __name__ == "__main__":
    main()

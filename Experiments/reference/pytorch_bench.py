"""PyTorch side of `runner bench train`: the same workloads W1–W6, timed the same way.

Run from the repository root with a Python that has torch (kept out of the tests and CI):

    python3 -m venv ../torchvenv && ../torchvenv/bin/pip install torch numpy
    ../torchvenv/bin/python Experiments/reference/pytorch_bench.py --steps 200

One training step = forward + backward + optimizer step at batch 32, float32, 2 threads; the median over
`--steps` steps after `--warmup` steps is reported, with min and max, like `runner bench train`.
"""
import argparse
import gzip
import json
import resource
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FASHION = "/usr/share/datasets/fashion-mnist/"
SHAKESPEARE = "../shared/data/tinyshakespeare/input.txt"


def fashion_batches(count, batch=32):
    with gzip.open(FASHION + "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    with gzip.open(FASHION + "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    x, y = torch.tensor(x[: count * batch]), torch.tensor(y[: count * batch])
    return [(x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]) for i in range(count)]


class ViT(nn.Module):
    """Patch 7, dim 64, 6 pre-LN blocks, 8 heads, MLP 128 GELU, class token, dropout 0.1 (as Models.VisionTransformer)."""

    def __init__(self, dim=64, depth=6, heads=8, mlp=128, patch=7, classes=10, dropout=0.1):
        super().__init__()
        self.patch, n = patch, (28 // patch) ** 2
        self.embed = nn.Linear(patch * patch, dim)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.randn(1, n + 1, dim) * 0.02)
        layer = nn.TransformerEncoderLayer(dim, heads, mlp, dropout, activation="gelu", batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.norm, self.head, self.drop = nn.LayerNorm(dim), nn.Linear(dim, classes), nn.Dropout(dropout)

    def forward(self, x):
        b, p = x.shape[0], self.patch
        x = x.reshape(b, 1, 28 // p, p, 28 // p, p).permute(0, 2, 4, 1, 3, 5).reshape(b, -1, p * p)
        x = torch.cat([self.cls.expand(b, -1, -1), self.embed(x)], 1) + self.pos
        return self.head(self.norm(self.blocks(self.drop(x)))[:, 0])


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim, bias=False) for _ in range(4))
        self.ff = nn.Sequential(nn.Linear(dim, 4 * dim), nn.ReLU(), nn.Linear(4 * dim, dim))

    def forward(self, x):
        b, t, c = x.shape
        h = self.ln1(x)
        q, k, v = (w(h).view(b, t, self.heads, c // self.heads).transpose(1, 2) for w in (self.q, self.k, self.v))
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, c)
        x = x + self.o(a)
        return x + self.ff(self.ln2(x))


class CharTransformer(nn.Module):
    """n_embd 64, 4 heads, 4 layers, block 64, FFN 4× ReLU (as Models.DecoderTransformer)."""

    def __init__(self, vocab, dim=64, heads=4, layers=4, block=64):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, dim), nn.Embedding(block, dim)
        self.blocks = nn.Sequential(*(Block(dim, heads) for _ in range(layers)))
        self.norm, self.head = nn.LayerNorm(dim), nn.Linear(dim, vocab)

    def forward(self, idx):
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
        return self.head(self.norm(self.blocks(x)))


def classifier_step(model, batches, optimizer):
    def step(i):
        x, y = batches[i % len(batches)]
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


def workloads(batches, text, vocab):
    def cnn_w2():
        return nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Dropout(0.25), nn.Flatten(), nn.Linear(1568, 10))

    def cnn_w3a():
        return nn.Sequential(nn.Conv2d(1, 64, 7), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(7744, 10))

    def cnn_w3b():
        return nn.Sequential(
            nn.Conv2d(1, 64, 7), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(64, 128, 2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3200, 10))

    def mlp():
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))

    def classifier(make):
        def build():
            torch.manual_seed(0)
            model = make()
            return classifier_step(model, batches, torch.optim.Adam(model.parameters(), 1e-3))
        return build

    def char_transformer():
        torch.manual_seed(0)
        model = CharTransformer(vocab)
        optimizer = torch.optim.AdamW(model.parameters(), 1e-3)
        data = torch.tensor(text)
        generator = torch.Generator().manual_seed(0)

        def step(i):
            starts = torch.randint(len(data) - 65, (32,), generator=generator)
            x = torch.stack([data[s:s + 64] for s in starts])
            y = torch.stack([data[s + 1:s + 65] for s in starts])
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x).view(-1, vocab), y.view(-1))
            loss.backward()
            optimizer.step()
            return loss.item()
        return step

    def tiny_graph():
        torch.manual_seed(0)
        x, w, b = torch.randn(1, 8), torch.randn(8, 8, requires_grad=True), torch.randn(8, requires_grad=True)

        def step(i):
            w.grad = None
            b.grad = None
            torch.relu(x @ w + b).sum().backward()
            return 0.0
        return step

    return {
        "W1": (classifier(mlp), 19.5e6), "W2": (classifier(cnn_w2), 198e6), "W3a": (classifier(cnn_w3a), 306e6),
        "W3b": (classifier(cnn_w3b), 927e6), "W4": (classifier(ViT), 694e6), "W5": (char_transformer, 2.87e9),
        "W6": (tiny_graph, 0.0),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", default=None, help="comma-separated workloads, e.g. W1,W5")
    parser.add_argument("--json", default=None, help="also write the results to this JSON file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    text_raw = open(SHAKESPEARE, encoding="utf-8").read()
    chars = sorted(set(text_raw))
    text = [chars.index(c) for c in text_raw[:200_000]]
    batches = fashion_batches(64)
    wanted = set(args.only.split(",")) if args.only else None
    results = []
    print("workload  ms/step (median)  min     max     GFLOP/s  peak RSS MB")
    for name, (build, flops) in workloads(batches, text, len(chars)).items():
        if wanted and name not in wanted:
            continue
        step = build()
        for i in range(args.warmup):
            step(i)
        times = []
        steps = args.steps * (20 if name == "W6" else 1)
        for i in range(steps):
            start = time.perf_counter()
            step(args.warmup + i)
            times.append((time.perf_counter() - start) * 1e3)
        times.sort()
        median = times[len(times) // 2]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        gflops = flops / median / 1e6 if flops else 0
        print(f"{name:<9} {median:10.3f}       {times[0]:7.3f} {times[-1]:7.3f} {gflops:7.1f}  {rss:8.0f}")
        results.append({"workload": name, "median_ms": median, "min_ms": times[0], "max_ms": times[-1],
                        "gflops": gflops, "peak_rss_mb": rss})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"torch": torch.__version__, "threads": args.threads, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()

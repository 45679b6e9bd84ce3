"""Runs TapeGrad's `runner bench train` and PyTorch's `pytorch_bench.py` in alternation, each workload in its own
process, and prints the ratio per workload; with --accuracy, runs both accuracy modes and prints the differences.

Standard library only; run from the repository root with any python3 after a release build:

    swift build -c release --product runner
    python3 Experiments/reference/compare.py                      # W1–W6, 3 rounds, 2 threads
    python3 Experiments/reference/compare.py --only W1,W5 --rounds 5
    python3 Experiments/reference/compare.py --accuracy           # W1–W4 after 1 epoch, W5 after 2,000 steps
    python3 Experiments/reference/compare.py --accuracy --seeds 4 --only W2   # means over seeds 0–3

Each round runs ours and then PyTorch's for one workload, each in a fresh process (so the peak RSS is that
workload's alone); a side's figure is the median over rounds of its per-round median ms/step. Results go to
--out (default bench-results/, git-ignored) as CSV and Markdown, with every run's JSON under raw/.
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = ["W1", "W2", "W3a", "W3b", "W4", "W5", "W6"]
# Accuracy at equal epochs must agree with PyTorch's within these (the tolerances).
TOLERANCE = {"test_accuracy_percent": 0.5, "validation_loss": 0.05}


def run(command, json_path):
    """Runs `command` (which writes `json_path`) and returns the parsed JSON; exits with its output on failure."""
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0 or not os.path.exists(json_path):
        print(f"failed ({completed.returncode}): {' '.join(command)}", file=sys.stderr)
        print(completed.stdout[-3000:] + completed.stderr[-3000:], file=sys.stderr)
        sys.exit(1)
    with open(json_path) as f:
        return json.load(f)


def markdown(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]) + "\n"


def write_tables(out, name, headers, rows, preamble):
    with open(os.path.join(out, name + ".csv"), "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
    with open(os.path.join(out, name + ".md"), "w") as f:
        f.write(preamble + "\n\n" + markdown(headers, rows))
    print(f"wrote {os.path.join(out, name + '.csv')} and {name}.md")


def print_table(headers, rows):
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))


def environment_line(ours, theirs):
    """One line naming the machine and both sides' versions, from the first JSON of each."""
    return (f"{ours['cpu']}, {ours['cores']} logical cores, {ours['memory_gib']} GiB; {ours['threads']} threads; "
            f"Swift {ours['swift']}, {ours['openblas']}; PyTorch {theirs['torch']} (Python {theirs['python']}); "
            f"measured {ours['date']}")


def compare_speed(args, workloads, raw):
    per_workload = {}
    headers_seen = {}
    for name in workloads:
        ours_runs, theirs_runs = [], []
        for r in range(args.rounds):
            ours_json = os.path.join(raw, f"tapegrad-{name}-round{r + 1}.json")
            theirs_json = os.path.join(raw, f"pytorch-{name}-round{r + 1}.json")
            common = ["--only", name, "--threads", str(args.threads), "--steps", str(args.steps),
                      "--warmup", str(args.warmup)]
            ours = run([args.runner, "bench", "train", "--json", ours_json] + common, ours_json)
            theirs = run([args.python, os.path.join(HERE, "pytorch_bench.py"), "--json", theirs_json] + common,
                         theirs_json)
            headers_seen.setdefault("ours", ours)
            headers_seen.setdefault("theirs", theirs)
            ours_runs.append(ours["results"][0])
            theirs_runs.append(theirs["results"][0])
            print(f"round {r + 1}/{args.rounds} {name}: ours {ours_runs[-1]['median_ms']:.3f} ms, "
                  f"PyTorch {theirs_runs[-1]['median_ms']:.3f} ms", flush=True)
        per_workload[name] = (ours_runs, theirs_runs)

    headers = ["workload", "ours median ms", "PyTorch median ms", "ours/PyTorch", f"≤ {args.target}",
               "ours peak RSS MB", "PyTorch peak RSS MB", "ours min ms", "PyTorch min ms", "ours rounds ms",
               "PyTorch rounds ms"]
    rows = []
    for name, (ours_runs, theirs_runs) in per_workload.items():
        ours_ms = statistics.median(r["median_ms"] for r in ours_runs)
        theirs_ms = statistics.median(r["median_ms"] for r in theirs_runs)
        ratio = ours_ms / theirs_ms
        rows.append([name, f"{ours_ms:.3f}", f"{theirs_ms:.3f}", f"{ratio:.2f}",
                     "yes" if ratio <= args.target else "no",
                     f"{max(r['peak_rss_mb'] for r in ours_runs):.1f}",
                     f"{max(r['peak_rss_mb'] for r in theirs_runs):.1f}",
                     f"{min(r['min_ms'] for r in ours_runs):.3f}", f"{min(r['min_ms'] for r in theirs_runs):.3f}",
                     " ".join(f"{r['median_ms']:.3f}" for r in ours_runs),
                     " ".join(f"{r['median_ms']:.3f}" for r in theirs_runs)])
    print()
    print_table(headers[:7], [row[:7] for row in rows])
    ours, theirs = headers_seen["ours"], headers_seen["theirs"]
    preamble = (f"Training step (forward + backward + optimizer step), batch 32, float32: median ms/step over "
                f"{args.steps} steps after {args.warmup} warm-up (W6: 20× as many), median over {args.rounds} "
                f"alternating rounds, each workload in its own process. sgemm peak (2048², one run): ours "
                f"{ours['sgemm_peak_gflops']:.1f}, PyTorch {theirs['sgemm_peak_gflops']:.1f} GFLOP/s.\n\n"
                + environment_line(ours, theirs))
    write_tables(args.out, "compare-train", headers, rows, preamble)


def compare_accuracy(args, workloads, raw):
    workloads = [w for w in workloads if w != "W6"]
    if not workloads:
        sys.exit("W6 has no accuracy to compare; choose among W1, W2, W3a, W3b, W4, W5")
    seeds = list(range(args.seed, args.seed + args.seeds))
    ours_runs, theirs_runs = [], []
    for seed in seeds:
        ours_json = os.path.join(raw, f"tapegrad-accuracy-seed{seed}.json")
        theirs_json = os.path.join(raw, f"pytorch-accuracy-seed{seed}.json")
        common = ["--only", ",".join(workloads), "--threads", str(args.threads), "--seed", str(seed),
                  "--train-examples", str(args.train_examples), "--w5-steps", str(args.w5_steps)]
        print(f"seed {seed}: runner bench accuracy …", flush=True)
        ours_runs.append(run([args.runner, "bench", "accuracy", "--json", ours_json] + common, ours_json))
        print(f"seed {seed}: pytorch_bench.py --accuracy …", flush=True)
        theirs_runs.append(run([args.python, os.path.join(HERE, "pytorch_bench.py"), "--accuracy", "--json",
                                theirs_json] + common, theirs_json))

    def values(runs, name):
        return [next(r for r in run["results"] if r["workload"] == name) for run in runs]

    headers = ["workload", "metric", "ours", "PyTorch", "ours − PyTorch", "tolerance", "within", "ours s",
               "PyTorch s", "ours per seed", "PyTorch per seed"]
    rows = []
    for name in [r["workload"] for r in ours_runs[0]["results"]]:
        ours, theirs = values(ours_runs, name), values(theirs_runs, name)
        ours_mean = statistics.mean(r["value"] for r in ours)
        theirs_mean = statistics.mean(r["value"] for r in theirs)
        difference = ours_mean - theirs_mean
        tolerance = TOLERANCE[ours[0]["metric"]]
        rows.append([name, ours[0]["metric"], f"{ours_mean:.4f}", f"{theirs_mean:.4f}", f"{difference:+.4f}",
                     f"±{tolerance}", "yes" if abs(difference) <= tolerance else "no",
                     f"{statistics.mean(r['seconds'] for r in ours):.1f}",
                     f"{statistics.mean(r['seconds'] for r in theirs):.1f}",
                     " ".join(f"{r['value']:.4f}" for r in ours), " ".join(f"{r['value']:.4f}" for r in theirs)])
    print()
    print_table(headers[:9], [row[:9] for row in rows])
    what = f"seed {seeds[0]}" if len(seeds) == 1 else f"mean over seeds {seeds[0]}–{seeds[-1]}"
    preamble = (f"Accuracy at equal training ({what}): W1–W4 top-1 test accuracy (%) after one epoch of "
                f"{args.train_examples} Fashion-MNIST images, W5 validation loss after {args.w5_steps} steps.\n\n"
                + environment_line(ours_runs[0], theirs_runs[0]))
    write_tables(args.out, "compare-accuracy", headers, rows, preamble)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runner", default=".build/release/runner", help="the release-built runner binary")
    parser.add_argument("--python", default="/work/torchvenv/bin/python", help="a Python with torch")
    parser.add_argument("--only", default=None, help="comma-separated workloads (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per workload")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=200, help="timed steps per run (W6: 20×)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--target", type=float, default=0.5, help="the ours/PyTorch ratio to meet")
    parser.add_argument("--out", default="bench-results", help="directory of the CSV, Markdown and raw JSON")
    parser.add_argument("--accuracy", action="store_true", help="compare accuracy at equal epochs instead")
    parser.add_argument("--seed", type=int, default=0, help="accuracy: the (first) seed of both sides")
    parser.add_argument("--seeds", type=int, default=1,
                        help="accuracy: compare the means over this many seeds (--seed, --seed + 1, …)")
    parser.add_argument("--train-examples", type=int, default=60_000, help="accuracy: W1–W4 training images")
    parser.add_argument("--w5-steps", type=int, default=2000, help="accuracy: W5 training steps")
    args = parser.parse_args()

    if not os.path.isfile(args.runner):
        sys.exit(f"runner binary not found at {args.runner}: build it with swift build -c release --product runner "
                 f"(or pass --runner PATH)")
    if not os.path.isfile(args.python):
        sys.exit(f"no Python at {args.python}: create a virtualenv with torch (see docs/performance.md) "
                 f"and pass --python PATH")
    workloads = args.only.split(",") if args.only else WORKLOADS
    unknown = [w for w in workloads if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload {', '.join(unknown)}; choose among {', '.join(WORKLOADS)}")
    raw = os.path.join(args.out, "raw")
    os.makedirs(raw, exist_ok=True)
    if args.accuracy:
        compare_accuracy(args, workloads, raw)
    else:
        compare_speed(args, workloads, raw)


if __name__ == "__main__":
    main()

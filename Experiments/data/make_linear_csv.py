"""Writes Experiments/data/linear.csv, the table of Experiments/linear_csv.json (standard library only).

Run from the repository root: python3 Experiments/data/make_linear_csv.py

240 rows of four features x1..x4 drawn uniformly from [-1, 1] and a class label: the noisy linear score
s = 1.5*x1 - 1.0*x2 + 0.5*x3 + 0.0*x4 + N(0, 0.2) cut at -0.5 and +0.5 into classes 0, 1, 2. The class regions are
separated by parallel planes, so a linear model is the right model; the noise makes about a tenth of the labels
disagree with the noiseless planes. Seeded, so the file is the same on every run.
"""
import random

rng = random.Random(0)
rows = []
for _ in range(240):
    x = [rng.uniform(-1.0, 1.0) for _ in range(4)]
    s = 1.5 * x[0] - 1.0 * x[1] + 0.5 * x[2] + 0.0 * x[3] + rng.gauss(0.0, 0.2)
    label = 0 if s < -0.5 else (1 if s < 0.5 else 2)
    rows.append(x + [label])

with open("Experiments/data/linear.csv", "w") as f:
    f.write("x1,x2,x3,x4,label\n")
    for *x, label in rows:
        f.write(",".join(f"{v:.3f}" for v in x) + f",{label}\n")

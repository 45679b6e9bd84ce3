"""Writes Experiments/data/fruit.csv, the table of Experiments/csv_categorical.json (standard library only).

Run from the repository root: python3 Experiments/data/make_fruit_csv.py

300 rows of fruit (apple, banana, lemon, plum; the label column "fruit") described by one numeric column and three
categorical ones: weight_g, Gaussian per fruit (apple 180 ± 25, banana 120 ± 20, lemon 100 ± 15, plum 70 ± 12);
color, drawn per fruit (apples red, green or yellow; bananas and lemons mostly yellow; plums mostly purple);
shape (round, long or oval); and origin (local or imported, unrelated to the fruit, and "greenhouse" in two rows
only, rows 158 and 261, which the spec's split with seed 0 puts in validation and test: a category training never
sees). About one color and one shape cell in twenty is empty (a
category of its own); weight_g is never empty. Seeded, so the file is the same on every run.
"""
import random

rng = random.Random(0)
FRUITS = {
    # weight mean and std, colors with their probabilities, shape
    "apple": (180, 25, {"red": 0.6, "green": 0.3, "yellow": 0.1}, "round"),
    "banana": (120, 20, {"yellow": 0.85, "green": 0.15}, "long"),
    "lemon": (100, 15, {"yellow": 0.9, "green": 0.1}, "oval"),
    "plum": (70, 12, {"purple": 0.8, "red": 0.2}, "round"),
}


def pick(probabilities):
    u, total = rng.random(), 0.0
    for value, p in probabilities.items():
        total += p
        if u < total:
            return value
    return value


rows = []
for i in range(300):
    fruit = list(FRUITS)[i % 4]
    mean, std, colors, shape = FRUITS[fruit]
    weight = max(20.0, rng.gauss(mean, std))
    color = "" if rng.random() < 0.05 else pick(colors)
    shape = "" if rng.random() < 0.05 else shape
    origin = "greenhouse" if i in (157, 260) else ("local" if rng.random() < 0.5 else "imported")
    rows.append((weight, color, shape, origin, fruit))

with open("Experiments/data/fruit.csv", "w") as f:
    f.write("weight_g,color,shape,origin,fruit\n")
    for weight, color, shape, origin, fruit in rows:
        f.write(f"{weight:.1f},{color},{shape},{origin},{fruit}\n")

"""What the Python peers of the flights benchmarks share: reading the CSVs that
bench/flights.ts and bench/automl.ts write into a float matrix (numeric columns, then
origin and destination as integer codes shared by both files) and the 0/1 target."""
import csv
import numpy as np

NUMERIC = ["hour", "dow", "month", "distance"]
CATEGORICAL = ["origin", "destination"]


def load(path, levels):
    """X, y of a flights CSV; `levels` maps each categorical column's labels to codes, filled as met."""
    with open(path) as f:
        rows = list(csv.DictReader(f))
    X = np.empty((len(rows), len(NUMERIC) + len(CATEGORICAL)), dtype=np.float64)
    for j, c in enumerate(NUMERIC):
        X[:, j] = [float(r[c]) for r in rows]
    for j, c in enumerate(CATEGORICAL):
        lv = levels.setdefault(c, {})
        X[:, len(NUMERIC) + j] = [lv.setdefault(r[c], len(lv)) for r in rows]
    y = np.array([1 if r["delayed"] == "yes" else 0 for r in rows], dtype=np.int32)
    return X, y

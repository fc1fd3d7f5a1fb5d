"""Peers for bench/glm: scikit-learn's LogisticRegression (lbfgs, L2, one-hot origin and
destination, standardized numerics) and KMeans (k-means++, Lloyd, its defaults otherwise:
max_iter 300, tol 1e-4; the best of n_init starts) on the CSVs bench/glm.ts writes. Prints
one JSON line per model: name, train seconds, test AUC or inertia, peak RSS, iterations.
Run by bench/glm.ts with Debian's /usr/bin/python3:
  glm_peer.py <train.csv> <test.csv> glm|kmeans|all [n_init, default 1]"""
import csv, json, resource, sys, time
from array import array
import numpy as np

train_path, test_path, which = sys.argv[1], sys.argv[2], sys.argv[3]
n_init = int(sys.argv[4]) if len(sys.argv) > 4 else 1
NUMERIC = ["hour", "dow", "month", "distance"]
CATEGORICAL = ["origin", "destination"]


def load(path, levels):
    """Columns streamed into typed arrays (no per-row dicts, so peak RSS is the model's)."""
    with open(path) as f:
        rows = csv.reader(f)
        header = next(rows)
        num = [header.index(c) for c in NUMERIC]
        cat = [header.index(c) for c in CATEGORICAL]
        target = header.index("delayed")
        cols = [array("d") for _ in NUMERIC + CATEGORICAL]
        lvs = [levels.setdefault(c, {}) for c in CATEGORICAL]
        y = array("b")
        for r in rows:
            for j, i in enumerate(num):
                cols[j].append(float(r[i]))
            for j, i in enumerate(cat):
                cols[len(num) + j].append(lvs[j].setdefault(r[i], len(lvs[j])))
            y.append(r[target] == "yes")
    return np.column_stack([np.frombuffer(c, dtype=np.float64) for c in cols]), np.frombuffer(y, dtype=np.int8).astype(np.int32)


def report(name, fit, measure):
    t = time.perf_counter()
    model = fit()
    secs = time.perf_counter() - t
    result = {"name": name, "seconds": secs, **measure(model)}
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result), flush=True)


levels = {}
Xtr, ytr = load(train_path, levels)
num = list(range(len(NUMERIC)))
cat = list(range(len(NUMERIC), len(NUMERIC) + len(CATEGORICAL)))

if which in ("glm", "all"):
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    Xte, yte = load(test_path, levels)
    # Levels are integer codes (as floe's enum columns are); test-only levels get new codes,
    # which handle_unknown="ignore" encodes as all zeros. drop=None keeps every level, as floe
    # does with lambda > 0.
    pipe = lambda: Pipeline([
        ("encode", ColumnTransformer([("onehot", OneHotEncoder(handle_unknown="ignore"), cat), ("scale", StandardScaler(), num)])),
        ("logistic", LogisticRegression(solver="lbfgs", C=1.0, max_iter=10000)),
    ])
    report(
        "sklearn LogisticRegression (lbfgs)",
        lambda: pipe().fit(Xtr, ytr),
        lambda m: {"auc": roc_auc_score(yte, m.predict_proba(Xte)[:, 1]), "iterations": int(m["logistic"].n_iter_[0]), "n_train": len(ytr)},
    )

if which in ("kmeans", "all"):
    from sklearn.cluster import KMeans

    # floe (like H2O) standardizes with the sample sd (n - 1); StandardScaler divides by the
    # population sd, which would scale the inertia by n/(n-1) and move the centres' seeds.
    Z = Xtr[:, num]
    Z = (Z - Z.mean(axis=0)) / Z.std(axis=0, ddof=1)
    report(
        f"sklearn KMeans (k-means++, n_init={n_init})",
        lambda: KMeans(n_clusters=10, init="k-means++", n_init=n_init, random_state=1, algorithm="lloyd").fit(Z),
        lambda m: {"inertia": float(m.inertia_), "iterations": int(m.n_iter_)},
    )

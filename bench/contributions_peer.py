"""Peer of bench/contributions: the real XGBoost's pred_contribs on the flights CSVs that
bench/flights.ts writes. `train TRAIN MODEL` fits xgboost.train (hist, depth 6, eta 0.1,
max_bin 256, 100 rounds, 2 threads) on integer-coded origin/destination and saves the model
and the codes; `contribs MODEL DATA` times pred_contribs=True on DATA in a process of its own.
Prints one JSON line: seconds (pred_contribs alone), rows, peak RSS in MB. Run by
bench/contributions.ts with Debian's /usr/bin/python3."""
import json, resource, sys, time
from flights_peer import load

mode, a, b = sys.argv[1], sys.argv[2], sys.argv[3]
import xgboost as xgb


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if mode == "train":
    levels = {}
    X, y = load(a, levels)
    params = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": 6, "eta": 0.1, "nthread": 2, "max_bin": 256}
    t = time.perf_counter()
    booster = xgb.train(params, xgb.DMatrix(X, label=y, nthread=2), 100)
    secs = time.perf_counter() - t
    booster.save_model(b)
    with open(b + ".levels.json", "w") as f:
        json.dump(levels, f)
    print(json.dumps({"seconds": secs, "rows": len(y), "peak_rss_mb": peak_mb()}), flush=True)
elif mode == "contribs":
    with open(a + ".levels.json") as f:
        levels = json.load(f)
    X, _ = load(b, levels)
    booster = xgb.Booster({"nthread": 2}, model_file=a)
    d = xgb.DMatrix(X, nthread=2)
    t = time.perf_counter()
    contribs = booster.predict(d, pred_contribs=True)
    secs = time.perf_counter() - t
    print(json.dumps({"seconds": secs, "rows": int(contribs.shape[0]), "peak_rss_mb": peak_mb()}), flush=True)
else:
    sys.exit(f"unknown mode {mode}")

"""Peers for bench/trees: XGBoost hist (integer-coded and native categorical) and
scikit-learn's HistGradientBoostingClassifier and RandomForestClassifier (depth 10; depth 20
alone with `rf20`), on the CSVs bench/trees.ts writes. Prints one JSON line per model: name,
train seconds, test AUC, peak RSS. Run by bench/trees.ts with Debian's /usr/bin/python3."""
import json, resource, sys, time
from flights_peer import CATEGORICAL, NUMERIC, load

train_path, test_path, which = sys.argv[1], sys.argv[2], sys.argv[3]
levels = {}
Xtr, ytr = load(train_path, levels)
Xte, yte = load(test_path, levels)
from sklearn.metrics import roc_auc_score


def report(name, fit, predict):
    t = time.perf_counter()
    model = fit()
    secs = time.perf_counter() - t
    auc = roc_auc_score(yte, predict(model))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"name": name, "seconds": secs, "auc": auc, "peak_rss_mb": peak}), flush=True)


if which in ("xgboost", "all"):
    import xgboost as xgb
    params = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": 6, "eta": 0.1, "nthread": 2, "max_bin": 256}
    dtr = xgb.DMatrix(Xtr, label=ytr, nthread=2)
    dte = xgb.DMatrix(Xte, nthread=2)
    report("xgboost hist (integer codes)", lambda: xgb.train(params, dtr, 100), lambda m: m.predict(dte))
    types = ["q"] * len(NUMERIC) + ["c"] * len(CATEGORICAL)
    dtrc = xgb.DMatrix(Xtr, label=ytr, nthread=2, feature_types=types, enable_categorical=True)
    dtec = xgb.DMatrix(Xte, nthread=2, feature_types=types, enable_categorical=True)
    report("xgboost hist (native categorical)", lambda: xgb.train({**params, "max_cat_to_onehot": 1}, dtrc, 100), lambda m: m.predict(dtec))
if which in ("sklearn", "all"):
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    cat_mask = [False] * len(NUMERIC) + [True] * len(CATEGORICAL)
    report(
        "sklearn HistGradientBoosting",
        lambda: HistGradientBoostingClassifier(max_iter=100, max_depth=6, learning_rate=0.1, early_stopping=False, categorical_features=cat_mask, random_state=1).fit(Xtr, ytr),
        lambda m: m.predict_proba(Xte)[:, 1],
    )
    report(
        "sklearn RandomForest",
        lambda: RandomForestClassifier(n_estimators=50, max_depth=10, n_jobs=2, random_state=1).fit(Xtr, ytr),
        lambda m: m.predict_proba(Xte)[:, 1],
    )
if which == "rf20":
    # Deep forest alone in its process, so its peak RSS is its own.
    from sklearn.ensemble import RandomForestClassifier
    report(
        "sklearn RandomForest depth 20",
        lambda: RandomForestClassifier(n_estimators=50, max_depth=20, n_jobs=2, random_state=1).fit(Xtr, ytr),
        lambda m: m.predict_proba(Xte)[:, 1],
    )

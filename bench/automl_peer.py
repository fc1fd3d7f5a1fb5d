"""Peers for bench/automl: scikit-learn and XGBoost models with their default parameters
(HistGradientBoosting, RandomForest, a one-hot logistic regression, XGBClassifier), each
trained on the CSV bench/automl.ts writes and scored on its test CSV. Prints one JSON line
per model: name, train seconds, test AUC and logloss, peak RSS. Run with /usr/bin/python3."""
import json, resource, sys, time
from flights_peer import CATEGORICAL, NUMERIC, load

train_path, test_path = sys.argv[1], sys.argv[2]
levels = {}
Xtr, ytr = load(train_path, levels)
Xte, yte = load(test_path, levels)
from sklearn.metrics import log_loss, roc_auc_score


def report(name, fit, predict):
    t = time.perf_counter()
    model = fit()
    secs = time.perf_counter() - t
    p = predict(model)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"name": name, "seconds": secs, "auc": roc_auc_score(yte, p), "logloss": log_loss(yte, p), "peak_rss_mb": peak}), flush=True)


from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
import xgboost as xgb

num = list(range(len(NUMERIC)))
cat = list(range(len(NUMERIC), len(NUMERIC) + len(CATEGORICAL)))
report("sklearn HistGradientBoostingClassifier()", lambda: HistGradientBoostingClassifier(random_state=1).fit(Xtr, ytr), lambda m: m.predict_proba(Xte)[:, 1])
report("xgboost XGBClassifier()", lambda: xgb.XGBClassifier(random_state=1).fit(Xtr, ytr), lambda m: m.predict_proba(Xte)[:, 1])
report(
    "sklearn LogisticRegression() one-hot",
    lambda: make_pipeline(ColumnTransformer([("num", StandardScaler(), num), ("cat", OneHotEncoder(handle_unknown="ignore"), cat)]), LogisticRegression()).fit(Xtr, ytr),
    lambda m: m.predict_proba(Xte)[:, 1],
)
report("sklearn RandomForestClassifier()", lambda: RandomForestClassifier(random_state=1).fit(Xtr, ytr), lambda m: m.predict_proba(Xte)[:, 1])

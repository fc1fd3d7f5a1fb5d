"""Peer for bench/deeplearning: scikit-learn's MLPClassifier with floe's architecture
(hidden layers of the given sizes, relu) on the same inputs (one-hot origin and destination,
standardised hour, dow, month, distance, as a sparse matrix), trained for the given epochs
with its default optimiser adam (floe's is ADADELTA) and batches of 200 (its default),
no early stopping. Prints one JSON line: fit seconds (wall and CPU), epochs, seconds per epoch, rows/s,
test AUC, peak RSS. Run with /usr/bin/python3 train.csv test.csv epochs hidden."""
import json, resource, sys, time, warnings
from flights_peer import CATEGORICAL, NUMERIC, load
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import OneHotEncoder, StandardScaler

train_path, test_path, epochs, hidden = sys.argv[1], sys.argv[2], int(sys.argv[3]), tuple(int(h) for h in sys.argv[4].split(","))
levels = {}
Xtr, ytr = load(train_path, levels)
Xte, yte = load(test_path, levels)
num = list(range(len(NUMERIC)))
cat = list(range(len(NUMERIC), len(NUMERIC) + len(CATEGORICAL)))
inputs = ColumnTransformer([("num", StandardScaler(), num), ("cat", OneHotEncoder(handle_unknown="ignore"), cat)], sparse_threshold=1.0)
Ttr = inputs.fit_transform(Xtr)
Tte = inputs.transform(Xte)
mlp = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam", max_iter=epochs, n_iter_no_change=epochs + 1, tol=0, random_state=1)
warnings.simplefilter("ignore", ConvergenceWarning)
t = time.perf_counter()
c = time.process_time()
mlp.fit(Ttr, ytr)
secs = time.perf_counter() - t
cpu = time.process_time() - c
auc = roc_auc_score(yte, mlp.predict_proba(Tte)[:, 1])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": secs, "cpu_seconds": cpu, "epochs": mlp.n_iter_, "per_epoch": secs / mlp.n_iter_, "rows_per_s": Ttr.shape[0] * mlp.n_iter_ / secs, "auc": auc, "peak_rss_mb": peak}))

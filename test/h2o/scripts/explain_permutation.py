# model.permutation_importance through floe with H2O's unmodified client (the Rapids
# PermutationVarImp): H2O's table over the model's features, the same numbers for the same
# seed, one column per run with n_repeats, and scaled/percentage columns consistent with the
# relative importances.
import json
import sys

sys.dont_write_bytecode = True  # importing explain_common leaves no __pycache__ in the repo
from explain_common import X, close, connect_and_train

df, gbm = connect_and_train("permutation")

pi = gbm.permutation_importance(df, metric="AUC", n_repeats=1, seed=42, n_samples=-1)
assert pi.col_header == ["Variable", "Relative Importance", "Scaled Importance", "Percentage"], pi.col_header
table = [[r[0]] + [float(v) for v in r[1:]] for r in pi.cell_values]
assert sorted(r[0] for r in table) == sorted(X), table
top = max(r[1] for r in table)
total = sum(r[1] for r in table)
for name, rel, scaled, pct in table:
    assert close(scaled, rel / top, 1e-9) and close(pct, rel / total, 1e-9), (name, rel, scaled, pct)
assert [r[1] for r in table] == sorted((r[1] for r in table), reverse=True), table

again = gbm.permutation_importance(df, metric="AUC", n_repeats=1, seed=42, n_samples=-1)
assert again.cell_values == pi.cell_values
runs = gbm.permutation_importance(df, metric="logloss", n_repeats=3, seed=42, n_samples=100)
assert runs.col_header == ["Variable", "Run 1", "Run 2", "Run 3"], runs.col_header
assert sorted(r[0] for r in runs.cell_values) == sorted(X)

print("RESULT " + json.dumps({"auc": table, "runs": [[r[0]] + [float(v) for v in r[1:]] for r in runs.cell_values]}))

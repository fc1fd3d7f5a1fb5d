# model.predict_contributions through floe with H2O's unmodified client: one column per
# feature then BiasTerm, each row adding up to the model's raw prediction (the logit of its
# p(yes), computed here from model.predict); top_n=2 and bottom_n with compare_abs give H2O's
# layout; output_space scales them to p(yes); a deep learning model's baseline SHAP against a
# background frame, per reference, adds up to its logit with the reference's logit as
# BiasTerm; k-means, which has no response, is refused with H2O's error.
import json
import math
import sys

import h2o

sys.dont_write_bytecode = True  # importing explain_common leaves no __pycache__ in the repo
from explain_common import X, close, connect_and_train, p_yes, rows_of
from h2o.estimators import H2ODeepLearningEstimator, H2OKMeansEstimator
from h2o.exceptions import H2OResponseError, H2OTypeError

df, gbm = connect_and_train("contributions")

contrib = gbm.predict_contributions(df)
assert contrib.columns == X + ["BiasTerm"], contrib.columns
whole = [[float(v) for v in r] for r in rows_of(contrib)]
p1 = p_yes(gbm, df)
assert len(whole) == len(p1) == df.nrows
worst = max(abs(sum(r) - math.log(p / (1 - p))) for r, p in zip(whole, p1))
assert worst < 1e-6, worst

top = gbm.predict_contributions(df, top_n=2)
assert top.columns == ["top_feature_1", "top_value_1", "top_feature_2", "top_value_2", "BiasTerm"], top.columns
for full, row in zip(whole, rows_of(top)):
    ranked = sorted(zip(X, full[:-1]), key=lambda kv: -kv[1])
    assert [row[0], row[2]] == [ranked[0][0], ranked[1][0]], (row, ranked)
    assert close(float(row[1]), ranked[0][1], 1e-12) and close(float(row[3]), ranked[1][1], 1e-12), (row, ranked)
    assert close(float(row[4]), full[-1], 1e-12)

def logit(p):
    return math.log(p / (1 - p))


rows = df[0:4, :]
smallest = gbm.predict_contributions(rows, bottom_n=1, compare_abs=True)
assert smallest.columns == ["bottom_feature_1", "bottom_value_1", "BiasTerm"], smallest.columns
for full, row in zip(whole, rows_of(smallest)):
    name, value = min(zip(X, full[:-1]), key=lambda kv: abs(kv[1]))
    assert row[0] == name and close(float(row[1]), value, 1e-12), (row, name, value)

scaled = gbm.predict_contributions(rows, output_space=True)
for r, p in zip(rows_of(scaled), p_yes(gbm, rows)):
    assert close(sum(float(v) for v in r), p, 1e-9), (r, p)

dl = H2ODeepLearningEstimator(hidden=[4], epochs=2, seed=1, reproducible=True, model_id="h2o_dl_explain")
dl.train(x=X, y="label", training_frame=df)
background = df[10:13, :]
per_reference = dl.predict_contributions(rows, background_frame=background, output_per_reference=True)
assert sorted(per_reference.columns[:4]) == sorted(X) and per_reference.columns[4:] == ["BiasTerm", "RowIdx", "BackgroundRowIdx"], per_reference.columns
p_rows, p_refs = p_yes(dl, rows), p_yes(dl, background)
baseline = [[float(v) for v in r] for r in rows_of(per_reference)]
assert len(baseline) == 4 * 3
for r in baseline:
    row, ref = int(r[5]), int(r[6])
    assert close(sum(r[:5]), logit(p_rows[row]), 1e-9) and close(r[4], logit(p_refs[ref]), 1e-9), (r, p_rows, p_refs)
try:
    dl.predict_contributions(rows)
    raise AssertionError("deep learning contributions without a background frame")
except H2OResponseError as e:
    dl_error = e.args[0].msg

km = H2OKMeansEstimator(k=2, seed=1, model_id="h2o_km_explain")
km.train(x=["a", "b"], training_frame=df)
try:
    km.predict_contributions(df)
    raise AssertionError("the client computed contributions of k-means")
except H2OTypeError:
    pass
try:
    h2o.api("POST /4/Predictions/models/%s/frames/%s" % (km.model_id, df.frame_id), data={"predict_contributions": True})
    raise AssertionError("floe computed contributions of k-means")
except H2OResponseError as e:
    kmeans_error = e.args[0].msg

print("RESULT " + json.dumps({"columns": contrib.columns, "worst": worst, "bias": whole[0][-1], "kmeans_error": kmeans_error, "dl_error": dl_error}))

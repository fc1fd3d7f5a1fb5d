# model.predict_contributions through floe with H2O's unmodified client: one column per
# feature then BiasTerm, each row adding up to the model's raw prediction (the logit of its
# p(yes), computed here from model.predict); top_n=2 gives H2O's layout with each row's two
# largest contributions; k-means, which has no response, is refused with H2O's error.
import json
import math

import h2o
from explain_common import X, close, connect_and_train, p_yes, rows_of
from h2o.estimators import H2OKMeansEstimator
from h2o.exceptions import H2OResponseError, H2OTypeError

df, gbm = connect_and_train()

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

km = H2OKMeansEstimator(k=2, seed=1, model_id="h2o_km_explain")
km.train(x=["a", "b"], training_frame=df)
try:
    km.predict_contributions(df)
    raise AssertionError("the client computed contributions of k-means")
except H2OTypeError:
    pass
try:
    h2o.api("POST /4/Predictions/models/h2o_km_explain/frames/explain.hex", data={"predict_contributions": True})
    raise AssertionError("floe computed contributions of k-means")
except H2OResponseError as e:
    kmeans_error = e.args[0].msg

print("RESULT " + json.dumps({"columns": contrib.columns, "worst": worst, "bias": whole[0][-1], "kmeans_error": kmeans_error}))

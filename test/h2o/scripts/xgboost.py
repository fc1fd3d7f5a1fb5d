# H2O's XGBoost through floe with H2O's unmodified client: H2OXGBoostEstimator trains a
# binomial model (H2O's parameter names, XGBoost's aliases among them) and predicts; its
# accessors and predictions, printed as JSON (RESULT) for the test to compare with floe's
# own REST answers.
import json
import os
from urllib.parse import urlparse

import h2o
from h2o.estimators import H2OXGBoostEstimator

url = urlparse(os.environ["FLOE_URL"])
h2o.init(ip=url.hostname, port=url.port)
df = h2o.import_file(os.environ["DATA_PATH"])
x = ["a", "b", "c"]

xgb = H2OXGBoostEstimator(ntrees=20, max_depth=4, learn_rate=0.2, reg_lambda=2.0, seed=7, model_id="h2o_xgb")
xgb.train(x=x, y="label", training_frame=df)
aliased = H2OXGBoostEstimator(ntrees=20, max_depth=4, eta=0.2, reg_lambda=2.0, seed=7, model_id="h2o_xgb_eta")
aliased.train(x=x, y="label", training_frame=df)
pred = xgb.predict(df)
result = {
    "auc": xgb.auc(),
    "logloss": xgb.logloss(),
    "pred_cols": pred.columns,
    "p_yes": pred["yes"].as_data_frame(use_pandas=False, header=False),
    "aliased_logloss": aliased.logloss(),
}
print("RESULT " + json.dumps(result))

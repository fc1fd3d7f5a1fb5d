# H2O's estimators against floe: a random forest (multinomial, cross-validated) and a GLM
# with p-values, trained through /3/ModelBuilders on iris (h2o.import_file); the accessors'
# numbers are printed as JSON for the test to compare with floe's own REST answers for the
# same models, and the forest's predictions on a held-out split are read back as a frame.
import json
import os
from urllib.parse import urlparse

import h2o
from h2o.estimators import H2OGeneralizedLinearEstimator, H2ORandomForestEstimator
from h2o.exceptions import H2OResponseError

url = urlparse(os.environ["FLOE_URL"])
h2o.init(ip=url.hostname, port=url.port)

df = h2o.import_file(os.environ["IRIS"])

rf = H2ORandomForestEstimator(ntrees=10, max_depth=10, nfolds=3, seed=1, model_id="rf_iris")
rf.train(x=df.columns[:-1], y="species", training_frame=df)
perf = rf.model_performance(test_data=df)
print(perf)
cm = rf.confusion_matrix(df)
glm = H2OGeneralizedLinearEstimator(family="gaussian", lambda_=0, compute_p_values=True, model_id="glm_iris")
glm.train(x=["sepal_width", "petal_length", "petal_width"], y="sepal_length", training_frame=df)
print(glm.coef_with_p_values())

try:
    H2ORandomForestEstimator(balance_classes=True).train(y="species", training_frame=df)
    unsupported = "accepted"
except H2OResponseError as e:
    unsupported = str(e)

train, test = df.split_frame(ratios=[0.8], seed=1)
preds = rf.predict(test).as_data_frame(use_pandas=False, header=True)

out = {
    "frame_id": df.frame_id,
    "split_rows": [train.nrows, test.nrows],
    "pred_header": preds[0],
    "pred_rows": preds[1:],
    "rf": {
        "model_id": rf.model_id,
        "logloss": rf.logloss(),
        "rmse": rf.rmse(),
        "mse": rf.mse(),
        "xval_logloss": rf.logloss(xval=True),
        "mean_per_class_error": rf.mean_per_class_error(),
        "cm_totals": cm["Rate"][-1],
        "varimp": rf.varimp(),
        "history_rows": len(rf.scoring_history(as_data_frame=False).cell_values),
        "cv_summary_mean_logloss": [r for r in rf.cross_validation_metrics_summary().cell_values if r[0] == "logloss"][0][1],
        "xval_keys": rf.xval_keys(),
        "perf_logloss": perf.logloss(),
        "perf_hit_ratios": [r[1] for r in perf.hit_ratio_table().cell_values],
    },
    "glm": {
        "model_id": glm.model_id,
        "coef": glm.coef(),
        "coef_norm": glm.coef_norm(),
        "p_values": dict(zip(glm.coef_with_p_values()["names"], glm.coef_with_p_values()["p_value"])),
        "r2": glm.r2(),
    },
    "unsupported": unsupported,
}
print("RESULT " + json.dumps(out))

# h2o.download_model writes floe's .floe file of the model; h2o.get_model finds it by key.
saved = h2o.download_model(rf, path=os.environ["OUT_DIR"])
print("DOWNLOADED " + saved)
assert h2o.get_model("rf_iris").logloss() == rf.logloss()

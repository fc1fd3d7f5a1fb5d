# H2O's isolation forests through floe with H2O's unmodified client: H2OIsolationForestEstimator
# (with a labelled validation frame: validation_response_column) and
# H2OExtendedIsolationForestEstimator train and predict; their accessors, metrics (printed as
# the client prints them) and predictions, as JSON (RESULT) for the test to compare with
# floe's own REST answers.
import json
import os
from urllib.parse import urlparse

import h2o
from h2o.estimators import H2OExtendedIsolationForestEstimator, H2OIsolationForestEstimator

url = urlparse(os.environ["FLOE_URL"])
h2o.init(ip=url.hostname, port=url.port)
df = h2o.import_file(os.environ["DATA_PATH"])
x = ["a", "b", "c"]

iso = H2OIsolationForestEstimator(ntrees=20, seed=7, model_id="h2o_iso")
iso.train(x=x, training_frame=df)
labelled = H2OIsolationForestEstimator(ntrees=20, seed=7, model_id="h2o_iso_valid", validation_response_column="label")
labelled.train(x=x, training_frame=df[x], validation_frame=df)
eif = H2OExtendedIsolationForestEstimator(ntrees=30, sample_size=64, extension_level=2, seed=7, model_id="h2o_eif")
eif.train(x=x, training_frame=df)

iso_pred = iso.predict(df)
eif_pred = eif.predict(df)
labelled_pred = labelled.predict(df)
# The client prints every metrics object it is given; model_performance on a frame wraps an
# anomaly detector's metrics in its validation class (binomial metrics).
train_perf = iso.model_performance()
iso_test_perf = iso.model_performance(df)
eif_test_perf = eif.model_performance(df)
printed = "\n".join(str(m) for m in (train_perf, iso_test_perf, eif_test_perf, labelled.model_performance(valid=True)))
result = {
    "iso": {"pred_cols": iso_pred.columns, "predict": iso_pred["predict"].as_data_frame(use_pandas=False, header=False),
            "mean_length": iso_pred["mean_length"].as_data_frame(use_pandas=False, header=False),
            "mean_score": train_perf.mean_score(), "mean_normalized_score": train_perf.mean_normalized_score(),
            "test_mean_score": iso_test_perf._metric_json["mean_score"]},
    "labelled": {"auc": labelled.auc(valid=True), "aucpr": labelled.aucpr(valid=True), "pred_cols": labelled_pred.columns,
                 "cm": labelled.model_performance(valid=True).confusion_matrix().to_list()},
    "eif": {"pred_cols": eif_pred.columns, "anomaly_score": eif_pred["anomaly_score"].as_data_frame(use_pandas=False, header=False),
            "test_mean_normalized_score": eif_test_perf._metric_json["mean_normalized_score"]},
    "printed": printed,
}
print("RESULT " + json.dumps(result))

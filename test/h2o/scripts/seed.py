# The seed program of issue 16, as an H2O user writes it: connect, import iris from a URL,
# make the species an enum, split 80/20, a 5-fold random forest, its performance on the test
# part (H2O's printed report) and, when asked, shutdown. Printed lines the test reads:
# ROWS, SPLIT, the report, and METRICS as JSON (the floe test compares them with floe's own).
import json
import os
from urllib.parse import urlparse

import h2o
from h2o.estimators import H2ORandomForestEstimator

url = urlparse(os.environ["FLOE_URL"])
h2o.init(ip=url.hostname, port=url.port)
print(h2o.cluster_status())
h2o.cluster().show_status(True)

df = h2o.import_file(os.environ["IRIS_URL"])
print("ROWS", df.nrow, df.ncol)
df["species"] = df["species"].asfactor()
assert df["species"].levels() == [["Iris-setosa", "Iris-versicolor", "Iris-virginica"]], df["species"].levels()
train, test = df.split_frame(ratios=[0.8], seed=1234)
print("SPLIT", train.nrow, test.nrow, train.frame_id, test.frame_id)

rf = H2ORandomForestEstimator(ntrees=50, max_depth=10, nfolds=5, seed=1234, model_id="seed_rf")
rf.train(x=df.columns[:-1], y="species", training_frame=train)
perf = rf.model_performance(test_data=test)
print(perf)
cm = perf.confusion_matrix()
print("METRICS", json.dumps({
    "mse": perf.mse(), "rmse": perf.rmse(), "logloss": perf.logloss(),
    "mean_per_class_error": perf.mean_per_class_error(), "nobs": perf.nobs(),
    "hit_ratios": [float(r[1]) for r in perf.hit_ratio_table().cell_values],
    "xval_logloss": rf.logloss(xval=True), "test_frame": test.frame_id,
}))
if os.environ.get("SHUTDOWN") == "1":
    h2o.cluster().shutdown()
print("OK")

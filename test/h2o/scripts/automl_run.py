# H2OAutoML against floe: a small run on iris (imported with h2o.import_file, split 0.8),
# its leaderboard as a frame, the leader's predictions on the held-out rows read back as a
# frame, and get_leaderboard(extra_columns="ALL"). Printed as JSON for the test to compare
# with floe's own AutoML of the same settings through its REST API.
import json
import os
from urllib.parse import urlparse

import h2o
from h2o.automl import H2OAutoML, get_leaderboard
from h2o.exceptions import H2OResponseError

url = urlparse(os.environ["FLOE_URL"])
h2o.init(ip=url.hostname, port=url.port)
iris = h2o.import_file(os.environ["IRIS"])

aml = H2OAutoML(max_models=2, seed=1, nfolds=3, project_name="h2o_aml", include_algos=["GLM", "DRF", "StackedEnsemble"])
aml.train(y="species", training_frame=iris)
lb = aml.leaderboard.as_data_frame(use_pandas=False, header=True)
print(aml.leaderboard)

train, test = iris.split_frame(ratios=[0.8], seed=1)
preds = aml.leader.predict(test)
pred_rows = preds.as_data_frame(use_pandas=False, header=True)
full = get_leaderboard(aml, extra_columns="ALL").as_data_frame(use_pandas=False, header=True)

try:
    H2OAutoML(max_models=1, balance_classes=True).train(y="species", training_frame=iris)
    unsupported = "accepted"
except H2OResponseError as e:
    unsupported = str(e)

out = {
    "project": aml.project_name,
    "leader": aml.leader.model_id,
    "leaderboard": lb,
    "full_header": full[0],
    "full_rows": full[1:],
    "test_rows": test.nrows,
    "pred_header": pred_rows[0],
    "pred_rows": pred_rows[1:],
    "unsupported": unsupported,
}
print("RESULT " + json.dumps(out))

# H2OGridSearch against floe: a Cartesian GBM grid on iris (imported with h2o.import_file),
# read back with get_grid(sort_by=...) both ways, a RandomDiscrete search capped by
# max_models, and a hyper-parameter floe lacks refused by name. Printed as JSON for the
# test to compare with floe's own REST answers for the same models.
import json
import os
from urllib.parse import urlparse

import h2o
from h2o.estimators import H2OGradientBoostingEstimator
from h2o.exceptions import H2OResponseError
from h2o.grid.grid_search import H2OGridSearch

url = urlparse(os.environ["FLOE_URL"])
h2o.init(ip=url.hostname, port=url.port)
iris = h2o.import_file(os.environ["IRIS"])

grid = H2OGridSearch(H2OGradientBoostingEstimator(seed=1), hyper_params={"max_depth": [2, 3], "ntrees": [3, 5]}, grid_id="gbm_grid")
grid.train(x=iris.columns[:-1], y="species", training_frame=iris)
by_logloss = grid.get_grid(sort_by="logloss", decreasing=False)
by_logloss_desc = grid.get_grid(sort_by="logloss", decreasing=True)
print(by_logloss)
summary = by_logloss.sorted_metric_table(use_pandas=False)

random = H2OGridSearch(
    H2OGradientBoostingEstimator(seed=1),
    hyper_params={"max_depth": [1, 2, 3, 4], "learn_rate": [0.1, 0.2]},
    search_criteria={"strategy": "RandomDiscrete", "max_models": 2, "seed": 7},
)
random.train(y="species", training_frame=iris)

try:
    H2OGridSearch(H2OGradientBoostingEstimator(), hyper_params={"no_such_param": [1, 2]}).train(y="species", training_frame=iris)
    unsupported = "accepted"
except H2OResponseError as e:
    unsupported = str(e)

out = {
    "model_ids": by_logloss.model_ids,
    "model_ids_desc": by_logloss_desc.model_ids,
    "logloss": [m.logloss() for m in by_logloss.models],
    "hyper": [by_logloss.get_hyperparams_dict(m, display=False) for m in by_logloss.model_ids],
    "hyper_names": grid.hyper_names,
    "summary_header": summary.col_header,
    "summary_rows": summary.cell_values,
    "random_ids": random.model_ids,
    "unsupported": unsupported,
}
print("RESULT " + json.dumps(out))

# What the explain_*.py scripts share: a connection to the floe server (FLOE_URL), the data
# (DATA_PATH: numeric a and b, categorical c, a noise column, label yes/no) and a binomial
# GBM trained on it with H2O's unmodified client, and the client-side checks' helpers.
import os
from urllib.parse import urlparse

import h2o
from h2o.estimators import H2OGradientBoostingEstimator

X = ["a", "b", "c", "noise"]


def connect_and_train(tag):
    """The frame and GBM under keys of their own (`tag`), so scripts can share one server."""
    url = urlparse(os.environ["FLOE_URL"])
    h2o.init(ip=url.hostname, port=url.port)
    df = h2o.import_file(os.environ["DATA_PATH"], destination_frame="explain_%s.hex" % tag)
    gbm = H2OGradientBoostingEstimator(ntrees=8, max_depth=3, seed=1, model_id="gbm_%s" % tag)
    gbm.train(x=X, y="label", training_frame=df)
    return df, gbm


def rows_of(frame):
    return frame.as_data_frame(use_pandas=False, header=False)


def column(frame, name):
    return [float(r[0]) for r in rows_of(frame[name])]


def p_yes(model, frame):
    """The model's probabilities of 'yes' for each row of `frame`, as the client reads predictions."""
    return column(model.predict(frame), "yes")


def close(a, b, tol):
    return abs(a - b) <= tol * max(1.0, abs(b))

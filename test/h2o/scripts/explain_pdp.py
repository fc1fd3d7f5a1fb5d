# model.partial_plot(plot=False) through floe with H2O's unmodified client: each grid value's
# mean_response equals the mean of the model's predictions with the column set to that value
# (the frame edited with the client's own frame operations), for the whole frame (PDP) and for
# one row (row_index: the curves ice_plot draws; ice_plot itself needs matplotlib); a
# categorical column's levels, user splits, include_na's missing value (NaN, as H2O sends
# it), a weight column and a pair's grid in H2O's layout; k-means, with no prediction to explain, refused with
# H2O's error.
import json
import math
import sys

import h2o

sys.dont_write_bytecode = True  # importing explain_common leaves no __pycache__ in the repo
from explain_common import close, connect_and_train, p_yes
from h2o.estimators import H2OKMeansEstimator
from h2o.exceptions import H2OResponseError

df, gbm = connect_and_train("pdp")


def checked(table, frame):
    assert table.col_header == ["a", "mean_response", "stddev_response", "std_error_mean_response"], table.col_header
    out = []
    for value, mean, sd, se in table.cell_values:
        edited = frame[frame.names]
        edited["a"] = float(value)
        p = p_yes(gbm, edited)
        expected = sum(p) / len(p)
        assert close(mean, expected, 1e-9), (value, mean, expected)
        out.append([value, mean, sd, se])
    return out


pdp = checked(gbm.partial_plot(df, cols=["a"], plot=False, nbins=5)[0], df)
ice = checked(gbm.partial_plot(df, cols=["a"], plot=False, nbins=5, row_index=7)[0], df[7, :])

# A categorical column: one row per level, the mean prediction with every row at that level.
by_level = gbm.partial_plot(df, cols=["c"], plot=False)[0]
assert by_level.col_header[0] == "c" and by_level.col_types[0] == "string", by_level.col_types
levels = []
for level, mean, _, _ in by_level.cell_values:
    at_level = h2o.H2OFrame([[level]] * df.nrows, column_names=["c"], column_types=["enum"])
    p = p_yes(gbm, df.drop("c").cbind(at_level))
    assert close(mean, sum(p) / len(p), 1e-9), (level, mean)
    levels.append(level)

# User splits (a categorical column's by level), and include_na's missing value last, as NaN.
split = gbm.partial_plot(df, cols=["a", "c"], plot=False, user_splits={"a": [1.0, 4.0], "c": ["y"]}, include_na=True)
a_grid = [r[0] for r in split[0].cell_values]
assert a_grid[:2] == [1.0, 4.0] and isinstance(a_grid[2], float) and math.isnan(a_grid[2]), a_grid
assert [r[0] for r in split[1].cell_values][0] == "y", split[1].cell_values

pair = gbm.partial_plot(df, cols=["a"], col_pairs_2dpdp=[["a", "c"]], plot=False, nbins=3)[1]
assert pair.col_header == ["a", "c", "mean_response", "stddev_response", "std_error_mean_response"], pair.col_header

# weight_column: the client sends the column's index; each mean is weighted by it.
weights = [float(r[0]) for r in df["noise"].as_data_frame(use_pandas=False, header=False)]
weighted = gbm.partial_plot(df, cols=["a"], plot=False, nbins=3, weight_column="noise")[0]
for value, mean, _, _ in weighted.cell_values:
    edited = df[df.names]
    edited["a"] = float(value)
    p = p_yes(gbm, edited)
    expected = sum(w * q for w, q in zip(weights, p)) / sum(weights)
    assert close(mean, expected, 1e-9), (value, mean, expected)

km = H2OKMeansEstimator(k=2, seed=1, model_id="km_pdp")
km.train(x=["a", "b"], training_frame=df)
try:
    km.partial_plot(df, cols=["a"], plot=False)
    raise AssertionError("partial dependence of k-means")
except H2OResponseError as e:
    kmeans_error = e.args[0].msg
print("RESULT " + json.dumps({"pdp": pdp, "ice": ice, "levels": levels, "pair": [[r[0], r[1]] for r in pair.cell_values], "kmeans_error": kmeans_error}))

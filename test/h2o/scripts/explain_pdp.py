# model.partial_plot(plot=False) through floe with H2O's unmodified client: each grid value's
# mean_response equals the mean of the model's predictions with the column set to that value
# (the frame edited with the client's own frame operations), for the whole frame (PDP) and for
# one row (row_index: the curves ice_plot draws; ice_plot itself needs matplotlib).
import json

from explain_common import close, connect_and_train, p_yes

df, gbm = connect_and_train()


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
print("RESULT " + json.dumps({"pdp": pdp, "ice": ice}))

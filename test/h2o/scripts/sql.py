# SQL imports through H2O's client (h2o.import_sql_table / import_sql_select) from a real
# PostgreSQL holding iris, asserted against the same CSV read with Python's csv module and
# imported with h2o.import_file: same rows, columns, types and values, and a GBM trained on
# either predicts the same. Failures name the server and never echo the password.
import csv
import json
import os
from urllib.parse import urlparse

import h2o
from h2o.estimators import H2OGradientBoostingEstimator

url = urlparse(os.environ["FLOE_URL"])
iris_path = os.environ["IRIS_PATH"]
jdbc = os.environ["JDBC_URL"]
user = os.environ["PG_USER"]
password = os.environ["PG_PASSWORD"]
dead_jdbc = os.environ["DEAD_JDBC_URL"]

with open(iris_path) as f:
    rows = list(csv.reader(f))
header, data = rows[0], rows[1:]

h2o.init(ip=url.hostname, port=url.port)

from_csv = h2o.import_file(iris_path)
table = h2o.import_sql_table(jdbc, "iris", user, password)
assert table.nrow == len(data), table.nrow
assert table.columns == header, table.columns
assert table.types == from_csv.types, (table.types, from_csv.types)
assert table.as_data_frame(use_pandas=False) == from_csv.as_data_frame(use_pandas=False)
expected_mean = sum(float(r[0]) for r in data) / len(data)
assert abs(table["sepal_length"].mean()[0] - expected_mean) < 1e-12, table["sepal_length"].mean()

setosa = h2o.import_sql_select(jdbc, "SELECT * FROM iris WHERE species = 'Iris-setosa'", user, password)
assert setosa.nrow == sum(1 for r in data if r[4] == "Iris-setosa"), setosa.nrow

two = h2o.import_sql_table(jdbc, "iris", user, password, columns=["petal_width", "species"])
assert two.columns == ["petal_width", "species"], two.columns
assert two.nrow == len(data), two.nrow


def predictions(frame):
    gbm = H2OGradientBoostingEstimator(ntrees=5, seed=7)
    gbm.train(x=header[:4], y="species", training_frame=frame)
    return gbm.predict(from_csv).as_data_frame(use_pandas=False)


assert predictions(table) == predictions(from_csv)


def failure(call):
    """floe's message; a synchronous error's text from the client also repeats the request's data (the password)."""
    try:
        call()
    except Exception as e:
        return str(e).split("  Request: ")[0]
    raise AssertionError("expected a failure")


refused = failure(lambda: h2o.import_sql_table(dead_jdbc, "iris", user, password))
wrong = failure(lambda: h2o.import_sql_table(jdbc, "iris", user, "wrong-" + password))
missing = failure(lambda: h2o.import_sql_table(jdbc, "no_such_table", user, password))
mssql = failure(lambda: h2o.import_sql_table("jdbc:sqlserver://127.0.0.1:1433/db", "iris", user, password))
delete = failure(lambda: h2o.import_sql_select(jdbc, "DELETE FROM iris", user, password))
for message in (refused, wrong, missing, mssql, delete):
    assert password not in message, message

print("RESULT " + json.dumps({
    "rows": table.nrow,
    "setosa": setosa.nrow,
    "refused": refused,
    "wrong": wrong,
    "missing": missing,
    "mssql": mssql,
    "delete": delete,
}))

# S3 through H2O's client: import_file of an s3:// key and of a glob, and export_file to
# s3://, against an S3-compatible store; asserted against the CSV read with Python's csv
# module here and the exported object read back by the test.
import csv
import json
import os
from urllib.parse import urlparse

import h2o

url = urlparse(os.environ["FLOE_URL"])
with open(os.environ["IRIS_PATH"]) as f:
    rows = list(csv.reader(f))
header, data = rows[0], rows[1:]

h2o.init(ip=url.hostname, port=url.port)

one = h2o.import_file("s3://data/in/iris.csv")
assert one.nrow == len(data) and one.columns == header, (one.nrow, one.columns)
glob = h2o.import_file("s3://data/parts/*.csv")
assert glob.nrow == len(data), glob.nrow
assert glob.as_data_frame(use_pandas=False) == one.as_data_frame(use_pandas=False)
expected = sum(float(r[2]) for r in data) / len(data)
assert abs(one["petal_length"].mean()[0] - expected) < 1e-12

h2o.export_file(one, "s3://data/out/h2o.csv", force=True)
try:
    h2o.import_file("s3://data/in/nope.csv")
    missing = None
except Exception as e:
    missing = str(e)
print("RESULT " + json.dumps({"rows": one.nrow, "missing": missing}))

# Frames through H2O's client, asserted against facts computed here from the CSV itself
# with Python's csv module: import from a path and from a URL, upload, python objects,
# summaries, download, get_frame, export and remove.
import csv
import math
import os
import sys
from urllib.parse import urlparse

import h2o

url = urlparse(os.environ["FLOE_URL"])
iris_path = os.environ["IRIS_PATH"]
iris_url = os.environ["IRIS_URL"]
out_dir = os.environ["OUT_DIR"]

with open(iris_path) as f:
    rows = list(csv.reader(f))
header, data = rows[0], rows[1:]
lengths = [float(r[0]) for r in data]
expected_mean = sum(lengths) / len(lengths)
expected_sd = math.sqrt(sum((x - expected_mean) ** 2 for x in lengths) / (len(lengths) - 1))
levels = sorted(set(r[4] for r in data))

h2o.init(ip=url.hostname, port=url.port)

local = h2o.import_file(iris_path)
assert local.nrow == len(data), local.nrow
assert local.ncol == len(header), local.ncol
assert local.columns == header, local.columns
assert local.types["species"] == "enum", local.types
assert local.types["sepal_length"] == "real", local.types
print("LOCAL", local.frame_id, local.nrow, local.ncol)

remote = h2o.import_file(iris_url)
assert remote.nrow == len(data) and remote.ncol == len(header), (remote.nrow, remote.ncol)
assert remote.frame_id != local.frame_id, remote.frame_id
print("URL", remote.frame_id, remote.nrow)

uploaded = h2o.upload_file(iris_path, destination_frame="iris_upload")
assert uploaded.frame_id == "iris_upload" and uploaded.nrow == len(data), (uploaded.frame_id, uploaded.nrow)

summary = local.get_summary()
assert abs(summary["sepal_length"]["mean"] - expected_mean) < 1e-9, summary["sepal_length"]["mean"]
assert abs(summary["sepal_length"]["sigma"] - expected_sd) < 1e-9, summary["sepal_length"]["sigma"]
assert summary["sepal_length"]["mins"][0] == min(lengths) and summary["sepal_length"]["maxs"][0] == max(lengths)
assert summary["species"]["domain"] == levels, summary["species"]["domain"]
local.describe()

table = local.as_data_frame(use_pandas=False)
assert table[0] == header, table[0]
assert len(table) == len(data) + 1, len(table)
assert [float(x) for x in table[1][:4]] == [float(x) for x in data[0][:4]] and table[1][4] == data[0][4], table[1]

again = h2o.get_frame(local.frame_id)
assert again.nrow == len(data) and again.columns == header

from_dict = h2o.H2OFrame({"x": [1, 2, 3, 4], "y": ["a", "b", "a", "c"]})
assert from_dict.nrow == 4 and from_dict.ncol == 2, (from_dict.nrow, from_dict.ncol)
assert from_dict.columns == ["x", "y"], from_dict.columns
assert from_dict.types == {"x": "real", "y": "enum"}, from_dict.types
assert from_dict.as_data_frame(use_pandas=False)[1:] == [["1", "a"], ["2", "b"], ["3", "a"], ["4", "c"]]

from_lists = h2o.H2OFrame([[1, 2.5], [3, 4.5], [5, 6.5]])
assert (from_lists.nrow, from_lists.ncol) == (3, 2), (from_lists.nrow, from_lists.ncol)
assert from_lists.columns == ["C1", "C2"], from_lists.columns

exported = os.path.join(out_dir, "iris-export.csv")
h2o.export_file(local, exported)
with open(exported) as f:
    written = list(csv.reader(f))
assert written[0] == header and len(written) == len(data) + 1, (written[0], len(written))

keys = [f["frame_id"]["name"] for f in h2o.api("GET /3/Frames")["frames"]]
assert "iris_upload" in keys, keys
h2o.remove("iris_upload")
keys = [f["frame_id"]["name"] for f in h2o.api("GET /3/Frames")["frames"]]
assert "iris_upload" not in keys, keys

# As H2O does: get_frame of an unknown key is None; an import of a missing file is H2O's error with floe's message.
assert h2o.get_frame("no_such_frame") is None
missing = os.path.join(out_dir, "no-such-file.csv")
try:
    h2o.import_file(missing)
    print("importing a missing file did not fail")
    sys.exit(1)
except h2o.exceptions.H2OResponseError as e:
    assert "no-such-file.csv does not exist" in str(e), str(e)
print("OK")

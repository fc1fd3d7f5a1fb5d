# Workflow 2's Rapids parts with H2O's own client against floe: asfactor, split_frame,
# column statistics, row filters, column selection and assignment, cbind/rbind and
# group_by. Every answer is checked against one computed here from the CSV with Python's
# csv module. Prints OK at the end; any mismatch is an AssertionError (exit 1).
import csv
import math
import os
import statistics
import sys

import h2o

IRIS = os.environ["IRIS"]
with open(IRIS) as f:
    rows = list(csv.DictReader(f))
sl = [float(r["sepal_length"]) for r in rows]
pl = [float(r["petal_length"]) for r in rows]
species = sorted({r["species"] for r in rows})


def close(a, b, tol=1e-9):
    assert math.isclose(a, b, rel_tol=tol, abs_tol=tol), (a, b)


h2o.init(url=os.environ["FLOE_URL"], verbose=False)
df = h2o.import_file(IRIS)
assert df.nrow == 150 and df.ncol == 5, df.dim

df["species"] = df["species"].asfactor()
assert df.types["species"] == "enum", df.types
assert df["species"].levels() == [species], df["species"].levels()
assert df["species"].nlevels() == [3]

train, test = df.split_frame(ratios=[0.8], seed=1234)
assert train.nrow + test.nrow == 150, (train.nrow, test.nrow)
assert 105 <= train.nrow <= 135, train.nrow
print("SPLIT", train.nrow, test.nrow)

close(df["sepal_length"].mean()[0], statistics.mean(sl))
close(df["sepal_length"].sd()[0], statistics.stdev(sl))
assert df["sepal_length"].min() == min(sl)
assert df["sepal_length"].max() == max(sl)
close(df["sepal_length"].sum(), sum(sl))
assert df["sepal_length"].isna().sum() == 0

uniq = df["sepal_length"].unique()
assert uniq.nrow == len(set(sl)), uniq.nrow
assert sorted(float(v[0]) for v in uniq.as_data_frame(use_pandas=False)[1:]) == sorted(set(sl))

table = df["species"].table().as_data_frame(use_pandas=False)
assert table[0] == ["species", "Counts"], table[0]
assert {r[0]: int(float(r[1])) for r in table[1:]} == {s: sum(1 for r in rows if r["species"] == s) for s in species}, table

big = df[df["sepal_length"] > 6, :]
assert big.nrow == sum(1 for x in sl if x > 6), big.nrow
both = df[(df["sepal_length"] > 5) & (df["species"] == species[0]), :]
assert both.nrow == sum(1 for r in rows if float(r["sepal_length"]) > 5 and r["species"] == species[0]), both.nrow

pair = df[["sepal_length", "petal_length"]]
assert pair.ncol == 2 and pair.columns == ["sepal_length", "petal_length"]
assert df[2:8, :].nrow == 6

df["twice"] = df["sepal_length"] * 2 + df["petal_length"]
assert df.ncol == 6
close(df["twice"].sum(), sum(2 * a + b for a, b in zip(sl, pl)))
df["petal_length"] = df["petal_length"] - 1
close(df["petal_length"].sum(), sum(pl) - 150)

wide = df["sepal_length"].cbind(df["species"])
assert wide.dim == [150, 2], wide.dim
tall = train.rbind(test)
assert tall.nrow == 150
close(tall["sepal_length"].sum(), sum(sl))

grouped = df.group_by("species").count().mean("sepal_length").sum("sepal_length").get_frame()
got = grouped.as_data_frame(use_pandas=False)
header, body = got[0], got[1:]
assert header == ["species", "nrow", "mean_sepal_length", "sum_sepal_length"], header
for row in body:
    these = [float(r["sepal_length"]) for r in rows if r["species"] == row[0]]
    assert int(float(row[1])) == len(these), row
    close(float(row[2]), statistics.mean(these))
    close(float(row[3]), sum(these))
assert [r[0] for r in body] == species

h2o.remove(big)
print("OK")

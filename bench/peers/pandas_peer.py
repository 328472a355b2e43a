"""pandas peer for the db-benchmark groupby questions (named pandas_peer.py: a script named
pandas.py would shadow the pandas package when Python puts its folder first on sys.path).

    /usr/bin/python3 bench/peers/pandas_peer.py FILE.csv [load|groupby|all]     (default: all)

Prints one JSON object per line on stdout (same shapes as duckdb.mjs):
  {"tool":"pandas","task":"load","variant":"category","seconds":..,"rows":..}
  {"tool":"pandas","question":"q1","run":1,"seconds":..,"rows":..,"cols":..,"chk":[..]}
Load as in the published solution: id1..id3 category, id4..id6, v1, v2 nullable Int32,
v3 float64; NA = empty field (see the pandas < 2.0 work-around for NA categorical keys below).  Group-bys use as_index=False, sort=False, observed=True,
dropna=False (NA keys form a group, as in data.table and DuckDB).
Each question runs twice; only the query producing the result frame is timed.
chk = the sum of the non-NA values of each measure column of the result (pandas skips NA
and NaN), computed after the timing.
"""
import gc
import json
import os
import sys
import time

import pandas as pd

if len(sys.argv) < 2 or (len(sys.argv) > 2 and sys.argv[2] not in ("load", "groupby", "all")):
    sys.exit("usage: pandas_peer.py FILE.csv [load|groupby|all]")
path = sys.argv[1]
mode = sys.argv[2] if len(sys.argv) > 2 else "all"
data_name = os.path.basename(path).removesuffix(".csv")


def emit(**fields):
    print(json.dumps({"tool": "pandas", "version": pd.__version__, "data": data_name, **fields}), flush=True)


DTYPES = {"id1": "category", "id2": "category", "id3": "category",
          **{c: "Int32" for c in ("id4", "id5", "id6", "v1", "v2")}, "v3": "float64"}
t0 = time.perf_counter()
x = pd.read_csv(path, dtype=DTYPES)
# pandas < 2.0 drops NA keys of a categorical grouper even with dropna=False, so a question
# grouped by id1..id3 would lose the NA group (and its rows) that data.table and DuckDB keep.
# Work-around, inside the load timing: make NA an explicit category "" (the empty CSV field).
if int(pd.__version__.split(".")[0]) < 2:
    for c in ("id1", "id2", "id3"):
        if x[c].isna().any():
            x[c] = x[c].cat.add_categories([""]).fillna("")
load_s = time.perf_counter() - t0
if mode != "groupby":
    emit(task="load", variant="category", seconds=load_s, rows=len(x))
if mode == "load":
    sys.exit(0)

G = dict(as_index=False, sort=False, observed=True, dropna=False)


def q6():
    ans = x.groupby(["id4", "id5"], **G).agg({"v3": ["median", "std"]})
    ans.columns = ["id4", "id5", "median_v3", "sd_v3"]
    return ans


def q7():
    ans = x.groupby("id3", **G).agg({"v1": "max", "v2": "min"})
    return ans.assign(range_v1_v2=ans["v1"] - ans["v2"])[["id3", "range_v1_v2"]]


def q9():
    ans = x[["id2", "id4", "v1", "v2"]].groupby(["id2", "id4"], **G).apply(
        lambda d: pd.Series({"r2": d[["v1", "v2"]].corr()["v1"]["v2"] ** 2}))
    return ans


# question -> (query returning the result frame, measure columns summed for chk)
Q = {
    "q1": (lambda: x.groupby("id1", **G).agg({"v1": "sum"}), ["v1"]),
    "q2": (lambda: x.groupby(["id1", "id2"], **G).agg({"v1": "sum"}), ["v1"]),
    "q3": (lambda: x.groupby("id3", **G).agg({"v1": "sum", "v3": "mean"}), ["v1", "v3"]),
    "q4": (lambda: x.groupby("id4", **G).agg({"v1": "mean", "v2": "mean", "v3": "mean"}), ["v1", "v2", "v3"]),
    "q5": (lambda: x.groupby("id6", **G).agg({"v1": "sum", "v2": "sum", "v3": "sum"}), ["v1", "v2", "v3"]),
    "q6": (q6, ["median_v3", "sd_v3"]),
    "q7": (q7, ["range_v1_v2"]),
    "q8": (lambda: x[~x["v3"].isna()][["id6", "v3"]].sort_values("v3", ascending=False)
           .groupby("id6", **G).head(2).rename(columns={"v3": "largest2_v3"}), ["largest2_v3"]),
    "q9": (q9, ["r2"]),
    "q10": (lambda: x.groupby(["id1", "id2", "id3", "id4", "id5", "id6"], **G)
            .agg(v3=("v3", "sum"), count=("v1", "size")), ["v3", "count"]),
}


def num(v):
    return None if pd.isna(v) else float(v)


for q, (fn, measures) in Q.items():
    for run in (1, 2):
        gc.collect()
        t0 = time.perf_counter()
        ans = fn()
        s = time.perf_counter() - t0
        chk = [num(ans[m].astype("float64").sum()) for m in measures]
        emit(question=q, run=run, seconds=s, rows=ans.shape[0], cols=ans.shape[1], chk=chk)
        del ans

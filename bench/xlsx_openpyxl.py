#!/usr/bin/python3
"""openpyxl's side of bench/xlsx_bench.lua (one JSON line per run).

    /usr/bin/python3 bench/xlsx_openpyxl.py write bench/data/G1_1e6_1e2_0_0.csv OUT.xlsx
    /usr/bin/python3 bench/xlsx_openpyxl.py read IN.xlsx

write: the CSV is parsed into Python values first (not timed: id1..id3 str,
id4..id6 v1 v2 int, v3 float), then a write_only workbook gets them row by
row and is saved.  read: load_workbook(read_only=True) and every value of
every row of the first sheet, held as lists of column values (as a frame
holds them).  peak_rss is ru_maxrss minus the resident size before.
"""
import csv
import json
import resource
import sys
import time

import openpyxl


def rss():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def write(src, dst):
    with open(src, newline="") as fh:
        r = csv.reader(fh)
        header = next(r)
        rows = [[a, b, c, int(d), int(e), int(f), int(g), int(h), float(i)] for a, b, c, d, e, f, g, h, i in r]
    before = rss()
    t = time.perf_counter()
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(dst)
    secs = time.perf_counter() - t
    print(json.dumps({"tool": "openpyxl", "task": "write", "seconds": round(secs, 4), "rows": len(rows),
                      "peak_rss": peak() - before}), flush=True)


def read(src):
    before = rss()
    t = time.perf_counter()
    wb = openpyxl.load_workbook(src, read_only=True)
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    names = next(it)
    cols = [[] for _ in names]
    n = 0
    for row in it:
        for j, v in enumerate(row):
            cols[j].append(v)
        n += 1
    wb.close()
    secs = time.perf_counter() - t
    print(json.dumps({"tool": "openpyxl", "task": "read", "seconds": round(secs, 4), "rows": n,
                      "peak_rss": peak() - before}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
    else:
        read(sys.argv[2])

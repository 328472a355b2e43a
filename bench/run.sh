#!/bin/sh
# The whole benchmark, zonestat and its peers side by side in one run:
#   make bench            (or: sh bench/run.sh [REPEATS], from the repository root)
# For each G1 file (1e7 rows, 0% and 5% NA): zonestat's load (time and peak
# memory) and ten questions, DuckDB, data.table and pandas when installed,
# each in REPEATS fresh processes (default 3); the plain-Lua baseline on the
# 1e6 file; the floor for q1 (bench/read_baseline.c).  Tables:
# bench/results/summary.md (printed at the end).
set -u
cd "$(dirname "$0")/.." || exit 1
reps=${1:-3}
export LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;'
make -s all || exit 1
make -s -C bench data >/dev/null || exit 1
mkdir -p bench/results
files="G1_1e7_1e2_0_0 G1_1e7_1e2_5_0"
for data in $files; do
  csv=bench/data/$data.csv
  out=bench/results/$data.zonestat.jsonl
  : >"$out"
  i=1
  while [ "$i" -le "$reps" ]; do
    echo "bench: zonestat on $data, repeat $i/$reps (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    lua5.4 bench/load.lua "$csv" >>"$out"
    lua5.4 bench/groupby.lua "$csv" >>"$out"
    i=$((i + 1))
  done
  sh bench/run_peers.sh "$csv" "$reps"
done
echo "bench: plain Lua on G1_1e6_1e2_0_0 (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
lua5.4 bench/plain_lua.lua bench/data/G1_1e6_1e2_0_0.csv >bench/results/G1_1e6_1e2_0_0.plain.jsonl
lua5.4 bench/groupby.lua bench/data/G1_1e6_1e2_0_0.csv >bench/results/G1_1e6_1e2_0_0.zonestat.jsonl
echo "bench: the floor for q1, reading its two columns from memory" >&2
make -s -C bench read_baseline || exit 1
bench/read_baseline >bench/results/read_baseline.jsonl
lua5.4 bench/compare.lua bench/results/G1_1e7_1e2_0_0.zonestat.jsonl bench/results/G1_1e7_1e2_0_0.peers.jsonl \
  bench/results/G1_1e7_1e2_5_0.zonestat.jsonl bench/results/G1_1e7_1e2_5_0.peers.jsonl \
  bench/results/G1_1e6_1e2_0_0.zonestat.jsonl bench/results/G1_1e6_1e2_0_0.plain.jsonl >bench/results/summary.md
floor=$(sed 's/.*"seconds":\([0-9.]*\).*/\1/' bench/results/read_baseline.jsonl)
echo "q1 floor: reading id1's codes and v1 (120 MB) on 2 threads takes $floor s (median of 7; bench/read_baseline)" \
  >>bench/results/summary.md
cat bench/results/summary.md

#!/bin/sh
# Run the peer tools (DuckDB, data.table, pandas) on one G1 CSV and collect their JSON lines.
#
#   bench/run_peers.sh FILE.csv [REPEATS]          (REPEATS default 2)
#
# Each peer is started REPEATS times (a fresh process each time: load + q1..q10, each question
# run twice inside the process).  All lines go to bench/results/<data>.peers.jsonl, where <data>
# is the CSV name without .csv; each peer's stderr goes to bench/results/<data>.<peer>.log.
# Peers missing on this machine are skipped with a message.  Environment:
#   PEERS   which peers to try, default "duckdb datatable pandas"
#   PYTHON  interpreter for pandas, default /usr/bin/python3 (Debian's python3-pandas)
#   OUT     output file instead of bench/results/<data>.peers.jsonl (it is replaced)
set -u
here=$(cd "$(dirname "$0")" && pwd)
file=${1:?usage: run_peers.sh FILE.csv [REPEATS]}
reps=${2:-2}
[ -r "$file" ] || { echo "run_peers: cannot read $file" >&2; exit 2; }
PEERS=${PEERS:-"duckdb datatable pandas"}
PYTHON=${PYTHON:-/usr/bin/python3}
data=$(basename "$file" .csv)
mkdir -p "$here/results"
out=${OUT:-"$here/results/$data.peers.jsonl"}
tmp="$out.tmp.$$"
: >"$tmp"
status=0

have() {  # have PEER: is the peer runnable here?
  case $1 in
    duckdb) command -v node >/dev/null && [ -d "$here/peers/node_modules/@duckdb/node-api" ] ;;
    datatable) command -v Rscript >/dev/null && Rscript -e 'library(data.table)' >/dev/null 2>&1 ;;
    pandas) "$PYTHON" -c 'import pandas' >/dev/null 2>&1 ;;
    *) false ;;
  esac
}

run() {  # run PEER: one process of the peer on $file
  case $1 in
    duckdb) node "$here/peers/duckdb.mjs" "$file" all ;;
    datatable) Rscript "$here/peers/datatable.R" "$file" all ;;
    pandas) "$PYTHON" "$here/peers/pandas_peer.py" "$file" all ;;
  esac
}

hint() {
  case $1 in
    duckdb) echo "(needs node and: cd bench/peers && npm install)" ;;
    datatable) echo "(needs: apt-get install r-cran-data.table)" ;;
    pandas) echo "(needs: apt-get install python3-pandas, or PYTHON=...)" ;;
  esac
}

for p in $PEERS; do
  if ! have "$p"; then
    echo "run_peers: skipping $p: not available $(hint "$p")" >&2
    continue
  fi
  log="$here/results/$data.$p.log"
  : >"$log"
  i=1
  while [ "$i" -le "$reps" ]; do
    # the load average shows whether other work shared the 2 cores during this repeat
    echo "run_peers: $p on $data, repeat $i/$reps (load average $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$log" >&2
    if ! run "$p" >>"$tmp" 2>>"$log"; then
      echo "run_peers: $p failed (see $log)" >&2
      status=1
    fi
    i=$((i + 1))
  done
done
mv "$tmp" "$out"
echo "run_peers: wrote $out ($(wc -l <"$out") lines)" >&2
exit $status

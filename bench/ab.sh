#!/bin/sh
# Interleaved A/B of the ten groupby questions between two checkouts:
#   sh bench/ab.sh OLD_TREE NEW_TREE [REPEATS] [OUT.jsonl]
# (e.g. `git worktree add /tmp/before HEAD~1 && make -C /tmp/before`).  Each
# repeat runs bench/groupby.lua once per tree and per G1 1e7 file, the trees
# alternating, so both meet the same state of the machine.  QUESTIONS="q1 q3"
# limits the questions.  Prints the medians of run 1 (bench/ab_summary.lua).
set -u
old=$1 new=$2 reps=${3:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
out=${4:-$here/bench/results/ab.jsonl}
mkdir -p "$(dirname "$out")"
: >"$out"
make -s -C "$here" -C bench data >/dev/null || exit 1
i=1
while [ "$i" -le "$reps" ]; do
  for data in G1_1e7_1e2_0_0 G1_1e7_1e2_5_0; do
    for tree in "$old" "$new"; do
      label=$([ "$tree" = "$old" ] && echo before || echo after)
      echo "ab: $label, $data, repeat $i/$reps (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
      (cd "$tree" && LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;' \
        lua5.4 "$tree/bench/groupby.lua" "$here/bench/data/$data.csv") | sed "s/^{/{\"tree\":\"$label\",/" >>"$out"
    done
  done
  i=$((i + 1))
done
lua5.4 "$here/bench/ab_summary.lua" "$out"

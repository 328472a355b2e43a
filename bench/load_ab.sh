#!/bin/sh
# Interleaved A/B of zs.read_csv (bench/load.lua) between two checkouts:
#   sh bench/load_ab.sh OLD_TREE NEW_TREE FILE.csv [REPEATS] [THREADS]
# (e.g. `git worktree add /tmp/before 4d45b26 && make -C /tmp/before`).  Each
# repeat loads FILE once per tree in a fresh process, the trees alternating,
# with the page cache warm (one untimed read first); prints each tree's
# median seconds and peak memory, and the ratio new / old.
set -u
old=$1 new=$2 file=$3 reps=${4:-7} threads=${5:-2}
here=$(cd "$(dirname "$0")/.." && pwd)
case $file in /*) ;; *) file=$here/$file ;; esac
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cat "$file" >/dev/null
i=1
while [ "$i" -le "$reps" ]; do
  for tree in "$old" "$new"; do
    label=$([ "$tree" = "$old" ] && echo old || echo new)
    echo "load_ab: $label, repeat $i/$reps (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    (cd "$tree" && LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;' \
      lua5.4 "$here/bench/load.lua" "$file" "$threads") | sed "s/^{/{\"tree\":\"$label\",/" >>"$out"
  done
  i=$((i + 1))
done
lua5.4 - "$out" <<'LUAEOF'
local cjson = require "cjson"
local runs = { old = { s = {}, m = {} }, new = { s = {}, m = {} } }
for line in io.lines(arg[1]) do
  local r = cjson.decode(line)
  table.insert(runs[r.tree].s, r.seconds)
  table.insert(runs[r.tree].m, r.peak_rss)
end
local function median(t)
  table.sort(t)
  local n = #t
  return n % 2 == 1 and t[(n + 1) // 2] or (t[n // 2] + t[n // 2 + 1]) / 2
end
local so, sn = median(runs.old.s), median(runs.new.s)
local mo, mn = median(runs.old.m), median(runs.new.m)
print(string.format("old: median %.3f s, peak %.0f MB (%d runs)", so, mo / 2^20, #runs.old.s))
print(string.format("new: median %.3f s, peak %.0f MB (%d runs)", sn, mn / 2^20, #runs.new.s))
print(string.format("new/old: time %.3f, peak memory %.3f", sn / so, mn / mo))
LUAEOF

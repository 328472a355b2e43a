#!/bin/sh
# The spec suite under the ASan + UBSan core: what `make sanitize` runs (after
# `make -C fuzz asan`).  Run from the checkout root:
#
#   sh fuzz/sanitize.sh                       every spec/*_spec.lua
#   sh fuzz/sanitize.sh spec/agg_spec.lua     some files only
#
# One busted process per spec file, under out/asan/bin/lua5.4 (san_lua.sh: the
# ASan runtime preloaded by the dynamic loader, the sanitized core loaded in
# place of build/zonestat/core.so), so a sanitizer report that ends a process
# (every ASan error, UBSan with halt_on_error=1, LSan at exit) fails that
# file's remaining tests and the other files still run.  The busted process
# checks for leaks at its exit (fuzz/lsan.supp); the lua5.4 children the specs
# start do not (see san_lua.sh).  Files run SAN_JOBS at a time.
#
# Environment:
#   SAN_OUT           the asan build (default fuzz/out/asan)
#   SAN_JOBS          spec files run at the same time (default 2)
#   SAN_EXCLUDE_TAGS  busted tags left out (default "slow": see README-checks.md)
#   SAN_TIMEOUT       seconds for one spec file (default 900)
#   ZS_ASAN_OPTIONS, ZS_UBSAN_OPTIONS   appended to the options (san_lua.sh)
#
# Output: one line per file ("spec/x_spec.lua: 12 passed, 0 failed, 20.1 s"),
# the failures of each failed file with its sanitizer reports, and last the
# line "N passed, N failed"; each file's full log in $SAN_OUT/logs/.  A test
# counts as failed when it fails, errs, or did not run because its process
# died; a leak report at exit counts as one failed test, and so do the
# sanitizer reports of child processes when no test of the file failed.  The exit status is
# 0 when nothing failed.
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
SAN_OUT=${SAN_OUT:-$root/fuzz/out/asan}
SAN_JOBS=${SAN_JOBS:-2}
SAN_EXCLUDE_TAGS=${SAN_EXCLUDE_TAGS-slow}
SAN_TIMEOUT=${SAN_TIMEOUT:-900}
# the module's paths as the main Makefile exports them to `make test`
LUA_PATH=${LUA_PATH-"lua/?.lua;lua/?/init.lua;;"}
LUA_CPATH=${LUA_CPATH-"build/?.so;;"}
export SAN_OUT SAN_EXCLUDE_TAGS SAN_TIMEOUT LUA_PATH LUA_CPATH
logs=$SAN_OUT/logs

# one spec file: write $logs/<name>.log and $logs/<name>.res ("passed failed seconds note")
if [ "${1-}" = --one ]; then
  f=$2
  name=$(echo "$f" | sed 's|/|_|g; s|\.lua$||')
  log=$logs/$name.log
  PATH=${SAN_BIN:-$SAN_OUT/bin}:$PATH
  export PATH
  set -- --ignore-lua --cpath="$SAN_OUT/?.so" -o TAP
  [ -n "$SAN_EXCLUDE_TAGS" ] && set -- "$@" --exclude-tags="$SAN_EXCLUDE_TAGS"
  reports=$logs/$name.reports
  # (writable by all: specs run some children as another user)
  mkdir -p "$reports" && chmod 1777 "$reports"
  t0=$(date +%s.%N)
  ZS_SAN_REPORTS=$reports ZS_SAN_TOP=1 timeout -k 10 "$SAN_TIMEOUT" lua5.4 /usr/bin/busted "$@" "$f" >"$log" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  passed=$(grep -E '^ok [0-9]+ - ' "$log" | grep -cv '^ok [0-9]* - # SKIP')
  failed=$(grep -cE '^not ok [0-9]+ ' "$log")
  skipped=$(grep -cE '^ok [0-9]+ - # SKIP' "$log")
  note=""
  if ! grep -qE '^1\.\.[0-9]+' "$log"; then
    # the process died before the end: every test that did not pass failed
    total=$(lua5.4 /usr/bin/busted "$@" --list "$f" 2>/dev/null | grep -c .)
    rest=$((total - passed - failed - skipped))
    [ "$rest" -lt 1 ] && rest=1
    failed=$((failed + rest))
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then note="timed out after ${SAN_TIMEOUT}s"; else note="died (exit status $rc)"; fi
    note="$note; $rest tests not run or not finished"
  elif [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
    # all tests passed but the process failed at exit (a leak report)
    failed=1
    note="exit status $rc after the tests (leak report?)"
  fi
  grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log" && note="${note:+$note; }sanitizer report"
  # reports of child lua5.4 processes (san_lua.sh: ZS_SAN_REPORTS): they fail
  # the file even when no test looked at the child's status
  nrep=$(ls "$reports" 2>/dev/null | wc -l)
  if [ "$nrep" -gt 0 ]; then
    note="${note:+$note; }$nrep sanitizer reports of child processes"
    [ "$failed" = 0 ] && failed=1
  fi
  secs=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
  echo "$passed $failed $secs $note" >"$logs/$name.res"
  exit 0
fi

if [ ! -x "$SAN_OUT/bin/lua5.4" ] || [ ! -f "$SAN_OUT/zonestat/core.so" ]; then
  echo "no sanitized build in $SAN_OUT: run make -C fuzz asan first" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
# Some specs run a child lua5.4 as nobody (as root, permissions stop no
# one else).  When the checkout lies in a folder nobody cannot enter (a
# clone in a `mktemp -d` folder, mode 0700), the wrapper, the sanitized
# core and the runtime files are copied to a folder nobody can read, and
# the specs find lua5.4 there.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
  ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$SAN_OUT/bin/lua5.4" 2>/dev/null; then
  mirror=$(mktemp -d /tmp/zs-san.XXXXXX) && chmod 0755 "$mirror" || exit 1
  trap 'rm -rf "$mirror"' EXIT
  mkdir -p "$mirror/bin" "$mirror/lib" "$mirror/zonestat" "$mirror/fuzz"
  cp "$SAN_OUT/zonestat/core.so" "$mirror/zonestat/"
  cp "$SAN_OUT/lib/san_preload.so" "$mirror/lib/"
  cp -a "$SAN_OUT/include" "$mirror/" # luarocks looks for Lua's headers beside bin/lua5.4
  cp "$root/fuzz/san_init.lua" "$root/fuzz/lsan.supp" "$root/fuzz/ubsan.supp" "$mirror/fuzz/"
  sed -e "s|$SAN_OUT|$mirror|g" -e "s|$root/fuzz|$mirror/fuzz|g" "$SAN_OUT/bin/lua5.4" >"$mirror/bin/lua5.4"
  chmod -R a+rX "$mirror" && chmod 0755 "$mirror/bin/lua5.4"
  SAN_BIN=$mirror/bin
  export SAN_BIN
fi
rm -rf "$logs"
mkdir -p "$logs"
[ $# -gt 0 ] || set -- spec/*_spec.lua
t0=$(date +%s)
printf '%s\n' "$@" | xargs -P "$SAN_JOBS" -I{} sh "$root/fuzz/sanitize.sh" --one {}
t1=$(date +%s)

total_passed=0
total_failed=0
for f in "$@"; do
  name=$(echo "$f" | sed 's|/|_|g; s|\.lua$||')
  if [ -f "$logs/$name.res" ]; then
    read -r passed failed secs note <"$logs/$name.res"
  else
    passed=0 failed=1 secs=0 note="not run"
  fi
  echo "$f: $passed passed, $failed failed, $secs s${note:+ ($note)}"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
done
for f in "$@"; do
  name=$(echo "$f" | sed 's|/|_|g; s|\.lua$||')
  log=$logs/$name.log
  read -r passed failed secs note <"$logs/$name.res" 2>/dev/null || failed=1
  [ "$failed" = 0 ] && continue
  echo
  echo "==== $f (full log: $log)"
  # the failed tests with their messages, then every sanitizer report
  awk '/^not ok /{p=1; print; next} /^(ok |1\.\.)/{p=0} p && /^#/' "$log" | head -n 200
  awk '/^(==[0-9]+==ERROR|=+$|.*runtime error:|SUMMARY: )/{p=1} p{print} /^SUMMARY: /{p=0; print ""}' "$log" | head -n 300
  for rep in "$logs/$name.reports"/*; do
    [ -f "$rep" ] || continue
    echo "-- child process report $rep:"
    head -n 60 "$rep"
  done
done
echo
echo "sanitized suite: $# spec files in $((t1 - t0)) s (SAN_JOBS=$SAN_JOBS${SAN_EXCLUDE_TAGS:+, without tags $SAN_EXCLUDE_TAGS})"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]

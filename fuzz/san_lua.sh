#!/bin/bash
# lua5.4 under AddressSanitizer + UndefinedBehaviorSanitizer.  `make -C fuzz asan`
# fills in the @...@ and installs this as out/asan/bin/lua5.4; sanitize.sh puts
# that folder first in PATH, so every `lua5.4` the specs start comes here.
#
# The ASan runtime is preloaded (LD_PRELOAD) together with san_preload.so,
# whose constructor takes both out of LD_PRELOAD again as the process starts
# (and which makes dlclose a no-op, so leak reports can name the frames): nothing in the environment carries the runtime into child processes, so the
# python3, sh, sqlite3 or luarocks a spec starts run as usual (python3 cannot
# run with the ASan runtime preloaded), and a child `lua5.4` found through
# PATH comes back here and is sanitized again.
#
# Leaks: only a process started with ZS_SAN_TOP=1 (sanitize.sh's busted
# process for one spec file) checks for leaks at exit, with lsan.supp; every
# child lua5.4 runs with detect_leaks=0, so a leak report (slow to symbolize,
# and it changes the exit status) cannot stall a spec or fail it from outside.
# A sanitizer report ends the process with exit status 86: ASan errors
# always, UBSan too (halt_on_error=1), LSan at exit.
#
# san_init.lua (LUA_INIT_5_4) makes `require "zonestat.core"` load the
# sanitized module wherever package.cpath finds a checkout's
# build/zonestat/core.so, also when the code sets package.cpath itself
# (bin/zonestat, lua5.4 -e '...').
#
# More options: ZS_ASAN_OPTIONS and ZS_UBSAN_OPTIONS are appended (later
# options win), e.g. ZS_UBSAN_OPTIONS=halt_on_error=0 to see every report.
#
# Reports of child processes: with ZS_SAN_REPORTS=DIR (sanitize.sh sets it
# for each spec file) a child writes its sanitizer report to DIR/report.PID
# instead of stderr, so that a report cannot go unseen when a spec discards
# the child's stderr or does not check its exit status.
log=""
if [ "${ZS_SAN_TOP-}" = 1 ]; then
  leaks=1
else
  leaks=0
  # (quietly: a spec may run this as another user, or with an empty PATH;
  # then the report goes to stderr)
  [ -n "${ZS_SAN_REPORTS-}" ] && /bin/mkdir -p "$ZS_SAN_REPORTS" 2>/dev/null && [ -w "$ZS_SAN_REPORTS" ] &&
    log=":log_path=$ZS_SAN_REPORTS/report"
fi
unset ZS_SAN_TOP
ASAN_OPTIONS="detect_leaks=$leaks:allocator_may_return_null=1:exitcode=86:handle_abort=1$log${ZS_ASAN_OPTIONS:+:$ZS_ASAN_OPTIONS}"
LSAN_OPTIONS="suppressions=@FUZZ@/lsan.supp:print_suppressions=0"
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86:suppressions=@FUZZ@/ubsan.supp$log${ZS_UBSAN_OPTIONS:+:$ZS_UBSAN_OPTIONS}"
ZS_SAN_CORE=@SAN_CORE@
LUA_INIT_5_4=@@FUZZ@/san_init.lua
export ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS ZS_SAN_CORE LUA_INIT_5_4
if [ -z "${ASAN_SYMBOLIZER_PATH-}" ]; then
  for s in llvm-symbolizer llvm-symbolizer-14; do
    if command -v "$s" >/dev/null 2>&1; then ASAN_SYMBOLIZER_PATH=$(command -v "$s"); export ASAN_SYMBOLIZER_PATH; break; fi
  done
fi
ZS_SAN_SAVED_PRELOAD=${LD_PRELOAD-}
LD_PRELOAD=@ASAN_RT@:@UNPRELOAD@
export ZS_SAN_SAVED_PRELOAD LD_PRELOAD
# exec -a: argv[0] stays lua5.4, the name lua.c puts before its messages
exec -a lua5.4 @LUA@ "$@"

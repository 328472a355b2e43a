/* san_preload.c: preloaded after the ASan runtime by san_lua.sh
 * (LD_PRELOAD=<asan runtime>:<this>).
 *
 * 1. Its constructor takes the two out of LD_PRELOAD again, so that the
 *    process keeps the runtime but nothing it starts (sh, python3, sqlite3,
 *    a plain lua5.4) inherits it: LD_PRELOAD gets back the value it had
 *    before san_lua.sh ($ZS_SAN_SAVED_PRELOAD), or goes.
 *    (Not `ld.so --preload`, which sets no variable at all: with the program
 *    started by the dynamic loader, /proc/self/exe is ld.so and the
 *    sanitizers symbolize the frames of lua5.4 with ld.so's symbols.)
 * 2. dlclose() does nothing: lua_close() unloads the C modules, and a leak
 *    report at exit could then not name a frame of zonestat/core.so or of
 *    the libraries it pulled in (ICU, expat, ...): "<unknown module>". */
#include <stdlib.h>

__attribute__((constructor)) static void unpreload(void) {
  const char *saved = getenv("ZS_SAN_SAVED_PRELOAD");
  if (saved && *saved)
    setenv("LD_PRELOAD", saved, 1);
  else
    unsetenv("LD_PRELOAD");
  unsetenv("ZS_SAN_SAVED_PRELOAD");
}

int dlclose(void *handle) {
  (void)handle;
  return 0;
}

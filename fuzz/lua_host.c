/* lua_host.c: a minimal stand-alone Lua 5.4 interpreter ("lua5.4 script
 * args...") to be built with a sanitizer runtime linked into the executable.
 *
 * Why: ThreadSanitizer's shared runtime cannot be LD_PRELOADed into the
 * uninstrumented /usr/bin/lua5.4 (it crashes at start-up), so the busted
 * suite runs under this host instead, e.g.
 *
 *   make -C fuzz tsan      # builds fuzz/out/tsan/{tlua,zonestat/core.so}
 *   cd /path/to/checkout && fuzz/out/tsan/tlua /usr/bin/busted --ignore-lua \
 *       --cpath='fuzz/out/tsan/?.so' --filter='large inputs' spec/csv_read_spec.lua
 *
 * Only what busted needs: the standard libraries, the global `arg` and the
 * script's varargs, errors reported with a traceback, os.exit honoured. */
#include <stdio.h>
#include <stdlib.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

static int traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  luaL_traceback(L, L, msg ? msg : "(error object is not a string)", 1);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s script [args...]\n", argv[0]);
    return 2;
  }
  lua_State *L = luaL_newstate();
  if (!L) return 1;
  luaL_openlibs(L);
  lua_createtable(L, argc - 2, 2);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - 1);
  }
  lua_setglobal(L, "arg");
  lua_pushcfunction(L, traceback);
  if (luaL_loadfile(L, argv[1]) != LUA_OK) {
    fprintf(stderr, "%s\n", lua_tostring(L, -1));
    lua_close(L);
    return 1;
  }
  for (int i = 2; i < argc; i++) lua_pushstring(L, argv[i]);
  int rc = lua_pcall(L, argc - 2, 0, 1);
  if (rc != LUA_OK) fprintf(stderr, "%s\n", lua_tostring(L, -1));
  lua_close(L);
  return rc == LUA_OK ? 0 : 1;
}

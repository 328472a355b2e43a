/* lua_fuzz.c: libFuzzer host for the Lua fuzz drivers (expr_fuzz.lua,
 * group_fuzz.lua).  fuzz/Makefile builds it once per driver
 * (-DFUZZ_DRIVER="expr_fuzz"), linked with the sanitized core (ASan + UBSan,
 * libFuzzer coverage on the core's code).
 *
 * One Lua state for the whole run: zonestat.core is the statically linked
 * luaopen_zonestat_core (package.preload), the Lua layer comes from the
 * checkout's lua/ folder (FUZZ_ROOT, or $ZS_FUZZ_ROOT), the driver from fuzz/,
 * lua-cjson from the system.
 * The driver module returns function(bytes); it runs the case through the
 * public engine API and raises on a finding (after printing a reproducer),
 * so any error out of it aborts here.  A full garbage collection after each
 * input runs every __gc (ASan sees a use after free at once) and keeps the
 * inputs independent.
 *
 *   FUZZ_VERBOSE=1     print each case's Lua source
 *   FUZZ_REPRO=FILE    also write a finding's reproducer to FILE */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

#ifndef FUZZ_DRIVER
#error "build with -DFUZZ_DRIVER='\"expr_fuzz\"' (see fuzz/Makefile)"
#endif
#ifndef FUZZ_ROOT
#define FUZZ_ROOT "."
#endif

int luaopen_zonestat_core(lua_State *L);

static lua_State *L;
static int driver = LUA_NOREF;

static int traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  luaL_traceback(L, L, msg ? msg : "(error object is not a string)", 1);
  return 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  const char *root = getenv("ZS_FUZZ_ROOT");
  if (!root) root = FUZZ_ROOT;
  L = luaL_newstate();
  if (!L) abort();
  luaL_openlibs(L);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushcfunction(L, luaopen_zonestat_core);
  lua_setfield(L, -2, "zonestat.core");
  lua_pop(L, 1);
  /* the checkout's Lua files first; the system's paths stay (lua-cjson),
   * but no other zonestat.core can be found: it is preloaded */
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "path");
  lua_pushfstring(L, "%s/lua/?.lua;%s/lua/?/init.lua;%s/fuzz/?.lua;%s", root, root, root, lua_tostring(L, -1));
  lua_setfield(L, -3, "path");
  lua_pop(L, 2);
  lua_pushcfunction(L, traceback);
  lua_getglobal(L, "require");
  lua_pushstring(L, FUZZ_DRIVER);
  if (lua_pcall(L, 1, 1, 1) != LUA_OK || !lua_isfunction(L, -1)) {
    fprintf(stderr, "%s: cannot load the driver: %s\n", FUZZ_DRIVER, lua_tostring(L, -1));
    abort();
  }
  driver = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_settop(L, 0);
  if (getenv("FUZZ_VERBOSE")) {
    lua_pushboolean(L, 1);
    lua_setglobal(L, "FUZZ_VERBOSE");
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lua_pushcfunction(L, traceback);
  lua_rawgeti(L, LUA_REGISTRYINDEX, driver);
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 1, 0, 1) != LUA_OK) {
    fprintf(stderr, "%s: %s\n", FUZZ_DRIVER, lua_tostring(L, -1));
    abort();
  }
  lua_settop(L, 0);
  lua_gc(L, LUA_GCCOLLECT);
  return 0;
}

/* core.c: luaopen_zonestat_core, the module's only exported symbol.  Each
 * area registers its functions into the module table (zonestat.core, the
 * engine's internal layer; the public API is built in Lua). */
#include "zs.h"

/* core.set_threads(n) -> previous value; n = 0 means one per core */
static int l_set_threads(lua_State *L) {
  lua_Integer n = luaL_checkinteger(L, 1);
  luaL_argcheck(L, n >= 0 && n <= 1024, 1, "thread count must be between 0 and 1024");
  lua_pushinteger(L, zs_set_threads(L, (int)n));
  return 1;
}

/* core.get_threads() -> this state's thread count */
static int l_get_threads(lua_State *L) {
  lua_pushinteger(L, zs_threads(L));
  return 1;
}

/* The areas register their functions into the module table and their
 * metatables into the registry; none calls another while opening, so the
 * order below is only the order of the layers, lowest first:
 *   mem     the allocator, scratch and the big-block cache every area uses
 *   par     the state's thread count (per state, like mem's cache: nothing
 *           in the core is process-wide but constant tables)
 *   util    type names and the NA sentinel (read by column.c's builders)
 *   column  the Column metatable (frame.c checks columns against it)
 *   frame   the Frame metatable (every verb checks frames against it)
 *   the readers, writers, kernels and text helpers (the xlsx and SQLite
 *   readers and writers last: they only add formats), which only use the above
 *   (through the functions of zs.h, never through the Lua registry).
 * The Lua side (lua/zonestat/frame.lua) sets the methods of both classes. */
ZS_EXPORT int luaopen_zonestat_core(lua_State *L) {
  luaL_checkversion(L);
  lua_newtable(L);
  zs_mem_open(L);
  zs_par_open(L);
  zs_util_open(L);
  zs_column_open(L);
  zs_frame_open(L);
  zs_csv_read_open(L);
  zs_write_open(L);
  zs_sort_open(L);
  zs_agg_open(L);
  zs_join_open(L);
  zs_text_open(L);
  zs_fs_open(L);
  zs_collate_open(L);
  zs_expr_open(L);
  zs_xlsx_read_open(L);
  zs_xlsx_write_open(L);
  zs_sqlite_open(L);
  lua_pushcfunction(L, l_set_threads);
  lua_setfield(L, -2, "set_threads");
  lua_pushcfunction(L, l_get_threads);
  lua_setfield(L, -2, "get_threads");
  return 1;
}

/* util.c: column type names, the NA sentinel, and small text helpers for
 * printing (display width, terminal width). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "zs.h"

const char *const zs_type_names[ZS_NTYPES] = {"bool", "int", "float", "date", "str"};

size_t zs_type_width(zs_type t) {
  switch (t) {
  case ZS_BOOL: return 1;
  case ZS_INT: return 8;
  case ZS_FLOAT: return 8;
  case ZS_DATE: return 4;
  case ZS_STR: return 4;
  default: return 8;
  }
}

int zs_type_from_name(const char *name) {
  for (int t = 0; t < ZS_NTYPES; t++)
    if (strcmp(name, zs_type_names[t]) == 0) return t;
  return -1;
}

zs_type zs_check_type(lua_State *L, int arg) {
  const char *name = luaL_checkstring(L, arg);
  int t = zs_type_from_name(name);
  if (t < 0)
    luaL_argerror(L, arg, lua_pushfstring(L, "unknown column type '%s' (expected bool, int, float, date or str)", name));
  return (zs_type)t;
}

int zs_opt_bool(lua_State *L, int opts, const char *key, int dflt) {
  int v = dflt, t = lua_getfield(L, opts, key);
  if (t != LUA_TNIL) {
    if (t != LUA_TBOOLEAN) luaL_error(L, "option '%s' must be a boolean", key);
    v = lua_toboolean(L, -1);
  }
  lua_pop(L, 1);
  return v;
}

/* ---- protected metatables ------------------------------------------------ */

/* Seal the metatable at idx: getmetatable() on its objects returns its
 * __name (a string) instead of the table, and setmetatable() on them
 * raises, so Lua code can neither call a __gc early nor change a
 * metamethod (debug.getmetatable still reaches it: the objects stay safe
 * then too, see zs_frame_check). */
void zs_seal_metatable(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  if (lua_getfield(L, idx, "__name") != LUA_TSTRING) {
    lua_pop(L, 1);
    lua_pushliteral(L, "zonestat");
  }
  lua_setfield(L, idx, "__metatable");
}

int zs_newmetatable(lua_State *L, const char *name) {
  if (!luaL_newmetatable(L, name)) return 0;
  zs_seal_metatable(L, -1);
  return 1;
}

/* ---- NA ----------------------------------------------------------------- */

int zs_na_key;

void zs_push_na(lua_State *L) { lua_rawgetp(L, LUA_REGISTRYINDEX, &zs_na_key); }

int zs_is_na(lua_State *L, int idx) {
  if (lua_type(L, idx) != LUA_TUSERDATA) return 0;
  idx = lua_absindex(L, idx);
  zs_push_na(L);
  int eq = lua_rawequal(L, idx, -1);
  lua_pop(L, 1);
  return eq;
}

static int na_tostring(lua_State *L) {
  lua_pushliteral(L, "NA");
  return 1;
}

/* ---- display width of UTF-8 text ----------------------------------------- */

static uint32_t utf8_next(const unsigned char **ps, const unsigned char *end) {
  const unsigned char *s = *ps;
  uint32_t c = *s++;
  int extra = 0;
  if (c >= 0xF0 && c < 0xF8) { c &= 0x07; extra = 3; }
  else if (c >= 0xE0) { c &= 0x0F; extra = 2; }
  else if (c >= 0xC0) { c &= 0x1F; extra = 1; }
  else if (c >= 0x80) { *ps = s; return 0xFFFD; }
  while (extra-- > 0) {
    if (s >= end || (*s & 0xC0) != 0x80) { *ps = s; return 0xFFFD; }
    c = (c << 6) | (*s++ & 0x3F);
  }
  *ps = s;
  return c;
}

/* Columns a code point takes in a terminal: 0 for combining marks (so text
 * in decomposed form lines up), 2 for East Asian wide and fullwidth forms,
 * else 1.  Ranges from Unicode's general categories Mn/Me and the
 * East_Asian_Width property W/F (main blocks). */
static int codepoint_width(uint32_t c) {
  if (c == 0) return 0;
  if (c < 0x20 || (c >= 0x7F && c < 0xA0)) return 1; /* shown escaped by the printer */
  if ((c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
      (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
      (c >= 0xFE20 && c <= 0xFE2F) || c == 0x200B || c == 0x200C || c == 0x200D || c == 0xFEFF)
    return 0;
  if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
      (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
      (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
      (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
      (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
      (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
      (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD))
    return 2;
  return 1;
}

/* core.display_width(s) -> columns s takes in a terminal */
static int l_display_width(lua_State *L) {
  size_t len;
  const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &len);
  const unsigned char *end = s + len;
  lua_Integer w = 0;
  while (s < end) w += codepoint_width(utf8_next(&s, end));
  lua_pushinteger(L, w);
  return 1;
}

/* core.truncate_width(s, w) -> longest prefix of s (whole code points,
 * with their combining marks) that fits in w columns, and its width */
static int l_truncate_width(lua_State *L) {
  size_t len;
  const unsigned char *s0 = (const unsigned char *)luaL_checklstring(L, 1, &len);
  lua_Integer maxw = luaL_checkinteger(L, 2);
  const unsigned char *s = s0, *end = s0 + len, *cut = s0;
  lua_Integer w = 0;
  while (s < end) {
    const unsigned char *p = s;
    int cw = codepoint_width(utf8_next(&p, end));
    if (w + cw > maxw) break;
    w += cw;
    s = p;
    cut = s;
  }
  lua_pushlstring(L, (const char *)s0, (size_t)(cut - s0));
  lua_pushinteger(L, w);
  return 2;
}

/* core.terminal_width() -> columns of the terminal on stdout, else the
 * COLUMNS environment variable, else 80 */
static int l_terminal_width(lua_State *L) {
  struct winsize ws;
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    lua_pushinteger(L, ws.ws_col);
    return 1;
  }
  const char *env = getenv("COLUMNS");
  if (env) {
    char *endp;
    errno = 0;
    long v = strtol(env, &endp, 10);
    if (errno == 0 && *endp == '\0' && v > 0 && v < 100000) {
      lua_pushinteger(L, v);
      return 1;
    }
  }
  lua_pushinteger(L, 80);
  return 1;
}

/* core.type(x) -> "frame", "column", "na" or nil */
static int l_type(lua_State *L) {
  if (luaL_testudata(L, 1, ZS_FRAME)) lua_pushliteral(L, "frame");
  else if (luaL_testudata(L, 1, ZS_COLUMN)) lua_pushliteral(L, "column");
  else if (zs_is_na(L, 1)) lua_pushliteral(L, "na");
  else lua_pushnil(L);
  return 1;
}

static int l_is_na(lua_State *L) {
  int na = lua_isnoneornil(L, 1) || zs_is_na(L, 1) ||
           (lua_type(L, 1) == LUA_TNUMBER && !lua_isinteger(L, 1) && lua_tonumber(L, 1) != lua_tonumber(L, 1));
  lua_pushboolean(L, na);
  return 1;
}

void zs_util_open(lua_State *L) {
  /* the NA sentinel: a unique userdata printing as NA */
  lua_newuserdatauv(L, 0, 0);
  lua_createtable(L, 0, 2);
  lua_pushcfunction(L, na_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushliteral(L, "zonestat.NA");
  lua_setfield(L, -2, "__name");
  zs_seal_metatable(L, -1);
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &zs_na_key);
  lua_setfield(L, -2, "NA");

  static const luaL_Reg fns[] = {
    {"display_width", l_display_width},
    {"truncate_width", l_truncate_width},
    {"terminal_width", l_terminal_width},
    {"type", l_type},
    {"is_na", l_is_na},
    {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
}

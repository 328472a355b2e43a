/* frame.c: frames (userdata "zonestat.Frame"): ordered, named columns of
 * one length.  A frame never changes; verbs build new frames that share the
 * unchanged columns.
 *
 * User values: 1 = array of names, 2 = array of Column userdata,
 * 3 = map name -> position (1-based). */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "zs.h"

/* more columns than this cannot be on the Lua stack at once anyway */
#define MAX_COLUMNS ((lua_Unsigned)1 << 24)

int zs_col_usable(const zs_col *c) {
  if (c->n > 0 && c->data == NULL) return 0;
  if (c->type == ZS_STR && (c->dict == NULL || (c->n > 0 && c->dict->alloc == NULL))) return 0;
  return 1;
}

/* A frame's columns are alive as long as it is (user value 2), so its
 * column pointers stay valid; but a column's __gc can still have run (a
 * finalizer of the user's that uses a frame collected in the same cycle, or
 * debug.getmetatable): then the column is empty, and the frame would read
 * past it.  Such a frame raises instead. */
zs_frame *zs_frame_check(lua_State *L, int idx) {
  zs_frame *f = luaL_checkudata(L, idx, ZS_FRAME);
  for (int j = 0; j < f->ncol; j++) {
    const zs_col *c = f->cols[j];
    if (c->n != f->nrow || !zs_col_usable(c))
      luaL_argerror(L, idx, "frame used after its columns were finalized (from a __gc metamethod?)");
  }
  return f;
}

/* Pops name1, col1, ..., nameN, colN (N = ncol) and pushes a frame; nrow
 * is used when there are no columns. */
static zs_frame *frame_build(lua_State *L, int ncol, int64_t nrow) {
  int base = lua_gettop(L) - 2 * ncol; /* name j at base+2j+1, column at base+2j+2 */
  luaL_checkstack(L, 8, "too many columns");
  size_t size = offsetof(zs_frame, cols) + (size_t)(ncol ? ncol : 1) * sizeof(zs_col *);
  zs_frame *f = lua_newuserdatauv(L, size, 3);
  f->ncol = 0;
  f->nrow = nrow;
  luaL_setmetatable(L, ZS_FRAME);
  int fidx = lua_gettop(L);
  lua_createtable(L, ncol, 0); /* names */
  lua_createtable(L, ncol, 0); /* columns */
  lua_createtable(L, 0, ncol); /* index */
  for (int j = 0; j < ncol; j++) {
    int nidx = base + 2 * j + 1, cidx = nidx + 1;
    if (lua_type(L, nidx) != LUA_TSTRING) luaL_error(L, "column name #%d is not a string", j + 1);
    zs_col *c = zs_col_test(L, cidx);
    if (!c) luaL_error(L, "column '%s' is not a Column", lua_tostring(L, nidx));
    if (j == 0) f->nrow = c->n;
    else if (c->n != f->nrow)
      luaL_error(L, "column '%s' has %I values but column '%s' has %I", lua_tostring(L, nidx), (lua_Integer)c->n,
                 lua_tostring(L, base + 1), (lua_Integer)f->nrow);
    lua_pushvalue(L, nidx);
    if (lua_rawget(L, fidx + 3) != LUA_TNIL) luaL_error(L, "duplicate column name '%s'", lua_tostring(L, nidx));
    lua_pop(L, 1);
    lua_pushvalue(L, nidx);
    lua_rawseti(L, fidx + 1, j + 1);
    lua_pushvalue(L, cidx);
    lua_rawseti(L, fidx + 2, j + 1);
    lua_pushvalue(L, nidx);
    lua_pushinteger(L, j + 1);
    lua_rawset(L, fidx + 3);
    f->cols[j] = c;
  }
  lua_setiuservalue(L, fidx, 3);
  lua_setiuservalue(L, fidx, 2);
  lua_setiuservalue(L, fidx, 1);
  f->ncol = ncol;
  /* leave only the frame */
  if (fidx != base + 1) lua_replace(L, base + 1);
  lua_settop(L, base + 1);
  return f;
}

zs_frame *zs_frame_build(lua_State *L, int ncol) { return frame_build(L, ncol, 0); }

int zs_frame_find(lua_State *L, int fidx, const char *name) {
  lua_getiuservalue(L, fidx, 3);
  lua_getfield(L, -1, name);
  int j = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) - 1 : -1;
  lua_pop(L, 2);
  return j;
}

int zs_frame_check_column(lua_State *L, int fidx, int arg) {
  const char *name = luaL_checkstring(L, arg);
  int j = zs_frame_find(L, fidx, name);
  if (j < 0) luaL_argerror(L, arg, lua_pushfstring(L, "no column named '%s'", name));
  return j;
}

void zs_frame_push_name(lua_State *L, int fidx, int j) {
  lua_getiuservalue(L, fidx, 1);
  lua_rawgeti(L, -1, j + 1);
  lua_remove(L, -2);
}

void zs_frame_push_column(lua_State *L, int fidx, int j) {
  lua_getiuservalue(L, fidx, 2);
  lua_rawgeti(L, -1, j + 1);
  lua_remove(L, -2);
}

/* ---- Lua API --------------------------------------------------------------- */

/* core.frame_from(names, columns [, nrow]) -> frame from an array of names
 * and an array of Columns (nrow only matters without columns) */
static int l_frame_from(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_Integer nrow = luaL_optinteger(L, 3, 0);
  luaL_argcheck(L, nrow >= 0, 3, "row count must not be negative");
  lua_Unsigned nnames = lua_rawlen(L, 1), ncols = lua_rawlen(L, 2);
  if (nnames > MAX_COLUMNS || ncols > MAX_COLUMNS) luaL_error(L, "too many columns");
  int ncol = (int)nnames;
  if ((int)ncols != ncol) luaL_error(L, "%d names for %d columns", ncol, (int)ncols);
  luaL_checkstack(L, 2 * ncol + 8, "too many columns");
  lua_settop(L, 2);
  for (int j = 1; j <= ncol; j++) {
    lua_rawgeti(L, 1, j);
    lua_rawgeti(L, 2, j);
  }
  frame_build(L, ncol, nrow);
  return 1;
}

static int l_nrow(lua_State *L) {
  lua_pushinteger(L, zs_frame_check(L, 1)->nrow);
  return 1;
}

static int l_ncol(lua_State *L) {
  lua_pushinteger(L, zs_frame_check(L, 1)->ncol);
  return 1;
}

static int copy_array_uv(lua_State *L, int n) {
  zs_frame *f = zs_frame_check(L, 1);
  lua_getiuservalue(L, 1, n);
  lua_createtable(L, f->ncol, 0);
  for (int j = 1; j <= f->ncol; j++) {
    lua_rawgeti(L, -2, j);
    lua_rawseti(L, -2, j);
  }
  return 1;
}

/* f:names() -> array of column names (a copy) */
static int l_names(lua_State *L) { return copy_array_uv(L, 1); }
/* core.columns(f) -> array of the Column userdata (a copy) */
static int l_columns(lua_State *L) { return copy_array_uv(L, 2); }

/* f:types() -> array of type names in column order */
static int l_types(lua_State *L) {
  zs_frame *f = zs_frame_check(L, 1);
  lua_createtable(L, f->ncol, 0);
  for (int j = 0; j < f->ncol; j++) {
    lua_pushstring(L, zs_type_names[f->cols[j]->type]);
    lua_rawseti(L, -2, j + 1);
  }
  return 1;
}

/* f:column(name) -> Column */
static int l_column(lua_State *L) {
  zs_frame_check(L, 1);
  int j = zs_frame_check_column(L, 1, 2);
  zs_frame_push_column(L, 1, j);
  return 1;
}

/* f:has(name) -> boolean */
static int l_has(lua_State *L) {
  zs_frame_check(L, 1);
  lua_pushboolean(L, zs_frame_find(L, 1, luaL_checkstring(L, 2)) >= 0);
  return 1;
}

/* f:get(name, i) -> value in row i (1-based), nil for NA */
static int l_get(lua_State *L) {
  zs_frame *f = zs_frame_check(L, 1);
  int j = zs_frame_check_column(L, 1, 2);
  lua_Integer i = luaL_checkinteger(L, 3);
  luaL_argcheck(L, i >= 1 && i <= f->nrow, 3, "row index out of range");
  zs_col_push_value(L, f->cols[j], i - 1);
  return 1;
}

/* core.row(f, i [, t]) -> table name -> value of row i (NA left out) */
static int l_row(lua_State *L) {
  zs_frame *f = zs_frame_check(L, 1);
  lua_Integer i = luaL_checkinteger(L, 2);
  luaL_argcheck(L, i >= 1 && i <= f->nrow, 2, "row index out of range");
  if (lua_istable(L, 3)) lua_settop(L, 3);
  else { lua_settop(L, 2); lua_createtable(L, 0, f->ncol); }
  lua_getiuservalue(L, 1, 1);
  for (int j = 0; j < f->ncol; j++) {
    lua_rawgeti(L, 4, j + 1);
    zs_col_push_value(L, f->cols[j], i - 1);
    lua_rawset(L, 3);
  }
  lua_settop(L, 3);
  return 1;
}

/* core.slice(f, from, count) -> rows from..from+count-1 (1-based; clamped) */
static int l_slice(lua_State *L) {
  zs_frame *f = zs_frame_check(L, 1);
  lua_Integer from = luaL_checkinteger(L, 2), m = luaL_checkinteger(L, 3);
  if (m < 0) m = 0;
  if (from < 1) { /* drop the rows before 1 (1 - from fits in unsigned) */
    lua_Unsigned before = (lua_Unsigned)1 - (lua_Unsigned)from;
    m = (lua_Unsigned)m > before ? m - (lua_Integer)before : 0;
    from = 1;
  }
  if (from > f->nrow) m = 0;
  else if (m > f->nrow - from + 1) m = f->nrow - from + 1;
  int ncol = f->ncol;
  luaL_checkstack(L, 2 * ncol + 8, "too many columns");
  for (int j = 0; j < ncol; j++) {
    zs_frame_push_name(L, 1, j);
    if (from == 1 && m == f->nrow) {
      zs_frame_push_column(L, 1, j); /* share */
    } else {
      zs_frame_push_column(L, 1, j);
      zs_col_slice(L, -1, from - 1, m);
      lua_remove(L, -2);
    }
  }
  frame_build(L, ncol, m);
  return 1;
}

/* Push a frame of the rows idx[0..m-1] (0-based; -1 gives a row of NA) of
 * the frame at fidx. */
zs_frame *zs_frame_take(lua_State *L, int fidx, const int64_t *idx, int64_t m) {
  fidx = lua_absindex(L, fidx);
  zs_frame *f = zs_frame_check(L, fidx);
  int ncol = f->ncol;
  luaL_checkstack(L, 2 * ncol + 8, "too many columns");
  for (int j = 0; j < ncol; j++) {
    zs_frame_push_name(L, fidx, j);
    zs_frame_push_column(L, fidx, j);
    zs_col_take(L, -1, idx, m);
    lua_remove(L, -2);
  }
  return frame_build(L, ncol, m);
}

/* core.take(f, rows) -> frame of the given rows (an int Column or a Lua
 * array of 1-based row numbers; NA gives a row of NA) */
static int l_take(lua_State *L) {
  zs_frame *f = zs_frame_check(L, 1);
  int64_t m;
  int64_t *idx;
  zs_col *rc = zs_col_test(L, 2);
  if (rc) {
    if (rc->type != ZS_INT) luaL_argerror(L, 2, "row numbers must be an int column");
    m = rc->n;
    idx = zs_scratch(L, (size_t)m, 8);
    const int64_t *src = rc->data;
    for (int64_t k = 0; k < m; k++) {
      if (src[k] == ZS_NA_INT) { idx[k] = -1; continue; }
      if (src[k] < 1 || src[k] > f->nrow) luaL_error(L, "row number %I out of range 1..%I", src[k], (lua_Integer)f->nrow);
      idx[k] = src[k] - 1;
    }
  } else {
    luaL_checktype(L, 2, LUA_TTABLE);
    m = (int64_t)lua_rawlen(L, 2);
    idx = zs_scratch(L, (size_t)m, 8);
    for (int64_t k = 0; k < m; k++) {
      lua_rawgeti(L, 2, k + 1);
      if (zs_is_na(L, -1)) idx[k] = -1;
      else {
        int ok;
        lua_Integer r = lua_tointegerx(L, -1, &ok);
        if (!ok || r < 1 || r > f->nrow) luaL_error(L, "row number #%I is not in 1..%I", (lua_Integer)k + 1, (lua_Integer)f->nrow);
        idx[k] = r - 1;
      }
      lua_pop(L, 1);
    }
  }
  zs_frame_take(L, 1, idx, m);
  zs_release_scratch_at(L, -2);
  return 1;
}

/* ---- distinct rows ---------------------------------------------------------- */

static uint64_t mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

/* bits of element i for hashing and equality: NA has one canonical value,
 * -0.0 equals 0.0 */
static uint64_t elem_bits(const zs_col *c, int64_t i) {
  switch (c->type) {
  case ZS_BOOL: return (uint64_t)(int64_t)((int8_t *)c->data)[i];
  case ZS_INT: return (uint64_t)((int64_t *)c->data)[i];
  case ZS_FLOAT: {
    double v = ((double *)c->data)[i];
    if (isnan(v)) return 0x7ff8000000000001ULL;
    if (v == 0) v = 0.0;
    uint64_t b;
    memcpy(&b, &v, 8);
    return b;
  }
  default: return (uint64_t)(int64_t)((int32_t *)c->data)[i];
  }
}

/* core.distinct_rows(f, {j1, j2, ...}) -> int Column of the 1-based rows
 * where each distinct combination of the given columns first appears */
static int l_distinct_rows(lua_State *L) {
  zs_frame *f = zs_frame_check(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  if (lua_rawlen(L, 2) > MAX_COLUMNS) luaL_argerror(L, 2, "too many key columns");
  int nk = (int)lua_rawlen(L, 2);
  zs_col **keys = lua_newuserdatauv(L, sizeof(zs_col *) * (size_t)(nk ? nk : 1), 0);
  for (int k = 0; k < nk; k++) {
    lua_rawgeti(L, 2, k + 1);
    lua_Integer j = lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (j < 1 || j > f->ncol) luaL_error(L, "column position %I out of range", j);
    keys[k] = f->cols[j - 1];
  }
  int64_t n = f->nrow;
  if (n < 0 || n > INT64_MAX / 16) luaL_error(L, "too many rows");
  uint64_t nslots = 16;
  while (nslots < (uint64_t)n * 2) nslots *= 2;
  int64_t *slots = zs_scratch(L, nslots, 8);
  memset(slots, 0xff, nslots * 8);
  zs_col *out = zs_col_push(L, ZS_INT, n, 0);
  int64_t *rows = out->data, m = 0;
  for (int64_t i = 0; i < n; i++) {
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int k = 0; k < nk; k++) h = mix64(h ^ elem_bits(keys[k], i)) + (uint64_t)k;
    uint64_t s = h & (nslots - 1);
    for (;;) {
      int64_t r = slots[s];
      if (r < 0) {
        slots[s] = i;
        rows[m++] = i + 1;
        break;
      }
      int same = 1;
      for (int k = 0; k < nk && same; k++) same = elem_bits(keys[k], i) == elem_bits(keys[k], r);
      if (same) break;
      s = (s + 1) & (nslots - 1);
    }
  }
  zs_col_resize(L, out, m);
  return 1;
}

/* ---- concat ------------------------------------------------------------------ */

static int all_na(const zs_col *c) {
  for (int64_t i = 0; i < c->n; i++)
    if (!zs_col_isna(c, i)) return 0;
  return 1;
}

/* copy column c into r at offset `at`, converting int to float and
 * re-encoding strings into r's dictionary (remap: scratch of c's dict size) */
static void copy_into(lua_State *L, zs_col *r, int64_t at, const zs_col *c) {
  int64_t n = c->n;
  int empty = all_na(c);
  if (empty || c->type != r->type) {
    if (empty || !(c->type == ZS_INT && r->type == ZS_FLOAT)) {
      for (int64_t i = 0; i < n; i++) zs_col_set_na(r, at + i);
      return;
    }
    const int64_t *s = c->data;
    double *d = (double *)r->data + at;
    for (int64_t i = 0; i < n; i++) d[i] = s[i] == ZS_NA_INT ? NAN : (double)s[i];
    return;
  }
  if (r->type != ZS_STR) {
    size_t w = zs_type_width(r->type);
    if (n) memcpy((char *)r->data + (size_t)at * w, c->data, (size_t)n * w);
    return;
  }
  int32_t *remap = lua_newuserdatauv(L, sizeof(int32_t) * (size_t)(c->dict->n ? c->dict->n : 1), 0);
  for (int32_t k = 0; k < c->dict->n; k++) remap[k] = -2;
  const int32_t *s = c->data;
  int32_t *d = (int32_t *)r->data + at;
  for (int64_t i = 0; i < n; i++) {
    int32_t code = s[i];
    if (code < 0) { d[i] = ZS_NA_CODE; continue; }
    if (remap[code] == -2) {
      size_t len;
      const char *str = zs_dict_str(c->dict, code, &len);
      remap[code] = zs_dict_intern(r->dict, str, len);
      if (remap[code] < 0) luaL_error(L, "not enough memory");
    }
    d[i] = remap[code];
  }
  lua_pop(L, 1);
}

/* core.concat(f1, f2, ...) -> rows of all frames; columns matched by name
 * (union, in order of first appearance; missing ones are NA) */
static int l_concat(lua_State *L) {
  int nf = lua_gettop(L);
  if (nf == 0) luaL_error(L, "needs at least one frame");
  int64_t total = 0;
  for (int a = 1; a <= nf; a++) {
    zs_frame *f = zs_frame_check(L, a);
    if (__builtin_add_overflow(total, f->nrow, &total)) luaL_error(L, "too many rows");
  }
  /* union of names */
  lua_newtable(L); /* names array */
  lua_newtable(L); /* name -> position */
  int names = nf + 1, pos = nf + 2, ncol = 0;
  for (int a = 1; a <= nf; a++) {
    zs_frame *f = zs_frame_check(L, a);
    for (int j = 0; j < f->ncol; j++) {
      zs_frame_push_name(L, a, j);
      lua_pushvalue(L, -1);
      if (lua_rawget(L, pos) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, names, ++ncol);
        lua_pushinteger(L, ncol);
        lua_rawset(L, pos);
      } else {
        lua_pop(L, 2);
      }
    }
  }
  luaL_checkstack(L, 2 * ncol + 8, "too many columns");
  for (int j = 1; j <= ncol; j++) {
    lua_rawgeti(L, names, j);
    const char *name = lua_tostring(L, -1);
    /* result type: int and float give float; a column without any value
     * adapts to the others; other mixes are an error */
    int t = -1, empty_t = -1;
    for (int a = 1; a <= nf; a++) {
      int k = zs_frame_find(L, a, name);
      if (k < 0) continue;
      zs_col *c = zs_frame_check(L, a)->cols[k];
      int ct = (int)c->type;
      if (all_na(c)) {
        if (empty_t < 0) empty_t = ct;
      } else if (t < 0 || t == ct) {
        t = ct;
      } else if ((t == ZS_INT || t == ZS_FLOAT) && (ct == ZS_INT || ct == ZS_FLOAT)) {
        t = ZS_FLOAT;
      } else {
        luaL_error(L, "concat: column '%s' is %s in frame %d but %s in an earlier frame", name,
                   zs_type_names[ct], a, zs_type_names[t]);
      }
    }
    if (t < 0) t = empty_t;
    zs_col *r = zs_col_push(L, (zs_type)t, total, 0);
    int64_t at = 0;
    for (int a = 1; a <= nf; a++) {
      zs_frame *f = zs_frame_check(L, a);
      int k = zs_frame_find(L, a, name);
      if (k < 0) {
        for (int64_t i = 0; i < f->nrow; i++) zs_col_set_na(r, at + i);
      } else {
        copy_into(L, r, at, f->cols[k]);
      }
      at += f->nrow;
    }
  }
  frame_build(L, ncol, total);
  return 1;
}

static int l_len(lua_State *L) { return l_nrow(L); }

/* core.set_frame_class(methods [, metamethods]): the Lua module that owns
 * the Frame class (lua/zonestat/frame.lua) installs its method table and
 * its __tostring. */
static int l_set_frame_class(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_getmetatable(L, ZS_FRAME);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "__index");
  if (lua_istable(L, 2)) {
    lua_getfield(L, 2, "__tostring");
    lua_setfield(L, -2, "__tostring");
  }
  return 0;
}

/* The Frame metatable holds only __len until lua/zonestat/frame.lua sets
 * the class; the C methods are core.frame_accessors. */
void zs_frame_open(lua_State *L) {
  static const luaL_Reg accessors[] = {
    {"nrow", l_nrow}, {"ncol", l_ncol}, {"names", l_names}, {"types", l_types},
    {"column", l_column}, {"has", l_has}, {"get", l_get}, {NULL, NULL}};
  zs_newmetatable(L, ZS_FRAME);
  lua_pushcfunction(L, l_len);
  lua_setfield(L, -2, "__len");
  lua_pop(L, 1);
  luaL_newlib(L, accessors);
  lua_setfield(L, -2, "frame_accessors");

  static const luaL_Reg fns[] = {
    {"frame_from", l_frame_from}, {"columns", l_columns}, {"row", l_row}, {"slice", l_slice},
    {"take", l_take}, {"distinct_rows", l_distinct_rows}, {"concat_raw", l_concat},
    {"set_frame_class", l_set_frame_class}, {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
}

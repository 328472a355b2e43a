/* column.c: typed columns (userdata "zonestat.Column").
 *
 * A column is immutable once Lua sees it.  Its buffer comes from zs_realloc
 * (mem.c: the Lua allocator for small buffers, a cached mapping for big
 * ones) and is freed by __gc; a str column keeps its dictionary
 * (a "zonestat.Dict" userdata, possibly shared) as user value 1. */
#include <math.h>
#include <string.h>

#include "zs.h"
#include "group.h"

/* ---- construction and access --------------------------------------------- */

static int col_gc(lua_State *L) {
  zs_col *c = luaL_checkudata(L, 1, ZS_COLUMN);
  zs_free(L, c->data, c->bytes);
  c->data = NULL;
  c->bytes = 0;
  c->n = 0;
  return 0;
}

zs_col *zs_col_push(lua_State *L, zs_type t, int64_t n, int dict_idx) {
  if (dict_idx) dict_idx = lua_absindex(L, dict_idx);
  if (n < 0) luaL_error(L, "negative column length");
  zs_col *c = lua_newuserdatauv(L, sizeof *c, 1);
  c->type = t;
  c->n = 0;
  c->data = NULL;
  c->bytes = 0;
  c->dict = NULL;
  c->range_known = 0;
  c->na_state = ZS_NA_UNKNOWN;
  c->codes_dense = 0;
  luaL_setmetatable(L, ZS_COLUMN);
  if (t == ZS_STR) {
    if (dict_idx) {
      c->dict = zs_dict_check(L, dict_idx);
      lua_pushvalue(L, dict_idx);
    } else {
      c->dict = zs_dict_push(L);
    }
    lua_setiuservalue(L, -2, 1);
  }
  size_t bytes = zs_mulsize(L, (size_t)n, zs_type_width(t));
  if (bytes) c->data = zs_realloc(L, NULL, 0, bytes);
  c->bytes = bytes;
  c->n = n;
  return c;
}

void zs_col_resize(lua_State *L, zs_col *c, int64_t n) {
  size_t bytes = zs_mulsize(L, (size_t)n, zs_type_width(c->type));
  if (bytes == c->bytes) {
    c->n = n;
    return;
  }
  c->data = zs_realloc(L, c->data, c->bytes, bytes);
  c->bytes = bytes;
  c->n = n;
}

zs_col *zs_col_check(lua_State *L, int idx) { return luaL_checkudata(L, idx, ZS_COLUMN); }

/* ---- value range (grouping by small int ranges) ---- */

typedef struct {
  const zs_col *c;
  int64_t lo[64], hi[64];
} range_ctx;

static void value_range_body(void *arg, int64_t from, int64_t to, int part) {
  range_ctx *x = arg;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  if (x->c->type == ZS_INT) {
    const int64_t *v = x->c->data;
    for (int64_t i = from; i < to; i++) {
      if (v[i] == ZS_NA_INT) continue;
      lo = v[i] < lo ? v[i] : lo;
      hi = v[i] > hi ? v[i] : hi;
    }
  } else {
    const int32_t *v = x->c->data;
    for (int64_t i = from; i < to; i++) {
      if (v[i] == ZS_NA_DATE) continue;
      lo = v[i] < lo ? v[i] : lo;
      hi = v[i] > hi ? v[i] : hi;
    }
  }
  x->lo[part] = lo;
  x->hi[part] = hi;
}

void zs_col_range(zs_col *c, int64_t *lo, int64_t *hi) {
  if (c->range_known) {
    *lo = c->lo;
    *hi = c->hi;
    return;
  }
  int64_t n = c->n;
  range_ctx x;
  x.c = c;
  int parts = zs_threads_for(n);
  zs_parallel(n, parts, value_range_body, &x);
  *lo = INT64_MAX;
  *hi = INT64_MIN;
  for (int p = 0; p < parts; p++) {
    if (x.lo[p] < *lo) *lo = x.lo[p];
    if (x.hi[p] > *hi) *hi = x.hi[p];
  }
  zs_col_set_range(c, *lo, *hi);
  *lo = c->lo;
  *hi = c->hi;
}

void zs_col_note_na(zs_col *c, int has_na) { c->na_state = has_na ? ZS_NA_SOME : ZS_NA_NONE; }

void zs_col_set_range(zs_col *c, int64_t lo, int64_t hi) {
  if (lo > hi) lo = hi = 0; /* no value at all */
  c->lo = lo;
  c->hi = hi;
  c->range_known = 1;
}


typedef struct {
  int32_t *codes;
  const int32_t *rank;
} recode_ctx;

static void recode_body(void *arg, int64_t from, int64_t to, int part) {
  (void)part;
  recode_ctx *x = arg;
  for (int64_t i = from; i < to; i++)
    if (x->codes[i] >= 0) x->codes[i] = x->rank[x->codes[i]];
}

void zs_col_sort_dict(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  zs_col *c = zs_col_check(L, idx);
  zs_dict *d = c->dict;
  const int32_t *rank = zs_dict_rank(d);
  if (!rank) {
    if (d->n) luaL_error(L, "not enough memory");
    return;
  }
  if (d->sorted) return;
  /* the strings in rank order make the new dictionary; codes follow */
  int32_t *order = zs_scratch(L, (size_t)d->n, sizeof(int32_t));
  for (int32_t k = 0; k < d->n; k++) order[rank[k]] = k;
  zs_dict *nd = zs_dict_push(L);
  for (int32_t r = 0; r < d->n; r++) {
    size_t len;
    const char *s = zs_dict_str(d, order[r], &len);
    if (zs_dict_intern_h(nd, s, len, d->hash[order[r]]) < 0) luaL_error(L, "not enough memory");
  }
  recode_ctx x = {c->data, rank};
  zs_parallel_L(L, c->n, zs_threads_for_L(L, c->n), recode_body, &x);
  if (!zs_dict_rank(nd) && nd->n) luaL_error(L, "not enough memory");
  c->dict = nd;
  lua_setiuservalue(L, idx, 1); /* the old dictionary goes with the garbage */
  lua_pop(L, 1);
}
zs_col *zs_col_test(lua_State *L, int idx) { return luaL_testudata(L, idx, ZS_COLUMN); }

void zs_col_push_dict(lua_State *L, int idx) { lua_getiuservalue(L, idx, 1); }

int zs_col_isna(const zs_col *c, int64_t i) {
  switch (c->type) {
  case ZS_BOOL: return ((const int8_t *)c->data)[i] == ZS_NA_BOOL;
  case ZS_INT: return ((const int64_t *)c->data)[i] == ZS_NA_INT;
  case ZS_FLOAT: return isnan(((const double *)c->data)[i]);
  case ZS_DATE: return ((const int32_t *)c->data)[i] == ZS_NA_DATE;
  case ZS_STR: return ((const int32_t *)c->data)[i] < 0;
  default: return 1;
  }
}

void zs_col_set_na(zs_col *c, int64_t i) {
  switch (c->type) {
  case ZS_BOOL: ((int8_t *)c->data)[i] = ZS_NA_BOOL; break;
  case ZS_INT: ((int64_t *)c->data)[i] = ZS_NA_INT; break;
  case ZS_FLOAT: ((double *)c->data)[i] = NAN; break;
  case ZS_DATE: ((int32_t *)c->data)[i] = ZS_NA_DATE; break;
  case ZS_STR: ((int32_t *)c->data)[i] = ZS_NA_CODE; break;
  default: break;
  }
}

static void push_date(lua_State *L, int32_t days) {
  char buf[32];
  int n = zs_format_date(days, buf);
  lua_pushlstring(L, buf, (size_t)n);
}

void zs_col_push_value(lua_State *L, const zs_col *c, int64_t i) {
  if (zs_col_isna(c, i)) {
    lua_pushnil(L);
    return;
  }
  switch (c->type) {
  case ZS_BOOL: lua_pushboolean(L, ((const int8_t *)c->data)[i]); break;
  case ZS_INT: lua_pushinteger(L, ((const int64_t *)c->data)[i]); break;
  case ZS_FLOAT: lua_pushnumber(L, ((const double *)c->data)[i]); break;
  case ZS_DATE: push_date(L, ((const int32_t *)c->data)[i]); break;
  case ZS_STR: {
    size_t len;
    const char *s = zs_dict_str(c->dict, ((const int32_t *)c->data)[i], &len);
    lua_pushlstring(L, s, len);
    break;
  }
  default: lua_pushnil(L);
  }
}

/* Store the Lua value at idx as element i of column c (being built).
 * nil, zs.NA and NaN are NA.  `what` names the value in errors. */
void zs_col_set_lua(lua_State *L, zs_col *c, int64_t i, int idx, const char *what) {
  int lt = lua_type(L, idx);
  if (lt == LUA_TNIL || zs_is_na(L, idx)) {
    zs_col_set_na(c, i);
    return;
  }
  switch (c->type) {
  case ZS_BOOL:
    if (lt != LUA_TBOOLEAN) break;
    ((int8_t *)c->data)[i] = (int8_t)lua_toboolean(L, idx);
    return;
  case ZS_INT:
    if (lt != LUA_TNUMBER) break;
    if (lua_isinteger(L, idx)) {
      lua_Integer v = lua_tointeger(L, idx);
      if (v == ZS_NA_INT) luaL_error(L, "%s: %I is reserved for NA in int columns", what, v);
      ((int64_t *)c->data)[i] = v;
      return;
    } else {
      lua_Number x = lua_tonumber(L, idx);
      if (isnan(x)) { zs_col_set_na(c, i); return; }
      if (x != floor(x) || x <= -9223372036854775808.0 || x >= 9223372036854775808.0)
        luaL_error(L, "%s: %f is not an int64 integer", what, x);
      ((int64_t *)c->data)[i] = (int64_t)x;
      return;
    }
  case ZS_FLOAT:
    if (lt != LUA_TNUMBER) break;
    ((double *)c->data)[i] = (double)lua_tonumber(L, idx);
    return;
  case ZS_DATE: {
    if (lt != LUA_TSTRING) break;
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    int32_t days;
    if (!zs_parse_date(s, len, &days)) luaL_error(L, "%s: '%s' is not a date (yyyy-mm-dd)", what, s);
    ((int32_t *)c->data)[i] = days;
    return;
  }
  case ZS_STR: {
    if (lt != LUA_TSTRING) break;
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    int32_t code = zs_dict_intern(c->dict, s, len);
    if (code < 0) luaL_error(L, "not enough memory");
    ((int32_t *)c->data)[i] = code;
    return;
  }
  default: break;
  }
  luaL_error(L, "%s: expected %s, got %s", what, zs_type_names[c->type], luaL_typename(L, idx));
}

/* type that fits every value of the Lua array at idx (1..n); all NA: str */
static zs_type infer_lua_type(lua_State *L, int idx, lua_Integer n, const char *name) {
  int has_bool = 0, has_int = 0, has_float = 0, has_str = 0;
  lua_Integer first_num = 0, first_other = 0;
  for (lua_Integer i = 1; i <= n; i++) {
    int lt = lua_rawgeti(L, idx, i);
    if (lt == LUA_TNUMBER) {
      if (lua_isinteger(L, -1)) has_int = 1; else has_float = 1;
      if (!first_num) first_num = i;
    } else if (lt == LUA_TBOOLEAN) {
      has_bool = 1;
      if (!first_other) first_other = i;
    } else if (lt == LUA_TSTRING) {
      has_str = 1;
      if (!first_other) first_other = i;
    } else if (lt != LUA_TNIL && !zs_is_na(L, -1)) {
      luaL_error(L, "column '%s' value #%I: a %s cannot be stored in a column", name, i, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
  }
  if ((has_int || has_float) && (has_bool || has_str))
    luaL_error(L, "column '%s' mixes numbers (value #%I) and %s (value #%I)", name, first_num,
               has_str ? "strings" : "booleans", first_other);
  if (has_bool && has_str)
    luaL_error(L, "column '%s' mixes booleans and strings", name);
  if (has_float) return ZS_FLOAT;
  if (has_int) return ZS_INT;
  if (has_bool) return ZS_BOOL;
  return ZS_STR;
}

/* Build a column from the Lua array at idx with n values (nil or zs.NA for
 * missing); type t, or -1 to infer.  Pushes the column. */
zs_col *zs_col_from_table(lua_State *L, int idx, lua_Integer n, int t, const char *name) {
  idx = lua_absindex(L, idx);
  if (t < 0) t = (int)infer_lua_type(L, idx, n, name);
  zs_col *c = zs_col_push(L, (zs_type)t, n, 0);
  char what[160];
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, idx, i);
    snprintf(what, sizeof what, "column '%s' value #%lld", name, (long long)i);
    zs_col_set_lua(L, c, i - 1, -1, what);
    lua_pop(L, 1);
  }
  return c;
}

/* core.column_raw(values [, type [, n [, name]]]): a column from a Lua
 * array of n values (default #values), type inferred unless given */
static int l_column_raw(lua_State *L) {
  if (zs_col_test(L, 1)) {
    lua_settop(L, 1);
    return 1;
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  int t = lua_isnoneornil(L, 2) ? -1 : (int)zs_check_type(L, 2);
  lua_Integer n = luaL_optinteger(L, 3, (lua_Integer)lua_rawlen(L, 1));
  luaL_argcheck(L, n >= 0, 3, "length must not be negative");
  zs_col_from_table(L, 1, n, t, luaL_optstring(L, 4, "?"));
  return 1;
}

/* ---- take / slice --------------------------------------------------------- */

static zs_col *push_like(lua_State *L, int cidx, const zs_col *c, int64_t m) {
  if (c->type == ZS_STR) {
    zs_col_push_dict(L, cidx);
    zs_col *r = zs_col_push(L, c->type, m, -1);
    lua_remove(L, -2);
    return r;
  }
  return zs_col_push(L, c->type, m, 0);
}

zs_col *zs_col_take(lua_State *L, int cidx, const int64_t *idx, int64_t m) {
  cidx = lua_absindex(L, cidx);
  zs_col *c = zs_col_check(L, cidx);
  zs_col *r = push_like(L, cidx, c, m);
  switch (zs_type_width(c->type)) {
  case 1: {
    const int8_t *s = c->data; int8_t *d = r->data;
    for (int64_t k = 0; k < m; k++) d[k] = idx[k] < 0 ? ZS_NA_BOOL : s[idx[k]];
    break;
  }
  case 4: {
    const int32_t *s = c->data; int32_t *d = r->data;
    int32_t na = c->type == ZS_DATE ? ZS_NA_DATE : ZS_NA_CODE;
    for (int64_t k = 0; k < m; k++) d[k] = idx[k] < 0 ? na : s[idx[k]];
    break;
  }
  default:
    if (c->type == ZS_FLOAT) {
      const double *s = c->data; double *d = r->data;
      for (int64_t k = 0; k < m; k++) d[k] = idx[k] < 0 ? NAN : s[idx[k]];
    } else {
      const int64_t *s = c->data; int64_t *d = r->data;
      for (int64_t k = 0; k < m; k++) d[k] = idx[k] < 0 ? ZS_NA_INT : s[idx[k]];
    }
  }
  return r;
}

zs_col *zs_col_slice(lua_State *L, int cidx, int64_t from, int64_t m) {
  cidx = lua_absindex(L, cidx);
  zs_col *c = zs_col_check(L, cidx);
  zs_col *r = push_like(L, cidx, c, m);
  size_t w = zs_type_width(c->type);
  if (m) memcpy(r->data, (const char *)c->data + (size_t)from * w, (size_t)m * w);
  return r;
}

/* ---- aggregates ------------------------------------------------------------ */

static int l_len(lua_State *L) {
  lua_pushinteger(L, zs_col_check(L, 1)->n);
  return 1;
}

static int l_count(lua_State *L) {
  zs_col *c = zs_col_check(L, 1);
  int64_t k = 0;
  for (int64_t i = 0; i < c->n; i++) k += !zs_col_isna(c, i);
  lua_pushinteger(L, k);
  return 1;
}

/* sum, mean, var and sd are those of f:agg (agg.c), over one group of
 * all rows: one implementation of each (exact int sums in 128 bits that
 * raise only when the total does not fit, compensated float sums, the same
 * variance), so a Column and a one-column frame always agree. */
static int l_sum(lua_State *L) {
  zs_agg_column(L, 1, "sum");
  return 1;
}

static int l_mean(lua_State *L) {
  zs_agg_column(L, 1, "mean");
  return 1;
}

static int l_var(lua_State *L) {
  zs_agg_column(L, 1, "var");
  return 1;
}

static int l_sd(lua_State *L) {
  zs_agg_column(L, 1, "sd");
  return 1;
}

/* index of the min (sign = 1) or max (sign = -1) non-NA element, or -1 */
static int64_t arg_extreme(const zs_col *c, int sign) {
  int64_t best = -1;
  for (int64_t i = 0; i < c->n; i++) {
    if (zs_col_isna(c, i)) continue;
    if (best < 0) { best = i; continue; }
    int cmp;
    switch (c->type) {
    case ZS_BOOL: cmp = ((int8_t *)c->data)[i] - ((int8_t *)c->data)[best]; break;
    case ZS_INT: {
      int64_t a = ((int64_t *)c->data)[i], b = ((int64_t *)c->data)[best];
      cmp = (a > b) - (a < b);
      break;
    }
    case ZS_FLOAT: {
      double a = ((double *)c->data)[i], b = ((double *)c->data)[best];
      cmp = (a > b) - (a < b);
      break;
    }
    case ZS_DATE: {
      int32_t a = ((int32_t *)c->data)[i], b = ((int32_t *)c->data)[best];
      cmp = (a > b) - (a < b);
      break;
    }
    default: {
      size_t la, lb;
      const char *a = zs_dict_str(c->dict, ((int32_t *)c->data)[i], &la);
      const char *b = zs_dict_str(c->dict, ((int32_t *)c->data)[best], &lb);
      cmp = zs_strcmp(a, la, b, lb);
    }
    }
    if (cmp * sign < 0) best = i;
  }
  return best;
}

static int l_min(lua_State *L) {
  zs_col *c = zs_col_check(L, 1);
  int64_t i = arg_extreme(c, 1);
  if (i < 0) lua_pushnil(L); else zs_col_push_value(L, c, i);
  return 1;
}

static int l_max(lua_State *L) {
  zs_col *c = zs_col_check(L, 1);
  int64_t i = arg_extreme(c, -1);
  if (i < 0) lua_pushnil(L); else zs_col_push_value(L, c, i);
  return 1;
}

/* c:totable() -> array of values with zs.NA for missing ones */
static int l_totable(lua_State *L) {
  zs_col *c = zs_col_check(L, 1);
  if (c->n > INT32_MAX) luaL_error(L, "column too long for a Lua table");
  lua_createtable(L, (int)c->n, 0);
  for (int64_t i = 0; i < c->n; i++) {
    if (zs_col_isna(c, i)) zs_push_na(L);
    else zs_col_push_value(L, c, i);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

static int l_type(lua_State *L) {
  lua_pushstring(L, zs_type_names[zs_col_check(L, 1)->type]);
  return 1;
}

/* c:get(i) -> value of element i (1-based), nil for NA; i out of range raises */
static int l_get(lua_State *L) {
  zs_col *c = zs_col_check(L, 1);
  lua_Integer i = luaL_checkinteger(L, 2);
  luaL_argcheck(L, i >= 1 && i <= c->n, 2, "row index out of range");
  zs_col_push_value(L, c, i - 1);
  return 1;
}

/* c:na_count() -> number of NA elements */
static int l_na_count(lua_State *L) {
  zs_col *c = zs_col_check(L, 1);
  int64_t k = 0;
  for (int64_t i = 0; i < c->n; i++) k += zs_col_isna(c, i);
  lua_pushinteger(L, k);
  return 1;
}

/* __index: c[i] is element i (nil for NA or out of range); c.name a method */
static int l_index(lua_State *L) {
  zs_col *c = zs_col_check(L, 1);
  if (lua_type(L, 2) == LUA_TNUMBER) {
    lua_Integer i;
    if (lua_isinteger(L, 2)) i = lua_tointeger(L, 2);
    else {
      lua_Number x = lua_tonumber(L, 2);
      /* NaN, fractions and values out of the int64 range: no such element */
      if (!(x >= 1 && x <= (lua_Number)c->n) || x != floor(x)) return 0;
      i = (lua_Integer)x;
    }
    if (i < 1 || i > c->n) return 0;
    zs_col_push_value(L, c, i - 1);
    return 1;
  }
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  return 1;
}

/* ---- cast and fill --------------------------------------------------------- */

/* text of element i of a non-str column, for casts to str */
static size_t format_elem(const zs_col *c, int64_t i, char *buf) {
  switch (c->type) {
  case ZS_BOOL: return (size_t)sprintf(buf, "%s", ((int8_t *)c->data)[i] ? "true" : "false");
  case ZS_INT: return (size_t)zs_format_int(((int64_t *)c->data)[i], buf);
  case ZS_FLOAT: return (size_t)zs_format_float(((double *)c->data)[i], buf, '.');
  case ZS_DATE: return (size_t)zs_format_date(((int32_t *)c->data)[i], buf);
  default: buf[0] = '\0'; return 0;
  }
}

/* convert text to type t into out (8 bytes); 1 on success */
static int parse_as(zs_type t, const char *s, size_t len, void *out) {
  return zs_text_to(t, s, len, &zs_textfmt_default, out);
}

/* Push the column at cidx converted to type t (the column itself when it
 * has that type).  Conversions that would lose information raise an error
 * naming the column, row and value. */
zs_col *zs_col_cast(lua_State *L, int cidx, zs_type t, const char *name) {
  cidx = lua_absindex(L, cidx);
  zs_col *c = zs_col_check(L, cidx);
  if (c->type == t) {
    lua_pushvalue(L, cidx);
    return c;
  }
  zs_col *r = zs_col_push(L, t, c->n, 0);
  char buf[64];
  for (int64_t i = 0; i < c->n; i++) {
    if (zs_col_isna(c, i)) { zs_col_set_na(r, i); continue; }
    if (t == ZS_STR) {
      size_t len = format_elem(c, i, buf);
      int32_t code = zs_dict_intern(r->dict, buf, len);
      if (code < 0) luaL_error(L, "not enough memory");
      ((int32_t *)r->data)[i] = code;
      continue;
    }
    int ok = 1;
    switch (c->type) {
    case ZS_STR: {
      size_t len;
      const char *s = zs_dict_str(c->dict, ((int32_t *)c->data)[i], &len);
      union { int8_t b; int64_t i; double f; int32_t d; } u;
      ok = parse_as(t, s, len, &u);
      if (ok) {
        if (t == ZS_BOOL) ((int8_t *)r->data)[i] = u.b;
        else if (t == ZS_DATE) ((int32_t *)r->data)[i] = u.d;
        else if (t == ZS_INT) ((int64_t *)r->data)[i] = u.i;
        else ((double *)r->data)[i] = isnan(u.f) ? NAN : u.f;
      } else {
        luaL_error(L, "cannot cast column '%s' to %s: row %I has '%s'", name, zs_type_names[t],
                   (lua_Integer)i + 1, lua_pushlstring(L, s, len));
      }
      continue;
    }
    case ZS_BOOL: {
      int8_t b = ((int8_t *)c->data)[i];
      if (t == ZS_INT) ((int64_t *)r->data)[i] = b;
      else if (t == ZS_FLOAT) ((double *)r->data)[i] = b;
      else ok = 0;
      break;
    }
    case ZS_INT: {
      int64_t v = ((int64_t *)c->data)[i];
      if (t == ZS_FLOAT) ((double *)r->data)[i] = (double)v;
      else if (t == ZS_BOOL && (v == 0 || v == 1)) ((int8_t *)r->data)[i] = (int8_t)v;
      else if (t == ZS_DATE && v > INT32_MIN && v <= INT32_MAX) ((int32_t *)r->data)[i] = (int32_t)v;
      else ok = 0;
      break;
    }
    case ZS_FLOAT: {
      double v = ((double *)c->data)[i];
      if (t == ZS_INT && v == floor(v) && v > -9223372036854775808.0 && v < 9223372036854775808.0)
        ((int64_t *)r->data)[i] = (int64_t)v;
      else if (t == ZS_BOOL && (v == 0 || v == 1)) ((int8_t *)r->data)[i] = (int8_t)v;
      else ok = 0;
      break;
    }
    case ZS_DATE: {
      int32_t v = ((int32_t *)c->data)[i];
      if (t == ZS_INT) ((int64_t *)r->data)[i] = v;
      else if (t == ZS_FLOAT) ((double *)r->data)[i] = v;
      else ok = 0;
      break;
    }
    default: ok = 0;
    }
    if (!ok) {
      format_elem(c, i, buf);
      luaL_error(L, "cannot cast column '%s' from %s to %s: row %I has %s", name, zs_type_names[c->type],
                 zs_type_names[t], (lua_Integer)i + 1, buf);
    }
  }
  return r;
}

/* core.cast(column, type [, name]) -> new column of that type */
static int l_cast(lua_State *L) {
  zs_col_check(L, 1);
  zs_type t = zs_check_type(L, 2);
  zs_col_cast(L, 1, t, luaL_optstring(L, 3, "?"));
  return 1;
}

/* Push the column at cidx with NA replaced by the Lua value at vidx (of
 * the column's type; `name` names the column in errors). */
zs_col *zs_col_fill_na(lua_State *L, int cidx, int vidx, const char *name) {
  cidx = lua_absindex(L, cidx);
  vidx = lua_absindex(L, vidx);
  zs_col *c = zs_col_check(L, cidx);
  if (lua_isnoneornil(L, vidx) || zs_is_na(L, vidx)) luaL_error(L, "the fill value must not be NA");
  zs_col *r;
  if (c->type == ZS_STR) {
    /* a new dictionary: the old one may be shared */
    r = zs_col_push(L, ZS_STR, c->n, 0);
    const zs_dict *src = c->dict;
    for (int32_t k = 0; k < src->n; k++) {
      size_t len;
      const char *s = zs_dict_str(src, k, &len);
      if (zs_dict_intern(r->dict, s, len) < 0) luaL_error(L, "not enough memory");
    }
    if (c->n) memcpy(r->data, c->data, (size_t)c->n * 4);
  } else {
    r = zs_col_push(L, c->type, c->n, 0);
    if (c->n) memcpy(r->data, c->data, (size_t)c->n * zs_type_width(c->type));
  }
  /* convert the fill value through a one-element scratch column */
  char what[160];
  snprintf(what, sizeof what, "fill value for column '%s'", name);
  int64_t first_na = -1;
  for (int64_t i = 0; i < c->n && first_na < 0; i++)
    if (zs_col_isna(c, i)) first_na = i;
  if (first_na < 0) return r;
  zs_col_set_lua(L, r, first_na, vidx, what);
  size_t w = zs_type_width(c->type);
  const char *fill = (const char *)r->data + (size_t)first_na * w;
  for (int64_t i = first_na + 1; i < c->n; i++)
    if (zs_col_isna(c, i)) memcpy((char *)r->data + (size_t)i * w, fill, w);
  return r;
}

/* core.fill_na(column, value [, name]) -> new column with NA replaced by value */
static int l_fill_na(lua_State *L) {
  zs_col_check(L, 1);
  luaL_checkany(L, 2);
  if (lua_isnil(L, 2) || zs_is_na(L, 2)) luaL_argerror(L, 2, "fill value must not be NA");
  zs_col_fill_na(L, 1, 2, luaL_optstring(L, 3, "?"));
  return 1;
}

/* core.set_column_class(methods [, metamethods]): the Lua module that owns
 * the Column class (lua/zonestat/frame.lua) installs its method table
 * (looked up after c[i]) and its __tostring. */
static int l_set_column_class(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_getmetatable(L, ZS_COLUMN);
  lua_pushvalue(L, 1);
  lua_pushcclosure(L, l_index, 1);
  lua_setfield(L, -2, "__index");
  if (lua_istable(L, 2)) {
    lua_getfield(L, 2, "__tostring");
    lua_setfield(L, -2, "__tostring");
  }
  return 0;
}

/* The Column metatable holds only what C must own (__gc, __len, the
 * element index); the methods come from lua/zonestat/frame.lua through
 * core.set_column_class.  The C methods are core.column_accessors. */
void zs_column_open(lua_State *L) {
  static const luaL_Reg accessors[] = {
    {"sum", l_sum}, {"mean", l_mean}, {"min", l_min}, {"max", l_max},
    {"var", l_var}, {"sd", l_sd},
    {"count", l_count}, {"na_count", l_na_count}, {"totable", l_totable},
    {"type", l_type}, {"get", l_get}, {NULL, NULL}};
  zs_newmetatable(L, ZS_COLUMN); /* sealed: Lua code cannot reach __gc */
  lua_pushcfunction(L, col_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, l_len);
  lua_setfield(L, -2, "__len");
  lua_newtable(L); /* no methods until the class is set */
  lua_pushcclosure(L, l_index, 1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  luaL_newlib(L, accessors);
  lua_setfield(L, -2, "column_accessors");

  static const luaL_Reg fns[] = {
    {"column_raw", l_column_raw}, {"cast", l_cast}, {"fill_na", l_fill_na},
    {"set_column_class", l_set_column_class}, {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
}

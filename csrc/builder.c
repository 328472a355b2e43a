/* builder.c: a column built value by value, for the readers whose values
 * come typed one at a time (xlsx cells, SQLite rows) rather than as text.
 *
 * Each value is kept as it came (its kind and 8 bytes) until the column is
 * finished; then the column's type follows the rules of read_csv's
 * inference: one kind gives its type, int with float gives float, any other
 * mix gives str (numbers, booleans and dates written as text), no value at
 * all gives str.  Floats that are all integral and within +-2^53 give int
 * (a spreadsheet stores every number as a double).  With a fixed type each
 * value is converted as it is added, and text is read under the caller's
 * conventions (decimal and thousands marks, date format); a value that does
 * not convert is refused, so the caller can name its place.  A number that
 * becomes text (in a str column) is written with the conventions' decimal
 * mark and no thousands marks, so that it reads back under them.
 *
 * Memory: the builder is a userdata ("zonestat.Builder") whose buffers come
 * from the Lua allocator and are freed by __gc (or as soon as the column is
 * finished). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "zs.h"

#define BUILDER "zonestat.Builder"

enum { K_NA, K_INT, K_FLOAT, K_BOOL, K_DATE, K_TEXT };

struct zs_builder {
  int fixed;          /* zs_type, or -1: typed by the values */
  zs_textfmt fmt;     /* conventions for text under a fixed type */
  int64_t n, cap;
  uint8_t *kind;      /* cap entries */
  int64_t *val;       /* cap entries: int, double bits, bool, days or text code */
  unsigned seen;      /* bit per kind */
  int integral;       /* every float seen is integral and within +-2^53 */
  zs_dict dict;       /* text values (the str column's dictionary when the type is str) */
  int dict_ready;
};

static void release(lua_State *L, zs_builder *b) {
  zs_free(L, b->kind, (size_t)b->cap);
  zs_free(L, b->val, (size_t)b->cap * 8);
  b->kind = NULL;
  b->val = NULL;
  b->cap = b->n = 0;
  if (b->dict_ready) zs_dict_release(&b->dict);
  b->dict_ready = 0;
}

static int builder_gc(lua_State *L) {
  release(L, luaL_checkudata(L, 1, BUILDER));
  return 0;
}

zs_builder *zs_builder_push(lua_State *L, int fixed, const zs_textfmt *fmt) {
  zs_builder *b = lua_newuserdatauv(L, sizeof *b, 0);
  memset(b, 0, sizeof *b);
  b->fixed = fixed;
  b->fmt = fmt ? *fmt : zs_textfmt_default;
  b->integral = 1;
  if (zs_newmetatable(L, BUILDER)) {
    lua_pushcfunction(L, builder_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  lua_Alloc alloc;
  void *ud;
  alloc = lua_getallocf(L, &ud);
  zs_dict_init(&b->dict, alloc, ud);
  b->dict_ready = 1;
  return b;
}

int64_t zs_builder_rows(const zs_builder *b) { return b->n; }

static void put(lua_State *L, zs_builder *b, int kind, int64_t v) {
  if (b->n == b->cap) {
    int64_t cap = b->cap ? b->cap * 2 : 256;
    b->kind = zs_realloc(L, b->kind, (size_t)b->cap, (size_t)cap);
    b->val = zs_realloc(L, b->val, (size_t)b->cap * 8, zs_mulsize(L, (size_t)cap, 8));
    b->cap = cap;
  }
  b->kind[b->n] = (uint8_t)kind;
  b->val[b->n] = v;
  b->n++;
  b->seen |= 1u << kind;
}

static int64_t bits_of(double x) {
  int64_t v;
  memcpy(&v, &x, 8);
  return v;
}

static double double_of(int64_t v) {
  double x;
  memcpy(&x, &v, 8);
  return x;
}

static int32_t intern(lua_State *L, zs_builder *b, const char *s, size_t len) {
  int32_t code = zs_dict_intern(&b->dict, s, len);
  if (code < 0) luaL_error(L, "not enough memory");
  return code;
}

void zs_builder_na(lua_State *L, zs_builder *b) { put(L, b, K_NA, 0); }

/* a double as text: integral values (within +-2^53) without a fraction */
static int number_text(double f, char *buf, char decimal) {
  if (f == floor(f) && fabs(f) <= 9007199254740992.0) return zs_format_int((int64_t)f, buf);
  return zs_format_float(f, buf, decimal);
}

/* store a number of the fixed type; 0 if it does not fit */
static int put_number(lua_State *L, zs_builder *b, int is_int, int64_t i, double f) {
  switch (b->fixed) {
  case ZS_INT:
    if (!is_int) {
      if (!(f == floor(f) && f > -9223372036854775808.0 && f < 9223372036854775808.0)) return 0;
      i = (int64_t)f;
    }
    put(L, b, K_INT, i);
    return 1;
  case ZS_FLOAT: put(L, b, K_FLOAT, bits_of(is_int ? (double)i : f)); return 1;
  case ZS_BOOL:
    if (is_int ? (i != 0 && i != 1) : (f != 0 && f != 1)) return 0;
    put(L, b, K_BOOL, is_int ? i : (int64_t)f);
    return 1;
  case ZS_STR: {
    char buf[40];
    int n = is_int ? zs_format_int(i, buf) : number_text(f, buf, b->fmt.decimal);
    put(L, b, K_TEXT, intern(L, b, buf, (size_t)n));
    return 1;
  }
  default: return 0; /* a number is no date unless the reader says so */
  }
}

int zs_builder_int(lua_State *L, zs_builder *b, int64_t v) {
  if (v == ZS_NA_INT) return 0;
  if (b->fixed >= 0) return put_number(L, b, 1, v, 0);
  put(L, b, K_INT, v);
  return 1;
}

int zs_builder_float(lua_State *L, zs_builder *b, double v) {
  if (isnan(v)) { put(L, b, K_NA, 0); return 1; }
  if (b->fixed >= 0) return put_number(L, b, 0, 0, v);
  if (!(v == floor(v) && fabs(v) <= 9007199254740992.0)) b->integral = 0;
  put(L, b, K_FLOAT, bits_of(v));
  return 1;
}

int zs_builder_bool(lua_State *L, zs_builder *b, int v) {
  if (b->fixed >= 0 && b->fixed != ZS_BOOL) {
    if (b->fixed == ZS_STR) { put(L, b, K_TEXT, intern(L, b, v ? "true" : "false", v ? 4 : 5)); return 1; }
    if (b->fixed == ZS_INT || b->fixed == ZS_FLOAT) return put_number(L, b, 1, v != 0, 0);
    return 0;
  }
  put(L, b, K_BOOL, v != 0);
  return 1;
}

int zs_builder_date(lua_State *L, zs_builder *b, int32_t days) {
  if (days == ZS_NA_DATE) { put(L, b, K_NA, 0); return 1; }
  if (b->fixed >= 0 && b->fixed != ZS_DATE) {
    if (b->fixed != ZS_STR) return 0;
    char buf[24];
    int n = zs_format_date(days, buf);
    put(L, b, K_TEXT, intern(L, b, buf, (size_t)n));
    return 1;
  }
  put(L, b, K_DATE, days);
  return 1;
}

int zs_builder_text(lua_State *L, zs_builder *b, const char *s, size_t len) {
  if (b->fixed < 0 || b->fixed == ZS_STR) {
    put(L, b, K_TEXT, intern(L, b, s, len));
    return 1;
  }
  union { int8_t b; int64_t i; double f; int32_t d; } u;
  if (!zs_text_to((zs_type)b->fixed, s, len, &b->fmt, &u)) return 0;
  switch (b->fixed) {
  case ZS_BOOL: put(L, b, K_BOOL, u.b); break;
  case ZS_INT: put(L, b, K_INT, u.i); break;
  case ZS_FLOAT:
    if (isnan(u.f)) put(L, b, K_NA, 0);
    else put(L, b, K_FLOAT, bits_of(u.f));
    break;
  case ZS_DATE: put(L, b, K_DATE, u.d); break;
  default: return 0;
  }
  return 1;
}

/* the type of the finished column */
static zs_type final_type(const zs_builder *b) {
  if (b->fixed >= 0) return (zs_type)b->fixed;
  unsigned kinds = b->seen & ~(1u << K_NA);
  if (kinds == 0) return ZS_STR;
  if (kinds == (1u << K_INT)) return ZS_INT;
  if (kinds == (1u << K_FLOAT) || kinds == ((1u << K_INT) | (1u << K_FLOAT)))
    return b->integral ? ZS_INT : ZS_FLOAT;
  if (kinds == (1u << K_BOOL)) return ZS_BOOL;
  if (kinds == (1u << K_DATE)) return ZS_DATE;
  return ZS_STR;
}

/* the text of a value that is not text, for a str column */
static int32_t as_text(lua_State *L, zs_builder *b, int kind, int64_t v) {
  char buf[40];
  int n;
  switch (kind) {
  case K_INT: n = zs_format_int(v, buf); break;
  case K_FLOAT: n = number_text(double_of(v), buf, b->fmt.decimal); break;
  case K_BOOL: n = sprintf(buf, "%s", v ? "true" : "false"); break;
  case K_DATE: n = zs_format_date((int32_t)v, buf); break;
  default: return (int32_t)v;
  }
  return intern(L, b, buf, (size_t)n);
}

zs_col *zs_builder_finish(lua_State *L, int bidx) {
  bidx = lua_absindex(L, bidx);
  zs_builder *b = luaL_checkudata(L, bidx, BUILDER);
  zs_type t = final_type(b);
  int64_t n = b->n;
  zs_col *c = zs_col_push(L, t, n, 0);
  int has_na = 0;
  for (int64_t i = 0; i < n; i++) {
    int kind = b->kind[i];
    int64_t v = b->val[i];
    if (kind == K_NA) {
      zs_col_set_na(c, i);
      has_na = 1;
      continue;
    }
    switch (t) {
    case ZS_INT: ((int64_t *)c->data)[i] = kind == K_FLOAT ? (int64_t)double_of(v) : v; break;
    case ZS_FLOAT: ((double *)c->data)[i] = kind == K_INT ? (double)v : double_of(v); break;
    case ZS_BOOL: ((int8_t *)c->data)[i] = (int8_t)v; break;
    case ZS_DATE: ((int32_t *)c->data)[i] = (int32_t)v; break;
    default: ((int32_t *)c->data)[i] = kind == K_TEXT ? (int32_t)v : as_text(L, b, kind, v); break;
    }
  }
  if (t == ZS_STR && b->dict_ready) {
    /* the column takes the builder's dictionary */
    zs_dict *d = c->dict;
    zs_dict_release(d);
    *d = b->dict;
    b->dict_ready = 0;
  }
  zs_col_note_na(c, has_na);
  release(L, b);
  return c;
}

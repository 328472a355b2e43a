/* expr.c: vectorized evaluation of expression trees built in Lua
 * (lua/zonestat/expr.lua) over the columns of a frame.
 *
 * A node is a Lua table {op = ..., a = node, b = node, ...}; leaves are
 * {op = "col", name = ...} and {op = "lit", value = ...}.  Evaluation makes
 * one temporary column per inner node; literals stay scalars.
 *
 * Semantics: NA propagates through arithmetic, comparisons and functions;
 * `and`/`or` follow three-valued (Kleene) logic: false & NA = false,
 * true | NA = true.  int op int stays int for + - * % (an error on
 * overflow), / and ^ give float; x / 0 is ±Inf, 0 / 0 and x % 0 are NA.
 * date ± int is a date, date - date an int (days).
 *
 * int compared with float is exact (as Lua compares math.maxinteger < 2^63):
 * never through a conversion of the int to double.
 *
 * Before anything is evaluated, the tree is walked once without recursion
 * (walk): a node that is its own operand raises "expression is cyclic", a
 * path of more than EXPR_MAX_DEPTH nodes raises "expression too deep", and
 * nodes reached from several parents are counted so that eval computes each
 * of them once (a shared subexpression is a DAG, not a tree: e = e + e sixty
 * times is 61 nodes).  eval then recurses at most EXPR_MAX_DEPTH deep, and
 * after each node only its result stays on the Lua stack. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs.h"
#include "group.h"

typedef struct {
  int scalar;      /* a literal, not a column */
  zs_type type;
  zs_col *col;     /* when !scalar */
  int na;          /* scalar NA (no type) */
  int64_t i;       /* scalar int / date / bool */
  double f;        /* scalar float */
  const char *s;   /* scalar str */
  size_t len;
  int sidx;        /* stack index of a temporary column's userdata, or 0 */
} val;

/* the deepest expression accepted: nodes on the longest path from the root
 * to a leaf.  eval recurses once per level (a few hundred bytes of C stack
 * each), so this keeps it far below any thread's stack. */
#define EXPR_MAX_DEPTH 1000

typedef struct {
  lua_State *L;
  int fidx;
  zs_frame *f;
  int64_t n;
  int uses;        /* stack index: node -> parents not yet evaluated (walk) */
  int memo;        /* stack index: node -> its Column, while parents still need it */
  int depth;       /* current eval depth */
} ctx;

/* the operations stay out of eval_node, so that one level of the recursion
 * costs little C stack */
#define NOINLINE __attribute__((noinline))

/* ---- helpers ---------------------------------------------------------------- */

static int is_num(zs_type t) { return t == ZS_INT || t == ZS_FLOAT; }

/* push node[key] without metamethods (no Lua code runs during eval, so the
 * tree cannot change under it) and return its type */
static int field(lua_State *L, int node, const char *key) {
  lua_pushstring(L, key);
  return lua_rawget(L, node);
}

/* exact three-way comparison of an int64 and a double that is not NaN */
static inline int cmp_i64_dbl(int64_t x, double y) {
  if (y >= 0x1p63) return -1;
  if (y < -0x1p63) return 1;
  double t = trunc(y);          /* in [-2^63, 2^63): fits an int64 exactly */
  int64_t ti = (int64_t)t;
  if (x != ti) return x < ti ? -1 : 1;
  double fr = y - t;            /* exact */
  return fr > 0 ? -1 : fr < 0 ? 1 : 0;
}

/* a double that is an integer in int64's range, as that int64 (1), else 0 */
static inline int dbl_to_i64(double y, int64_t *out) {
  if (!(y >= -0x1p63 && y < 0x1p63)) return 0;
  double t = trunc(y);
  if (t != y) return 0;
  *out = (int64_t)t;
  return 1;
}

static const char *type_name(const val *v) { return v->na ? "NA" : zs_type_names[v->type]; }

/* element i of v as double (NA: NaN) */
static inline double dbl(const val *v, int64_t i) {
  if (v->scalar) return v->na ? NAN : (v->type == ZS_FLOAT ? v->f : (double)v->i);
  const zs_col *c = v->col;
  if (c->type == ZS_FLOAT) return ((const double *)c->data)[i];
  if (c->type == ZS_INT) {
    int64_t x = ((const int64_t *)c->data)[i];
    return x == ZS_NA_INT ? NAN : (double)x;
  }
  if (c->type == ZS_DATE) {
    int32_t x = ((const int32_t *)c->data)[i];
    return x == ZS_NA_DATE ? NAN : (double)x;
  }
  int8_t b = ((const int8_t *)c->data)[i];
  return b == ZS_NA_BOOL ? NAN : (double)b;
}

/* element i as int64 with NA flag (int, date, bool) */
static inline int64_t i64(const val *v, int64_t i, int *na) {
  if (v->scalar) { *na = v->na; return v->i; }
  const zs_col *c = v->col;
  switch (c->type) {
  case ZS_INT: { int64_t x = ((const int64_t *)c->data)[i]; *na = x == ZS_NA_INT; return x; }
  case ZS_DATE: { int32_t x = ((const int32_t *)c->data)[i]; *na = x == ZS_NA_DATE; return x; }
  case ZS_BOOL: { int8_t x = ((const int8_t *)c->data)[i]; *na = x == ZS_NA_BOOL; return x; }
  default: *na = 1; return 0;
  }
}

static inline int elem_na(const val *v, int64_t i) {
  return v->scalar ? v->na : zs_col_isna(v->col, i);
}

/* a frame column (sidx 0) or a temporary column at stack index sidx */
static val column_at(zs_col *c, int sidx) {
  val v;
  memset(&v, 0, sizeof v);
  v.col = c;
  v.type = c->type;
  v.sidx = sidx;
  return v;
}

/* the temporary column just pushed */
static val pushed(lua_State *L, zs_col *c) { return column_at(c, lua_gettop(L)); }

/* read the literal at stack index idx */
static val literal(ctx *C, int idx) {
  lua_State *L = C->L;
  val v;
  memset(&v, 0, sizeof v);
  v.scalar = 1;
  switch (lua_type(L, idx)) {
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx)) {
      v.type = ZS_INT;
      v.i = lua_tointeger(L, idx);
      if (v.i == ZS_NA_INT)
        luaL_error(L, "the literal %I (math.mininteger) is reserved for NA: the int range is "
                   "-(2^63 - 1) to 2^63 - 1", (lua_Integer)v.i);
    }
    else { v.type = ZS_FLOAT; v.f = lua_tonumber(L, idx); v.na = isnan(v.f); }
    break;
  case LUA_TBOOLEAN: v.type = ZS_BOOL; v.i = lua_toboolean(L, idx); break;
  case LUA_TSTRING: v.type = ZS_STR; v.s = lua_tolstring(L, idx, &v.len); break;
  default:
    if (lua_isnil(L, idx) || zs_is_na(L, idx)) { v.na = 1; v.type = ZS_BOOL; break; }
    luaL_error(L, "a %s cannot be a literal in an expression", luaL_typename(L, idx));
  }
  return v;
}

/* a str literal compared with a date column is read as a date */
static void coerce_date_literal(ctx *C, val *lit) {
  int32_t d;
  if (!lit->scalar || lit->na || lit->type != ZS_STR) return;
  if (!zs_parse_date(lit->s, lit->len, &d))
    luaL_error(C->L, "'%s' is not a date (yyyy-mm-dd)", lit->s);
  lit->type = ZS_DATE;
  lit->i = d;
}

static zs_col *new_col(ctx *C, zs_type t) { return zs_col_push(C->L, t, C->n, 0); }

/* ---- arithmetic ----------------------------------------------------------------- */

enum { A_ADD, A_SUB, A_MUL, A_DIV, A_MOD, A_POW };

static double fmod_floor(double a, double b) {
  double m = fmod(a, b);
  if (m != 0 && (m < 0) != (b < 0)) m += b;
  return m;
}

NOINLINE static val arith(ctx *C, int op, val a, val b, const char *opname) {
  lua_State *L = C->L;
  int64_t n = C->n;
  /* a NA literal takes the type that makes the operation defined: the
   * other operand's, int beside a date (date ± NA is a NA date), and int
   * when both are NA literals */
  if (a.na && a.scalar && b.na && b.scalar) a.type = b.type = ZS_INT;
  if (a.na && a.scalar) a.type = b.type == ZS_DATE ? ZS_INT : b.type;
  if (b.na && b.scalar) b.type = a.type == ZS_DATE ? ZS_INT : a.type;
  int dates = a.type == ZS_DATE || b.type == ZS_DATE;
  if (dates) {
    /* date + int, int + date, date - int: date; date - date: int */
    zs_type rt = ZS_INT;
    if (op == A_ADD && ((a.type == ZS_DATE && b.type == ZS_INT) || (a.type == ZS_INT && b.type == ZS_DATE))) rt = ZS_DATE;
    else if (op == A_SUB && a.type == ZS_DATE && b.type == ZS_INT) rt = ZS_DATE;
    else if (op == A_SUB && a.type == ZS_DATE && b.type == ZS_DATE) rt = ZS_INT;
    else luaL_error(L, "'%s' is not defined for %s and %s", opname, type_name(&a), type_name(&b));
    zs_col *r = new_col(C, rt);
    for (int64_t i = 0; i < n; i++) {
      int na1, na2;
      int64_t x = i64(&a, i, &na1), y = i64(&b, i, &na2);
      if (na1 || na2) { zs_col_set_na(r, i); continue; }
      int64_t v;
      int ovf = op == A_ADD ? __builtin_add_overflow(x, y, &v) : __builtin_sub_overflow(x, y, &v);
      if (rt == ZS_DATE) {
        if (ovf || v <= INT32_MIN || v > INT32_MAX)
          luaL_error(L, "date out of range in '%s' at row %I", opname, (lua_Integer)i + 1);
        ((int32_t *)r->data)[i] = (int32_t)v;
      } else {
        ((int64_t *)r->data)[i] = v;
      }
    }
    return pushed(L, r);
  }
  if (!is_num(a.type) || !is_num(b.type))
    luaL_error(L, "'%s' is not defined for %s and %s", opname, type_name(&a), type_name(&b));
  if (a.type == ZS_INT && b.type == ZS_INT && op != A_DIV && op != A_POW) {
    zs_col *r = new_col(C, ZS_INT);
    int64_t *out = r->data;
    for (int64_t i = 0; i < n; i++) {
      int na1, na2;
      int64_t x = i64(&a, i, &na1), y = i64(&b, i, &na2), v = 0;
      if (na1 || na2) { out[i] = ZS_NA_INT; continue; }
      int ovf = 0;
      switch (op) {
      case A_ADD: ovf = __builtin_add_overflow(x, y, &v); break;
      case A_SUB: ovf = __builtin_sub_overflow(x, y, &v); break;
      case A_MUL: ovf = __builtin_mul_overflow(x, y, &v); break;
      default: /* floor modulo, as Lua's % */
        if (y == 0) { out[i] = ZS_NA_INT; continue; }
        if (y == -1) { v = 0; break; }
        v = x % y;
        if (v != 0 && (v ^ y) < 0) v += y;
      }
      if (ovf || v == ZS_NA_INT) luaL_error(L, "integer overflow in '%s' at row %I", opname, (lua_Integer)i + 1);
      out[i] = v;
    }
    return pushed(L, r);
  }
  zs_col *r = new_col(C, ZS_FLOAT);
  double *out = r->data;
  for (int64_t i = 0; i < n; i++) {
    double x = dbl(&a, i), y = dbl(&b, i), v;
    switch (op) {
    case A_ADD: v = x + y; break;
    case A_SUB: v = x - y; break;
    case A_MUL: v = x * y; break;
    case A_DIV: v = x / y; break;
    case A_MOD: v = y == 0 ? NAN : fmod_floor(x, y); break;
    default: v = pow(x, y);
    }
    out[i] = (isnan(x) || isnan(y)) ? NAN : v;
  }
  return pushed(L, r);
}

/* ---- comparisons -------------------------------------------------------------------- */

enum { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };

static inline int8_t cmp_result(int op, int c) {
  switch (op) {
  case C_EQ: return c == 0;
  case C_NE: return c != 0;
  case C_LT: return c < 0;
  case C_LE: return c <= 0;
  case C_GT: return c > 0;
  default: return c >= 0;
  }
}

/* text of element i of a str value */
static inline const char *str_at(const val *v, int64_t i, size_t *len) {
  if (v->scalar) { *len = v->len; return v->s; }
  int32_t code = ((const int32_t *)v->col->data)[i];
  return zs_dict_str(v->col->dict, code, len);
}

NOINLINE static val compare(ctx *C, int op, val a, val b, const char *opname) {
  lua_State *L = C->L;
  int64_t n = C->n;
  if (a.type == ZS_DATE) coerce_date_literal(C, &b);
  if (b.type == ZS_DATE) coerce_date_literal(C, &a);
  zs_col *r = new_col(C, ZS_BOOL);
  int8_t *out = r->data;
  if ((a.na && a.scalar) || (b.na && b.scalar)) {
    /* anything compared with NA is NA */
    for (int64_t i = 0; i < n; i++) out[i] = ZS_NA_BOOL;
  } else if (is_num(a.type) && is_num(b.type)) {
    if (a.type == ZS_INT && b.type == ZS_INT) {
      for (int64_t i = 0; i < n; i++) {
        int na1, na2;
        int64_t x = i64(&a, i, &na1), y = i64(&b, i, &na2);
        out[i] = (na1 || na2) ? ZS_NA_BOOL : cmp_result(op, (x > y) - (x < y));
      }
    } else if (a.type == ZS_FLOAT && b.type == ZS_FLOAT) {
      for (int64_t i = 0; i < n; i++) {
        double x = dbl(&a, i), y = dbl(&b, i);
        out[i] = (isnan(x) || isnan(y)) ? ZS_NA_BOOL : cmp_result(op, (x > y) - (x < y));
      }
    } else {
      /* int with float: exact, never through (double)int */
      int int_left = a.type == ZS_INT;
      const val *iv = int_left ? &a : &b, *fv = int_left ? &b : &a;
      for (int64_t i = 0; i < n; i++) {
        int na;
        int64_t x = i64(iv, i, &na);
        double y = dbl(fv, i);
        if (na || isnan(y)) { out[i] = ZS_NA_BOOL; continue; }
        int c = cmp_i64_dbl(x, y);
        out[i] = cmp_result(op, int_left ? c : -c);
      }
    }
  } else if (a.type == b.type && (a.type == ZS_DATE || a.type == ZS_BOOL)) {
    for (int64_t i = 0; i < n; i++) {
      int na1, na2;
      int64_t x = i64(&a, i, &na1), y = i64(&b, i, &na2);
      out[i] = (na1 || na2) ? ZS_NA_BOOL : cmp_result(op, (x > y) - (x < y));
    }
  } else if (a.type == ZS_STR && b.type == ZS_STR) {
    if (!a.scalar && (b.scalar || b.col->dict == a.col->dict)) {
      /* one result per dictionary entry, then a lookup per row */
      const zs_dict *d = a.col->dict;
      int8_t *res = lua_newuserdatauv(L, (size_t)(d->n ? d->n : 1), 0);
      const int32_t *codes = a.col->data;
      if (b.scalar) {
        for (int32_t k = 0; k < d->n; k++) {
          size_t len;
          const char *s = zs_dict_str(d, k, &len);
          res[k] = cmp_result(op, zs_strcmp(s, len, b.s, b.len));
        }
        for (int64_t i = 0; i < n; i++) out[i] = (codes[i] < 0 || b.na) ? ZS_NA_BOOL : res[codes[i]];
      } else {
        const int32_t *rank = zs_dict_rank(a.col->dict);
        const int32_t *codes2 = b.col->data;
        for (int64_t i = 0; i < n; i++) {
          if (codes[i] < 0 || codes2[i] < 0) { out[i] = ZS_NA_BOOL; continue; }
          int32_t x = rank ? rank[codes[i]] : 0, y = rank ? rank[codes2[i]] : 0;
          out[i] = cmp_result(op, (x > y) - (x < y));
        }
      }
      lua_pop(L, 1);
    } else {
      for (int64_t i = 0; i < n; i++) {
        if (elem_na(&a, i) || elem_na(&b, i)) { out[i] = ZS_NA_BOOL; continue; }
        size_t la, lb;
        const char *x = str_at(&a, i, &la), *y = str_at(&b, i, &lb);
        out[i] = cmp_result(op, zs_strcmp(x, la, y, lb));
      }
    }
  } else {
    luaL_error(L, "'%s' cannot compare %s with %s", opname, type_name(&a), type_name(&b));
  }
  return pushed(L, r);
}

/* ---- logic ---------------------------------------------------------------------------- */

static void check_bool(ctx *C, const val *v, const char *opname) {
  if (v->type != ZS_BOOL && !(v->scalar && v->na))
    luaL_error(C->L, "'%s' needs bool operands, got %s", opname, type_name(v));
}

static inline int8_t bool_at(const val *v, int64_t i) {
  if (v->scalar) return v->na ? ZS_NA_BOOL : (int8_t)v->i;
  return ((const int8_t *)v->col->data)[i];
}

NOINLINE static val logic(ctx *C, const char *op, val a, val b) {
  lua_State *L = C->L;
  check_bool(C, &a, op);
  check_bool(C, &b, op);
  zs_col *r = new_col(C, ZS_BOOL);
  int8_t *out = r->data;
  int is_and = op[0] == 'a';
  for (int64_t i = 0; i < C->n; i++) {
    int8_t x = bool_at(&a, i), y = bool_at(&b, i);
    if (is_and) out[i] = (x == 0 || y == 0) ? 0 : (x < 0 || y < 0) ? ZS_NA_BOOL : 1;
    else out[i] = (x == 1 || y == 1) ? 1 : (x < 0 || y < 0) ? ZS_NA_BOOL : 0;
  }
  return pushed(L, r);
}

/* ---- functions -------------------------------------------------------------------------- */

NOINLINE static val materialize(ctx *C, val v) {
  if (!v.scalar) return v;
  lua_State *L = C->L;
  zs_type t = v.na ? ZS_BOOL : v.type;
  zs_col *r = new_col(C, t);
  for (int64_t i = 0; i < C->n; i++) {
    if (v.na) { zs_col_set_na(r, i); continue; }
    switch (t) {
    case ZS_INT: ((int64_t *)r->data)[i] = v.i; break;
    case ZS_FLOAT: ((double *)r->data)[i] = v.f; break;
    case ZS_BOOL: ((int8_t *)r->data)[i] = (int8_t)v.i; break;
    case ZS_DATE: ((int32_t *)r->data)[i] = (int32_t)v.i; break;
    default: {
      int32_t code = zs_dict_intern(r->dict, v.s, v.len);
      if (code < 0) luaL_error(L, "not enough memory");
      ((int32_t *)r->data)[i] = code;
    }
    }
  }
  return pushed(L, r);
}

/* push the Column userdata of a column value */
static void push_column(ctx *C, const val *v) {
  if (v->sidx) {
    lua_pushvalue(C->L, v->sidx);
    return;
  }
  int j = 0;
  while (C->f->cols[j] != v->col) j++;
  zs_frame_push_column(C->L, C->fidx, j);
}

/* the date parts, by name */
enum { D_YEAR, D_MONTH, D_DAY, D_QUARTER, D_HALF, D_WEEK, D_ISO_YEAR };
static const char *const date_parts[] = {"year", "month", "day", "quarter", "half", "week", "iso_year", NULL};

static int date_part_of(const char *op) {
  for (int k = 0; date_parts[k]; k++)
    if (strcmp(op, date_parts[k]) == 0) return k;
  return -1;
}

/* floor division and modulo (C's / and % truncate toward zero) */
static inline int64_t floor_div(int64_t a, int64_t b) { return (a >= 0 ? a : a - (b - 1)) / b; }
static inline int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

/* the proleptic Gregorian year of a day count, in int64 all the way (the ISO
 * week's Thursday may fall outside int32 near the ends of the date range) */
static int64_t year_of_days(int64_t days) {
  int64_t z = days + 719468;
  int64_t era = floor_div(z, 146097);
  int64_t doe = z - era * 146097;                                      /* [0, 146096] */
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365], from 1 March */
  int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11], March = 0 */
  return yoe + era * 400 + (mp >= 10);
}

/* days since 1970-01-01 of 1 January of year y, in int64 */
static int64_t jan1_of_year(int64_t y) {
  int64_t yp = y - 1;                                                  /* years start in March */
  int64_t era = floor_div(yp, 400);
  int64_t yoe = yp - era * 400;                                        /* [0, 399] */
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + 306;                 /* 1 January is day 306 */
  return era * 146097 + doe - 719468;
}

/* ISO 8601 week date: weeks start on Monday; week 1 holds the year's first
 * Thursday, so the week and its year are those of the week's Thursday */
static void iso_week(int32_t days, int64_t *week, int64_t *year) {
  int64_t d = days;
  int64_t wd = floor_mod(d + 3, 7);     /* 0 = Monday (1970-01-01 was a Thursday) */
  int64_t thursday = d - wd + 3;
  *year = year_of_days(thursday);
  *week = (thursday - jan1_of_year(*year)) / 7 + 1;
}

NOINLINE static val date_part(ctx *C, val a, const char *op, int part) {
  lua_State *L = C->L;
  if (a.scalar && a.na) { /* NA: a NA date */
    a.na = 0;
    a.type = ZS_DATE;
    a.i = ZS_NA_DATE;
  }
  if (a.type != ZS_DATE) luaL_error(C->L, "%s() needs a date, got %s", op, type_name(&a));
  a = materialize(C, a);
  zs_col *r = new_col(C, ZS_INT);
  int64_t *out = r->data;
  const int32_t *d = a.col->data;
  for (int64_t i = 0; i < C->n; i++) {
    if (d[i] == ZS_NA_DATE) { out[i] = ZS_NA_INT; continue; }
    if (part == D_WEEK || part == D_ISO_YEAR) {
      int64_t week, year;
      iso_week(d[i], &week, &year);
      out[i] = part == D_WEEK ? week : year;
      continue;
    }
    int64_t y;
    int m, day;
    zs_civil_from_days(d[i], &y, &m, &day);
    switch (part) {
    case D_YEAR: out[i] = y; break;
    case D_MONTH: out[i] = m; break;
    case D_DAY: out[i] = day; break;
    case D_QUARTER: out[i] = (m - 1) / 3 + 1; break;
    default: out[i] = m <= 6 ? 1 : 2; /* D_HALF */
    }
  }
  return pushed(L, r);
}

/* 10^k for 0 <= k <= 18 */
static int64_t pow10_i64(int k) {
  int64_t p = 1;
  while (k-- > 0) p *= 10;
  return p;
}

/* x rounded half away from zero to a multiple of 10^k (k >= 1); 0 with *ovf
 * set when the result does not fit an int64 */
static int64_t round_int(int64_t x, int k, int *ovf) {
  *ovf = 0;
  if (k >= 20) return 0;                    /* |x| < 9.3e18 < 0.5e20 */
  if (k == 19) {                            /* 10^19 does not fit: 0 or ±10^19 */
    if (x >= 5000000000000000000LL || x <= -5000000000000000000LL) *ovf = 1;
    return 0;
  }
  int64_t p = pow10_i64(k), q = x / p, rem = x % p, v;
  if (rem >= 0 ? rem * 2 >= p : -rem * 2 >= p) q += x < 0 ? -1 : 1;
  if (__builtin_mul_overflow(q, p, &v) || v == ZS_NA_INT) *ovf = 1;
  return v;
}

/* x rounded half away from zero to `digits` decimals (digits in [-400, 400]):
 * a digit beyond what a double holds leaves x as it is; |x| below half of
 * 10^-digits gives 0 (never -0) */
static double round_dbl(double x, int digits) {
  if (!isfinite(x)) return x;
  double v;
  if (digits >= 0) {
    if (digits > 308) return x;             /* 10^digits is beyond the double range */
    double s = pow(10.0, digits), y = x * s;
    if (!isfinite(y) || fabs(y) >= 0x1p52) return x; /* no fraction left at that digit */
    v = round(y) / s;
  } else {
    if (-digits > 308) return 0.0;
    double p = pow(10.0, -digits);
    v = round(x / p) * p;                   /* may overflow to ±Inf near the double range */
  }
  return v == 0 ? 0.0 : v;
}

NOINLINE static val math1(ctx *C, val a, const char *op, int digits) {
  lua_State *L = C->L;
  if (a.scalar && a.na) a.type = ZS_FLOAT;
  if (!is_num(a.type)) luaL_error(C->L, "%s() needs a number, got %s", op, type_name(&a));
  int is_round = strcmp(op, "round") == 0;
  int keep_int = a.type == ZS_INT && (strcmp(op, "abs") == 0 || strcmp(op, "floor") == 0 ||
                                      strcmp(op, "ceil") == 0 || is_round);
  zs_col *r = new_col(C, keep_int ? ZS_INT : ZS_FLOAT);
  for (int64_t i = 0; i < C->n; i++) {
    if (keep_int) {
      int na;
      int64_t x = i64(&a, i, &na);
      if (!na && is_round && digits < 0) {
        int ovf;
        x = round_int(x, -digits, &ovf);
        if (ovf) luaL_error(L, "integer overflow in 'round' at row %I", (lua_Integer)i + 1);
      }
      ((int64_t *)r->data)[i] = na ? ZS_NA_INT : (op[0] == 'a' && x < 0 ? -x : x);
      continue;
    }
    double x = dbl(&a, i), v;
    if (strcmp(op, "abs") == 0) v = fabs(x);
    else if (strcmp(op, "floor") == 0) v = floor(x);
    else if (strcmp(op, "ceil") == 0) v = ceil(x);
    else if (strcmp(op, "sqrt") == 0) v = sqrt(x);
    else if (strcmp(op, "log") == 0) v = log(x);
    else if (strcmp(op, "exp") == 0) v = exp(x);
    else v = round_dbl(x, digits);
    ((double *)r->data)[i] = v;
  }
  return pushed(L, r);
}

NOINLINE static val is_na_of(ctx *C, val a) {
  lua_State *L = C->L;
  zs_col *r = new_col(C, ZS_BOOL);
  for (int64_t i = 0; i < C->n; i++) ((int8_t *)r->data)[i] = (int8_t)elem_na(&a, i);
  return pushed(L, r);
}

/* unary minus: int and float only (bool is refused, as + is) */
NOINLINE static val negate(ctx *C, val a) {
  lua_State *L = C->L;
  if (a.scalar && a.na) a.type = ZS_INT;
  if (!is_num(a.type)) luaL_error(L, "'unary -' is not defined for %s", type_name(&a));
  zs_col *r = new_col(C, a.type);
  for (int64_t i = 0; i < C->n; i++) {
    if (a.type == ZS_INT) { /* -x fits: INT64_MIN is NA */
      int na;
      int64_t x = i64(&a, i, &na);
      ((int64_t *)r->data)[i] = na ? ZS_NA_INT : -x;
    } else {
      ((double *)r->data)[i] = -dbl(&a, i);
    }
  }
  return pushed(L, r);
}

/* ~: bool only */
NOINLINE static val not_of(ctx *C, val a) {
  lua_State *L = C->L;
  check_bool(C, &a, "~");
  zs_col *r = new_col(C, ZS_BOOL);
  for (int64_t i = 0; i < C->n; i++) {
    int8_t x = bool_at(&a, i);
    ((int8_t *)r->data)[i] = x < 0 ? ZS_NA_BOOL : !x;
  }
  return pushed(L, r);
}

static int cmp_i64_qsort(const void *p, const void *q) {
  int64_t x = *(const int64_t *)p, y = *(const int64_t *)q;
  return (x > y) - (x < y);
}

static int cmp_dbl_qsort(const void *p, const void *q) {
  double x = *(const double *)p, y = *(const double *)q;
  return (x > y) - (x < y);
}

static int has_i64(const int64_t *set, int m, int64_t x) {
  int lo = 0, hi = m;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (set[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < m && set[lo] == x;
}

static int has_dbl(const double *set, int m, double x) {
  int lo = 0, hi = m;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (set[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < m && set[lo] == x;
}

/* a:isin{values}: NA stays NA */
NOINLINE static val isin(ctx *C, val a, int values) {
  lua_State *L = C->L;
  a = materialize(C, a);
  int nv = (int)lua_rawlen(L, values);
  zs_col *r = new_col(C, ZS_BOOL);
  int8_t *out = r->data;
  const zs_col *c = a.col;
  if (c->type == ZS_STR) {
    const zs_dict *d = c->dict;
    int8_t *member = lua_newuserdatauv(L, (size_t)(d->n ? d->n : 1), 0);
    memset(member, 0, (size_t)d->n);
    for (int k = 1; k <= nv; k++) {
      lua_rawgeti(L, values, k);
      if (lua_type(L, -1) == LUA_TSTRING) {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        int32_t code = zs_dict_find(d, s, len);
        if (code >= 0) member[code] = 1;
      }
      lua_pop(L, 1);
    }
    const int32_t *codes = c->data;
    for (int64_t i = 0; i < C->n; i++) out[i] = codes[i] < 0 ? ZS_NA_BOOL : member[codes[i]];
    lua_pop(L, 1);
    return pushed(L, r);
  }
  /* numbers, dates, booleans: the values as sorted sets, exact: ints (and
   * floats that are integers in int64's range) in one, other floats in the
   * other; a value of another type matches nothing */
  int64_t *iset = lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(nv ? nv : 1), 0);
  double *fset = lua_newuserdatauv(L, sizeof(double) * (size_t)(nv ? nv : 1), 0);
  int mi = 0, mf = 0;
  for (int k = 1; k <= nv; k++) {
    lua_rawgeti(L, values, k);
    int t = lua_type(L, -1);
    if (c->type == ZS_DATE && t == LUA_TSTRING) {
      int32_t dd;
      size_t len;
      const char *s = lua_tolstring(L, -1, &len);
      if (!zs_parse_date(s, len, &dd)) luaL_error(L, "isin: '%s' is not a date (yyyy-mm-dd)", s);
      iset[mi++] = dd;
    } else if (c->type == ZS_BOOL && t == LUA_TBOOLEAN) {
      iset[mi++] = lua_toboolean(L, -1);
    } else if (t == LUA_TNUMBER && (c->type == ZS_INT || c->type == ZS_FLOAT)) {
      int64_t iv;
      if (lua_isinteger(L, -1)) iset[mi++] = lua_tointeger(L, -1);
      else {
        double d = lua_tonumber(L, -1);
        if (dbl_to_i64(d, &iv)) iset[mi++] = iv;
        else if (!isnan(d)) fset[mf++] = d;   /* NaN is NA: it matches nothing */
      }
    }
    lua_pop(L, 1);
  }
  qsort(iset, (size_t)mi, sizeof *iset, cmp_i64_qsort);
  qsort(fset, (size_t)mf, sizeof *fset, cmp_dbl_qsort);
  for (int64_t i = 0; i < C->n; i++) {
    if (c->type == ZS_FLOAT) {
      double x = ((const double *)c->data)[i];
      int64_t xi;
      if (isnan(x)) out[i] = ZS_NA_BOOL;
      else out[i] = (int8_t)(dbl_to_i64(x, &xi) ? has_i64(iset, mi, xi) : has_dbl(fset, mf, x));
      continue;
    }
    int na;
    int64_t x = i64(&a, i, &na);
    out[i] = na ? ZS_NA_BOOL : (int8_t)has_i64(iset, mi, x);
  }
  lua_pop(L, 2);
  return pushed(L, r);
}

/* a where it has a value, else b (same types, or int with float) */
NOINLINE static val coalesce(ctx *C, val a, val b) {
  lua_State *L = C->L;
  if (a.scalar && a.na) a.type = b.type;
  if (b.scalar && b.na) b.type = a.type;
  int numeric_mix = is_num(a.type) && is_num(b.type) && a.type != b.type;
  if (a.type != b.type && !numeric_mix)
    luaL_error(L, "fill_na: cannot fill a %s with a %s", type_name(&a), type_name(&b));
  zs_type t = numeric_mix ? ZS_FLOAT : a.type;
  zs_col *r = new_col(C, t);
  for (int64_t i = 0; i < C->n; i++) {
    const val *src = elem_na(&a, i) ? &b : &a;
    if (elem_na(src, i)) { zs_col_set_na(r, i); continue; }
    switch (t) {
    case ZS_FLOAT: ((double *)r->data)[i] = dbl(src, i); break;
    case ZS_STR: {
      size_t len;
      const char *s = str_at(src, i, &len);
      int32_t code = zs_dict_intern(r->dict, s, len);
      if (code < 0) luaL_error(L, "not enough memory");
      ((int32_t *)r->data)[i] = code;
      break;
    }
    case ZS_INT: { int na; ((int64_t *)r->data)[i] = i64(src, i, &na); break; }
    case ZS_DATE: { int na; ((int32_t *)r->data)[i] = (int32_t)i64(src, i, &na); break; }
    default: { int na; ((int8_t *)r->data)[i] = (int8_t)i64(src, i, &na); }
    }
  }
  return pushed(L, r);
}

/* ---- rank ---------------------------------------------------------------------------- */

/* rank of each row's value (1 = smallest, or largest with desc) within its
 * group of `by` columns; ties get the lowest rank (SQL RANK) or, dense,
 * consecutive ranks (DENSE_RANK); NA values get NA */
NOINLINE static val rank_of(ctx *C, val a, int node) {
  lua_State *L = C->L;
  a = materialize(C, a);
  int64_t n = C->n;
  field(L, node, "desc");
  int desc = lua_toboolean(L, -1);
  field(L, node, "dense");
  int dense = lua_toboolean(L, -1);
  lua_pop(L, 2);
  /* group ids of the by columns (one group when none) */
  field(L, node, "by");
  int nb = lua_istable(L, -1) ? (int)lua_rawlen(L, -1) : 0;
  zs_col **by = lua_newuserdatauv(L, sizeof(zs_col *) * (size_t)(nb + 1), 0);
  for (int k = 0; k < nb; k++) {
    lua_rawgeti(L, -2, k + 1);
    const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    int j = name ? zs_frame_find(L, C->fidx, name) : -1;
    if (!name) luaL_error(L, "rank: 'by' must name columns, got a %s", luaL_typename(L, -1));
    if (j < 0) luaL_error(L, "rank: no column named '%s'", name);
    by[k] = C->f->cols[j];
    lua_pop(L, 1);
  }
  zs_groups *g = zs_group_rows(L, by, nb, n, 1, 0);
  zs_group_gid(L, g);
  uint64_t *keys = zs_scratch(L, (size_t)n, sizeof(uint64_t));
  int64_t *idx = zs_scratch(L, (size_t)n, 2 * sizeof(int64_t));
  int64_t *tmp = idx + n;
  zs_sort_keys(L, a.col, desc, keys);
  for (int64_t i = 0; i < n; i++) idx[i] = i;
  zs_radix_sort_idx(keys, idx, tmp, n);
  /* then by group (stable): within a group rows are in value order */
  for (int64_t i = 0; i < n; i++) keys[i] = (uint64_t)(uint32_t)g->gid[i];
  zs_radix_sort_idx(keys, idx, tmp, n);
  zs_sort_keys(L, a.col, desc, keys);
  zs_col *r = zs_col_push(L, ZS_INT, n, 0);
  int64_t *out = r->data;
  int64_t pos = 0, rk = 0, dr = 0;
  for (int64_t j = 0; j < n; j++) {
    int64_t i = idx[j];
    int newgroup = j == 0 || g->gid[idx[j - 1]] != g->gid[i];
    if (newgroup) { pos = 0; dr = 0; }
    pos++;
    if (keys[i] == UINT64_MAX) { out[i] = ZS_NA_INT; continue; }
    if (newgroup || keys[idx[j - 1]] != keys[i]) { rk = pos; dr++; }
    out[i] = dense ? dr : rk;
  }
  /* leave only the result (and the value column below it) */
  lua_replace(L, -6);
  lua_pop(L, 4);
  return pushed(L, r);
}

/* ---- the evaluator --------------------------------------------------------------------- */

/* the children of a node that are expressions */
static const char *const child_keys[] = {"a", "b"};

/* Walk the tree at stack index root once, without recursion: raise when a
 * node is its own operand (a cycle) or a path holds more than
 * EXPR_MAX_DEPTH nodes; fill the table at index uses with node -> number of
 * parents (edges), so that eval computes a shared node once. */
static void walk(lua_State *L, int root, int uses) {
  lua_newtable(L); /* state: node -> 1 (on the current path), 2 (done) */
  int state = lua_gettop(L);
  unsigned char next[EXPR_MAX_DEPTH + 1];
  int base = lua_gettop(L), depth = 1;
  lua_pushvalue(L, root);
  lua_pushvalue(L, root);
  lua_pushinteger(L, 1);
  lua_rawset(L, state);
  lua_pushvalue(L, root);
  lua_pushinteger(L, 1);
  lua_rawset(L, uses);
  next[0] = 0;
  while (depth > 0) {
    int node = base + depth;
    if (next[depth - 1] == 0) {
      if (field(L, node, "op") != LUA_TSTRING) luaL_error(L, "malformed expression: a node has no 'op'");
      lua_pop(L, 1);
    }
    if (next[depth - 1] >= 2) { /* done with this node */
      lua_pushvalue(L, node);
      lua_pushinteger(L, 2);
      lua_rawset(L, state);
      lua_pop(L, 1);
      depth--;
      continue;
    }
    const char *key = child_keys[next[depth - 1]++];
    if (field(L, node, key) != LUA_TTABLE) { lua_pop(L, 1); continue; } /* eval checks what it needs */
    int child = lua_gettop(L);
    lua_pushvalue(L, child);
    lua_Integer n = lua_rawget(L, uses) == LUA_TNUMBER ? lua_tointeger(L, -1) : 0;
    lua_pop(L, 1);
    lua_pushvalue(L, child);
    lua_pushinteger(L, n + 1);
    lua_rawset(L, uses);
    lua_pushvalue(L, child);
    int st = lua_rawget(L, state) == LUA_TNUMBER ? (int)lua_tointeger(L, -1) : 0;
    lua_pop(L, 1);
    if (st == 1) luaL_error(L, "expression is cyclic (an operand contains the expression itself)");
    if (st == 2) { lua_pop(L, 1); continue; }
    if (depth == EXPR_MAX_DEPTH)
      luaL_error(L, "expression too deep (more than %d levels of nesting; build long sums as balanced "
                 "trees or in several mutate steps)", EXPR_MAX_DEPTH);
    luaL_checkstack(L, 4, "expression too deep");
    lua_pushvalue(L, child);
    lua_pushinteger(L, 1);
    lua_rawset(L, state);
    next[depth++] = 0; /* the child stays on the stack at base + depth */
  }
  lua_settop(L, state - 1);
}

static val eval(ctx *C, int node);

static val eval_child(ctx *C, int node, const char *key) {
  lua_State *L = C->L;
  if (field(L, node, key) != LUA_TTABLE) luaL_error(L, "malformed expression: no '%s' operand", key);
  return eval(C, lua_gettop(L)); /* the node and the results stay on the stack */
}

/* a name for the operand of node in messages: its column's name, or "expression" */
static const char *operand_name(lua_State *L, int node) {
  const char *name = "expression";
  if (field(L, node, "a") == LUA_TTABLE) {
    int a = lua_gettop(L);
    if (field(L, a, "op") == LUA_TSTRING && strcmp(lua_tostring(L, -1), "col") == 0 &&
        field(L, a, "name") == LUA_TSTRING)
      name = lua_tostring(L, -1); /* anchored in the tree */
    lua_settop(L, a - 1);
  } else {
    lua_pop(L, 1);
  }
  return name;
}

static int has_b(const char *op) {
  static const char *const ops[] = {"add", "sub", "mul", "div", "mod", "pow", "eq", "ne", "lt", "le",
                                    "gt", "ge", "and", "or", "coalesce", NULL};
  for (int k = 0; ops[k]; k++)
    if (strcmp(op, ops[k]) == 0) return 1;
  return 0;
}

/* a leaf: a column reference or a literal */
NOINLINE static val leaf(ctx *C, int node, const char *op) {
  lua_State *L = C->L;
  if (strcmp(op, "col") == 0) {
    field(L, node, "name");
    const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    int j = name ? zs_frame_find(L, C->fidx, name) : -1;
    if (!name) luaL_error(L, "malformed expression: a column reference without a name");
    if (j < 0) luaL_error(L, "no column named '%s'", name);
    lua_pop(L, 1);
    return column_at(C->f->cols[j], 0);
  }
  field(L, node, "value");
  val v = literal(C, -1); /* a string stays alive in the node table */
  lua_pop(L, 1);
  return v;
}

/* an inner node, once its operands a (and b) are evaluated */
NOINLINE static val apply(ctx *C, int node, const char *op, const val *pa, const val *pb) {
  lua_State *L = C->L;
  val a = *pa, b = *pb;
  static const char *const arith_ops[] = {"add", "sub", "mul", "div", "mod", "pow", NULL};
  static const char *const arith_syms[] = {"+", "-", "*", "/", "%", "^"};
  for (int k = 0; arith_ops[k]; k++)
    if (strcmp(op, arith_ops[k]) == 0) return arith(C, k, a, b, arith_syms[k]);
  static const char *const cmp_ops[] = {"eq", "ne", "lt", "le", "gt", "ge", NULL};
  for (int k = 0; cmp_ops[k]; k++)
    if (strcmp(op, cmp_ops[k]) == 0) return compare(C, k, a, b, cmp_ops[k]);
  if (strcmp(op, "and") == 0 || strcmp(op, "or") == 0) return logic(C, op, a, b);
  if (strcmp(op, "not") == 0) return not_of(C, a);
  if (strcmp(op, "neg") == 0) return negate(C, a);
  if (strcmp(op, "is_na") == 0) return is_na_of(C, a);
  int part = date_part_of(op);
  if (part >= 0) return date_part(C, a, op, part);
  if (strcmp(op, "isin") == 0) {
    if (field(L, node, "values") != LUA_TTABLE) luaL_error(L, "isin: expected an array of values");
    if (lua_rawlen(L, -1) > (lua_Unsigned)INT32_MAX) luaL_error(L, "isin: too many values");
    return isin(C, a, lua_gettop(L));
  }
  if (strcmp(op, "fill_na") == 0) {
    const char *name = operand_name(L, node);
    a = materialize(C, a);
    push_column(C, &a);
    int vt = field(L, node, "value");
    /* the value's type must suit the column even where it has no NA */
    int ok = a.type == ZS_INT || a.type == ZS_FLOAT ? vt == LUA_TNUMBER
             : a.type == ZS_BOOL ? vt == LUA_TBOOLEAN : vt == LUA_TSTRING;
    if (!ok) luaL_error(L, "fill_na: cannot fill the %s column '%s' with a %s", zs_type_names[a.type], name,
                        lua_typename(L, vt));
    zs_col *r = zs_col_fill_na(L, -2, -1, name);
    return pushed(L, r);
  }
  if (strcmp(op, "coalesce") == 0) return coalesce(C, a, b);
  if (strcmp(op, "rank") == 0) return rank_of(C, a, node);
  if (strcmp(op, "cast") == 0) {
    const char *name = operand_name(L, node);
    field(L, node, "type");
    int t = lua_type(L, -1) == LUA_TSTRING ? zs_type_from_name(lua_tostring(L, -1)) : -1;
    if (t < 0) luaL_error(L, "cast: the type must be bool, int, float, date or str");
    lua_pop(L, 1);
    a = materialize(C, a);
    push_column(C, &a);
    zs_col *r = zs_col_cast(L, -1, (zs_type)t, name);
    return pushed(L, r);
  }
  if (strcmp(op, "abs") == 0 || strcmp(op, "floor") == 0 || strcmp(op, "ceil") == 0 || strcmp(op, "sqrt") == 0 ||
      strcmp(op, "log") == 0 || strcmp(op, "exp") == 0 || strcmp(op, "round") == 0) {
    int digits = 0;
    if (field(L, node, "digits") != LUA_TNIL) {
      int isint;
      lua_Integer d = lua_tointegerx(L, -1, &isint);
      if (!isint) luaL_error(L, "round: digits must be an integer");
      digits = d > 400 ? 400 : d < -400 ? -400 : (int)d; /* beyond ±400 nothing changes */
    }
    lua_pop(L, 1);
    return math1(C, a, op, digits);
  }
  luaL_error(L, "unknown expression operator '%s'", op);
  return column_at(NULL, 0);
}

static val eval_node(ctx *C, int node, const char *op) {
  if (strcmp(op, "col") == 0 || strcmp(op, "lit") == 0) return leaf(C, node, op);
  val ab[2];
  memset(&ab[1], 0, sizeof ab[1]);
  ab[1].scalar = ab[1].na = 1;
  ab[0] = eval_child(C, node, "a");
  if (has_b(op)) ab[1] = eval_child(C, node, "b");
  return apply(C, node, op, &ab[0], &ab[1]);
}

/* evaluate the node at stack index node; afterwards only its result (when
 * it is a temporary column) is left above the stack top at entry */
static val eval(ctx *C, int node) {
  lua_State *L = C->L;
  int base = lua_gettop(L);
  if (++C->depth > EXPR_MAX_DEPTH) luaL_error(L, "expression too deep"); /* walk prevents it */
  luaL_checkstack(L, 16, "expression too deep");
  /* a node with several parents is computed once and kept until the last
   * parent took it */
  lua_pushvalue(L, node);
  lua_Integer left = lua_rawget(L, C->uses) == LUA_TNUMBER ? lua_tointeger(L, -1) : 1;
  lua_pop(L, 1);
  if (left > 1) {
    lua_pushvalue(L, node);
    lua_pushinteger(L, left - 1);
    lua_rawset(L, C->uses);
  }
  lua_pushvalue(L, node);
  if (lua_rawget(L, C->memo) == LUA_TUSERDATA) { /* computed before: base + 1 */
    zs_col *c = zs_col_check(L, -1);
    if (left <= 1) { /* the last parent: forget it */
      lua_pushvalue(L, node);
      lua_pushnil(L);
      lua_rawset(L, C->memo);
    }
    C->depth--;
    return column_at(c, base + 1);
  }
  lua_pop(L, 1);
  field(L, node, "op");
  const char *op = lua_tostring(L, -1); /* walk checked it is a string */
  lua_pop(L, 1);                        /* interned in the node table */
  if (!op) luaL_error(L, "malformed expression");
  val r = eval_node(C, node, op);
  if (r.sidx) {
    if (r.sidx != base + 1) {
      lua_pushvalue(L, r.sidx);
      lua_replace(L, base + 1);
    }
    lua_settop(L, base + 1);
    r.sidx = base + 1;
  } else {
    lua_settop(L, base);
  }
  if (left > 1 && !r.scalar) {
    lua_pushvalue(L, node);
    push_column(C, &r);
    lua_rawset(L, C->memo);
  }
  C->depth--;
  return r;
}

/* core.eval(f, node) -> Column of f:nrow() values */
static int l_eval(lua_State *L) {
  ctx C;
  C.L = L;
  C.fidx = 1;
  C.f = zs_frame_check(L, 1);
  C.n = C.f->nrow;
  C.depth = 0;
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  lua_newtable(L);
  C.uses = 3;
  lua_newtable(L);
  C.memo = 4;
  walk(L, 2, C.uses);
  val v = materialize(&C, eval(&C, 2));
  push_column(&C, &v);
  return 1;
}

/* core.filter_rows(f, bool column) -> frame of the rows where it is true */
static int l_filter_rows(lua_State *L) {
  zs_frame *f = zs_frame_check(L, 1);
  zs_col *c = zs_col_check(L, 2);
  if (c->type != ZS_BOOL) luaL_error(L, "filter: the condition is %s, not bool", zs_type_names[c->type]);
  if (c->n != f->nrow) luaL_error(L, "filter: the condition has %I values for %I rows", (lua_Integer)c->n, (lua_Integer)f->nrow);
  const int8_t *b = c->data;
  int64_t m = 0;
  for (int64_t i = 0; i < c->n; i++) m += b[i] == 1;
  int64_t *r = zs_scratch(L, (size_t)m, sizeof *r), k = 0;
  for (int64_t i = 0; i < c->n; i++) if (b[i] == 1) r[k++] = i;
  zs_frame_take(L, 1, r, m);
  zs_release_scratch_at(L, -2);
  return 1;
}

void zs_expr_open(lua_State *L) {
  static const luaL_Reg fns[] = {{"eval", l_eval}, {"filter_rows", l_filter_rows}, {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
  lua_pushinteger(L, EXPR_MAX_DEPTH);
  lua_setfield(L, -2, "expr_max_depth");
}

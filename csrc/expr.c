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
 * date ± int is a date, date - date an int (days). */
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

typedef struct {
  lua_State *L;
  int fidx;
  zs_frame *f;
  int64_t n;
} ctx;

static val eval(ctx *C, int node);

/* ---- helpers ---------------------------------------------------------------- */

static int is_num(zs_type t) { return t == ZS_INT || t == ZS_FLOAT; }

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
    if (lua_isinteger(L, idx)) { v.type = ZS_INT; v.i = lua_tointeger(L, idx); }
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

static val arith(ctx *C, int op, val a, val b, const char *opname) {
  lua_State *L = C->L;
  int64_t n = C->n;
  if (a.na && a.scalar) a.type = b.type;
  if (b.na && b.scalar) b.type = a.type;
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
      int64_t v = op == A_ADD ? x + y : x - y;
      if (rt == ZS_DATE) {
        if (v <= INT32_MIN || v > INT32_MAX) luaL_error(L, "date out of range in '%s'", opname);
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

static val compare(ctx *C, int op, val a, val b, const char *opname) {
  lua_State *L = C->L;
  int64_t n = C->n;
  if (a.type == ZS_DATE) coerce_date_literal(C, &b);
  if (b.type == ZS_DATE) coerce_date_literal(C, &a);
  if (a.na && a.scalar) a.type = b.type;
  if (b.na && b.scalar) b.type = a.type;
  zs_col *r = new_col(C, ZS_BOOL);
  int8_t *out = r->data;
  if (is_num(a.type) && is_num(b.type)) {
    if (a.type == ZS_INT && b.type == ZS_INT) {
      for (int64_t i = 0; i < n; i++) {
        int na1, na2;
        int64_t x = i64(&a, i, &na1), y = i64(&b, i, &na2);
        out[i] = (na1 || na2) ? ZS_NA_BOOL : cmp_result(op, (x > y) - (x < y));
      }
    } else {
      for (int64_t i = 0; i < n; i++) {
        double x = dbl(&a, i), y = dbl(&b, i);
        out[i] = (isnan(x) || isnan(y)) ? ZS_NA_BOOL : cmp_result(op, (x > y) - (x < y));
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

static val logic(ctx *C, const char *op, val a, val b) {
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

static val materialize(ctx *C, val v) {
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

static val date_part(ctx *C, val a, const char *op, int part) {
  lua_State *L = C->L;
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

static val math1(ctx *C, val a, const char *op, int digits) {
  lua_State *L = C->L;
  if (!is_num(a.type)) luaL_error(C->L, "%s() needs a number, got %s", op, type_name(&a));
  int keep_int = a.type == ZS_INT && (strcmp(op, "abs") == 0 || strcmp(op, "floor") == 0 ||
                                      strcmp(op, "ceil") == 0 || strcmp(op, "round") == 0);
  zs_col *r = new_col(C, keep_int ? ZS_INT : ZS_FLOAT);
  for (int64_t i = 0; i < C->n; i++) {
    if (keep_int) {
      int na;
      int64_t x = i64(&a, i, &na);
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
    else { /* round half away from zero to `digits` decimals */
      double s = pow(10.0, digits);
      v = round(x * s) / s;
      if (!isfinite(v)) v = x;
    }
    ((double *)r->data)[i] = v;
  }
  return pushed(L, r);
}

static val is_na_of(ctx *C, val a) {
  lua_State *L = C->L;
  zs_col *r = new_col(C, ZS_BOOL);
  for (int64_t i = 0; i < C->n; i++) ((int8_t *)r->data)[i] = (int8_t)elem_na(&a, i);
  return pushed(L, r);
}

static val negate(ctx *C, val a) {
  lua_State *L = C->L;
  if (a.type == ZS_BOOL) { /* not */
    zs_col *r = new_col(C, ZS_BOOL);
    for (int64_t i = 0; i < C->n; i++) {
      int8_t x = bool_at(&a, i);
      ((int8_t *)r->data)[i] = x < 0 ? ZS_NA_BOOL : !x;
    }
    return pushed(L, r);
  }
  val zero;
  memset(&zero, 0, sizeof zero);
  zero.scalar = 1;
  zero.type = a.type == ZS_FLOAT ? ZS_FLOAT : ZS_INT;
  return arith(C, A_SUB, zero, a, "unary -");
}

/* a:isin{values}: NA stays NA */
static val isin(ctx *C, val a, int values) {
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
  /* numbers, dates, booleans: compare with each value (lists are short) */
  double *set = lua_newuserdatauv(L, sizeof(double) * (size_t)(nv ? nv : 1), 0);
  int m = 0;
  for (int k = 1; k <= nv; k++) {
    lua_rawgeti(L, values, k);
    int t = lua_type(L, -1);
    if (c->type == ZS_DATE && t == LUA_TSTRING) {
      int32_t dd;
      size_t len;
      const char *s = lua_tolstring(L, -1, &len);
      if (zs_parse_date(s, len, &dd)) set[m++] = dd;
    } else if (c->type == ZS_BOOL && t == LUA_TBOOLEAN) {
      set[m++] = lua_toboolean(L, -1);
    } else if (t == LUA_TNUMBER && c->type != ZS_BOOL && c->type != ZS_DATE) {
      set[m++] = lua_tonumber(L, -1);
    }
    lua_pop(L, 1);
  }
  for (int64_t i = 0; i < C->n; i++) {
    double x = dbl(&a, i);
    if (isnan(x)) { out[i] = ZS_NA_BOOL; continue; }
    int8_t hit = 0;
    for (int k = 0; k < m && !hit; k++) hit = x == set[k];
    out[i] = hit;
  }
  lua_pop(L, 1);
  return pushed(L, r);
}

/* a where it has a value, else b (same types, or int with float) */
static val coalesce(ctx *C, val a, val b) {
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
static val rank_of(ctx *C, val a, int node) {
  lua_State *L = C->L;
  a = materialize(C, a);
  int64_t n = C->n;
  lua_getfield(L, node, "desc");
  int desc = lua_toboolean(L, -1);
  lua_getfield(L, node, "dense");
  int dense = lua_toboolean(L, -1);
  lua_pop(L, 2);
  /* group ids of the by columns (one group when none) */
  lua_getfield(L, node, "by");
  int nb = lua_istable(L, -1) ? (int)lua_rawlen(L, -1) : 0;
  zs_col **by = lua_newuserdatauv(L, sizeof(zs_col *) * (size_t)(nb + 1), 0);
  for (int k = 0; k < nb; k++) {
    lua_rawgeti(L, -2, k + 1);
    const char *name = lua_tostring(L, -1);
    int j = name ? zs_frame_find(L, C->fidx, name) : -1;
    if (j < 0) luaL_error(L, "rank: no column named '%s'", name ? name : "?");
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

static val eval_child(ctx *C, int node, const char *key) {
  lua_State *L = C->L;
  if (lua_getfield(L, node, key) != LUA_TTABLE) luaL_error(L, "malformed expression: no '%s' operand", key);
  return eval(C, lua_gettop(L)); /* the node and the results stay on the stack */
}

static val eval(ctx *C, int node) {
  lua_State *L = C->L;
  luaL_checkstack(L, 8, "expression too deep");
  lua_getfield(L, node, "op");
  const char *op = lua_tostring(L, -1);
  lua_pop(L, 1); /* interned in the node table */
  if (!op) luaL_error(L, "malformed expression");
  if (strcmp(op, "col") == 0) {
    lua_getfield(L, node, "name");
    const char *name = lua_tostring(L, -1);
    int j = name ? zs_frame_find(L, C->fidx, name) : -1;
    if (j < 0) luaL_error(L, "no column named '%s'", name ? name : "?");
    lua_pop(L, 1);
    return column_at(C->f->cols[j], 0);
  }
  if (strcmp(op, "lit") == 0) {
    lua_getfield(L, node, "value");
    val v = literal(C, -1);
    if (v.type == ZS_STR) {
      /* keep the string alive: it stays in the node table */
    }
    lua_pop(L, 1);
    return v;
  }
  static const char *const arith_ops[] = {"add", "sub", "mul", "div", "mod", "pow", NULL};
  static const char *const arith_syms[] = {"+", "-", "*", "/", "%", "^"};
  for (int k = 0; arith_ops[k]; k++)
    if (strcmp(op, arith_ops[k]) == 0) {
      val a = eval_child(C, node, "a"), b = eval_child(C, node, "b");
      return arith(C, k, a, b, arith_syms[k]);
    }
  static const char *const cmp_ops[] = {"eq", "ne", "lt", "le", "gt", "ge", NULL};
  for (int k = 0; cmp_ops[k]; k++)
    if (strcmp(op, cmp_ops[k]) == 0) {
      val a = eval_child(C, node, "a"), b = eval_child(C, node, "b");
      return compare(C, k, a, b, cmp_ops[k]);
    }
  if (strcmp(op, "and") == 0 || strcmp(op, "or") == 0) {
    val a = eval_child(C, node, "a"), b = eval_child(C, node, "b");
    return logic(C, op, a, b);
  }
  if (strcmp(op, "not") == 0 || strcmp(op, "neg") == 0) {
    val a = eval_child(C, node, "a");
    if (strcmp(op, "not") == 0) check_bool(C, &a, "~");
    return negate(C, a);
  }
  if (strcmp(op, "is_na") == 0) return is_na_of(C, eval_child(C, node, "a"));
  int part = date_part_of(op);
  if (part >= 0) return date_part(C, eval_child(C, node, "a"), op, part);
  if (strcmp(op, "isin") == 0) {
    val a = eval_child(C, node, "a");
    lua_getfield(L, node, "values");
    return isin(C, a, lua_gettop(L));
  }
  if (strcmp(op, "fill_na") == 0) {
    val a = materialize(C, eval_child(C, node, "a"));
    push_column(C, &a);
    lua_getfield(L, node, "value");
    zs_col *r = zs_col_fill_na(L, -2, -1, "fill_na");
    return pushed(L, r);
  }
  if (strcmp(op, "coalesce") == 0) {
    val a = eval_child(C, node, "a"), b = eval_child(C, node, "b");
    return coalesce(C, a, b);
  }
  if (strcmp(op, "rank") == 0) return rank_of(C, eval_child(C, node, "a"), node);
  if (strcmp(op, "cast") == 0) {
    val a = materialize(C, eval_child(C, node, "a"));
    push_column(C, &a);
    lua_getfield(L, node, "type");
    zs_type t = zs_check_type(L, lua_gettop(L));
    zs_col *r = zs_col_cast(L, -2, t, "cast");
    return pushed(L, r);
  }
  if (strcmp(op, "abs") == 0 || strcmp(op, "floor") == 0 || strcmp(op, "ceil") == 0 || strcmp(op, "sqrt") == 0 ||
      strcmp(op, "log") == 0 || strcmp(op, "exp") == 0 || strcmp(op, "round") == 0) {
    lua_getfield(L, node, "digits");
    int digits = (int)luaL_optinteger(L, -1, 0);
    lua_pop(L, 1);
    return math1(C, eval_child(C, node, "a"), op, digits);
  }
  luaL_error(L, "unknown expression operator '%s'", op);
  return column_at(NULL, 0);
}

/* core.eval(f, node) -> Column of f:nrow() values */
static int l_eval(lua_State *L) {
  ctx C;
  C.L = L;
  C.fidx = 1;
  C.f = zs_frame_check(L, 1);
  C.n = C.f->nrow;
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
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
}

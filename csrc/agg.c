/* agg.c: aggregation kernels over grouped rows, and core.group_agg.
 *
 * Definitions (every aggregate skips NA; a group without a value gives NA,
 * count gives 0):
 *   count        rows (or non-NA values of a column)
 *   sum          int, bool: exact int64, an error on overflow; float:
 *                Neumaier's compensated sum
 *   mean         int: exact 128-bit sum / n; float: compensated sum / n
 *   var, sd      sample (n - 1), two passes: the group mean, then the
 *                compensated sum of squared deviations, corrected by the
 *                sum of deviations; n < 2 gives NA
 *   median       exact: the middle value, or the mean of the two middle ones
 *   quantile     exact; type 7 (R's default, numpy, pandas, DuckDB
 *                quantile_cont): x[lo] + (h - lo)(x[lo+1] - x[lo]) with
 *                h = (n - 1) p; type 1: the smallest x with F(x) >= p
 *   nunique      distinct non-NA values
 *   first, last  first / last non-NA value in row order
 *   corr         Pearson over rows where both values are present, two-pass
 *   top          up to k largest values per group, largest first (long format)
 *   share        group sum / sum over all rows
 *   m2           sum of squared deviations from the group mean (the
 *                mergeable state behind var; used by cubes)
 *   m2merge      the m2 of the union of cells given by their n, sum and m2
 *                columns (cubes' roll-ups and merges)
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zs.h"
#include "group.h"

typedef enum {
  OP_COUNT, OP_SUM, OP_MEAN, OP_MIN, OP_MAX, OP_VAR, OP_SD, OP_MEDIAN, OP_QUANTILE,
  OP_NUNIQUE, OP_FIRST, OP_LAST, OP_CORR, OP_TOP, OP_SHARE, OP_M2, OP_M2MERGE, OP_N
} agg_op;

static const char *const op_names[] = {
  "count", "sum", "mean", "min", "max", "var", "sd", "median", "quantile",
  "nunique", "first", "last", "corr", "top", "share", "m2", "m2merge", NULL};

typedef struct {
  agg_op op;
  zs_col *col, *col2;  /* col NULL: count() of rows */
  zs_col *col3;        /* m2merge: the cells' m2 (col: n, col2: sum) */
  int cidx;            /* stack index of col's Column (for str dictionaries) */
  const char *name;
  double p;
  int qtype;
  int64_t k;
  const struct sums_ctx *pre; /* count, sum, mean, share: sums already made */
} spec;

static void *scratch(lua_State *L, size_t n, size_t size) { return zs_scratch(L, n, size); }

/* The value under the top (a result) is scratch the kernel is done with:
 * free its buffer now, so that the next kernel reuses those pages, and
 * drop it. */
static void drop_scratch_under(lua_State *L) {
  zs_release_scratch_at(L, -2);
  lua_remove(L, -2);
}

static int is_numeric(const zs_col *c) { return c->type == ZS_INT || c->type == ZS_FLOAT || c->type == ZS_BOOL; }

/* value of a numeric element as double (NA: NaN) */
static inline double num_at(const zs_col *c, int64_t i) {
  switch (c->type) {
  case ZS_FLOAT: return ((const double *)c->data)[i];
  case ZS_INT: {
    int64_t v = ((const int64_t *)c->data)[i];
    return v == ZS_NA_INT ? NAN : (double)v;
  }
  case ZS_BOOL: {
    int8_t b = ((const int8_t *)c->data)[i];
    return b == ZS_NA_BOOL ? NAN : (double)b;
  }
  default: return NAN;
  }
}

static inline void neumaier(double *s, double *c, double v) {
  double t = *s + v;
  if (fabs(*s) >= fabs(v)) *c += (*s - t) + v;
  else *c += (v - t) + *s;
  *s = t;
}

/* The value of a compensated sum (s, c).  Once s is infinite or NaN (an
 * infinite value, or the sum overflowed) the compensation is Inf - Inf =
 * NaN and means nothing: the sum is s, as IEEE addition gives it ({1.5,
 * Inf}: Inf; {Inf, -Inf}: NaN).  While s is finite, c is finite too. */
static inline double neumaier_total(double s, double c) { return isfinite(s) ? s + c : s; }

/* add the compensated sum (s, c) of a part into (*ts, *tc) */
static inline void neumaier_merge(double *ts, double *tc, double s, double c) {
  neumaier(ts, tc, s);
  if (isfinite(s)) neumaier(ts, tc, c);
}

/* ---- count, sum, mean, share ------------------------------------------------ */

/* Per-group sums on several threads.  Results never depend on the thread
 * count: either the rows are cut into zs_fixed_parts(n) parts (a function
 * of n alone) whose partial sums are merged in part order, or each thread
 * owns a range of groups and adds their rows in row order, exactly as one
 * thread would.  Integer sums are exact (128-bit) either way. */

enum { PLAN_PARTIALS, PLAN_RANGES, PLAN_SEGMENTS };

typedef struct sums_ctx {
  const int32_t *gid;  /* or a str key's codes, NA negative (PARTIALS only) */
  int32_t na_gid;      /* with codes: the group of NA; else -1 */
  int by_block;        /* key-read groups: composites made a block at a time
                          by fused_sums_body (PARTIALS only; gid NULL) */
  int single;          /* one group of all rows (no key): gid NULL */
  const zs_col *c;    /* NULL: count rows */
  int64_t n, G;
  int plan;
  int64_t stride;     /* accumulators per part: G + one sink per range */
  const uint32_t *order;
  const uint32_t *seg;
  int64_t *cnt;
  __int128 *isum;     /* int and bool columns: the merged sums */
  int64_t *isum64;    /* per part: int64 sums, exact unless the part overflowed */
  int overflow[64];   /* per part: an int64 sum overflowed, use 128 bits */
  int no_na;          /* the column has no NA: no test, no counts (fuse_sums
                        sets cnt to the rows of each group after the pass) */
  double *fsum, *fcomp;
} sums_ctx;

/* Many small groups whose rows are already gathered (grouping by sorting):
 * walk each group's rows in turn, accumulators written once per group. */
static int use_segments(const zs_groups *g) { return g->order != NULL && g->ngroups >= g->n / 16; }

/* Rows cut into parts (a function of n and G alone) when the parts' copies
 * of the accumulators stay within n/8 groups in all: the fixed count for n,
 * or for many groups the largest power of two that fits (two or more), so
 * that threads share the parts evenly.  Otherwise ranges of groups. */
static int plan_for(lua_State *L, int64_t n, int64_t G, int *parts) {
  int fixed = zs_fixed_parts(n);
  if (fixed > 1 && (int64_t)fixed * G <= n / 8) {
    *parts = fixed;
    return PLAN_PARTIALS;
  }
  int p = 1;
  while (2 * p <= fixed && (int64_t)(2 * p) * G <= n / 8) p *= 2;
  if (p > 1) {
    *parts = p;
    return PLAN_PARTIALS;
  }
  int t = zs_threads_for_L(L, n);
  *parts = (G >= 2 * t) ? t : 1;
  return PLAN_RANGES;
}

/* The plan of a pass over g's rows (segments when the groups' rows are
 * gathered, else plan_for), with its accumulators per part; returns the
 * number of parts. */
static int pass_plan(lua_State *L, const zs_groups *g, int *plan, int64_t *stride) {
  int parts;
  *plan = plan_for(L, g->n, g->ngroups, &parts);
  if (use_segments(g)) {
    *plan = PLAN_SEGMENTS;
    parts = zs_threads_for_L(L, g->n);
  }
  *stride = g->ngroups + (*plan == PLAN_RANGES ? parts : 0);
  return parts;
}

/* Where one part of a pass over rows works: PARTIALS, its rows [from, to)
 * into its own copy of the accumulators (at base); RANGES, every row, with
 * the groups outside [lo, hi) = [from, to) sent to its sink. */
typedef struct {
  int64_t lo, hi, rfrom, rto, base, sink;
} part_window;

static part_window window_of(int plan, int64_t from, int64_t to, int part, int64_t stride, int64_t n, int64_t G) {
  if (plan == PLAN_PARTIALS) return (part_window){0, G, from, to, (int64_t)part * stride, G};
  return (part_window){from, to, 0, n, 0, G + part};
}

/* group of row i for a pass over rows: its own, or the sink outside [lo, hi) (ranges) */
static inline int64_t group_or_sink(const int32_t *gid, int64_t i, int64_t lo, int64_t hi, int64_t sink) {
  return (uint64_t)(gid[i] - lo) < (uint64_t)(hi - lo) ? gid[i] : sink;
}

/* sums_range for one group of all rows: the same additions in the same
 * order, with the accumulators in registers (a loop through memory would
 * wait on each store) */
static void sums_single(sums_ctx *x, int64_t rfrom, int64_t rto, int64_t base, int part) {
  const zs_col *c = x->c;
  int64_t cnt = x->cnt[base];
  if (!c) {
    cnt += rto - rfrom;
  } else if (c->type == ZS_FLOAT) {
    const double *v = c->data;
    double sum = x->fsum[base], comp = x->fcomp[base];
    if (x->no_na) {
      for (int64_t i = rfrom; i < rto; i++) neumaier(&sum, &comp, v[i]);
    } else {
      for (int64_t i = rfrom; i < rto; i++) {
        if (isnan(v[i])) continue;
        neumaier(&sum, &comp, v[i]);
        cnt++;
      }
    }
    x->fsum[base] = sum;
    x->fcomp[base] = comp;
  } else if (c->type == ZS_INT) {
    const int64_t *v = c->data;
    int64_t sum = x->isum64[base];
    int ovf = 0;
    if (x->no_na) {
      for (int64_t i = rfrom; i < rto; i++) ovf |= __builtin_add_overflow(sum, v[i], &sum);
    } else {
      for (int64_t i = rfrom; i < rto; i++) {
        if (v[i] == ZS_NA_INT) continue;
        ovf |= __builtin_add_overflow(sum, v[i], &sum);
        cnt++;
      }
    }
    x->isum64[base] = sum;
    if (ovf) x->overflow[part] = 1;
  } else if (c->type == ZS_BOOL) {
    const int8_t *v = c->data;
    int64_t sum = x->isum64[base];
    for (int64_t i = rfrom; i < rto; i++) {
      if (v[i] == ZS_NA_BOOL) continue;
      sum += v[i];
      cnt++;
    }
    x->isum64[base] = sum;
  } else {
    for (int64_t i = rfrom; i < rto; i++) cnt += !zs_col_isna(c, i);
  }
  x->cnt[base] = cnt;
}

/* sums of rows [from, to) for one part; blk: the groups' composites of
 * these rows (key-read groups), else gid or the codes */
static void sums_range(sums_ctx *x, int64_t from, int64_t to, int part, const uint32_t *blk) {
  const int32_t *gid = x->gid;
  part_window w = window_of(x->plan, from, to, part, x->stride, x->n, x->G);
  int64_t lo = w.lo, hi = w.hi, rfrom = w.rfrom, rto = w.rto, base = w.base, sink = w.sink;
  if (x->single) {
    sums_single(x, rfrom, rto, base, part);
    return;
  }
  int64_t *cnt = x->cnt + base;
  const zs_col *c = x->c;
  /* the loops, with the group taken as it is (PARTIALS: every group is this
   * part's), or with NA codes mapped to their group, or with groups outside
   * [lo, hi) sent to the sink (RANGES) */
#define SUMS_LOOPS(GROUP)                                                     \
  if (!c) {                                                                   \
    for (int64_t i = rfrom; i < rto; i++) cnt[GROUP(i)]++;                    \
  } else if (c->type == ZS_FLOAT && x->no_na) {                              \
    const double *v = c->data;                                                \
    double *sum = x->fsum + base, *comp = x->fcomp + base;                    \
    for (int64_t i = rfrom; i < rto; i++) {                                   \
      int64_t k = GROUP(i);                                                   \
      neumaier(&sum[k], &comp[k], v[i]);                                      \
    }                                                                         \
  } else if (c->type == ZS_FLOAT) {                                           \
    const double *v = c->data;                                                \
    double *sum = x->fsum + base, *comp = x->fcomp + base;                    \
    for (int64_t i = rfrom; i < rto; i++) {                                   \
      if (isnan(v[i])) continue;                                              \
      int64_t k = GROUP(i);                                                   \
      neumaier(&sum[k], &comp[k], v[i]);                                      \
      cnt[k]++;                                                               \
    }                                                                         \
  } else if (c->type == ZS_INT && x->no_na) {                                \
    const int64_t *v = c->data;                                               \
    int64_t *sum = x->isum64 + base;                                          \
    int ovf = 0;                                                              \
    for (int64_t i = rfrom; i < rto; i++) {                                   \
      int64_t k = GROUP(i);                                                   \
      ovf |= __builtin_add_overflow(sum[k], v[i], &sum[k]);                   \
    }                                                                         \
    if (ovf) x->overflow[part] = 1;                                           \
  } else if (c->type == ZS_INT) {                                             \
    const int64_t *v = c->data;                                               \
    int64_t *sum = x->isum64 + base;                                          \
    int ovf = 0;                                                              \
    for (int64_t i = rfrom; i < rto; i++) {                                   \
      if (v[i] == ZS_NA_INT) continue;                                        \
      int64_t k = GROUP(i);                                                   \
      ovf |= __builtin_add_overflow(sum[k], v[i], &sum[k]);                   \
      cnt[k]++;                                                               \
    }                                                                         \
    if (ovf) x->overflow[part] = 1; /* redone in 128 bits after the run */    \
  } else if (c->type == ZS_BOOL) {                                            \
    const int8_t *v = c->data;                                                \
    int64_t *sum = x->isum64 + base;                                          \
    for (int64_t i = rfrom; i < rto; i++) {                                   \
      if (v[i] == ZS_NA_BOOL) continue;                                       \
      int64_t k = GROUP(i);                                                   \
      sum[k] += v[i];                                                         \
      cnt[k]++;                                                               \
    }                                                                         \
  } else {                                                                    \
    for (int64_t i = rfrom; i < rto; i++) cnt[GROUP(i)] += !zs_col_isna(c, i); \
  }
#define GROUP_AS_IS(i) gid[i]
#define GROUP_OR_NA(i) (gid[i] < 0 ? na_gid : gid[i])
#define GROUP_OF(i) group_or_sink(gid, i, lo, hi, sink)
#define GROUP_OF_BLOCK(i) blk[(i) - from]
  int32_t na_gid = x->na_gid;
  if (blk) {
    SUMS_LOOPS(GROUP_OF_BLOCK)
  } else if (x->plan == PLAN_PARTIALS && na_gid >= 0) {
    SUMS_LOOPS(GROUP_OR_NA)
  } else if (x->plan == PLAN_PARTIALS) {
    SUMS_LOOPS(GROUP_AS_IS)
  } else {
    SUMS_LOOPS(GROUP_OF)
  }
#undef GROUP_OF_BLOCK
#undef GROUP_OF
#undef GROUP_OR_NA
#undef GROUP_AS_IS
#undef SUMS_LOOPS
}

static void sums_body(void *arg, int64_t from, int64_t to, int part) { sums_range(arg, from, to, part, NULL); }

/* PLAN_SEGMENTS: groups [from, to), each over its own rows */
static void sums_seg_body(void *arg, int64_t from, int64_t to, int part) {
  sums_ctx *x = arg;
  const zs_col *c = x->c;
  for (int64_t k = from; k < to; k++) {
    int64_t a = x->seg[k], b = x->seg[k + 1], cnt = 0;
    if (!c) {
      cnt = b - a;
    } else if (c->type == ZS_FLOAT) {
      const double *v = c->data;
      double sum = 0, comp = 0;
      if (b + 64 < x->n) __builtin_prefetch(&v[x->order[b + 64]]); /* rows ahead are random */
      for (int64_t j = a; j < b; j++) {
        double d = v[x->order[j]];
        if (isnan(d)) continue;
        neumaier(&sum, &comp, d);
        cnt++;
      }
      x->fsum[k] = neumaier_total(sum, comp); /* compensated already: no fcomp array */
    } else if (c->type == ZS_INT) {
      const int64_t *v = c->data;
      int64_t sum = 0;
      int ovf = 0;
      if (b + 64 < x->n) __builtin_prefetch(&v[x->order[b + 64]]);
      for (int64_t j = a; j < b; j++) {
        int64_t d = v[x->order[j]];
        if (d == ZS_NA_INT) continue;
        ovf |= __builtin_add_overflow(sum, d, &sum);
        cnt++;
      }
      x->isum64[k] = sum;
      if (ovf) x->overflow[part] = 1;
    } else if (c->type == ZS_BOOL) {
      const int8_t *v = c->data;
      int64_t sum = 0;
      for (int64_t j = a; j < b; j++) {
        int8_t d = v[x->order[j]];
        if (d == ZS_NA_BOOL) continue;
        sum += d;
        cnt++;
      }
      x->isum64[k] = sum;
    } else {
      for (int64_t j = a; j < b; j++) cnt += !zs_col_isna(c, x->order[j]);
    }
    x->cnt[k] = cnt;
  }
}

/* The plan and the zeroed accumulators of a sums pass over column c (NULL:
 * count rows); pushes one scratch userdata holding them; returns the
 * number of parts to run. */
static int sums_prepare(lua_State *L, zs_groups *g, const zs_col *c, sums_ctx *x) {
  memset(x, 0, sizeof *x);
  x->c = c;
  x->n = g->n;
  x->G = g->ngroups;
  int parts = pass_plan(L, g, &x->plan, &x->stride);
  x->na_gid = -1;
  /* parts over rows read a str key's codes as they are, NA included, or
   * the key of key-read groups */
  if (zs_group_single(g) && x->plan != PLAN_SEGMENTS) {
    x->single = 1;
  } else if (x->plan == PLAN_PARTIALS && g->keymap && !g->gid_ready) {
    x->by_block = 1;
  } else if (x->plan == PLAN_PARTIALS) {
    x->gid = zs_group_codes(g, &x->na_gid);
  }
  if (x->plan == PLAN_SEGMENTS) {
    x->order = g->order;
    x->seg = g->seg;
  } else if (!x->gid && !x->by_block && !x->single) {
    x->gid = zs_group_gid(L, g);
  }
  int64_t copies = x->plan == PLAN_PARTIALS ? parts : 1;
  size_t per = sizeof(int64_t);
  int is_float = c && c->type == ZS_FLOAT, is_int = c && (c->type == ZS_INT || c->type == ZS_BOOL);
  /* float: sums and compensations; segments add the two at once */
  if (is_float) per += (x->plan == PLAN_SEGMENTS ? 1 : 2) * sizeof(double);
  if (is_int) per += sizeof(__int128) + sizeof(int64_t);
  size_t total = zs_mulsize(L, (size_t)(copies * x->stride), per);
  char *mem = zs_scratch(L, total, 1);
  size_t m = (size_t)(copies * x->stride);
  int zero = x->plan != PLAN_SEGMENTS; /* segments assign every group's entries */
  if (is_int) {
    x->isum = (__int128 *)mem; /* filled only for parts that overflow */
    mem += m * sizeof(__int128);
    x->isum64 = (int64_t *)mem;
    if (zero) memset(mem, 0, m * sizeof(int64_t));
    mem += m * sizeof(int64_t);
  }
  if (zero) memset(mem, 0, m * (per - (is_int ? sizeof(__int128) + sizeof(int64_t) : 0)));
  x->cnt = (int64_t *)mem;
  mem += m * sizeof(int64_t);
  if (is_float) {
    x->fsum = (double *)mem;
    x->fcomp = x->plan == PLAN_SEGMENTS ? NULL : x->fsum + m;
  }
  return parts;
}

/* Float sums that are not finite (an infinite value, or a running sum that
 * overflowed) are made again for those groups from the values scaled by
 * 2^-64 (exact: a power of two; only values below 2^-958 in magnitude lose
 * digits), in row order on one thread, so that a sum is infinite only when
 * its total is beyond the double range or a value is infinite: {1e308,
 * 1e308, -1e308} is 1e308, {1e308, 1e308, -Inf} is -Inf, {Inf, -Inf} NaN.
 * out[k] gets the sum (up) or the scaled sum (!up) of each group k whose
 * cur[k] is not finite (out may be cur); the other entries are left alone. */
#define WIDE_DOWN 0x1p-64
#define WIDE_UP 0x1p64
static void wide_sums(lua_State *L, zs_groups *g, const zs_col *c, int64_t G, const double *cur, double *out, int up) {
  const int32_t *gid = zs_group_gid(L, g);
  double *comp = zs_scratch(L, (size_t)G, sizeof(double) + 1);
  char *redo = (char *)(comp + G);
  for (int64_t k = 0; k < G; k++) {
    redo[k] = !isfinite(cur[k]);
    if (redo[k]) out[k] = comp[k] = 0;
  }
  const double *v = c->data;
  for (int64_t i = 0; i < g->n; i++) {
    int32_t k = gid[i];
    if (redo[k] && !isnan(v[i])) neumaier(&out[k], &comp[k], v[i] * WIDE_DOWN);
  }
  for (int64_t k = 0; k < G; k++)
    if (redo[k]) out[k] = neumaier_total(out[k], comp[k]) * (up ? WIDE_UP : 1);
  zs_release_scratch_at(L, -1);
  lua_pop(L, 1);
}

/* merge the parts of a run of sums_body (or sums_seg_body) over x */
static void sums_finish(lua_State *L, zs_groups *g, const zs_col *c, sums_ctx *x, int parts) {
  int is_float = c && c->type == ZS_FLOAT, is_int = c && (c->type == ZS_INT || c->type == ZS_BOOL);
  int64_t G = x->G;
  int overflowed = 0;
  for (int p = 0; p < parts; p++) overflowed |= x->overflow[p];
  if (is_int && overflowed) {
    /* some int64 sum overflowed: add everything again in 128 bits (rare) */
    const int64_t *v = c->data;
    x->gid = zs_group_gid(L, g);
    for (int64_t k = 0; k < G; k++) x->isum[k] = 0;
    for (int64_t i = 0; i < x->n; i++)
      if (v[i] != ZS_NA_INT) x->isum[x->gid[i]] += v[i];
  } else if (is_int) {
    for (int64_t k = 0; k < G; k++) x->isum[k] = x->isum64[k];
    if (x->plan == PLAN_PARTIALS)
      for (int p = 1; p < parts; p++)
        for (int64_t k = 0; k < G; k++) x->isum[k] += x->isum64[(int64_t)p * x->stride + k];
  }
  if (x->plan == PLAN_PARTIALS) {
    for (int p = 1; p < parts; p++) {
      int64_t b = (int64_t)p * x->stride;
      for (int64_t k = 0; k < G; k++) x->cnt[k] += x->cnt[b + k];
      if (is_float) /* part totals added in part order, compensated */
        for (int64_t k = 0; k < G; k++) {
          neumaier_merge(&x->fsum[k], &x->fcomp[k], x->fsum[b + k], x->fcomp[b + k]);
        }
    }
  }
  if (is_float && x->fcomp)
    for (int64_t k = 0; k < G; k++) x->fsum[k] = neumaier_total(x->fsum[k], x->fcomp[k]);
  if (is_float) {
    int wide = 0;
    for (int64_t k = 0; k < G; k++) wide |= !isfinite(x->fsum[k]);
    if (wide) wide_sums(L, g, c, G, x->fsum, x->fsum, 1); /* rare: an infinite value, or an overflow */
  }
  if (c && c->na_state == ZS_NA_UNKNOWN && !x->no_na) { /* a by-product: all rows were counted */
    int64_t values = 0;
    for (int64_t k = 0; k < G; k++) values += x->cnt[k];
    zs_col_note_na((zs_col *)c, values != x->n);
  }
}

/* Counts (and sums, for numeric columns) per group, merged into the first
 * G entries of x->cnt / isum / fsum (fsum already compensated).  Pushes one
 * scratch userdata holding the arrays. */
static void group_sums(lua_State *L, zs_groups *g, const zs_col *c, sums_ctx *x) {
  int parts = sums_prepare(L, g, c, x);
  zs_parallel_L(L, x->plan == PLAN_PARTIALS ? x->n : x->G, parts, x->plan == PLAN_SEGMENTS ? sums_seg_body : sums_body, x);
  sums_finish(L, g, c, x, parts);
}

/* Several count/sum/mean/share specs over the same rows cut into parts:
 * one pass in which each part takes its rows a block at a time and runs
 * every spec's loop over the block, so the group ids of a block are read
 * from memory once rather than once per spec.  Each spec's accumulators and
 * row order are those of its own pass, so the results are the same. */
enum { FUSE_BLOCK = 8192 };

typedef struct {
  sums_ctx *const *xs;
  int m;
  const zs_groups *by_block; /* key-read groups: compose each block's composites */
} fused_ctx;

static void fused_sums_body(void *arg, int64_t from, int64_t to, int part) {
  const fused_ctx *f = arg;
  uint32_t codes[FUSE_BLOCK];
  for (int64_t b = from; b < to; b += FUSE_BLOCK) {
    int64_t e = to - b > FUSE_BLOCK ? b + FUSE_BLOCK : to;
    if (f->by_block) zs_group_block_codes(f->by_block, b, e, codes);
    for (int j = 0; j < f->m; j++) sums_range(f->xs[j], b, e, part, f->by_block ? codes : NULL);
  }
}

static int is_sums_op(agg_op op) { return op == OP_COUNT || op == OP_SUM || op == OP_MEAN || op == OP_SHARE; }

/* keep the entries of the codes with rows (key-read groups) in the merged
 * sums of x, in order */
static void keep_sums(sums_ctx *x, const int64_t *rows, int64_t ncodes) {
  int64_t j = 0;
  for (int64_t c = 0; c < ncodes; c++) {
    if (rows[c] == 0) continue;
    x->cnt[j] = x->cnt[c];
    if (x->isum) x->isum[j] = x->isum[c];
    if (x->fsum) x->fsum[j] = x->fsum[c];
    j++;
  }
  x->G = j;
}

/* A spec whose numeric column is known to have no NA needs no counts of
 * its own: its counts are the rows of each group. */
static int counts_are_rows(const spec *s) {
  const zs_col *c = s->col;
  return c && (c->type == ZS_INT || c->type == ZS_FLOAT) && c->na_state == ZS_NA_NONE;
}

/* When two or more specs are count/sum/mean/share and the plan cuts rows
 * into parts, make their sums in one pass and point spec->pre at them.
 * Rows are counted once alongside (the last pass context) when some
 * column has no NA (its loop then neither tests nor counts) or the groups
 * are key-read: those always come here (every spec is one of these), their
 * sums made per code, then the codes without rows dropped from the groups
 * and the sums.  Pushes the scratch userdata (or nothing when there is
 * nothing to fuse), which the caller keeps on its stack while it uses the
 * sums. */
static void fuse_sums(lua_State *L, zs_groups *g, spec *specs, int ns) {
  int m = 0, row_counts = g->keymap != NULL;
  for (int k = 0; k < ns; k++) {
    m += is_sums_op(specs[k].op);
    row_counts |= is_sums_op(specs[k].op) && counts_are_rows(&specs[k]);
  }
  int plan;
  int64_t stride;
  int parts = pass_plan(L, g, &plan, &stride);
  if (!g->keymap && (m < 2 || plan != PLAN_PARTIALS)) return;
  int total = m + row_counts;
  sums_ctx *ctx = zs_scratch(L, (size_t)total, sizeof(sums_ctx) + sizeof(sums_ctx *));
  sums_ctx **xs = (sums_ctx **)(ctx + total);
  int j = 0;
  for (int k = 0; k < ns; k++) {
    if (!is_sums_op(specs[k].op)) continue;
    xs[j] = &ctx[j];
    parts = sums_prepare(L, g, specs[k].col, xs[j]); /* pushes the accumulators */
    xs[j]->no_na = row_counts && counts_are_rows(&specs[k]);
    specs[k].pre = xs[j++];
  }
  if (row_counts) {
    xs[m] = &ctx[m];
    parts = sums_prepare(L, g, NULL, xs[m]);
  }
  if (plan == PLAN_PARTIALS) {
    fused_ctx f = {xs, total, xs[0]->by_block ? g : NULL};
    zs_parallel_L(L, g->n, parts, fused_sums_body, &f);
  } else { /* ranges of groups (few rows): one pass per spec */
    for (j = 0; j < total; j++) zs_parallel_L(L, g->ngroups, parts, sums_body, xs[j]);
  }
  for (j = 0; j < total; j++) sums_finish(L, g, xs[j]->c, xs[j], parts);
  if (!row_counts) return;
  const int64_t *rows = xs[m]->cnt;
  for (j = 0; j < m; j++)
    if (xs[j]->no_na) memcpy(xs[j]->cnt, rows, (size_t)g->ngroups * sizeof(int64_t));
  if (g->keymap) {
    int64_t ncodes = g->ngroups;
    for (j = 0; j < m; j++) keep_sums(xs[j], rows, ncodes);
    zs_group_keep_codes(L, g, rows);
  }
}

/* The sums of spec s: made by fuse_sums, or made now.  Pushes one value
 * (the accumulators' scratch, or nil) for the caller to drop. */
static void spec_sums(lua_State *L, zs_groups *g, const spec *s, const zs_col *c, sums_ctx *x) {
  if (s->pre) {
    *x = *s->pre;
    lua_pushnil(L);
  } else {
    group_sums(L, g, c, x);
  }
}

static int fits_int64(__int128 v) { return v > (__int128)INT64_MIN && v <= (__int128)INT64_MAX; }

/* Result columns of sums, filled on all cores when there are many groups
 * (a result's pages are fresh: each first write costs a page fault). */
typedef struct {
  const sums_ctx *x;
  void *out;
  int overflow[64]; /* per part: an int sum does not fit in int64 */
} sums_out_ctx;

static void count_out_body(void *arg, int64_t from, int64_t to, int part) {
  (void)part;
  sums_out_ctx *o = arg;
  memcpy((int64_t *)o->out + from, o->x->cnt + from, (size_t)(to - from) * sizeof(int64_t));
}

static void float_sum_out_body(void *arg, int64_t from, int64_t to, int part) {
  (void)part;
  sums_out_ctx *o = arg;
  double *sum = o->out;
  for (int64_t k = from; k < to; k++) sum[k] = o->x->cnt[k] ? o->x->fsum[k] : NAN;
}

static void int_sum_out_body(void *arg, int64_t from, int64_t to, int part) {
  sums_out_ctx *o = arg;
  int64_t *sum = o->out;
  for (int64_t k = from; k < to; k++) {
    if (!o->x->cnt[k]) { sum[k] = ZS_NA_INT; continue; }
    if (!fits_int64(o->x->isum[k])) { o->overflow[part] = 1; sum[k] = ZS_NA_INT; continue; }
    sum[k] = (int64_t)o->x->isum[k];
  }
}

static void sums_out(lua_State *L, int64_t G, const sums_ctx *x, zs_body body, void *out) {
  sums_out_ctx o;
  memset(&o, 0, sizeof o);
  o.x = x;
  o.out = out;
  if (G == 0) return; /* no groups: out may be NULL */
  int parts = zs_threads_for_L(L, G);
  zs_parallel_L(L, G, parts, body, &o);
  for (int p = 0; p < parts; p++)
    if (o.overflow[p]) luaL_error(L, "integer overflow: %s sum does not fit in int64", x->single ? "the" : "a");
}

static void seg_sizes_body(void *arg, int64_t from, int64_t to, int part) {
  (void)part;
  sums_out_ctx *o = arg;
  const uint32_t *seg = o->x->seg;
  int64_t *out = o->out;
  for (int64_t k = from; k < to; k++) out[k] = (int64_t)seg[k + 1] - seg[k];
}

static void k_count(lua_State *L, zs_groups *g, const spec *s) {
  if (!s->col && !s->pre && use_segments(g)) { /* rows gathered by group: the counts are the runs' sizes */
    sums_ctx x;
    memset(&x, 0, sizeof x);
    x.seg = g->seg;
    zs_col *out = zs_col_push(L, ZS_INT, g->ngroups, 0);
    sums_out(L, g->ngroups, &x, seg_sizes_body, out->data);
    return;
  }
  sums_ctx x;
  spec_sums(L, g, s, s->col, &x);
  zs_col *out = zs_col_push(L, ZS_INT, g->ngroups, 0);
  sums_out(L, g->ngroups, &x, count_out_body, out->data);
  drop_scratch_under(L);
}

static void k_sum(lua_State *L, zs_groups *g, const spec *s) {
  int64_t G = g->ngroups;
  sums_ctx x;
  spec_sums(L, g, s, s->col, &x);
  int is_float = s->col->type == ZS_FLOAT;
  zs_col *out = zs_col_push(L, is_float ? ZS_FLOAT : ZS_INT, G, 0);
  sums_out(L, G, &x, is_float ? float_sum_out_body : int_sum_out_body, out->data);
  drop_scratch_under(L);
}

/* the integer nearest to sum / n (n > 0; halves away from zero): for a
 * sum of n int64 values, within their range */
static int64_t nearest_mean(__int128 sum, int64_t n) {
  __int128 q = sum / n, r = sum % n;
  if (r < 0) r = -r;
  if (2 * r >= n) q += sum < 0 ? -1 : 1;
  return (int64_t)q;
}

/* group means into out (NaN where no value); cnt gets counts (G entries);
 * s: the mean spec whose sums fuse_sums may have made, or NULL; ishift (or
 * NULL): for int columns, the integer nearest each group's mean.  A mean
 * of finite floats is finite even when their sum overflows: such groups
 * take their mean from the scaled sums (wide_sums). */
static void group_means(lua_State *L, zs_groups *g, const spec *s, const zs_col *c, double *out, int64_t *cnt,
                        int64_t *ishift) {
  int64_t G = g->ngroups;
  sums_ctx x;
  if (s) spec_sums(L, g, s, c, &x);
  else group_sums(L, g, c, &x);
  int wide = 0;
  for (int64_t k = 0; k < G; k++) {
    cnt[k] = x.cnt[k];
    if (!x.cnt[k]) {
      out[k] = NAN;
    } else if (c->type == ZS_FLOAT) {
      out[k] = x.fsum[k] / (double)x.cnt[k];
      wide |= isinf(out[k]);
    } else {
      out[k] = zs_mean128(x.isum[k], x.cnt[k]);
      if (ishift) ishift[k] = nearest_mean(x.isum[k], x.cnt[k]);
    }
  }
  zs_release_scratch_at(L, -1); /* the sums: reusable at once */
  lua_pop(L, 1);
  if (wide) {
    double *scaled = scratch(L, (size_t)G, sizeof(double));
    wide_sums(L, g, c, G, out, scaled, 0);
    for (int64_t k = 0; k < G; k++)
      if (cnt[k] && isinf(out[k])) out[k] = scaled[k] / (double)cnt[k] * WIDE_UP;
    zs_release_scratch_at(L, -1);
    lua_pop(L, 1);
  }
}

static void k_mean(lua_State *L, zs_groups *g, const spec *s) {
  int64_t G = g->ngroups;
  int64_t *cnt = scratch(L, (size_t)G, sizeof(int64_t));
  zs_col *out = zs_col_push(L, ZS_FLOAT, G, 0);
  group_means(L, g, s, s->col, out->data, cnt, NULL);
  drop_scratch_under(L);
}

static void k_share(lua_State *L, zs_groups *g, const spec *s) {
  int64_t G = g->ngroups;
  sums_ctx x;
  spec_sums(L, g, s, s->col, &x);
  zs_col *out = zs_col_push(L, ZS_FLOAT, G, 0);
  double *v = out->data, total;
  if (s->col->type == ZS_FLOAT) {
    double comp = 0;
    total = 0;
    for (int64_t k = 0; k < G; k++) v[k] = x.fsum[k];
    for (int64_t k = 0; k < G; k++) if (x.cnt[k]) neumaier(&total, &comp, v[k]);
    total = neumaier_total(total, comp);
    if (isinf(total)) { /* finite group sums whose total overflows: shares of the scaled sums */
      double t = 0;
      comp = 0;
      for (int64_t k = 0; k < G; k++) {
        v[k] *= WIDE_DOWN;
        if (x.cnt[k]) neumaier(&t, &comp, v[k]);
      }
      total = neumaier_total(t, comp);
    }
  } else { /* int and bool: the total is exact (G < 2^31 sums below 2^94) */
    __int128 t = 0;
    for (int64_t k = 0; k < G; k++) {
      v[k] = (double)x.isum[k];
      if (x.cnt[k]) t += x.isum[k];
    }
    total = (double)t;
  }
  for (int64_t k = 0; k < G; k++) v[k] = x.cnt[k] && total != 0 ? v[k] / total : NAN;
  drop_scratch_under(L);
}

/* ---- var, sd, corr: deviations from group means ---------------------------------- */

/* Per group, over the rows where a (and b, if given) have values, in one
 * of two modes:
 *   means: n, and Σa, Σb (floats and booleans compensated; ints exact in
 *   128 bits, kept in the two slots of the pair);
 *   deviations, given each group's shift (floats and booleans: the mean;
 *   ints: the integer nearest the mean, so that da = a - shift is an exact
 *   integer): Σda, Σdb, Σda², Σdb², Σda·db (compensated), and the smallest
 *   and largest da and db (equal: the column is constant in the group).
 * The sums of deviations correct the rounding of the shift: Σ(a - ā)² =
 * Σda² − (Σda)²/n and Σ(a - ā)(b - b̄) = Σda·db − Σda·Σdb/n hold for any
 * shift.  Parallel under the same plans as the sums, parts merged in order. */
enum {
  M_N,   /* means: rows; deviations: Σda */
  M_A,   /* means: Σa; deviations: Σda² (with M_AC, its compensation) */
  M_AC,
  M_AMIN, M_AMAX,
  MW1,   /* doubles per group for one column (var) */
  M_B = MW1, /* means: Σb; deviations: Σdb² */
  M_BC,
  M_AB,  /* deviations: Σda·db */
  M_ABC,
  M_DB,  /* deviations: Σdb */
  M_BMIN, M_BMAX,
  MW2    /* doubles per group for two columns (corr) */
};

typedef struct {
  const int32_t *gid;
  const zs_col *a, *b;
  int means;             /* the mode */
  const double *ma, *mb; /* deviations: shifts of float and bool columns */
  const int64_t *ia, *ib;/* deviations: shifts of int columns */
  const uint32_t *order;
  const uint32_t *seg;
  int64_t n, G, stride;
  int plan;
  int mw;                /* doubles per group: MW1, or MW2 with b */
  double *acc;           /* (parts x stride) x mw */
} moments_ctx;

/* an exact 128-bit sum kept in two double slots */
static inline void add128(double *slot, int64_t v) {
  __int128 t;
  memcpy(&t, slot, sizeof t);
  t += v;
  memcpy(slot, &t, sizeof t);
}

static inline __int128 get128(const double *slot) {
  __int128 t;
  memcpy(&t, slot, sizeof t);
  return t;
}

/* v - shift as a double (exact when below 2^53 in magnitude) */
static inline double int_dev(int64_t v, int64_t shift) {
  int64_t d;
  if (!__builtin_sub_overflow(v, shift, &d)) return (double)d;
  return (double)((__int128)v - shift);
}

/* value of row i of column c (is_int: an int column): 0 if NA */
static inline __attribute__((always_inline)) int load_value(const zs_col *c, int is_int, int64_t i, int64_t *iv,
                                                            double *fv) {
  if (is_int) {
    int64_t v = ((const int64_t *)c->data)[i];
    *iv = v;
    return v != ZS_NA_INT;
  }
  if (c->type == ZS_FLOAT) {
    double v = ((const double *)c->data)[i];
    *fv = v;
    return !isnan(v);
  }
  int8_t v = ((const int8_t *)c->data)[i];
  *fv = v;
  return v != ZS_NA_BOOL;
}

static inline __attribute__((always_inline)) void moments_add(const moments_ctx *x, double *m, int64_t k, int means,
                                                              int a_int, int two, int b_int, int64_t ia, double fa,
                                                              int64_t ib, double fb) {
  if (means) {
    m[M_N] += 1;
    if (a_int) add128(&m[M_A], ia);
    else neumaier(&m[M_A], &m[M_AC], fa);
    if (two) {
      if (b_int) add128(&m[M_B], ib);
      else neumaier(&m[M_B], &m[M_BC], fb);
    }
    return;
  }
  double da = a_int ? int_dev(ia, x->ia[k]) : fa - x->ma[k];
  m[M_N] += da;
  neumaier(&m[M_A], &m[M_AC], da * da);
  if (da < m[M_AMIN]) m[M_AMIN] = da;
  if (da > m[M_AMAX]) m[M_AMAX] = da;
  if (two) {
    double db = b_int ? int_dev(ib, x->ib[k]) : fb - x->mb[k];
    m[M_DB] += db;
    neumaier(&m[M_B], &m[M_BC], db * db);
    neumaier(&m[M_AB], &m[M_ABC], da * db);
    if (db < m[M_BMIN]) m[M_BMIN] = db;
    if (db > m[M_BMAX]) m[M_BMAX] = db;
  }
}

static inline __attribute__((always_inline)) void moments_rows(moments_ctx *x, int64_t from, int64_t to, int part,
                                                               int means, int a_int, int two, int b_int) {
  int64_t ia = 0, ib = 0;
  double fa = 0, fb = 0;
  const int64_t mw = two ? MW2 : MW1;
  if (x->plan == PLAN_SEGMENTS) { /* groups [from, to), each over its own rows */
    for (int64_t k = from; k < to; k++) {
      double *m = x->acc + k * mw;
      for (int64_t j = x->seg[k]; j < x->seg[k + 1]; j++) {
        uint32_t i = x->order[j];
        if (!load_value(x->a, a_int, i, &ia, &fa)) continue;
        if (two && !load_value(x->b, b_int, i, &ib, &fb)) continue;
        moments_add(x, m, k, means, a_int, two, b_int, ia, fa, ib, fb);
      }
    }
    return;
  }
  const int32_t *gid = x->gid;
  part_window w = window_of(x->plan, from, to, part, x->stride, x->n, x->G);
  int64_t lo = w.lo, hi = w.hi, base = w.base, sink = w.sink;
  double *acc = x->acc + base * mw;
  for (int64_t i = w.rfrom; i < w.rto; i++) {
    if (!load_value(x->a, a_int, i, &ia, &fa)) continue;
    if (two && !load_value(x->b, b_int, i, &ib, &fb)) continue;
    int64_t k = gid ? group_or_sink(gid, i, lo, hi, sink) : 0;
    moments_add(x, acc + k * mw, k < x->G ? k : 0, means, a_int, two, b_int, ia, fa, ib, fb);
  }
}

static void moments_body(void *arg, int64_t from, int64_t to, int part) {
  moments_ctx *x = arg;
  int ai = x->a->type == ZS_INT, two = x->b != NULL, bi = two && x->b->type == ZS_INT;
#define MR(means, a_int, two_, b_int) moments_rows(x, from, to, part, means, a_int, two_, b_int)
  if (x->means) {
    if (!two) ai ? MR(1, 1, 0, 0) : MR(1, 0, 0, 0);
    else if (ai) bi ? MR(1, 1, 1, 1) : MR(1, 1, 1, 0);
    else bi ? MR(1, 0, 1, 1) : MR(1, 0, 1, 0);
  } else {
    if (!two) ai ? MR(0, 1, 0, 0) : MR(0, 0, 0, 0);
    else if (ai) bi ? MR(0, 1, 1, 1) : MR(0, 1, 1, 0);
    else bi ? MR(0, 0, 1, 1) : MR(0, 0, 1, 0);
  }
#undef MR
}

/* run one moments pass (x: a, b, the mode and the shifts set); pushes the
 * accumulators; the result is in the first G groups of x->acc */
static void moments(lua_State *L, zs_groups *g, moments_ctx *x) {
  x->n = g->n;
  x->G = g->ngroups;
  int parts = pass_plan(L, g, &x->plan, &x->stride);
  x->gid = x->plan == PLAN_SEGMENTS || zs_group_single(g) ? NULL : zs_group_gid(L, g); /* NULL: group 0 */
  x->order = g->order;
  x->seg = g->seg;
  int64_t copies = x->plan == PLAN_PARTIALS ? parts : 1;
  int two = x->b != NULL;
  int64_t mw = x->mw = two ? MW2 : MW1;
  size_t entries = zs_mulsize(L, (size_t)copies, (size_t)x->stride);
  size_t bytes = zs_mulsize(L, entries, (size_t)mw * sizeof(double));
  x->acc = zs_scratch(L, bytes, 1);
  memset(x->acc, 0, bytes);
  if (!x->means)
    for (size_t e = 0; e < entries; e++) {
      double *m = x->acc + e * mw;
      m[M_AMIN] = INFINITY;
      m[M_AMAX] = -INFINITY;
      if (two) {
        m[M_BMIN] = INFINITY;
        m[M_BMAX] = -INFINITY;
      }
    }
  if (x->n > 0)
    zs_parallel_L(L, x->plan == PLAN_PARTIALS ? x->n : x->G, parts, moments_body, x);
  if (x->plan != PLAN_PARTIALS) return;
  int ai = x->a->type == ZS_INT, bi = two && x->b->type == ZS_INT;
  for (int p = 1; p < parts; p++)
    for (int64_t k = 0; k < x->G; k++) {
      double *d = x->acc + k * mw, *s = x->acc + ((int64_t)p * x->stride + k) * mw;
      d[M_N] += s[M_N];
      if (x->means) {
        if (ai) {
          __int128 t = get128(&d[M_A]) + get128(&s[M_A]);
          memcpy(&d[M_A], &t, sizeof t);
        } else {
          neumaier_merge(&d[M_A], &d[M_AC], s[M_A], s[M_AC]);
        }
        if (!two) {
        } else if (bi) {
          __int128 t = get128(&d[M_B]) + get128(&s[M_B]);
          memcpy(&d[M_B], &t, sizeof t);
        } else {
          neumaier_merge(&d[M_B], &d[M_BC], s[M_B], s[M_BC]);
        }
        continue;
      }
      neumaier_merge(&d[M_A], &d[M_AC], s[M_A], s[M_AC]);
      if (s[M_AMIN] < d[M_AMIN]) d[M_AMIN] = s[M_AMIN];
      if (s[M_AMAX] > d[M_AMAX]) d[M_AMAX] = s[M_AMAX];
      if (!two) continue;
      d[M_DB] += s[M_DB];
      neumaier_merge(&d[M_B], &d[M_BC], s[M_B], s[M_BC]);
      neumaier_merge(&d[M_AB], &d[M_ABC], s[M_AB], s[M_ABC]);
      if (s[M_BMIN] < d[M_BMIN]) d[M_BMIN] = s[M_BMIN];
      if (s[M_BMAX] > d[M_BMAX]) d[M_BMAX] = s[M_BMAX];
    }
}

/* Σ(x − x̄)² from a deviations accumulator: NaN when a value is infinite,
 * exactly 0 when the values are all equal */
static double dev_m2(const double *m, double n, int a) {
  double ss = neumaier_total(m[a ? M_A : M_B], m[a ? M_AC : M_BC]), d = m[a ? M_N : M_DB];
  double r = ss - d * d / n;
  if (isnan(r)) return r;
  if (m[a ? M_AMIN : M_BMIN] == m[a ? M_AMAX : M_BMAX]) return 0;
  return r < 0 ? 0 : r;
}

/* Integer columns with values below 2^31 in magnitude: sums of values,
 * squares and cross products are exact in 128 bits, so var and corr come
 * from one pass without rounding until the last division.  The first value
 * that does not fit sends the kernel to the floating-point path. */
#define INT_SMALL ((int64_t)1 << 31)
enum { I_N, I_A, I_B, I_AA, I_BB, I_AB, IW };

/* a or b is too large in magnitude for the exact integer paths */
static inline int int_pair_big(int64_t a, int64_t b) {
  return a <= -INT_SMALL || a >= INT_SMALL || b <= -INT_SMALL || b >= INT_SMALL;
}

typedef struct {
  const int32_t *gid;
  const int64_t *a, *b; /* b NULL: one column */
  const uint32_t *order;
  const uint32_t *seg;
  int64_t n, G, stride;
  int plan;
  __int128 *acc;        /* (parts x stride) x IW */
  int64_t *acc64;       /* the same in 64 bits (first try, rows cut in parts) */
  int too_big[64];
  int overflow[64];     /* a 64-bit sum overflowed in this part */
} imoments_ctx;

static void imoments_add(__int128 *m, int64_t va, int64_t vb, int two) {
  m[I_N] += 1;
  m[I_A] += va;
  m[I_AA] += ((__int128)va * va);
  if (two) {
    m[I_B] += vb;
    m[I_BB] += ((__int128)vb * vb);
    m[I_AB] += ((__int128)va * vb);
  }
}

static void imoments_body(void *arg, int64_t from, int64_t to, int part) {
  imoments_ctx *x = arg;
  int two = x->b != NULL, big = 0;
  if (x->plan == PLAN_SEGMENTS) {
    for (int64_t k = from; k < to; k++)
      for (int64_t j = x->seg[k]; j < x->seg[k + 1]; j++) {
        uint32_t i = x->order[j];
        int64_t va = x->a[i], vb = two ? x->b[i] : 0;
        if (va == ZS_NA_INT || vb == ZS_NA_INT) continue;
        if (int_pair_big(va, vb)) { /* the floating-point path will do it all */
          big = 1;
          goto done;
        }
        imoments_add(x->acc + k * IW, va, vb, two);
      }
  } else {
    const int32_t *gid = x->gid;
    part_window w = window_of(x->plan, from, to, part, x->stride, x->n, x->G);
    int64_t lo = w.lo, hi = w.hi, rfrom = w.rfrom, rto = w.rto, base = w.base, sink = w.sink;
    __int128 *acc = x->acc + base * IW;
    for (int64_t i = rfrom; i < rto; i++) {
      int64_t va = x->a[i], vb = two ? x->b[i] : 0;
      if (va == ZS_NA_INT || vb == ZS_NA_INT) continue;
      if (int_pair_big(va, vb)) {
        big = 1;
        break;
      }
      int64_t k = gid ? group_or_sink(gid, i, lo, hi, sink) : 0;
      imoments_add(acc + k * IW, va, vb, two);
    }
  }
done:
  if (big) x->too_big[part] = 1;
}

/* imoments_body in 64 bits for parts or ranges over rows (not segments):
 * the same sums, with each addition checked for overflow */
static void imoments64_body(void *arg, int64_t from, int64_t to, int part) {
  imoments_ctx *x = arg;
  int two = x->b != NULL, big = 0, ovf = 0;
  const int32_t *gid = x->gid;
  part_window w = window_of(x->plan, from, to, part, x->stride, x->n, x->G);
  int64_t lo = w.lo, hi = w.hi, rfrom = w.rfrom, rto = w.rto, base = w.base, sink = w.sink;
  int64_t *acc = x->acc64 + base * IW;
  for (int64_t i = rfrom; i < rto; i++) {
    int64_t va = x->a[i], vb = two ? x->b[i] : 0;
    if (va == ZS_NA_INT || vb == ZS_NA_INT) continue;
    big |= int_pair_big(va, vb);
    if (big) break; /* the floating-point path will do it all */
    int64_t k = gid ? group_or_sink(gid, i, lo, hi, sink) : 0;
    int64_t *m = acc + k * IW;
    m[I_N]++;
    ovf |= __builtin_add_overflow(m[I_A], va, &m[I_A]);
    ovf |= __builtin_add_overflow(m[I_AA], va * va, &m[I_AA]);
    if (two) {
      ovf |= __builtin_add_overflow(m[I_B], vb, &m[I_B]);
      ovf |= __builtin_add_overflow(m[I_BB], vb * vb, &m[I_BB]);
      ovf |= __builtin_add_overflow(m[I_AB], va * vb, &m[I_AB]);
    }
  }
  if (big) x->too_big[part] = 1;
  if (ovf) x->overflow[part] = 1;
}

/* Over parts or ranges of rows, the sums in 64 bits first (half the memory
 * and simpler additions); 1 if they fit, with the merged sums in the first
 * G entries of a pushed int128 x->acc; 0 if a value is too big (nothing
 * pushed); -1 if a sum overflowed (nothing pushed: redo in 128 bits). */
static int imoments64(lua_State *L, imoments_ctx *x, int parts) {
  int64_t copies = x->plan == PLAN_PARTIALS ? parts : 1;
  size_t wide = zs_mulsize(L, (size_t)(x->G ? x->G : 1), IW * sizeof(__int128));
  size_t narrow = zs_mulsize(L, (size_t)(copies * x->stride), IW * sizeof(int64_t));
  if (wide > SIZE_MAX - narrow) luaL_error(L, "not enough memory");
  char *mem = zs_scratch(L, wide + narrow, 1);
  x->acc = (__int128 *)mem;
  x->acc64 = (int64_t *)(mem + wide);
  memset(x->acc64, 0, narrow);
  zs_parallel_L(L, x->plan == PLAN_PARTIALS ? x->n : x->G, parts, imoments64_body, x);
  int big = 0, ovf = 0;
  for (int p = 0; p < parts; p++) {
    big |= x->too_big[p];
    ovf |= x->overflow[p];
  }
  if (big || ovf) {
    lua_pop(L, 1);
    return big ? 0 : -1;
  }
  for (int64_t k = 0; k < x->G; k++)
    for (int f = 0; f < IW; f++) {
      __int128 t = 0;
      for (int64_t p = 0; p < copies; p++) t += x->acc64[(p * x->stride + k) * IW + f];
      x->acc[k * IW + f] = t;
    }
  return 1;
}

/* exact integer moments of a (and b); 0 if some value is too big (then
 * nothing is pushed) */
static int imoments(lua_State *L, zs_groups *g, const zs_col *a, const zs_col *b, imoments_ctx *x) {
  if (a->type != ZS_INT || (b && b->type != ZS_INT)) return 0;
  memset(x, 0, sizeof *x);
  x->a = a->data;
  x->b = b ? b->data : NULL;
  x->n = g->n;
  x->G = g->ngroups;
  int parts = pass_plan(L, g, &x->plan, &x->stride);
  x->gid = x->plan == PLAN_SEGMENTS || zs_group_single(g) ? NULL : zs_group_gid(L, g); /* NULL: group 0 */
  x->order = g->order;
  x->seg = g->seg;
  if (x->plan != PLAN_SEGMENTS) {
    int fits = imoments64(L, x, parts);
    if (fits >= 0) return fits;
  }
  int64_t copies = x->plan == PLAN_PARTIALS ? parts : 1;
  size_t bytes = zs_mulsize(L, (size_t)(copies * x->stride), IW * sizeof(__int128));
  x->acc = zs_scratch(L, bytes, 1);
  memset(x->acc, 0, bytes);
  zs_parallel_L(L, x->plan == PLAN_PARTIALS ? x->n : x->G, parts, imoments_body, x);
  for (int p = 0; p < parts; p++)
    if (x->too_big[p]) {
      lua_pop(L, 1);
      return 0;
    }
  if (x->plan == PLAN_PARTIALS)
    for (int p = 1; p < parts; p++)
      for (int64_t k = 0; k < x->G; k++)
        for (int f = 0; f < IW; f++) x->acc[k * IW + f] += x->acc[((int64_t)p * x->stride + k) * IW + f];
  return 1;
}

/* n·Σx² − (Σx)², exact */
static __int128 scaled_m2(const __int128 *m, int xx, int x1) { return m[I_N] * m[xx] - m[x1] * m[x1]; }

enum { VAR, SD, M2 };

static void k_var(lua_State *L, zs_groups *g, const spec *s, int what) {
  int64_t G = g->ngroups;
  imoments_ctx ix;
  if (imoments(L, g, s->col, NULL, &ix)) {
    zs_col *out = zs_col_push(L, ZS_FLOAT, G, 0);
    double *v = out->data;
    for (int64_t k = 0; k < G; k++) {
      const __int128 *m = ix.acc + k * IW;
      int64_t cnt = (int64_t)m[I_N];
      if (cnt < (what == M2 ? 1 : 2)) { v[k] = NAN; continue; }
      double m2 = zs_mean128(scaled_m2(m, I_AA, I_A), cnt); /* Σ(x - mean)² = (nΣx² − (Σx)²) / n */
      double r = what == M2 ? m2 : m2 / (double)(cnt - 1);
      v[k] = what == SD ? sqrt(r) : r;
    }
    lua_remove(L, -2);
    return;
  }
  /* floats, booleans, and ints beyond 2^31: deviations from the mean (ints:
   * from the integer nearest it, exact) */
  int64_t *cnt = scratch(L, (size_t)G, 2 * sizeof(int64_t));
  int64_t *ishift = cnt + G;
  memset(ishift, 0, (size_t)G * sizeof(int64_t));
  double *mean = scratch(L, (size_t)G, sizeof(double));
  group_means(L, g, NULL, s->col, mean, cnt, ishift);
  moments_ctx x;
  memset(&x, 0, sizeof x);
  x.a = s->col;
  x.ma = mean;
  x.ia = ishift;
  moments(L, g, &x);
  zs_col *out = zs_col_push(L, ZS_FLOAT, G, 0);
  double *v = out->data;
  for (int64_t k = 0; k < G; k++) {
    if (cnt[k] < (what == M2 ? 1 : 2)) { v[k] = NAN; continue; }
    double m2 = dev_m2(x.acc + k * MW1, (double)cnt[k], 1);
    v[k] = what == M2 ? m2 : m2 / (double)(cnt[k] - 1);
    if (what == SD) v[k] = sqrt(v[k]);
  }
  lua_replace(L, -4);
  lua_pop(L, 2);
}

/* ---- values gathered per group: median, quantile ------------------------------------ */

/* Non-NA sort keys of c gathered by group: seg[off[k] .. off[k+1]) */
typedef struct {
  uint64_t *val;
  int64_t *off; /* G + 1 */
} segments;

typedef struct {
  const int32_t *gid;
  const zs_col *c;
  const int32_t *rank; /* str columns: dictionary ranks */
  int64_t G;
  int64_t *pos;   /* parts x G: counts, then where each part writes */
  uint64_t *val;
} gather_ctx;

/* sort keys made a block at a time, in a buffer that stays in the cache */
enum { KEY_BLOCK = 2048 };

static void gather_count_body(void *arg, int64_t from, int64_t to, int part) {
  gather_ctx *x = arg;
  int64_t *count = x->pos + (int64_t)part * x->G;
  memset(count, 0, (size_t)x->G * sizeof *count);
  if (x->c->type == ZS_FLOAT) { /* the common case: no keys needed to count */
    const double *v = x->c->data;
    for (int64_t i = from; i < to; i++) count[x->gid[i]] += !isnan(v[i]);
    return;
  }
  uint64_t keys[KEY_BLOCK];
  for (int64_t b = from; b < to; b += KEY_BLOCK) {
    int64_t e = to - b > KEY_BLOCK ? b + KEY_BLOCK : to;
    zs_sort_keys_range(x->c, x->rank, 0, b, e, keys);
    for (int64_t i = b; i < e; i++)
      if (keys[i - b] != UINT64_MAX) count[x->gid[i]]++;
  }
}

static void gather_scatter_body(void *arg, int64_t from, int64_t to, int part) {
  gather_ctx *x = arg;
  int64_t *pos = x->pos + (int64_t)part * x->G;
  uint64_t keys[KEY_BLOCK];
  for (int64_t b = from; b < to; b += KEY_BLOCK) {
    int64_t e = to - b > KEY_BLOCK ? b + KEY_BLOCK : to;
    zs_sort_keys_range(x->c, x->rank, 0, b, e, keys);
    for (int64_t i = b; i < e; i++)
      if (keys[i - b] != UINT64_MAX) x->val[pos[x->gid[i]]++] = keys[i - b];
  }
}

/* Each group's non-NA values (as sort keys) together, in row order:
 * counted and placed by parts of rows on all threads */
static void gather(lua_State *L, zs_groups *g, zs_col *c, segments *sg) {
  int64_t G = g->ngroups, n = g->n;
  gather_ctx x;
  x.gid = zs_group_gid(L, g);
  x.G = G;
  x.c = c;
  x.rank = zs_sort_rank(L, c);
  int parts = zs_threads_for_L(L, n);
  if ((int64_t)parts * G > n) parts = 1;
  x.pos = scratch(L, (size_t)parts * (size_t)G, sizeof(int64_t));
  zs_parallel_L(L, n, parts, gather_count_body, &x);
  sg->off = scratch(L, (size_t)G + 1, sizeof(int64_t));
  int64_t at = 0;
  for (int64_t k = 0; k < G; k++) {
    sg->off[k] = at;
    for (int p = 0; p < parts; p++) {
      int64_t cnt = x.pos[(int64_t)p * G + k];
      x.pos[(int64_t)p * G + k] = at;
      at += cnt;
    }
  }
  sg->off[G] = at;
  sg->val = x.val = scratch(L, (size_t)at, sizeof(uint64_t));
  zs_parallel_L(L, n, parts, gather_scatter_body, &x);
  /* leave off and val on the stack; drop pos */
  zs_release_scratch_at(L, -3);
  lua_remove(L, -3);
}

static void swap64(uint64_t *a, uint64_t *b) { uint64_t t = *a; *a = *b; *b = t; }

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* k-th smallest (0-based) of v[0..m) (reorders v); quickselect with
 * median-of-three pivots, falling back to a full sort if it degrades */
static uint64_t select_kth(uint64_t *v, int64_t m, int64_t k) {
  int64_t lo = 0, hi = m - 1;
  int budget = 64;
  while (hi - lo > 16) {
    if (--budget == 0) {
      qsort(v + lo, (size_t)(hi - lo + 1), sizeof *v, cmp_u64);
      return v[k];
    }
    int64_t mid = lo + (hi - lo) / 2;
    if (v[mid] < v[lo]) swap64(&v[mid], &v[lo]);
    if (v[hi] < v[lo]) swap64(&v[hi], &v[lo]);
    if (v[hi] < v[mid]) swap64(&v[hi], &v[mid]);
    uint64_t pivot = v[mid];
    int64_t i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) { swap64(&v[i], &v[j]); i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return v[k];
  }
  for (int64_t a = lo + 1; a <= hi; a++) { /* insertion sort of the rest */
    uint64_t x = v[a];
    int64_t b = a - 1;
    while (b >= lo && v[b] > x) { v[b + 1] = v[b]; b--; }
    v[b + 1] = x;
  }
  return v[k];
}

/* smallest value of v[k+1 .. m) (after select_kth(v, m, k)) */
static uint64_t next_after(const uint64_t *v, int64_t m, int64_t k) {
  uint64_t best = UINT64_MAX;
  for (int64_t i = k + 1; i < m; i++) if (v[i] < best) best = v[i];
  return best;
}

/* value of a sort key (ints exactly, in 128 bits; floats and booleans as
 * doubles, also exact in 128 bits when integral is not needed) */
static double key_value(zs_type t, uint64_t k) {
  switch (t) {
  case ZS_INT: return (double)(int64_t)((k + 1) ^ 0x8000000000000000ULL);
  case ZS_FLOAT: {
    uint64_t b = (k & 0x8000000000000000ULL) ? k & ~0x8000000000000000ULL : ~k;
    double d;
    memcpy(&d, &b, 8);
    return d;
  }
  case ZS_BOOL: return (double)k;
  default: return 0;
  }
}

typedef struct {
  const spec *s;
  segments sg;
  zs_col *c, *out;
} quantile_ctx;

static void quantile_body(void *arg, int64_t from, int64_t to, int part) {
  (void)part;
  quantile_ctx *x = arg;
  const spec *s = x->s;
  zs_col *c = x->c, *out = x->out;
  int keep_type = s->op == OP_QUANTILE && s->qtype == 1;
  for (int64_t k = from; k < to; k++) {
    int64_t m = x->sg.off[k + 1] - x->sg.off[k];
    uint64_t *v = x->sg.val + x->sg.off[k];
    if (m == 0) { zs_col_set_na(out, k); continue; }
    if (keep_type) { /* type 1: x[ceil(m p)] (1-based), at least the first */
      double np = (double)m * s->p; /* as R: a little fuzz against 10 * 0.9 > 9 */
      int64_t j = (int64_t)ceil(np - 4 * DBL_EPSILON * np);
      if (j < 1) j = 1;
      if (j > m) j = m;
      uint64_t key = select_kth(v, m, j - 1);
      double xv = key_value(c->type, key);
      if (c->type == ZS_INT) ((int64_t *)out->data)[k] = (int64_t)((key + 1) ^ 0x8000000000000000ULL);
      else if (c->type == ZS_BOOL) ((int8_t *)out->data)[k] = (int8_t)key;
      else ((double *)out->data)[k] = (double)xv;
      continue;
    }
    double h = (double)(m - 1) * (s->op == OP_MEDIAN ? 0.5 : s->p);
    int64_t lo = (int64_t)floor(h);
    if (lo > m - 1) lo = m - 1;
    double frac = h - (double)lo;
    uint64_t ka = select_kth(v, m, lo);
    double r = key_value(c->type, ka);
    if (frac > 0 && lo + 1 < m) {
      uint64_t kb = next_after(v, m, lo);
      if (c->type == ZS_INT) { /* exact in 128 bits, rounded once */
        __int128 a = (int64_t)((ka + 1) ^ 0x8000000000000000ULL), b = (int64_t)((kb + 1) ^ 0x8000000000000000ULL);
        r = s->op == OP_MEDIAN ? (double)(a + b) / 2 : (double)a + frac * (double)(b - a);
      } else {
        double a = r, b = key_value(c->type, kb);
        if (s->op == OP_MEDIAN) {
          r = (a + b) / 2;
          if (isinf(r) && !isinf(a) && !isinf(b)) r = a / 2 + b / 2; /* the sum overflowed */
        } else if (a != b) { /* equal: a (also when infinite) */
          double d = b - a; /* infinite: an infinite end, or the difference overflows */
          r = isfinite(d) ? a + frac * d : (1 - frac) * a + frac * b;
        }
      }
    }
    ((double *)out->data)[k] = (double)r;
  }
}

static void k_quantile(lua_State *L, zs_groups *g, const spec *s) {
  int64_t G = g->ngroups;
  quantile_ctx x;
  x.s = s;
  x.c = s->col;
  gather(L, g, x.c, &x.sg);
  int keep_type = s->op == OP_QUANTILE && s->qtype == 1;
  x.out = zs_col_push(L, keep_type ? x.c->type : ZS_FLOAT, G, 0);
  int parts = zs_threads_for_L(L, g->n);
  zs_parallel_L(L, G, G >= parts ? parts : 1, quantile_body, &x);
  zs_release_scratch_at(L, -2); /* the gathered values and their offsets */
  zs_release_scratch_at(L, -3);
  lua_replace(L, -3);
  lua_pop(L, 1);
}

/* ---- min, max, first, last, nunique ----------------------------------------------- */

/* min and max by value, typed: each part keeps its best value per group
 * (exact, so any split gives the same answer) */
typedef struct {
  const int32_t *gid;
  const zs_col *c;
  int64_t G;
  int max;
  void *best;  /* parts x G values of the column's width; NA = none yet */
} extreme_ctx;

#define EXTREME_LOOP(T, NA_TEST, BETTER)                                      \
  {                                                                           \
    const T *v = x->c->data;                                                  \
    T *best = (T *)x->best + (int64_t)part * x->G;                            \
    for (int64_t i = from; i < to; i++) {                                     \
      T a = v[i];                                                             \
      if (NA_TEST(a)) continue;                                               \
      T *b = &best[x->gid[i]];                                                \
      if (NA_TEST(*b) || BETTER(a, *b)) *b = a;                               \
    }                                                                         \
  }
#define ISNA_I(a) ((a) == ZS_NA_INT)
#define ISNA_F(a) isnan(a)
#define ISNA_D(a) ((a) == ZS_NA_DATE)
#define ISNA_B(a) ((a) < 0)
#define MORE(a, b) ((a) > (b))
#define LESS(a, b) ((a) < (b))
#define SMORE(a, b) (rank[a] > rank[b])
#define SLESS(a, b) (rank[a] < rank[b])

static void extreme_body(void *arg, int64_t from, int64_t to, int part) {
  extreme_ctx *x = arg;
  const int32_t *rank = x->c->type == ZS_STR ? x->c->dict->rank : NULL;
  switch (x->c->type) {
  case ZS_INT: if (x->max) EXTREME_LOOP(int64_t, ISNA_I, MORE) else EXTREME_LOOP(int64_t, ISNA_I, LESS) break;
  case ZS_FLOAT: if (x->max) EXTREME_LOOP(double, ISNA_F, MORE) else EXTREME_LOOP(double, ISNA_F, LESS) break;
  case ZS_DATE: if (x->max) EXTREME_LOOP(int32_t, ISNA_D, MORE) else EXTREME_LOOP(int32_t, ISNA_D, LESS) break;
  case ZS_BOOL: if (x->max) EXTREME_LOOP(int8_t, ISNA_B, MORE) else EXTREME_LOOP(int8_t, ISNA_B, LESS) break;
  default: if (x->max) EXTREME_LOOP(int32_t, ISNA_B, SMORE) else EXTREME_LOOP(int32_t, ISNA_B, SLESS) break;
  }
}

static int extreme_better(const zs_col *c, const void *data, int64_t a, int64_t b, int max) {
  int cmp;
  switch (c->type) {
  case ZS_INT: { int64_t x = ((const int64_t *)data)[a], y = ((const int64_t *)data)[b]; cmp = (x > y) - (x < y); break; }
  case ZS_FLOAT: { double x = ((const double *)data)[a], y = ((const double *)data)[b]; cmp = (x > y) - (x < y); break; }
  case ZS_DATE: { int32_t x = ((const int32_t *)data)[a], y = ((const int32_t *)data)[b]; cmp = (x > y) - (x < y); break; }
  case ZS_BOOL: { int8_t x = ((const int8_t *)data)[a], y = ((const int8_t *)data)[b]; cmp = (x > y) - (x < y); break; }
  default: {
    const int32_t *rank = c->dict->rank;
    int32_t x = rank[((const int32_t *)data)[a]], y = rank[((const int32_t *)data)[b]];
    cmp = (x > y) - (x < y);
  }
  }
  return max ? cmp > 0 : cmp < 0;
}

static void k_extreme(lua_State *L, zs_groups *g, const spec *s, int cidx) {
  int64_t G = g->ngroups, n = g->n;
  zs_col *c = s->col;
  if (c->type == ZS_STR && c->dict->n && !zs_dict_rank(c->dict)) luaL_error(L, "not enough memory");
  int parts = zs_threads_for_L(L, n);
  if ((int64_t)parts * G > n / 2) parts = 1;
  zs_col *out;
  if (c->type == ZS_STR) {
    zs_col_push_dict(L, cidx);
    out = zs_col_push(L, ZS_STR, G * parts, -1);
    lua_remove(L, -2);
  } else {
    out = zs_col_push(L, c->type, G * parts, 0);
  }
  for (int64_t k = 0; k < G * parts; k++) zs_col_set_na(out, k);
  extreme_ctx x = {zs_group_gid(L, g), c, G, s->op == OP_MAX, out->data};
  if (n > 0 && G > 0) zs_parallel_L(L, n, parts, extreme_body, &x); /* (no rows: the data may be NULL) */
  /* merge the parts into the first G slots, then drop the rest */
  size_t w = zs_type_width(c->type);
  for (int p = 1; p < parts; p++)
    for (int64_t k = 0; k < G; k++) {
      int64_t o = (int64_t)p * G + k;
      if (zs_col_isna(out, o)) continue;
      if (zs_col_isna(out, k) || extreme_better(c, out->data, o, k, x.max))
        memcpy((char *)out->data + (size_t)k * w, (char *)out->data + (size_t)o * w, w);
    }
  zs_col_resize(L, out, G);
}

/* the row holding each group's first/last non-NA value, or -1 */
/* the row holding each group's first/last non-NA value, or -1 */
static void k_pick(lua_State *L, zs_groups *g, const spec *s, int cidx) {
  int64_t G = g->ngroups, n = g->n;
  const int32_t *gid = zs_group_gid(L, g);
  zs_col *c = s->col;
  int64_t *row = scratch(L, (size_t)G, sizeof(int64_t));
  for (int64_t k = 0; k < G; k++) row[k] = -1;
  for (int64_t i = 0; i < n; i++) {
    if (zs_col_isna(c, i)) continue;
    int32_t k = gid[i];
    if (s->op == OP_LAST || row[k] < 0) row[k] = i;
  }
  zs_col_take(L, cidx, row, G);
  lua_remove(L, -2);
}

static void k_nunique(lua_State *L, zs_groups *g, const spec *s) {
  int64_t G = g->ngroups, n = g->n;
  const int32_t *gid = zs_group_gid(L, g);
  uint64_t *keys = scratch(L, (size_t)n, sizeof(uint64_t));
  zs_sort_keys(L, s->col, 0, keys);
  uint64_t nslots = 16;
  while (nslots < (uint64_t)n * 2) nslots <<= 1;
  int64_t *slot = scratch(L, (size_t)nslots, sizeof(int64_t)); /* row of a distinct (group, key) */
  memset(slot, 0xff, nslots * sizeof(int64_t));
  zs_col *out = zs_col_push(L, ZS_INT, G, 0);
  int64_t *cnt = out->data;
  if (G > 0) memset(cnt, 0, (size_t)G * sizeof *cnt); /* (no groups: cnt may be NULL) */
  for (int64_t i = 0; i < n; i++) {
    uint64_t k = keys[i];
    if (k == UINT64_MAX) continue;
    uint64_t h = (k ^ ((uint64_t)(uint32_t)gid[i] * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
    uint64_t sl = h & (nslots - 1);
    for (;;) {
      int64_t r = slot[sl];
      if (r < 0) { slot[sl] = i; cnt[gid[i]]++; break; }
      if (keys[r] == k && gid[r] == gid[i]) break;
      sl = (sl + 1) & (nslots - 1);
    }
  }
  lua_replace(L, -3);
  lua_pop(L, 1);
}

/* ---- corr ------------------------------------------------------------------------ */

/* sab / √(saa·sbb) (saa, sbb > 0): one square root of the product, so that
 * r is exactly ±1 on a line more often; √saa·√sbb when the product
 * overflows or underflows */
static double corr_of(double sab, double saa, double sbb) {
  double p = saa * sbb;
  return isfinite(p) && p >= DBL_MIN ? sab / sqrt(p) : sab / sqrt(saa) / sqrt(sbb);
}

static void k_corr(lua_State *L, zs_groups *g, const spec *s) {
  int64_t G = g->ngroups;
  imoments_ctx ix;
  if (imoments(L, g, s->col, s->col2, &ix)) {
    zs_col *out = zs_col_push(L, ZS_FLOAT, G, 0);
    double *r = out->data;
    for (int64_t k = 0; k < G; k++) {
      const __int128 *m = ix.acc + k * IW;
      __int128 sab = m[I_N] * m[I_AB] - m[I_A] * m[I_B];
      __int128 saa = scaled_m2(m, I_AA, I_A), sbb = scaled_m2(m, I_BB, I_B);
      if (m[I_N] < 2 || saa <= 0 || sbb <= 0) { r[k] = NAN; continue; }
      double v = corr_of((double)sab, (double)saa, (double)sbb);
      r[k] = (double)(v > 1 ? 1 : v < -1 ? -1 : v);
    }
    lua_remove(L, -2);
    return;
  }
  /* floats, booleans, ints beyond 2^31 or mixed with floats: the pairwise
   * means, then the deviations from them (ints: from the integer nearest
   * the exact mean), corrected by the sums of deviations */
  int ai = s->col->type == ZS_INT, bi = s->col2->type == ZS_INT;
  moments_ctx x;
  memset(&x, 0, sizeof x);
  x.a = s->col;
  x.b = s->col2;
  x.means = 1;
  moments(L, g, &x); /* n, Σa, Σb */
  double *mean = scratch(L, (size_t)G, 3 * sizeof(double) + 2 * sizeof(int64_t));
  double *mb = mean + G, *cnt = mean + 2 * G;
  int64_t *ia = (int64_t *)(mean + 3 * G), *ib = ia + G;
  for (int64_t k = 0; k < G; k++) {
    const double *m = x.acc + k * MW2;
    cnt[k] = m[M_N];
    mean[k] = mb[k] = 0;
    ia[k] = ib[k] = 0;
    if (cnt[k] == 0) continue;
    if (ai) ia[k] = nearest_mean(get128(&m[M_A]), (int64_t)cnt[k]);
    else mean[k] = neumaier_total(m[M_A], m[M_AC]) / cnt[k];
    if (bi) ib[k] = nearest_mean(get128(&m[M_B]), (int64_t)cnt[k]);
    else mb[k] = neumaier_total(m[M_B], m[M_BC]) / cnt[k];
  }
  moments_ctx y;
  memset(&y, 0, sizeof y);
  y.a = s->col;
  y.b = s->col2;
  y.ma = mean;
  y.mb = mb;
  y.ia = ia;
  y.ib = ib;
  moments(L, g, &y); /* deviations */
  zs_col *out = zs_col_push(L, ZS_FLOAT, G, 0);
  double *r = out->data;
  for (int64_t k = 0; k < G; k++) {
    const double *m = y.acc + k * MW2;
    r[k] = NAN;
    if (cnt[k] < 2) continue;
    /* a constant column (saa or sbb exactly 0), an infinite value (NaN), or
     * deviations whose squares overflow: NA */
    double saa = dev_m2(m, cnt[k], 1), sbb = dev_m2(m, cnt[k], 0);
    double sab = neumaier_total(m[M_AB], m[M_ABC]) - m[M_N] * m[M_DB] / cnt[k];
    if (!(saa > 0 && sbb > 0 && isfinite(saa) && isfinite(sbb) && isfinite(sab))) continue;
    double v = corr_of(sab, saa, sbb);
    r[k] = v > 1 ? 1 : v < -1 ? -1 : v;
  }
  lua_replace(L, -4);
  lua_pop(L, 2);
}

/* ---- m2merge: the m2 of a union of cells (cubes) ----------------------------------- */

/* Cells, each with its count n, sum and m2, merged by Chan et al.'s
 * formula: m2 = Σ m2ᵢ + Σ nᵢ (meanᵢ − mean)², mean = Σ sumᵢ / Σ nᵢ, over the
 * cells with nᵢ > 0 (compensated, in row order; int sums exact).  NA when
 * no cell has a value, or when a cell with values has no m2 or sum (an
 * infinite value: NaN is NA, so an aggregate that skips NA would silently
 * leave that cell out). */
static void k_m2merge(lua_State *L, zs_groups *g, const spec *s) {
  int64_t G = g->ngroups, n = g->n;
  const int32_t *gid = zs_group_gid(L, g);
  const int64_t *cn = s->col->data;
  const zs_col *cs = s->col2, *cm = s->col3;
  int int_sums = cs->type != ZS_FLOAT;
  __int128 *isum = scratch(L, (size_t)G, sizeof(__int128) + 4 * sizeof(double) + sizeof(int64_t));
  double *fsum = (double *)(isum + G), *fcomp = fsum + G, *acc = fcomp + G, *accc = acc + G;
  int64_t *N = (int64_t *)(accc + G);
  for (int64_t k = 0; k < G; k++) {
    isum[k] = 0;
    fsum[k] = fcomp[k] = acc[k] = accc[k] = 0;
    N[k] = 0;
  }
  for (int64_t i = 0; i < n; i++) {
    int64_t c = cn[i];
    if (c == ZS_NA_INT || c <= 0) continue;
    int32_t k = gid[i];
    if (__builtin_add_overflow(N[k], c, &N[k])) luaL_error(L, "integer overflow: a count does not fit in int64");
    if (zs_col_isna(cs, i)) acc[k] = NAN; /* a cell with values and no sum */
    else if (cs->type == ZS_INT) isum[k] += ((const int64_t *)cs->data)[i];
    else if (cs->type == ZS_BOOL) isum[k] += ((const int8_t *)cs->data)[i];
    else neumaier(&fsum[k], &fcomp[k], ((const double *)cs->data)[i]);
  }
  for (int64_t k = 0; k < G; k++) /* fsum becomes the mean */
    fsum[k] = N[k] == 0 ? NAN : int_sums ? zs_mean128(isum[k], N[k]) : neumaier_total(fsum[k], fcomp[k]) / (double)N[k];
  for (int64_t i = 0; i < n; i++) {
    int64_t c = cn[i];
    if (c == ZS_NA_INT || c <= 0) continue;
    int32_t k = gid[i];
    double sum = num_at(cs, i), m2 = num_at(cm, i);
    double d = sum / (double)c - fsum[k];
    neumaier(&acc[k], &accc[k], m2 + (double)c * d * d); /* NaN (no m2, an infinite value) stays */
  }
  zs_col *out = zs_col_push(L, ZS_FLOAT, G, 0);
  double *v = out->data;
  for (int64_t k = 0; k < G; k++) v[k] = N[k] == 0 ? NAN : neumaier_total(acc[k], accc[k]);
  drop_scratch_under(L);
}

/* ---- top k (long format) --------------------------------------------------------------- */

/* Rows of the k largest non-NA values of each group, largest first (ties
 * in row order).  Rows are cut into parts; each part keeps, per group, its
 * best k as (descending sort key, row) in order, and the parts' lists are
 * merged in part order, so the answer is the same for any cut. */
typedef struct {
  const int32_t *gid;
  const zs_col *c;
  const int32_t *rank;
  int64_t G, K;
  uint64_t *bkey; /* parts x G x K: kept keys, best first */
  int64_t *brow;  /* parts x G x K: their rows */
  int64_t *bcnt;  /* parts x G: how many kept */
} top_ctx;

static void top_body(void *arg, int64_t from, int64_t to, int part) {
  top_ctx *x = arg;
  int64_t G = x->G, K = x->K;
  uint64_t *bkey = x->bkey + (int64_t)part * G * K;
  int64_t *brow = x->brow + (int64_t)part * G * K, *cnt = x->bcnt + (int64_t)part * G;
  memset(cnt, 0, (size_t)G * sizeof *cnt);
  uint64_t keys[KEY_BLOCK];
  for (int64_t b = from; b < to; b += KEY_BLOCK) {
    int64_t e = to - b > KEY_BLOCK ? b + KEY_BLOCK : to;
    zs_sort_keys_range(x->c, x->rank, 1, b, e, keys); /* descending: smaller key = larger value */
    for (int64_t i = b; i < e; i++) {
      uint64_t key = keys[i - b];
      if (key == UINT64_MAX) continue;
      int32_t k = x->gid[i];
      uint64_t *bk = bkey + (int64_t)k * K;
      int64_t *br = brow + (int64_t)k * K, m = cnt[k];
      if (m == K && bk[m - 1] <= key) continue; /* not better than the worst kept (ties: earlier row wins) */
      int64_t at = m < K ? m : K - 1;
      while (at > 0 && bk[at - 1] > key) {
        bk[at] = bk[at - 1];
        br[at] = br[at - 1];
        at--;
      }
      bk[at] = key;
      br[at] = i;
      if (m < K) cnt[k]++;
    }
  }
}

/* Top k by sorting, for a k that is large (the lists above would cost up
 * to k moves a row) or large against the groups (G·k lists beyond n
 * entries; k = math.maxinteger gives whole groups): the non-NA rows sorted
 * by value, largest first, stably (ties in row order), then dealt to their
 * groups, at most k each.  O(n) passes, O(n) memory.  Pushes one scratch
 * (rows, then groups) as k_top_rows does. */
static int64_t top_rows_sorted(lua_State *L, zs_groups *g, const spec *s, int64_t **rows_out, int64_t **groups_out) {
  int64_t G = g->ngroups, n = g->n, K = s->k;
  const int32_t *gid = zs_group_gid(L, g);
  uint64_t *keys = scratch(L, (size_t)n, 4 * sizeof(uint64_t));
  int64_t *vals = (int64_t *)(keys + n), *tmpv = vals + n;
  uint64_t *tmpk = (uint64_t *)(tmpv + n);
  if (n > 0) zs_sort_keys(L, s->col, 1, keys); /* descending: smaller key = larger value; NA last */
  int64_t m = 0;
  for (int64_t i = 0; i < n; i++)
    if (keys[i] != UINT64_MAX) {
      keys[m] = keys[i];
      vals[m++] = i;
    }
  zs_radix_sort_pairs(keys, vals, tmpk, tmpv, m);
  int64_t *at = scratch(L, (size_t)G + 1, 2 * sizeof(int64_t)), *taken = at + G + 1;
  memset(at, 0, ((size_t)G + 1) * sizeof(int64_t));
  for (int64_t j = 0; j < m; j++) at[gid[vals[j]] + 1]++;
  int64_t total = 0;
  for (int64_t k = 0; k < G; k++) {
    int64_t have = at[k + 1] < K ? at[k + 1] : K;
    at[k] = total;
    taken[k] = 0;
    total += have;
  }
  int64_t *rows = scratch(L, (size_t)total, 2 * sizeof(int64_t));
  int64_t *grp = rows + total;
  for (int64_t j = 0; j < m; j++) {
    int64_t row = vals[j];
    int32_t k = gid[row];
    if (taken[k] < K) {
      rows[at[k] + taken[k]] = row;
      grp[at[k] + taken[k]++] = k;
    }
  }
  lua_replace(L, -3); /* keep rows where the keys were */
  lua_pop(L, 1);
  *rows_out = rows;
  *groups_out = grp;
  return total;
}

/* the largest k for which the per-part lists of top_body are worth it */
enum { TOP_LIST_MAX = 16 };

/* Pushes an int64 scratch of rows and returns their count; groups[j] gets
 * the group of output row j. */
static int64_t k_top_rows(lua_State *L, zs_groups *g, const spec *s, int64_t **rows_out, int64_t **groups_out) {
  int64_t G = g->ngroups, n = g->n, K = s->k, lists_len;
  if (K > TOP_LIST_MAX || __builtin_mul_overflow(G, K, &lists_len) || lists_len > n)
    return top_rows_sorted(L, g, s, rows_out, groups_out);
  top_ctx x;
  x.gid = zs_group_gid(L, g);
  x.c = s->col;
  x.rank = zs_sort_rank(L, s->col);
  x.G = G;
  x.K = K;
  int parts = zs_threads_for_L(L, n);
  if (K == 0 || (int64_t)parts * lists_len > n) parts = 1; /* the parts' lists stay within n entries (G·K <= n) */
  size_t lists = zs_mulsize(L, zs_mulsize(L, (size_t)parts, (size_t)G), (size_t)(K ? K : 1));
  x.bkey = scratch(L, lists, sizeof(uint64_t) + sizeof(int64_t));
  x.brow = (int64_t *)(x.bkey + lists);
  x.bcnt = scratch(L, zs_mulsize(L, (size_t)parts, (size_t)G), sizeof(int64_t));
  if (K > 0) zs_parallel_L(L, n, parts, top_body, &x);
  else memset(x.bcnt, 0, (size_t)parts * (size_t)G * sizeof(int64_t));
  /* per group: the best K of the parts' lists, merged in part order */
  int64_t total = 0;
  for (int64_t k = 0; k < G; k++) {
    int64_t have = 0;
    for (int p = 0; p < parts; p++) have += x.bcnt[(int64_t)p * G + k];
    total += have < K ? have : K;
  }
  int64_t *rows = scratch(L, (size_t)total, 2 * sizeof(int64_t));
  int64_t *grp = rows + total, j = 0;
  int64_t at[64];
  for (int64_t k = 0; k < G; k++) {
    for (int p = 0; p < parts; p++) at[p] = 0;
    for (int64_t m = 0; m < K; m++) {
      int best = -1;
      uint64_t bk = 0;
      for (int p = 0; p < parts; p++) {
        int64_t base = ((int64_t)p * G + k) * K;
        if (at[p] >= x.bcnt[(int64_t)p * G + k]) continue;
        uint64_t key = x.bkey[base + at[p]];
        if (best < 0 || key < bk) { best = p; bk = key; } /* ties: the earlier part (rows) wins */
      }
      if (best < 0) break;
      rows[j] = x.brow[((int64_t)best * G + k) * K + at[best]++];
      grp[j++] = k;
    }
  }
  lua_replace(L, -3); /* keep rows where the lists were */
  lua_pop(L, 1);
  *rows_out = rows;
  *groups_out = grp;
  return total;
}

/* ---- core.group_agg ------------------------------------------------------------------- */

static void check_spec_types(lua_State *L, const spec *s) {
  const zs_col *c = s->col;
  switch (s->op) {
  case OP_SUM: case OP_MEAN: case OP_VAR: case OP_SD: case OP_SHARE: case OP_M2:
  case OP_MEDIAN: case OP_QUANTILE: case OP_CORR:
    if (!is_numeric(c) || (s->col2 && !is_numeric(s->col2)))
      luaL_error(L, "%s is not defined for a %s column", op_names[s->op],
                 zs_type_names[is_numeric(c) ? s->col2->type : c->type]);
    break;
  case OP_M2MERGE:
    if (c->type != ZS_INT || !is_numeric(s->col2) || !is_numeric(s->col3))
      luaL_error(L, "m2merge needs an int count and numeric sum and m2 columns");
    break;
  default: break;
  }
}

/* read spec table at index idx of frame fidx */
static void read_spec(lua_State *L, int fidx, int idx, spec *s) {
  zs_frame *f = zs_frame_check(L, fidx);
  memset(s, 0, sizeof *s);
  lua_getfield(L, idx, "op");
  s->op = (agg_op)luaL_checkoption(L, -1, NULL, op_names);
  lua_pop(L, 1);
  lua_getfield(L, idx, "name");
  s->name = lua_tostring(L, -1);
  lua_pop(L, 1); /* kept alive by the spec table */
  if (!s->name) luaL_error(L, "aggregate without a name");
  if (lua_getfield(L, idx, "col") == LUA_TSTRING) {
    int j = zs_frame_find(L, fidx, lua_tostring(L, -1));
    if (j < 0) luaL_error(L, "%s: no column named '%s'", op_names[s->op], lua_tostring(L, -1));
    s->col = f->cols[j];
  } else if (s->op != OP_COUNT) {
    luaL_error(L, "%s needs a column name", op_names[s->op]);
  }
  lua_pop(L, 1);
  if (lua_getfield(L, idx, "col2") == LUA_TSTRING) {
    int j = zs_frame_find(L, fidx, lua_tostring(L, -1));
    if (j < 0) luaL_error(L, "%s: no column named '%s'", op_names[s->op], lua_tostring(L, -1));
    s->col2 = f->cols[j];
  } else if (s->op == OP_CORR) {
    luaL_error(L, "corr needs two column names");
  } else if (s->op == OP_M2MERGE) {
    luaL_error(L, "m2merge needs three column names");
  }
  lua_pop(L, 1);
  if (s->op == OP_M2MERGE) {
    if (lua_getfield(L, idx, "col3") != LUA_TSTRING) luaL_error(L, "m2merge needs three column names");
    int j = zs_frame_find(L, fidx, lua_tostring(L, -1));
    if (j < 0) luaL_error(L, "%s: no column named '%s'", op_names[s->op], lua_tostring(L, -1));
    s->col3 = f->cols[j];
    lua_pop(L, 1);
  }
  lua_getfield(L, idx, "p");
  s->p = luaL_optnumber(L, -1, 0.5);
  lua_pop(L, 1);
  if (!(s->p >= 0 && s->p <= 1)) luaL_error(L, "quantile: p must be between 0 and 1");
  lua_getfield(L, idx, "type");
  s->qtype = (int)luaL_optinteger(L, -1, 7);
  lua_pop(L, 1);
  if (s->qtype != 1 && s->qtype != 7) luaL_error(L, "quantile: type must be 7 or 1");
  lua_getfield(L, idx, "k");
  s->k = luaL_optinteger(L, -1, 1);
  lua_pop(L, 1);
  if (s->op == OP_TOP && s->k < 1) luaL_error(L, "top: k must be at least 1");
  check_spec_types(L, s);
}

/* Push the column of spec s over groups g (frame at fidx). */
static void run_spec(lua_State *L, zs_groups *g, const spec *s, int fidx) {
  switch (s->op) {
  case OP_COUNT: k_count(L, g, s); break;
  case OP_SUM: k_sum(L, g, s); break;
  case OP_MEAN: k_mean(L, g, s); break;
  case OP_SHARE: k_share(L, g, s); break;
  case OP_VAR: k_var(L, g, s, VAR); break;
  case OP_SD: k_var(L, g, s, SD); break;
  case OP_M2: k_var(L, g, s, M2); break;
  case OP_M2MERGE: k_m2merge(L, g, s); break;
  case OP_MEDIAN: case OP_QUANTILE: k_quantile(L, g, s); break;
  case OP_NUNIQUE: k_nunique(L, g, s); break;
  case OP_CORR: k_corr(L, g, s); break;
  case OP_MIN: case OP_MAX: case OP_FIRST: case OP_LAST: {
    /* find the column's userdata to share its dictionary */
    zs_frame *f = zs_frame_check(L, fidx);
    int j = 0;
    while (f->cols[j] != s->col) j++;
    zs_frame_push_column(L, fidx, j);
    if (s->op == OP_MIN || s->op == OP_MAX) k_extreme(L, g, s, lua_gettop(L));
    else k_pick(L, g, s, lua_gettop(L));
    lua_remove(L, -2);
    break;
  }
  default: luaL_error(L, "top must be the only aggregate of its call");
  }
}

/* free a Groups' arrays now (its __gc, called early) */
static int groups_release(lua_State *L) {
  lua_getmetatable(L, 1);
  lua_getfield(L, -1, "__gc");
  lua_pushvalue(L, 1);
  lua_call(L, 1, 0);
  return 0;
}

/* c:sum(), c:mean(), c:var(), c:sd() of the Column at cidx: the kernels of
 * group_agg over one group of all rows (so the same number as f:agg(zs.sum
 * ...) and friends, with no group ids made).  Pushes the value, nil when
 * there is none. */
void zs_agg_column(lua_State *L, int cidx, const char *op) {
  cidx = lua_absindex(L, cidx);
  zs_col *c = zs_col_check(L, cidx);
  spec s;
  memset(&s, 0, sizeof s);
  s.op = OP_N;
  for (int i = 0; op_names[i]; i++)
    if (strcmp(op_names[i], op) == 0) s.op = (agg_op)i;
  s.col = c;
  s.name = op;
  s.k = 1;
  s.p = 0.5;
  s.qtype = 7;
  if (s.op != OP_SUM && s.op != OP_MEAN && s.op != OP_VAR && s.op != OP_SD)
    luaL_error(L, "zs_agg_column: no such aggregate '%s'", op);
  check_spec_types(L, &s);
  int top = lua_gettop(L);
  zs_groups *g = zs_group_rows(L, NULL, 0, c->n, 1, 0);
  switch (s.op) {
  case OP_SUM: k_sum(L, g, &s); break;
  case OP_MEAN: k_mean(L, g, &s); break;
  case OP_VAR: k_var(L, g, &s, VAR); break;
  default: k_var(L, g, &s, SD); break;
  }
  zs_col_push_value(L, zs_col_check(L, -1), 0);
  lua_replace(L, top + 1);
  zs_release_scratch(L, top + 2);
  lua_settop(L, top + 1);
}

/* core.group_agg(f, {key, ...}, sort, {spec, ...}) -> frame: the keys, then
 * one column per spec; a spec with op "top" must be alone (long format). */
static int l_group_agg(lua_State *L) {
  zs_frame *f = zs_frame_check(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  int sort = lua_toboolean(L, 3);
  luaL_checktype(L, 4, LUA_TTABLE);
  lua_settop(L, 4);
  int nk = (int)lua_rawlen(L, 2), ns = (int)lua_rawlen(L, 4);
  zs_col **keys = scratch(L, (size_t)nk + 1, sizeof(zs_col *)); /* 5 */
  int *keypos = scratch(L, (size_t)nk + 1, sizeof(int));        /* 6 */
  for (int k = 0; k < nk; k++) {
    lua_rawgeti(L, 2, k + 1);
    const char *name = lua_tostring(L, -1);
    int j = name ? zs_frame_find(L, 1, name) : -1;
    if (j < 0) luaL_error(L, "group_by: no column named '%s'", name ? name : "?");
    keys[k] = f->cols[j];
    keypos[k] = j;
    lua_pop(L, 1);
  }
  spec *specs = scratch(L, (size_t)ns + 1, sizeof(spec)); /* 7 */
  for (int k = 0; k < ns; k++) {
    lua_rawgeti(L, 4, k + 1);
    luaL_checktype(L, -1, LUA_TTABLE);
    read_spec(L, 1, lua_gettop(L), &specs[k]);
    lua_pop(L, 1);
  }
  int has_top = 0;
  for (int k = 0; k < ns; k++) has_top |= specs[k].op == OP_TOP;
  if (has_top && ns != 1) luaL_error(L, "top must be the only aggregate of its call (it returns several rows per group)");
  int all_sums = !has_top;
  for (int k = 0; k < ns; k++) all_sums &= is_sums_op(specs[k].op);
  zs_groups *g = zs_group_rows(L, keys, nk, f->nrow, sort, all_sums); /* 8: fuse_sums handles key-read groups */
  int64_t *rows = NULL, *grp = NULL, nout = g->ngroups;
  if (has_top) nout = k_top_rows(L, g, &specs[0], &rows, &grp); /* 9: rows */
  else fuse_sums(L, g, specs, ns);
  luaL_checkstack(L, 2 * (nk + ns) + 8, "too many columns");
  int base = lua_gettop(L);
  int64_t *krows = rows;
  if (has_top) { /* key rows: the first row of each output row's group */
    krows = scratch(L, (size_t)nout, sizeof(int64_t));
    const int64_t *first = zs_group_first(L, g);
    for (int64_t j = 0; j < nout; j++) krows[j] = first[grp[j]];
    base++;
  }
  if (has_top) {
    for (int k = 0; k < nk; k++) {
      zs_frame_push_name(L, 1, keypos[k]);
      zs_frame_push_column(L, 1, keypos[k]);
      zs_col_take(L, -1, krows, nout);
      lua_remove(L, -2);
    }
  } else {
    /* the key columns, decoded from the groups; then names interleaved */
    int *colidx = scratch(L, (size_t)nk + 1, sizeof(int));
    int cbase = lua_gettop(L);
    for (int k = 0; k < nk; k++) {
      zs_frame_push_column(L, 1, keypos[k]);
      colidx[k] = cbase + 1 + k;
    }
    zs_group_key_columns(L, g, colidx);
    zs_group_drop_keys(L, g);
    for (int k = 0; k < nk; k++) {
      zs_frame_push_name(L, 1, keypos[k]);
      lua_pushvalue(L, cbase + nk + 1 + k);
    }
    /* drop the source columns and decoded copies below the pairs */
    for (int k = 0; k < 2 * nk; k++) lua_remove(L, cbase + 1);
    lua_remove(L, cbase); /* colidx */
  }
  for (int k = 0; k < ns; k++) {
    lua_pushstring(L, specs[k].name);
    if (has_top) {
      zs_col *c = specs[k].col;
      zs_frame *ff = zs_frame_check(L, 1);
      int j = 0;
      while (ff->cols[j] != c) j++;
      zs_frame_push_column(L, 1, j);
      zs_col_take(L, -1, rows, nout);
      lua_remove(L, -2);
    } else {
      run_spec(L, g, &specs[k], 1);
    }
  }
  zs_frame_build(L, nk + ns);
  lua_replace(L, 5);
  /* give the scratch (and the groups' arrays) back before returning */
  zs_release_scratch(L, 6);
  lua_pushcfunction(L, groups_release);
  lua_pushvalue(L, 8);
  lua_call(L, 1, 0);
  lua_settop(L, 5);
  (void)base;
  return 1;
}

/* core.group_ids(f, {key, ...}, sort) -> int Column of 1-based group ids per
 * row, and the number of groups */
static int l_group_ids(lua_State *L) {
  zs_frame *f = zs_frame_check(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  int sort = lua_toboolean(L, 3);
  int nk = (int)lua_rawlen(L, 2);
  zs_col **keys = scratch(L, (size_t)nk + 1, sizeof(zs_col *));
  for (int k = 0; k < nk; k++) {
    lua_rawgeti(L, 2, k + 1);
    const char *name = lua_tostring(L, -1);
    int j = name ? zs_frame_find(L, 1, name) : -1;
    if (j < 0) luaL_error(L, "no column named '%s'", name ? name : "?");
    keys[k] = f->cols[j];
    lua_pop(L, 1);
  }
  zs_groups *g = zs_group_rows(L, keys, nk, f->nrow, sort, 0);
  zs_col *out = zs_col_push(L, ZS_INT, f->nrow, 0);
  int64_t *ids = out->data;
  const int32_t *gid = zs_group_gid(L, g);
  for (int64_t i = 0; i < f->nrow; i++) ids[i] = (int64_t)gid[i] + 1;
  lua_pushinteger(L, g->ngroups);
  return 2;
}

void zs_agg_open(lua_State *L) {
  static const luaL_Reg fns[] = {{"group_agg", l_group_agg}, {"group_ids", l_group_ids}, {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
}

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
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zs.h"
#include "group.h"

typedef enum {
  OP_COUNT, OP_SUM, OP_MEAN, OP_MIN, OP_MAX, OP_VAR, OP_SD, OP_MEDIAN, OP_QUANTILE,
  OP_NUNIQUE, OP_FIRST, OP_LAST, OP_CORR, OP_TOP, OP_SHARE, OP_M2, OP_N
} agg_op;

static const char *const op_names[] = {
  "count", "sum", "mean", "min", "max", "var", "sd", "median", "quantile",
  "nunique", "first", "last", "corr", "top", "share", "m2", NULL};

typedef struct {
  agg_op op;
  zs_col *col, *col2;  /* col NULL: count() of rows */
  int cidx;            /* stack index of col's Column (for str dictionaries) */
  const char *name;
  double p;
  int qtype;
  int64_t k;
} spec;

static void *scratch(lua_State *L, size_t n, size_t size) { return zs_scratch(L, n, size); }

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

/* ---- count, sum, mean, share ------------------------------------------------ */

static void k_count(const zs_groups *g, const spec *s, int64_t *out) {
  int64_t G = g->ngroups, n = g->n;
  const int32_t *gid = g->gid;
  memset(out, 0, (size_t)G * sizeof *out);
  if (!s->col) {
    for (int64_t i = 0; i < n; i++) out[gid[i]]++;
    return;
  }
  const zs_col *c = s->col;
  switch (c->type) {
  case ZS_FLOAT: {
    const double *x = c->data;
    for (int64_t i = 0; i < n; i++) out[gid[i]] += !isnan(x[i]);
    break;
  }
  case ZS_INT: {
    const int64_t *x = c->data;
    for (int64_t i = 0; i < n; i++) out[gid[i]] += x[i] != ZS_NA_INT;
    break;
  }
  default:
    for (int64_t i = 0; i < n; i++) out[gid[i]] += !zs_col_isna(c, i);
  }
}

/* float sums per group (compensated); cnt gets the non-NA counts */
static void float_sums(lua_State *L, const zs_groups *g, const zs_col *c, double *sum, int64_t *cnt) {
  int64_t G = g->ngroups, n = g->n;
  const int32_t *gid = g->gid;
  double *comp = scratch(L, (size_t)G, sizeof(double));
  memset(sum, 0, (size_t)G * sizeof *sum);
  memset(comp, 0, (size_t)G * sizeof *comp);
  memset(cnt, 0, (size_t)G * sizeof *cnt);
  if (c->type == ZS_FLOAT) {
    const double *x = c->data;
    for (int64_t i = 0; i < n; i++) {
      double v = x[i];
      if (isnan(v)) continue;
      int32_t k = gid[i];
      neumaier(&sum[k], &comp[k], v);
      cnt[k]++;
    }
  } else {
    for (int64_t i = 0; i < n; i++) {
      double v = num_at(c, i);
      if (isnan(v)) continue;
      int32_t k = gid[i];
      neumaier(&sum[k], &comp[k], v);
      cnt[k]++;
    }
  }
  for (int64_t k = 0; k < G; k++) sum[k] += comp[k];
  lua_pop(L, 1);
}

/* exact int sums per group; raises on overflow */
static void int_sums(lua_State *L, const zs_groups *g, const zs_col *c, int64_t *sum, int64_t *cnt) {
  int64_t G = g->ngroups, n = g->n;
  const int32_t *gid = g->gid;
  memset(sum, 0, (size_t)G * sizeof *sum);
  memset(cnt, 0, (size_t)G * sizeof *cnt);
  if (c->type == ZS_BOOL) {
    const int8_t *b = c->data;
    for (int64_t i = 0; i < n; i++)
      if (b[i] != ZS_NA_BOOL) { sum[gid[i]] += b[i]; cnt[gid[i]]++; }
    return;
  }
  const int64_t *x = c->data;
  int overflow = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t v = x[i];
    if (v == ZS_NA_INT) continue;
    int32_t k = gid[i];
    overflow |= __builtin_add_overflow(sum[k], v, &sum[k]);
    cnt[k]++;
  }
  for (int64_t k = 0; k < G && !overflow; k++) overflow = sum[k] == ZS_NA_INT;
  if (overflow) luaL_error(L, "integer overflow: a sum does not fit in int64");
}

static void k_sum(lua_State *L, const zs_groups *g, const spec *s) {
  int64_t G = g->ngroups;
  const zs_col *c = s->col;
  int64_t *cnt = scratch(L, (size_t)G, sizeof(int64_t));
  if (c->type == ZS_FLOAT) {
    zs_col *out = zs_col_push(L, ZS_FLOAT, G, 0);
    double *sum = out->data;
    float_sums(L, g, c, sum, cnt);
    for (int64_t k = 0; k < G; k++) if (!cnt[k]) sum[k] = NAN;
  } else {
    zs_col *out = zs_col_push(L, ZS_INT, G, 0);
    int64_t *sum = out->data;
    int_sums(L, g, c, sum, cnt);
    for (int64_t k = 0; k < G; k++) if (!cnt[k]) sum[k] = ZS_NA_INT;
  }
  lua_remove(L, -2);
}

/* group means into out (NaN where no value); cnt gets counts */
static void group_means(lua_State *L, const zs_groups *g, const zs_col *c, double *out, int64_t *cnt) {
  int64_t G = g->ngroups, n = g->n;
  if (c->type == ZS_INT) {
    const int32_t *gid = g->gid;
    __int128 *acc = scratch(L, (size_t)G, sizeof(__int128));
    memset(acc, 0, (size_t)G * sizeof *acc);
    memset(cnt, 0, (size_t)G * sizeof *cnt);
    const int64_t *x = c->data;
    for (int64_t i = 0; i < n; i++)
      if (x[i] != ZS_NA_INT) { acc[gid[i]] += x[i]; cnt[gid[i]]++; }
    for (int64_t k = 0; k < G; k++)
      out[k] = cnt[k] ? (double)((long double)acc[k] / (long double)cnt[k]) : NAN;
    lua_pop(L, 1);
  } else {
    float_sums(L, g, c, out, cnt);
    for (int64_t k = 0; k < G; k++) out[k] = cnt[k] ? out[k] / (double)cnt[k] : NAN;
  }
}

static void k_mean(lua_State *L, const zs_groups *g, const spec *s) {
  int64_t G = g->ngroups;
  int64_t *cnt = scratch(L, (size_t)G, sizeof(int64_t));
  zs_col *out = zs_col_push(L, ZS_FLOAT, G, 0);
  group_means(L, g, s->col, out->data, cnt);
  lua_remove(L, -2);
}

static void k_share(lua_State *L, const zs_groups *g, const spec *s) {
  int64_t G = g->ngroups;
  int64_t *cnt = scratch(L, (size_t)G, sizeof(int64_t));
  zs_col *out = zs_col_push(L, ZS_FLOAT, G, 0);
  double *v = out->data;
  if (s->col->type == ZS_FLOAT) {
    float_sums(L, g, s->col, v, cnt);
  } else {
    int64_t *isum = scratch(L, (size_t)G, sizeof(int64_t));
    int_sums(L, g, s->col, isum, cnt);
    for (int64_t k = 0; k < G; k++) v[k] = (double)isum[k];
    lua_pop(L, 1);
  }
  double total = 0, comp = 0;
  for (int64_t k = 0; k < G; k++) if (cnt[k]) neumaier(&total, &comp, v[k]);
  total += comp;
  for (int64_t k = 0; k < G; k++) v[k] = cnt[k] && total != 0 ? v[k] / total : NAN;
  lua_remove(L, -2);
}

/* ---- var, sd ------------------------------------------------------------------ */

enum { VAR, SD, M2 };

static void k_var(lua_State *L, const zs_groups *g, const spec *s, int what) {
  int64_t G = g->ngroups, n = g->n;
  const zs_col *c = s->col;
  const int32_t *gid = g->gid;
  int64_t *cnt = scratch(L, (size_t)G, sizeof(int64_t));
  double *mean = scratch(L, (size_t)G, sizeof(double));
  double *ss = scratch(L, (size_t)G, 3 * sizeof(double));
  double *ssc = ss + G, *dev = ss + 2 * G;
  group_means(L, g, c, mean, cnt);
  memset(ss, 0, (size_t)G * 3 * sizeof(double));
  for (int64_t i = 0; i < n; i++) {
    double x = num_at(c, i);
    if (isnan(x)) continue;
    int32_t k = gid[i];
    double d = x - mean[k];
    dev[k] += d;
    neumaier(&ss[k], &ssc[k], d * d);
  }
  zs_col *out = zs_col_push(L, ZS_FLOAT, G, 0);
  double *v = out->data;
  for (int64_t k = 0; k < G; k++) {
    if (cnt[k] < (what == M2 ? 1 : 2)) { v[k] = NAN; continue; }
    double m2 = ss[k] + ssc[k] - dev[k] * dev[k] / (double)cnt[k];
    if (m2 < 0) m2 = 0;
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

static void gather(lua_State *L, const zs_groups *g, zs_col *c, segments *sg) {
  int64_t G = g->ngroups, n = g->n;
  const int32_t *gid = g->gid;
  uint64_t *keys = scratch(L, (size_t)n, sizeof(uint64_t));
  zs_sort_keys(L, c, 0, keys);
  sg->off = scratch(L, (size_t)G + 1, sizeof(int64_t));
  memset(sg->off, 0, ((size_t)G + 1) * sizeof(int64_t));
  for (int64_t i = 0; i < n; i++) if (keys[i] != UINT64_MAX) sg->off[gid[i] + 1]++;
  for (int64_t k = 0; k < G; k++) sg->off[k + 1] += sg->off[k];
  int64_t *pos = scratch(L, (size_t)G, sizeof(int64_t));
  memcpy(pos, sg->off, (size_t)G * sizeof(int64_t));
  sg->val = scratch(L, (size_t)sg->off[G], sizeof(uint64_t));
  for (int64_t i = 0; i < n; i++) if (keys[i] != UINT64_MAX) sg->val[pos[gid[i]]++] = keys[i];
  /* leave off and val on the stack; drop keys and pos */
  lua_remove(L, -2);
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

/* value of a sort key as long double */
static long double key_value(zs_type t, uint64_t k) {
  switch (t) {
  case ZS_INT: return (long double)(int64_t)((k + 1) ^ 0x8000000000000000ULL);
  case ZS_FLOAT: {
    uint64_t b = (k & 0x8000000000000000ULL) ? k & ~0x8000000000000000ULL : ~k;
    double d;
    memcpy(&d, &b, 8);
    return d;
  }
  case ZS_BOOL: return (long double)k;
  default: return 0;
  }
}

static void k_quantile(lua_State *L, const zs_groups *g, const spec *s) {
  int64_t G = g->ngroups;
  zs_col *c = s->col;
  segments sg;
  gather(L, g, c, &sg);
  int keep_type = s->op == OP_QUANTILE && s->qtype == 1;
  zs_col *out = zs_col_push(L, keep_type ? c->type : ZS_FLOAT, G, 0);
  for (int64_t k = 0; k < G; k++) {
    int64_t m = sg.off[k + 1] - sg.off[k];
    uint64_t *v = sg.val + sg.off[k];
    if (m == 0) { zs_col_set_na(out, k); continue; }
    if (keep_type) { /* type 1: x[ceil(m p)] (1-based), at least the first */
      double np = (double)m * s->p; /* as R: a little fuzz against 10 * 0.9 > 9 */
      int64_t j = (int64_t)ceil(np - 4 * DBL_EPSILON * np);
      if (j < 1) j = 1;
      if (j > m) j = m;
      uint64_t key = select_kth(v, m, j - 1);
      long double x = key_value(c->type, key);
      if (c->type == ZS_INT) ((int64_t *)out->data)[k] = (int64_t)((key + 1) ^ 0x8000000000000000ULL);
      else if (c->type == ZS_BOOL) ((int8_t *)out->data)[k] = (int8_t)key;
      else ((double *)out->data)[k] = (double)x;
      continue;
    }
    long double h = (long double)(m - 1) * (s->op == OP_MEDIAN ? 0.5L : (long double)s->p);
    int64_t lo = (int64_t)floorl(h);
    if (lo > m - 1) lo = m - 1;
    long double frac = h - (long double)lo;
    long double a = key_value(c->type, select_kth(v, m, lo));
    long double r = a;
    if (frac > 0 && lo + 1 < m) {
      long double b = key_value(c->type, next_after(v, m, lo));
      r = s->op == OP_MEDIAN ? (a + b) / 2 : a + frac * (b - a);
    }
    ((double *)out->data)[k] = (double)r;
  }
  lua_replace(L, -3);
  lua_pop(L, 1);
}

/* ---- min, max, first, last, nunique ----------------------------------------------- */

/* the row holding each group's min/max/first/last non-NA value, or -1 */
static void k_pick(lua_State *L, const zs_groups *g, const spec *s, int cidx) {
  int64_t G = g->ngroups, n = g->n;
  const int32_t *gid = g->gid;
  zs_col *c = s->col;
  int64_t *row = scratch(L, (size_t)G, sizeof(int64_t));
  for (int64_t k = 0; k < G; k++) row[k] = -1;
  if (s->op == OP_FIRST || s->op == OP_LAST) {
    for (int64_t i = 0; i < n; i++) {
      if (zs_col_isna(c, i)) continue;
      int32_t k = gid[i];
      if (s->op == OP_LAST || row[k] < 0) row[k] = i;
    }
  } else {
    uint64_t *keys = scratch(L, (size_t)n, sizeof(uint64_t));
    zs_sort_keys(L, c, s->op == OP_MAX, keys);
    for (int64_t i = 0; i < n; i++) {
      if (keys[i] == UINT64_MAX) continue;
      int32_t k = gid[i];
      if (row[k] < 0 || keys[i] < keys[row[k]]) row[k] = i;
    }
    lua_pop(L, 1);
  }
  zs_col_take(L, cidx, row, G);
  lua_remove(L, -2);
}

static void k_nunique(lua_State *L, const zs_groups *g, const spec *s) {
  int64_t G = g->ngroups, n = g->n;
  const int32_t *gid = g->gid;
  uint64_t *keys = scratch(L, (size_t)n, sizeof(uint64_t));
  zs_sort_keys(L, s->col, 0, keys);
  uint64_t nslots = 16;
  while (nslots < (uint64_t)n * 2) nslots <<= 1;
  int64_t *slot = scratch(L, (size_t)nslots, sizeof(int64_t)); /* row of a distinct (group, key) */
  memset(slot, 0xff, nslots * sizeof(int64_t));
  zs_col *out = zs_col_push(L, ZS_INT, G, 0);
  int64_t *cnt = out->data;
  memset(cnt, 0, (size_t)G * sizeof *cnt);
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

static void k_corr(lua_State *L, const zs_groups *g, const spec *s) {
  int64_t G = g->ngroups, n = g->n;
  const int32_t *gid = g->gid;
  const zs_col *a = s->col, *b = s->col2;
  double *acc = scratch(L, (size_t)G, 9 * sizeof(double));
  memset(acc, 0, (size_t)G * 9 * sizeof(double));
  double *sa = acc, *ca = acc + G, *sb = acc + 2 * G, *cb = acc + 3 * G, *cnt = acc + 4 * G;
  double *sab = acc + 5 * G, *saa = acc + 6 * G, *sbb = acc + 7 * G, *scomp = acc + 8 * G;
  for (int64_t i = 0; i < n; i++) {
    double x = num_at(a, i), y = num_at(b, i);
    if (isnan(x) || isnan(y)) continue;
    int32_t k = gid[i];
    neumaier(&sa[k], &ca[k], x);
    neumaier(&sb[k], &cb[k], y);
    cnt[k] += 1;
  }
  for (int64_t k = 0; k < G; k++) {
    sa[k] = cnt[k] ? (sa[k] + ca[k]) / cnt[k] : 0; /* now means */
    sb[k] = cnt[k] ? (sb[k] + cb[k]) / cnt[k] : 0;
  }
  (void)scomp;
  for (int64_t i = 0; i < n; i++) {
    double x = num_at(a, i), y = num_at(b, i);
    if (isnan(x) || isnan(y)) continue;
    int32_t k = gid[i];
    double dx = x - sa[k], dy = y - sb[k];
    sab[k] += dx * dy;
    saa[k] += dx * dx;
    sbb[k] += dy * dy;
  }
  zs_col *out = zs_col_push(L, ZS_FLOAT, G, 0);
  double *r = out->data;
  for (int64_t k = 0; k < G; k++) {
    double den = sqrt(saa[k]) * sqrt(sbb[k]);
    r[k] = cnt[k] >= 2 && den > 0 ? sab[k] / den : NAN;
    if (r[k] > 1) r[k] = 1;
    if (r[k] < -1) r[k] = -1;
  }
  lua_remove(L, -2);
}

/* ---- top k (long format) --------------------------------------------------------------- */

/* Rows of the k largest non-NA values of each group, largest first (ties
 * in row order).  Pushes an int64 scratch of rows and returns their count;
 * groups[j] gets the group of output row j. */
static int64_t k_top_rows(lua_State *L, const zs_groups *g, const spec *s, int64_t **rows_out, int64_t **groups_out) {
  int64_t G = g->ngroups, n = g->n, K = s->k;
  const int32_t *gid = g->gid;
  uint64_t *keys = scratch(L, (size_t)n, sizeof(uint64_t));
  zs_sort_keys(L, s->col, 1, keys); /* descending: smaller key = larger value */
  int64_t *best = scratch(L, zs_mulsize(L, (size_t)G, (size_t)(K ? K : 1)), sizeof(int64_t));
  int64_t *cnt = scratch(L, (size_t)G, sizeof(int64_t));
  memset(cnt, 0, (size_t)G * sizeof *cnt);
  for (int64_t i = 0; i < n && K > 0; i++) {
    uint64_t key = keys[i];
    if (key == UINT64_MAX) continue;
    int32_t k = gid[i];
    int64_t *b = best + (int64_t)k * K, m = cnt[k];
    if (m == K && keys[b[m - 1]] <= key) continue; /* not better than the worst kept (ties: earlier row wins) */
    int64_t at = m < K ? m : K - 1;
    while (at > 0 && keys[b[at - 1]] > key) { b[at] = b[at - 1]; at--; }
    b[at] = i;
    if (m < K) cnt[k]++;
  }
  int64_t total = 0;
  for (int64_t k = 0; k < G; k++) total += cnt[k];
  int64_t *rows = scratch(L, (size_t)total, 2 * sizeof(int64_t));
  int64_t *grp = rows + total, j = 0;
  for (int64_t k = 0; k < G; k++)
    for (int64_t m = 0; m < cnt[k]; m++) { rows[j] = best[k * K + m]; grp[j++] = k; }
  lua_replace(L, -4); /* keep rows where keys was */
  lua_pop(L, 2);
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
  }
  lua_pop(L, 1);
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
static void run_spec(lua_State *L, const zs_groups *g, const spec *s, int fidx) {
  switch (s->op) {
  case OP_COUNT: {
    zs_col *out = zs_col_push(L, ZS_INT, g->ngroups, 0);
    k_count(g, s, out->data);
    break;
  }
  case OP_SUM: k_sum(L, g, s); break;
  case OP_MEAN: k_mean(L, g, s); break;
  case OP_SHARE: k_share(L, g, s); break;
  case OP_VAR: k_var(L, g, s, VAR); break;
  case OP_SD: k_var(L, g, s, SD); break;
  case OP_M2: k_var(L, g, s, M2); break;
  case OP_MEDIAN: case OP_QUANTILE: k_quantile(L, g, s); break;
  case OP_NUNIQUE: k_nunique(L, g, s); break;
  case OP_CORR: k_corr(L, g, s); break;
  case OP_MIN: case OP_MAX: case OP_FIRST: case OP_LAST: {
    /* find the column's userdata to share its dictionary */
    zs_frame *f = zs_frame_check(L, fidx);
    int j = 0;
    while (f->cols[j] != s->col) j++;
    zs_frame_push_column(L, fidx, j);
    k_pick(L, g, s, lua_gettop(L));
    lua_remove(L, -2);
    break;
  }
  default: luaL_error(L, "top must be the only aggregate of its call");
  }
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
  zs_groups *g = zs_group_rows(L, keys, nk, f->nrow, sort); /* 8 */
  int64_t *rows = g->first, *grp = NULL, nout = g->ngroups;
  if (has_top) nout = k_top_rows(L, g, &specs[0], &rows, &grp); /* 9: rows */
  luaL_checkstack(L, 2 * (nk + ns) + 8, "too many columns");
  int base = lua_gettop(L);
  int64_t *krows = rows;
  if (has_top) { /* key rows: the first row of each output row's group */
    krows = scratch(L, (size_t)nout, sizeof(int64_t));
    for (int64_t j = 0; j < nout; j++) krows[j] = g->first[grp[j]];
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
  zs_groups *g = zs_group_rows(L, keys, nk, f->nrow, sort);
  zs_col *out = zs_col_push(L, ZS_INT, f->nrow, 0);
  int64_t *ids = out->data;
  for (int64_t i = 0; i < f->nrow; i++) ids[i] = (int64_t)g->gid[i] + 1;
  lua_pushinteger(L, g->ngroups);
  return 2;
}

void zs_agg_open(lua_State *L) {
  static const luaL_Reg fns[] = {{"group_agg", l_group_agg}, {"group_ids", l_group_ids}, {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
}

/* sort.c: order-preserving sort keys, a stable LSD radix sort, and the
 * verbs built on them: f:sort, f:top and rank expressions.
 *
 * Every value of a key column maps to a uint64 whose unsigned order is the
 * value order (ints with the sign bit flipped, floats by the IEEE trick,
 * strings by dictionary rank, dates, booleans), below UINT64_MAX; NA maps
 * to UINT64_MAX so it sorts last, also in descending order (descending keys
 * are reflected: UINT64_MAX - 1 - k). */
#include <math.h>
#include <string.h>

#include "zs.h"

void zs_sort_keys_range(const zs_col *c, const int32_t *rank, int desc, int64_t from, int64_t to, uint64_t *out) {
  /* one loop per type; keys stay below UINT64_MAX, which is NA's */
#define KEYS_LOOP(T, IS_NA, KEY)                                                  \
  {                                                                               \
    const T *v = c->data;                                                         \
    for (int64_t i = from; i < to; i++) {                                         \
      uint64_t k = KEY(v[i]);                                                     \
      out[i - from] = IS_NA(v[i]) ? UINT64_MAX : desc ? (UINT64_MAX - 1) - k : k; \
    }                                                                             \
  }
#define BOOL_NA(b) ((b) == ZS_NA_BOOL)
#define BOOL_KEY(b) ((uint64_t)(b))
#define INT_NA(v) ((v) == ZS_NA_INT)
#define INT_KEY(v) (((uint64_t)(v) ^ 0x8000000000000000ULL) - 1) /* INT64_MIN is NA: 0 .. 2^64-2 */
#define FLOAT_NA(v) isnan(v)
#define FLOAT_KEY(v) zs_float_key(v)
#define DATE_NA(v) ((v) == ZS_NA_DATE)
#define DATE_KEY(v) ((uint64_t)(uint32_t)(v) ^ 0x80000000ULL)
#define CODE_NA(v) ((v) < 0)
#define CODE_KEY(v) ((v) < 0 ? 0 : (uint64_t)rank[v])
  switch (c->type) {
  case ZS_BOOL: KEYS_LOOP(int8_t, BOOL_NA, BOOL_KEY) break;
  case ZS_INT: KEYS_LOOP(int64_t, INT_NA, INT_KEY) break;
  case ZS_FLOAT: KEYS_LOOP(double, FLOAT_NA, FLOAT_KEY) break;
  case ZS_DATE: KEYS_LOOP(int32_t, DATE_NA, DATE_KEY) break;
  default: KEYS_LOOP(int32_t, CODE_NA, CODE_KEY) break;
  }
#undef KEYS_LOOP
#undef BOOL_NA
#undef BOOL_KEY
#undef INT_NA
#undef INT_KEY
#undef FLOAT_NA
#undef FLOAT_KEY
#undef DATE_NA
#undef DATE_KEY
#undef CODE_NA
#undef CODE_KEY
}

const int32_t *zs_sort_rank(lua_State *L, zs_col *c) {
  if (c->type != ZS_STR) return NULL;
  const int32_t *rank = zs_dict_rank(c->dict);
  if (!rank && c->dict->n) luaL_error(L, "not enough memory");
  return rank;
}

typedef struct {
  const zs_col *c;
  const int32_t *rank;
  int desc;
  uint64_t *out;
} keys_ctx;

static void sort_keys_body(void *arg, int64_t from, int64_t to, int part) {
  (void)part;
  keys_ctx *x = arg;
  zs_sort_keys_range(x->c, x->rank, x->desc, from, to, x->out + from);
}

void zs_sort_keys(lua_State *L, zs_col *c, int desc, uint64_t *out) {
  keys_ctx x = {c, zs_sort_rank(L, c), desc, out};
  zs_parallel_L(L, c->n, zs_threads_for_L(L, c->n), sort_keys_body, &x);
}

/* Stable LSD radix sort of idx[0..n) by keys[idx[i]]: after the call,
 * keys[idx[0]] <= keys[idx[1]] <= ...; equal keys keep their order in idx.
 * tmp has room for n indices.  Bytes equal in every key are skipped. */
void zs_radix_sort_idx(const uint64_t *keys, int64_t *idx, int64_t *tmp, int64_t n) {
  if (n < 2) return;
  uint64_t all_or = 0, all_and = ~(uint64_t)0;
  for (int64_t i = 0; i < n; i++) {
    all_or |= keys[idx[i]];
    all_and &= keys[idx[i]];
  }
  uint64_t varying = all_or ^ all_and;
  int64_t *src = idx, *dst = tmp;
  for (int shift = 0; shift < 64; shift += 8) {
    if (((varying >> shift) & 0xFF) == 0) continue;
    int64_t count[257];
    memset(count, 0, sizeof count);
    for (int64_t i = 0; i < n; i++) count[((keys[src[i]] >> shift) & 0xFF) + 1]++;
    for (int b = 0; b < 256; b++) count[b + 1] += count[b];
    for (int64_t i = 0; i < n; i++) dst[count[(keys[src[i]] >> shift) & 0xFF]++] = src[i];
    int64_t *t = src;
    src = dst;
    dst = t;
  }
  if (src != idx) memcpy(idx, src, (size_t)n * sizeof *idx);
}

/* Stable sort of pairs (key, val) by key, in place; tmpk/tmpv have room
 * for n entries. */
void zs_radix_sort_pairs(uint64_t *keys, int64_t *vals, uint64_t *tmpk, int64_t *tmpv, int64_t n) {
  if (n < 2) return;
  uint64_t all_or = 0, all_and = ~(uint64_t)0;
  for (int64_t i = 0; i < n; i++) {
    all_or |= keys[i];
    all_and &= keys[i];
  }
  uint64_t varying = all_or ^ all_and;
  uint64_t *sk = keys, *dk = tmpk;
  int64_t *sv = vals, *dv = tmpv;
  for (int shift = 0; shift < 64; shift += 8) {
    if (((varying >> shift) & 0xFF) == 0) continue;
    int64_t count[257];
    memset(count, 0, sizeof count);
    for (int64_t i = 0; i < n; i++) count[((sk[i] >> shift) & 0xFF) + 1]++;
    for (int b = 0; b < 256; b++) count[b + 1] += count[b];
    for (int64_t i = 0; i < n; i++) {
      int64_t at = count[(sk[i] >> shift) & 0xFF]++;
      dk[at] = sk[i];
      dv[at] = sv[i];
    }
    uint64_t *tk = sk; sk = dk; dk = tk;
    int64_t *tv = sv; sv = dv; dv = tv;
  }
  if (sk != keys) {
    memcpy(keys, sk, (size_t)n * sizeof *keys);
    memcpy(vals, sv, (size_t)n * sizeof *vals);
  }
}

/* Row order of frame fidx by the columns cols[0..nk) (descending where
 * desc[k]), stable; pushes a scratch userdata holding n int64 row indices
 * and returns them. */
int64_t *zs_order(lua_State *L, zs_col **cols, const int *desc, int nk, int64_t n) {
  int64_t *idx = zs_scratch(L, (size_t)n, 3 * sizeof(int64_t));
  int64_t *tmp = idx + n;
  uint64_t *keys = (uint64_t *)(idx + 2 * n);
  for (int64_t i = 0; i < n; i++) idx[i] = i;
  for (int k = nk - 1; k >= 0; k--) { /* least significant key first */
    zs_sort_keys(L, cols[k], desc[k], keys);
    zs_radix_sort_idx(keys, idx, tmp, n);
  }
  return idx;
}

/* core.order(f, {name1, name2, ...}, {desc1, desc2, ...}) -> int Column of
 * 1-based row numbers in sorted order (stable, NA last) */
static int l_order(lua_State *L) {
  zs_frame *f = zs_frame_check(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  luaL_checktype(L, 3, LUA_TTABLE);
  if (lua_rawlen(L, 2) > ((lua_Unsigned)1 << 24)) luaL_argerror(L, 2, "too many sort keys");
  int nk = (int)lua_rawlen(L, 2);
  zs_col **cols = lua_newuserdatauv(L, sizeof(zs_col *) * (size_t)(nk + 1), 0);
  int *desc = lua_newuserdatauv(L, sizeof(int) * (size_t)(nk + 1), 0);
  for (int k = 0; k < nk; k++) {
    lua_rawgeti(L, 2, k + 1);
    const char *name = lua_tostring(L, -1);
    int j = name ? zs_frame_find(L, 1, name) : -1;
    if (j < 0) luaL_error(L, "no column named '%s'", name ? name : "?");
    lua_pop(L, 1);
    cols[k] = f->cols[j];
    lua_rawgeti(L, 3, k + 1);
    desc[k] = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  int64_t n = f->nrow;
  int64_t *idx = zs_order(L, cols, desc, nk, n);
  zs_col *out = zs_col_push(L, ZS_INT, n, 0);
  int64_t *rows = out->data;
  for (int64_t i = 0; i < n; i++) rows[i] = idx[i] + 1;
  return 1;
}

/* core.top_rows(column, n) -> int Column of the 1-based rows of the n
 * largest non-NA values, largest first (ties in row order) */
static int l_top_rows(lua_State *L) {
  zs_col *c = zs_col_check(L, 1);
  lua_Integer want = luaL_checkinteger(L, 2);
  luaL_argcheck(L, want >= 0, 2, "n must not be negative");
  int64_t n = c->n;
  uint64_t *keys = zs_scratch(L, (size_t)n, sizeof *keys);
  zs_sort_keys(L, c, 1, keys);
  /* a bounded max-heap on (key, row) keeps the `want` smallest keys */
  int64_t m = 0, cap = want < n ? want : n;
  int64_t *heap = zs_scratch(L, (size_t)cap, sizeof(int64_t));
#define HKEY(r) keys[r]
#define HLESS(a, b) (HKEY(a) < HKEY(b) || (HKEY(a) == HKEY(b) && (a) < (b)))
  for (int64_t i = 0; i < n && cap > 0; i++) {
    if (keys[i] == UINT64_MAX) continue; /* NA */
    if (m < cap) {
      int64_t at = m++;
      while (at > 0 && HLESS(heap[(at - 1) / 2], i)) { heap[at] = heap[(at - 1) / 2]; at = (at - 1) / 2; }
      heap[at] = i;
    } else if (HLESS(i, heap[0])) {
      int64_t at = 0;
      for (;;) {
        int64_t l = 2 * at + 1, r = l + 1, big = at;
        int64_t bigv = i;
        if (l < m && HLESS(bigv, heap[l])) { big = l; bigv = heap[l]; }
        if (r < m && HLESS(bigv, heap[r])) { big = r; bigv = heap[r]; }
        if (big == at) break;
        heap[at] = heap[big];
        at = big;
      }
      heap[at] = i;
    }
  }
  /* heap order -> ascending key order by repeatedly popping the maximum */
  zs_col *out = zs_col_push(L, ZS_INT, m, 0);
  int64_t *rows = out->data;
  for (int64_t k = m - 1; k >= 0; k--) {
    rows[k] = heap[0] + 1;
    int64_t last = heap[k];
    int64_t at = 0, size = k;
    for (;;) {
      int64_t l = 2 * at + 1, r = l + 1, big = at;
      int64_t bigv = last;
      if (l < size && HLESS(bigv, heap[l])) { big = l; bigv = heap[l]; }
      if (r < size && HLESS(bigv, heap[r])) { big = r; bigv = heap[r]; }
      if (big == at) break;
      heap[at] = heap[big];
      at = big;
    }
    if (size > 0) heap[at] = last;
  }
#undef HLESS
#undef HKEY
  return 1;
}

void zs_sort_open(lua_State *L) {
  static const luaL_Reg fns[] = {{"order", l_order}, {"top_rows", l_top_rows}, {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
}

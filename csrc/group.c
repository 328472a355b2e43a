/* group.c: factorizing key columns into dense group ids.
 *
 * Each key column is encoded into order-preserving codes (group.h): a str
 * column by its dictionary's sorted order, a bool directly, an int or date
 * column by offset from its minimum when the range (kept by the column:
 * zs_col_range) is small, otherwise (and
 * for floats) by ranking its sorted distinct values.  NA takes the highest
 * code, so it forms its own group and sorts last.  The keys of a row combine
 * into one 64-bit composite whose order is the order of the key tuples:
 *   - small combined range (at most 16384) when the groups only get counts
 *     and sums (zs_group_rows with by_key): not numbered at all; the sums
 *     compose the composites of each block of rows and index by them, and
 *     composites without rows are dropped after (key-read groups, group.h);
 *   - small combined range: mixed radix, and a direct table maps composites
 *     to group ids (assigned in key order by scanning the table);
 *   - otherwise bit fields: with many distinct keys the (composite, row)
 *     pairs are radix-sorted and runs become groups; with fewer, a hash
 *     table assigns ids and the distinct composites are sorted after;
 *   - keys too wide for 64 bits are folded pairwise into dense ranks.
 * Group ids come out in ascending key order (or, with sort = false, in
 * order of first appearance) without comparing rows, and each group's key
 * values are decoded from its composite rather than gathered from rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zs.h"
#include "group.h"

/* Thresholds a test build may lower (-DZS_DIRECT_MIN=16 -DZS_GROUP_SAMPLE=64,
 * as fuzz/Makefile does) so that small inputs reach every strategy. */
#ifndef ZS_DIRECT_MIN
#define ZS_DIRECT_MIN (1 << 16)
#endif
#ifndef ZS_GROUP_SAMPLE
#define ZS_GROUP_SAMPLE 65536
#endif
#define DIRECT_MIN ZS_DIRECT_MIN
#define SAMPLE ZS_GROUP_SAMPLE

static int groups_gc(lua_State *L) {
  zs_groups *g = luaL_checkudata(L, 1, ZS_GROUPS);
  if (!g->gid_borrowed) zs_free(L, g->gid, g->gid_bytes);
  zs_free(L, g->first, g->first_bytes);
  zs_free(L, g->gkey, g->gkey_bytes);
  zs_free(L, g->order, g->order_bytes);
  zs_free(L, g->seg, g->seg_bytes);
  zs_free(L, g->keymap, g->keymap_bytes);
  g->keymap = NULL;
  g->keymap_bytes = 0;
  g->gid = NULL;
  g->first = NULL;
  g->gkey = NULL;
  g->order = NULL;
  g->seg = NULL;
  g->gid_bytes = g->first_bytes = g->gkey_bytes = g->order_bytes = g->seg_bytes = 0;
  return 0;
}

static zs_groups *groups_push(lua_State *L, int64_t n) {
  zs_groups *g = lua_newuserdatauv(L, sizeof *g, 1);
  memset(g, 0, sizeof *g);
  if (zs_newmetatable(L, ZS_GROUPS)) {
    lua_pushcfunction(L, groups_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  lua_newtable(L); /* anchors the encoders' scratch */
  lua_setiuservalue(L, -2, 1);
  g->n = n;
  g->gid_ready = 1; /* every way of grouping fills gid or says otherwise */
  return g;
}

/* allocate gid (not filled) for the rows, unless it exists */
static void need_gid(lua_State *L, zs_groups *g) {
  if (g->gid) return;
  g->gid_bytes = zs_mulsize(L, (size_t)(g->n ? g->n : 1), sizeof(int32_t));
  g->gid = zs_realloc(L, NULL, 0, g->gid_bytes);
}

/* keep the value on top alive as long as the Groups at gidx; pops it */
static void anchor(lua_State *L, int gidx) {
  lua_getiuservalue(L, gidx, 1);
  lua_insert(L, -2);
  lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
  lua_pop(L, 1);
}

/* size the per-group arrays for ngroups groups: gkey, and first when it
 * exists (it is made only when needed: see need_first) */
static void set_groups(lua_State *L, zs_groups *g, int64_t ngroups) {
  size_t fb = zs_mulsize(L, (size_t)(ngroups ? ngroups : 1), sizeof(int64_t));
  if (g->first) {
    g->first = zs_realloc(L, g->first, g->first_bytes, fb);
    g->first_bytes = fb;
  }
  g->gkey = zs_realloc(L, g->gkey, g->gkey_bytes, fb);
  g->gkey_bytes = fb;
  g->ngroups = ngroups;
}

/* allocate first[] (not filled) for the groups there are */
static void need_first(lua_State *L, zs_groups *g) {
  if (g->first) return;
  g->first_bytes = zs_mulsize(L, (size_t)(g->ngroups ? g->ngroups : 1), sizeof(int64_t));
  g->first = zs_realloc(L, NULL, 0, g->first_bytes);
}

static uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

static int bits_for(uint64_t card) {
  int b = 0;
  while (b < 64 && (card - 1) >> b) b++;
  return b ? b : 1;
}

/* ---- encoding one key column --------------------------------------------------- */

static inline uint64_t enc_code(const zs_keyenc *e, int64_t i) {
  switch (e->kind) {
  case ENC_STR: {
    int32_t c = ((const int32_t *)e->col->data)[i];
    return c < 0 ? e->card - 1 : (uint64_t)e->rank[c];
  }
  case ENC_BOOL: {
    int8_t b = ((const int8_t *)e->col->data)[i];
    return b < 0 ? 2 : (uint64_t)b;
  }
  case ENC_OFFSET:
    if (e->col->type == ZS_INT) {
      int64_t v = ((const int64_t *)e->col->data)[i];
      return v == ZS_NA_INT ? e->card - 1 : (uint64_t)v - (uint64_t)e->min;
    } else {
      int32_t v = ((const int32_t *)e->col->data)[i];
      return v == ZS_NA_DATE ? e->card - 1 : (uint64_t)((int64_t)v - e->min);
    }
  default: return e->rowrank[i];
  }
}

/* Rank the sort keys of e->col: distinct keys through a hash table, sorted,
 * numbered.  Sets rowrank, values and card; their scratch is anchored. */
static void encode_sorted(lua_State *L, int gidx, zs_keyenc *e, int64_t n) {
  uint64_t *key = zs_scratch(L, (size_t)n, sizeof(uint64_t));
  zs_sort_keys(L, e->col, 0, key);
  uint64_t nslots = 16;
  while (nslots < (uint64_t)n * 2) nslots <<= 1;
  int64_t *slot = zs_scratch(L, nslots, sizeof(int64_t));
  memset(slot, 0xff, nslots * sizeof(int64_t));
  e->rowrank = zs_scratch(L, (size_t)n, sizeof(uint32_t));
  lua_insert(L, -3); /* rowrank below key and slot */
  uint64_t *distinct = zs_scratch(L, (size_t)n, sizeof(uint64_t));
  int64_t *ids = zs_scratch(L, (size_t)n, 3 * sizeof(int64_t));
  uint64_t *tmpk = (uint64_t *)(ids + n);
  int64_t *tmpv = ids + 2 * n;
  int64_t nd = 0;
  for (int64_t i = 0; i < n; i++) {
    uint64_t k = key[i], s = mix(k) & (nslots - 1);
    for (;;) {
      int64_t d = slot[s];
      if (d < 0) {
        slot[s] = nd;
        distinct[nd] = k;
        ids[nd] = nd;
        e->rowrank[i] = (uint32_t)nd++;
        break;
      }
      if (distinct[d] == k) {
        e->rowrank[i] = (uint32_t)d;
        break;
      }
      s = (s + 1) & (nslots - 1);
    }
  }
  zs_radix_sort_pairs(distinct, ids, tmpk, tmpv, nd);
  for (int64_t r = 0; r < nd; r++) tmpv[ids[r]] = r; /* distinct index -> rank */
  for (int64_t i = 0; i < n; i++) e->rowrank[i] = (uint32_t)tmpv[e->rowrank[i]];
  e->values = distinct;
  e->card = (uint64_t)nd;
  /* stack: rowrank, key, slot, distinct, ids: keep rowrank and distinct */
  lua_pop(L, 1);
  lua_insert(L, -3);
  lua_pop(L, 2);
  anchor(L, gidx);
  anchor(L, gidx);
}

static void encode_key(lua_State *L, int gidx, zs_keyenc *e, zs_col *c, int64_t n) {
  memset(e, 0, sizeof *e);
  e->col = c;
  switch (c->type) {
  case ZS_STR:
    e->kind = ENC_STR;
    e->rank = zs_dict_rank(c->dict);
    if (!e->rank && c->dict->n) luaL_error(L, "not enough memory");
    e->card = (uint64_t)c->dict->n + 1;
    break;
  case ZS_BOOL:
    e->kind = ENC_BOOL;
    e->card = 3;
    break;
  case ZS_INT:
  case ZS_DATE: {
    int64_t lo, hi;
    zs_col_range(c, &lo, &hi);
    uint64_t range = (uint64_t)hi - (uint64_t)lo + 1;
    uint64_t limit = (uint64_t)n * 2 > DIRECT_MIN ? (uint64_t)n * 2 : DIRECT_MIN;
    if (range <= limit && range < UINT32_MAX) {
      e->kind = ENC_OFFSET;
      e->min = lo;
      e->card = range + 1;
      break;
    }
    __attribute__((fallthrough)); /* wide ranges are ranked like floats */
  }
  default:
    e->kind = ENC_SORTED;
    encode_sorted(L, gidx, e, n);
  }
  e->bits = bits_for(e->card);
}

/* ---- composite keys ----------------------------------------------------------------- */

/* Composite key of each row, one key column at a time with a tight loop per
 * encoding: packed (bit fields) or mixed radix.  Rows are cut into parts
 * that threads fill independently. */
typedef struct {
  const zs_keyenc *enc;
  int nk, packed;
  void *out;     /* uint32_t or uint64_t per row */
  int wide;      /* out is uint64_t */
  int64_t base;  /* out[0] is the composite of row base (0: of row 0) */
} compose_ctx;

#define COMPOSE_LOOP(T)                                                                      \
  static void compose_##T(const compose_ctx *x, int64_t from, int64_t to) {                 \
    T *out = x->out;                                                                         \
    int64_t base = x->base; /* out[0] is row base's */                                       \
    for (int k = 0; k < x->nk; k++) {                                                        \
      const zs_keyenc *e = &x->enc[k];                                                       \
      T na = (T)(e->card - 1), card = (T)e->card;                                            \
      int sh = e->bits;                                                                      \
      int first = k == 0, packed = x->packed;                                                \
      /* out = first ? c : packed ? out << sh | c : out * card + c */                         \
      T mul = packed ? 0 : card;                                                             \
      (void)mul;                                                                             \
      switch (e->kind) {                                                                     \
      case ENC_STR: {                                                                        \
        const int32_t *codes = e->col->data, *rank = e->rank;                                \
        for (int64_t i = from; i < to; i++) {                                                \
          T c = codes[i] < 0 ? na : (T)rank[codes[i]];                                       \
          out[i - base] = first ? c : packed ? (T)(out[i - base] << sh) | c : out[i - base] * card + c;           \
        }                                                                                    \
        break;                                                                               \
      }                                                                                      \
      case ENC_BOOL: {                                                                       \
        const int8_t *b = e->col->data;                                                      \
        for (int64_t i = from; i < to; i++) {                                                \
          T c = b[i] < 0 ? na : (T)b[i];                                                     \
          out[i - base] = first ? c : packed ? (T)(out[i - base] << sh) | c : out[i - base] * card + c;           \
        }                                                                                    \
        break;                                                                               \
      }                                                                                      \
      case ENC_OFFSET:                                                                       \
        if (e->col->type == ZS_INT) {                                                        \
          const int64_t *v = e->col->data;                                                   \
          uint64_t lo = (uint64_t)e->min;                                                    \
          for (int64_t i = from; i < to; i++) {                                              \
            T c = v[i] == ZS_NA_INT ? na : (T)((uint64_t)v[i] - lo);                         \
            out[i - base] = first ? c : packed ? (T)(out[i - base] << sh) | c : out[i - base] * card + c;         \
          }                                                                                  \
        } else {                                                                             \
          const int32_t *v = e->col->data;                                                   \
          int64_t lo = e->min;                                                               \
          for (int64_t i = from; i < to; i++) {                                              \
            T c = v[i] == ZS_NA_DATE ? na : (T)((int64_t)v[i] - lo);                         \
            out[i - base] = first ? c : packed ? (T)(out[i - base] << sh) | c : out[i - base] * card + c;         \
          }                                                                                  \
        }                                                                                    \
        break;                                                                               \
      default: {                                                                             \
        const uint32_t *r = e->rowrank;                                                      \
        for (int64_t i = from; i < to; i++) {                                                \
          T c = (T)r[i];                                                                     \
          out[i - base] = first ? c : packed ? (T)(out[i - base] << sh) | c : out[i - base] * card + c;           \
        }                                                                                    \
      }                                                                                      \
      }                                                                                      \
    }                                                                                        \
  }
COMPOSE_LOOP(uint32_t)
COMPOSE_LOOP(uint64_t)

static void compose_body(void *arg, int64_t from, int64_t to, int part) {
  (void)part;
  compose_ctx *x = arg;
  if (x->wide) compose_uint64_t(x, from, to);
  else compose_uint32_t(x, from, to);
}

static void compose(lua_State *L, const zs_groups *g, int packed, void *out, int wide) {
  compose_ctx x = {g->enc, g->nk, packed, out, wide, 0};
  zs_parallel_L(L, g->n, zs_threads_for_L(L, g->n), compose_body, &x);
}

void zs_group_block_codes(const zs_groups *g, int64_t from, int64_t to, uint32_t *out) {
  compose_ctx x = {g->enc, g->nk, 0, out, 0, from};
  compose_uint32_t(&x, from, to);
}

/* ---- the three ways of numbering groups ---------------------------------------------- */

typedef struct {
  compose_ctx compose;
  int32_t *map;
  int32_t *gid;
} direct_ctx;

/* composite keys of [from, to) straight into gid, marking the values used */
static void compose_mark_body(void *arg, int64_t from, int64_t to, int part) {
  (void)part;
  direct_ctx *x = arg;
  const uint32_t *key = x->compose.out;
  enum { BLOCK = 4096 }; /* marked while the block's keys are in the cache */
  for (int64_t b = from; b < to; b += BLOCK) {
    int64_t e = to - b > BLOCK ? b + BLOCK : to;
    compose_uint32_t(&x->compose, b, e);
    /* read before writing: a small table stays shared between the cores'
     * caches instead of bouncing between them on every row */
    for (int64_t i = b; i < e; i++)
      if (__atomic_load_n(&x->map[key[i]], __ATOMIC_RELAXED) != 0)
        __atomic_store_n(&x->map[key[i]], 0, __ATOMIC_RELAXED);
  }
}

static void remap_body(void *arg, int64_t from, int64_t to, int part) {
  (void)part;
  direct_ctx *x = arg;
  for (int64_t i = from; i < to; i++) x->gid[i] = x->map[x->gid[i]];
}

const int64_t *zs_group_first(lua_State *L, zs_groups *g) {
  if (g->first_ready) return g->first;
  need_first(L, g);
  if (g->order) { /* sorted groups: a run's rows are in row order */
    for (int64_t k = 0; k < g->ngroups; k++) g->first[k] = g->order[g->seg[k]];
    g->first_ready = 1;
    return g->first;
  }
  int32_t na = 0;
  const int32_t *gid = zs_group_codes(g, &na); /* NA codes are negative */
  if (!gid) gid = zs_group_gid(L, g);
  for (int64_t k = 0; k < g->ngroups; k++) g->first[k] = -1;
  int64_t left = g->ngroups;
  for (int64_t i = 0; i < g->n && left > 0; i++) {
    int32_t k = gid[i] < 0 ? na : gid[i];
    if (g->first[k] < 0) {
      g->first[k] = i;
      left--;
    }
  }
  g->first_ready = 1;
  return g->first;
}

typedef struct {
  const int32_t *codes;
  uint8_t *used;
  int na[64];
} codes_ctx;

static void used_codes_body(void *arg, int64_t from, int64_t to, int part) {
  codes_ctx *x = arg;
  int na = 0;
  for (int64_t i = from; i < to; i++) {
    int32_t c = x->codes[i];
    if (c < 0) na = 1;
    else if (!__atomic_load_n(&x->used[c], __ATOMIC_RELAXED)) /* see compose_mark_body */
      __atomic_store_n(&x->used[c], 1, __ATOMIC_RELAXED);
  }
  if (na) x->na[part] = 1;
}

typedef struct {
  const int32_t *codes;
  int32_t *gid;
  int32_t na_gid;
} na_codes_ctx;

static void codes_with_na_body(void *arg, int64_t from, int64_t to, int part) {
  (void)part;
  na_codes_ctx *x = arg;
  for (int64_t i = from; i < to; i++) x->gid[i] = x->codes[i] < 0 ? x->na_gid : x->codes[i];
}

/* One str key whose dictionary is in byte order, every string from the
 * first to the last used: the codes are the group ids already.  Without NA
 * g->gid borrows the codes; with NA (the last group) g->codes holds them and
 * gid is a copy made on first use.
 * Returns 1 when so, 0 otherwise (nothing changed). */
static int group_by_codes(lua_State *L, zs_groups *g) {
  const zs_keyenc *e = &g->enc[0];
  if (g->nk != 1 || e->kind != ENC_STR || !e->col->dict->sorted) return 0;
  int64_t n = g->n, nd = e->col->dict->n, ng = 0;
  codes_ctx x;
  memset(&x, 0, sizeof x);
  x.codes = e->col->data;
  int has_na = 0, ok = 1;
  if (e->col->codes_dense && e->col->na_state != ZS_NA_UNKNOWN) { /* known without a look */
    has_na = e->col->na_state == ZS_NA_SOME;
    ng = nd;
  } else {
    x.used = zs_scratch(L, (size_t)nd, 1);
    memset(x.used, 0, (size_t)nd);
    int parts = zs_threads_for_L(L, n);
    zs_parallel_L(L, n, parts, used_codes_body, &x);
    for (int p = 0; p < parts; p++) has_na |= x.na[p];
    while (ng < nd && x.used[ng]) ng++;
    for (int64_t c = ng; c < nd && ok; c++) ok = !x.used[c];
    lua_pop(L, 1);
  }
  if (!ok) return 0;
  if (has_na) { /* gid is made on first use (zs_group_gid) */
    g->gid_ready = 0;
    g->codes = x.codes;
    g->codes_na = (int32_t)ng;
    set_groups(L, g, ng + 1);
    g->gkey[ng] = e->card - 1; /* the NA key */
  } else {
    g->gid = (int32_t *)e->col->data;
    g->gid_bytes = 0;
    g->gid_borrowed = 1;
    set_groups(L, g, ng);
  }
  for (int64_t k = 0; k < ng; k++) g->gkey[k] = (uint64_t)k;
  return 1;
}

/* A direct table over the combined range P (mixed radix).  Sorted: the
 * composite keys go straight into gid and mark the values present; group
 * ids are their ranks, and when the values present are the first ones of
 * the range (the common case) the composite already is the group id. */
static void group_direct(lua_State *L, zs_groups *g, uint64_t P, int sort) {
  int64_t n = g->n;
  int32_t *map = zs_scratch(L, (size_t)P, sizeof(int32_t));
  memset(map, 0xff, (size_t)P * sizeof(int32_t));
  need_gid(L, g);
  int32_t *gid = g->gid;
  int64_t ng = 0;
  direct_ctx x = {{g->enc, g->nk, 0, gid, 0, 0}, map, gid};
  if (sort) {
    zs_parallel_L(L, n, zs_threads_for_L(L, n), compose_mark_body, &x);
    uint64_t last = 0; /* the largest value present */
    for (uint64_t p = 0; p < P; p++)
      if (map[p] >= 0) {
        map[p] = (int32_t)ng++;
        last = p;
      }
    set_groups(L, g, ng);
    /* the values present are 0..ng-1 (only unused values at the end of the
     * range, such as the NA slot of a key without NA): ids = composites */
    if ((uint64_t)ng == last + 1) {
      for (int64_t k = 0; k < ng; k++) g->gkey[k] = (uint64_t)k;
    } else {
      for (uint64_t p = 0; p < P; p++)
        if (map[p] >= 0) g->gkey[map[p]] = p;
      zs_parallel_L(L, n, zs_threads_for_L(L, n), remap_body, &x);
    }
  } else {
    uint32_t *key = zs_scratch(L, (size_t)n, sizeof(uint32_t));
    compose(L, g, 0, key, 0);
    set_groups(L, g, n);
    need_first(L, g);
    for (int64_t i = 0; i < n; i++) {
      uint32_t p = key[i];
      int32_t id = map[p];
      if (id < 0) {
        id = map[p] = (int32_t)ng;
        g->gkey[ng] = p;
        g->first[ng++] = i;
      }
      gid[i] = id;
    }
    set_groups(L, g, ng);
    g->first_ready = 1;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* a hash table on composite keys, then (sort) the distinct keys sorted */
static void group_hash(lua_State *L, zs_groups *g, const uint64_t *keys, int sort) {
  int64_t n = g->n;
  uint64_t nslots = 16;
  while (nslots < (uint64_t)n + (uint64_t)n / 2) nslots <<= 1;
  int32_t *slot = zs_scratch(L, nslots, sizeof(int32_t));
  memset(slot, 0xff, nslots * sizeof(int32_t));
  set_groups(L, g, n);
  need_first(L, g);
  uint64_t *gkey = g->gkey;
  need_gid(L, g);
  int32_t *gid = g->gid;
  int64_t ng = 0;
  for (int64_t i = 0; i < n; i++) {
    uint64_t k = keys[i], s = mix(k) & (nslots - 1);
    int32_t id;
    for (;;) {
      id = slot[s];
      if (id < 0) {
        if (ng >= INT32_MAX) luaL_error(L, "too many groups");
        id = slot[s] = (int32_t)ng;
        gkey[ng] = k;
        g->first[ng++] = i;
        break;
      }
      if (gkey[id] == k) break;
      s = (s + 1) & (nslots - 1);
    }
    gid[i] = id;
  }
  lua_pop(L, 1);
  g->first_ready = 1;
  if (sort && ng > 1) {
    int64_t *ids = zs_scratch(L, (size_t)ng, 3 * sizeof(int64_t));
    uint64_t *tmpk = (uint64_t *)(ids + ng);
    int64_t *tmpv = ids + 2 * ng;
    for (int64_t k = 0; k < ng; k++) ids[k] = k;
    zs_radix_sort_pairs(gkey, ids, tmpk, tmpv, ng); /* gkey now sorted */
    int32_t *newid = (int32_t *)tmpk;
    for (int64_t r = 0; r < ng; r++) newid[ids[r]] = (int32_t)r;
    for (int64_t i = 0; i < n; i++) gid[i] = newid[gid[i]];
    for (int64_t r = 0; r < ng; r++) tmpv[r] = g->first[ids[r]];
    memcpy(g->first, tmpv, (size_t)ng * sizeof(int64_t));
    lua_pop(L, 1);
  }
  set_groups(L, g, ng);
}

/* Stable radix sort of (key, row) pairs on the low `bits` bits of the
 * keys: one most-significant pass into 2^11 buckets, then each bucket
 * (small enough for the cache) sorted least-significant-digit first, 11
 * bits a pass; buckets are independent, so threads share them out.  The
 * order of equal keys is kept, so a group's rows stay in row order. */
#define DIGIT 11
#define NB (1 << DIGIT)

typedef struct {
  uint64_t *key, *tk;
  uint32_t *row, *tr;
  const int64_t *start; /* NB + 1 bucket offsets */
  int low_bits;          /* bits left under the bucket digit */
} buckets_ctx;

static void lsd_range(uint64_t *key, uint32_t *row, uint64_t *tk, uint32_t *tr, int64_t n, int bits) {
  uint64_t *sk = key, *dk = tk;
  uint32_t *sr = row, *dr = tr;
  int64_t count[NB + 1];
  for (int shift = 0; shift < bits; shift += DIGIT) {
    memset(count, 0, sizeof count);
    for (int64_t i = 0; i < n; i++) count[((sk[i] >> shift) & (NB - 1)) + 1]++;
    int used = 0;
    for (int b = 0; b < NB; b++) used += count[b + 1] != 0;
    if (used <= 1) continue; /* all alike in this digit */
    for (int b = 0; b < NB; b++) count[b + 1] += count[b];
    for (int64_t i = 0; i < n; i++) {
      int64_t at = count[(sk[i] >> shift) & (NB - 1)]++;
      dk[at] = sk[i];
      dr[at] = sr[i];
    }
    uint64_t *t = sk; sk = dk; dk = t;
    uint32_t *u = sr; sr = dr; dr = u;
  }
  if (sk != key) {
    memcpy(key, sk, (size_t)n * sizeof *key);
    memcpy(row, sr, (size_t)n * sizeof *row);
  }
}

static void buckets_body(void *arg, int64_t from, int64_t to, int part) {
  (void)part;
  buckets_ctx *x = arg;
  for (int64_t b = from; b < to; b++) {
    int64_t a = x->start[b], m = x->start[b + 1] - a;
    if (m > 1) lsd_range(x->tk + a, x->tr + a, x->key + a, x->row + a, m, x->low_bits);
    /* the sorted bucket is in tk/tr: move it to key/row */
    memcpy(x->key + a, x->tk + a, (size_t)m * sizeof *x->key);
    memcpy(x->row + a, x->tr + a, (size_t)m * sizeof *x->row);
  }
}

typedef struct {
  const uint64_t *key;
  const uint32_t *row;
  uint64_t *tk;
  uint32_t *tr;
  int shift;
  int64_t *pos; /* parts x NB: counts, then where each part writes each bucket */
} msd_ctx;

static void msd_count_body(void *arg, int64_t from, int64_t to, int part) {
  msd_ctx *x = arg;
  int64_t *count = x->pos + (int64_t)part * NB;
  memset(count, 0, NB * sizeof *count);
  for (int64_t i = from; i < to; i++) count[(x->key[i] >> x->shift) & (NB - 1)]++;
}

static void msd_scatter_body(void *arg, int64_t from, int64_t to, int part) {
  msd_ctx *x = arg;
  int64_t *pos = x->pos + (int64_t)part * NB;
  for (int64_t i = from; i < to; i++) {
    int64_t at = pos[(x->key[i] >> x->shift) & (NB - 1)]++;
    x->tk[at] = x->key[i];
    x->tr[at] = x->row[i];
  }
}

/* the most-significant pass runs on all threads (each part's rows go, in
 * order, after the earlier parts' rows of the same bucket: stable) */
static void radix_sort_rows(lua_State *L, uint64_t *key, uint32_t *row, uint64_t *tk, uint32_t *tr, int64_t n,
                            int bits) {
  if (bits <= DIGIT) {
    lsd_range(key, row, tk, tr, n, bits);
    return;
  }
  int shift = bits - DIGIT, parts = zs_threads_for_L(L, n);
  int64_t *pos = zs_scratch(L, (size_t)parts * NB, sizeof(int64_t));
  msd_ctx m = {key, row, tk, tr, shift, pos};
  zs_parallel_L(L, n, parts, msd_count_body, &m);
  int64_t start[NB + 1], at = 0;
  for (int b = 0; b < NB; b++) {
    start[b] = at;
    for (int p = 0; p < parts; p++) {
      int64_t c = pos[(int64_t)p * NB + b];
      pos[(int64_t)p * NB + b] = at;
      at += c;
    }
  }
  start[NB] = at;
  zs_parallel_L(L, n, parts, msd_scatter_body, &m);
  lua_pop(L, 1);
  buckets_ctx x = {key, tk, row, tr, start, shift};
  zs_parallel_L(L, NB, zs_threads_for_L(L, n), buckets_body, &x);
}

typedef struct {
  const uint64_t *key;
  const uint32_t *row;
  uint64_t *gkey;
  uint32_t *seg;
  int64_t count[64]; /* per part: runs starting in it; then its first group */
} runs_ctx;

static void runs_count_body(void *arg, int64_t from, int64_t to, int part) {
  runs_ctx *x = arg;
  int64_t c = 0;
  for (int64_t j = from; j < to; j++) c += j == 0 || x->key[j] != x->key[j - 1];
  x->count[part] = c;
}

static void runs_fill_body(void *arg, int64_t from, int64_t to, int part) {
  runs_ctx *x = arg;
  int64_t k = x->count[part];
  for (int64_t j = from; j < to; j++)
    if (j == 0 || x->key[j] != x->key[j - 1]) {
      x->gkey[k] = x->key[j];
      x->seg[k] = (uint32_t)j;
      k++;
    }
}

typedef struct {
  zs_groups *g;
} gid_ctx;

static void gid_body(void *arg, int64_t from, int64_t to, int part) {
  (void)part;
  zs_groups *g = ((gid_ctx *)arg)->g;
  for (int64_t k = from; k < to; k++)
    for (int64_t j = g->seg[k]; j < g->seg[k + 1]; j++) g->gid[g->order[j]] = (int32_t)k;
}

static void keymap_body(void *arg, int64_t from, int64_t to, int part) {
  (void)part;
  zs_groups *g = arg;
  for (int64_t i = from; i < to; i++) g->gid[i] = g->keymap[g->gid[i]];
}

const int32_t *zs_group_gid(lua_State *L, zs_groups *g) {
  if (!g->gid_ready) need_gid(L, g);
  if (!g->gid_ready && g->nk == 0) { /* one group of all rows */
    if (g->n) memset(g->gid, 0, (size_t)g->n * sizeof(int32_t));
    g->gid_ready = 1;
  } else if (!g->gid_ready && g->keymap) { /* key-read groups: composites, then their groups */
    compose(L, g, 0, g->gid, 0);
    zs_parallel_L(L, g->n, zs_threads_for_L(L, g->n), keymap_body, g);
    g->gid_ready = 1;
  } else if (!g->gid_ready && g->codes) {
    na_codes_ctx y = {g->codes, g->gid, g->codes_na};
    zs_parallel_L(L, g->n, zs_threads_for_L(L, g->n), codes_with_na_body, &y);
    g->gid_ready = 1;
  } else if (!g->gid_ready) {
    gid_ctx x = {g};
    zs_parallel_L(L, g->ngroups, zs_threads_for_L(L, g->n), gid_body, &x);
    g->gid_ready = 1;
  }
  return g->gid;
}

const int32_t *zs_group_codes(const zs_groups *g, int32_t *na) {
  if (g->gid_ready || !g->codes) return NULL;
  *na = g->codes_na;
  return g->codes;
}

static void row_numbers_body(void *arg, int64_t from, int64_t to, int part) {
  (void)part;
  uint32_t *row = arg;
  for (int64_t i = from; i < to; i++) row[i] = (uint32_t)i;
}

/* sort (composite, row) pairs; runs of equal keys are the groups */
static void group_sorted(lua_State *L, zs_groups *g, uint64_t *keys, int bits) {
  int64_t n = g->n;
  g->order_bytes = zs_mulsize(L, (size_t)n, sizeof(uint32_t));
  g->order = zs_realloc(L, NULL, 0, g->order_bytes);
  uint32_t *row = g->order;
  uint64_t *tk = zs_scratch(L, (size_t)n, sizeof(uint64_t) + sizeof(uint32_t));
  uint32_t *tr = (uint32_t *)(tk + n);
  zs_parallel_L(L, n, zs_threads_for_L(L, n), row_numbers_body, row); /* fresh pages: touched on all cores */
  radix_sort_rows(L, keys, row, tk, tr, n, bits);
  /* runs of equal keys, found in parallel: count per part, then fill */
  runs_ctx rc = {keys, row, NULL, NULL, {0}};
  int parts = zs_threads_for_L(L, n);
  zs_parallel_L(L, n, parts, runs_count_body, &rc);
  int64_t ng = 0;
  for (int p = 0; p < parts; p++) {
    int64_t c = rc.count[p];
    rc.count[p] = ng; /* now the first group number of part p */
    ng += c;
  }
  if (ng > INT32_MAX) luaL_error(L, "too many groups");
  set_groups(L, g, ng);
  g->seg_bytes = zs_mulsize(L, (size_t)ng + 1, sizeof(uint32_t));
  g->seg = zs_realloc(L, NULL, 0, g->seg_bytes);
  rc.gkey = g->gkey;
  rc.seg = g->seg;
  zs_parallel_L(L, n, parts, runs_fill_body, &rc);
  g->gid_ready = 0; /* the groups' rows are in order/seg; gid and first on demand */
  g->seg[ng] = (uint32_t)n;
  zs_release_scratch_at(L, -1); /* the sort's buffers, reusable at once */
  lua_pop(L, 1);
}

/* distinct share of the first rows' keys: high means mostly distinct */
static double distinct_share(lua_State *L, const uint64_t *keys, int64_t n) {
  int64_t m = n < SAMPLE ? n : SAMPLE;
  uint64_t *set = zs_scratch(L, 2 * SAMPLE, sizeof(uint64_t));
  uint8_t *used = zs_scratch(L, 2 * SAMPLE, 1);
  memset(used, 0, 2 * SAMPLE);
  int64_t d = 0;
  for (int64_t i = 0; i < m; i++) {
    uint64_t s = mix(keys[i]) & (2 * SAMPLE - 1);
    while (used[s] && set[s] != keys[i]) s = (s + 1) & (2 * SAMPLE - 1);
    if (!used[s]) { used[s] = 1; set[s] = keys[i]; d++; }
  }
  lua_pop(L, 2);
  return m ? (double)d / (double)m : 0;
}

/* Key-read groups: every composite of the keys (mixed radix over a small
 * range) a group for now; the kernels that can compose the composites of a
 * block of rows themselves skip making gid. */
#define BY_KEY_MAX_SHARE 16     /* composites at most n / 16: sums cut rows into parts */
#define BY_KEY_MAX_CODES 16384 /* the per-composite sums of a part stay in the core's cache */

static int group_by_key(lua_State *L, zs_groups *g, uint64_t P) {
  if (P > BY_KEY_MAX_CODES || P > (uint64_t)(g->n / BY_KEY_MAX_SHARE)) return 0;
  int64_t ncodes = (int64_t)P;
  set_groups(L, g, ncodes);
  g->keymap_bytes = zs_mulsize(L, (size_t)ncodes, sizeof(int32_t));
  g->keymap = zs_realloc(L, NULL, 0, g->keymap_bytes);
  for (int64_t c = 0; c < ncodes; c++) {
    g->gkey[c] = (uint64_t)c;
    g->keymap[c] = (int32_t)c;
  }
  g->ncodes = ncodes;
  g->gid_ready = 0; /* made from the keys if a kernel asks (zs_group_gid) */
  return 1;
}

int64_t zs_group_keep_codes(lua_State *L, zs_groups *g, const int64_t *rows) {
  int64_t ng = 0;
  for (int64_t c = 0; c < g->ncodes; c++) {
    g->keymap[c] = rows[c] > 0 ? (int32_t)ng : -1;
    if (rows[c] > 0) g->gkey[ng++] = (uint64_t)c;
  }
  set_groups(L, g, ng);
  g->gid_ready = 0; /* any gid made so far numbered every code */
  if (g->first) {
    zs_free(L, g->first, g->first_bytes);
    g->first = NULL;
    g->first_ready = 0;
  }
  return ng;
}

/* ---- entry points -------------------------------------------------------------------- */

zs_groups *zs_group_rows(lua_State *L, zs_col **cols, int nk, int64_t n, int sort, int by_key) {
  if (n > INT32_MAX) luaL_error(L, "group_by: at most %d rows", INT32_MAX);
  zs_groups *g = groups_push(L, n);
  int gidx = lua_gettop(L);
  g->nk = nk;
  g->enc = zs_scratch(L, (size_t)nk + 1, sizeof(zs_keyenc));
  anchor(L, gidx);
  g->decodable = 1;
  if (nk == 0) { /* one group of all rows; its gid (zeros) is made when asked */
    g->gid_ready = 0;
    set_groups(L, g, 1);
    need_first(L, g);
    g->first[0] = 0;
    g->first_ready = 1;
    g->gkey[0] = 0;
    return g;
  }
  for (int k = 0; k < nk; k++) encode_key(L, gidx, &g->enc[k], cols[k], n);
  if (n == 0) {
    set_groups(L, g, 0);
    return g;
  }
  uint64_t P = 1;
  int fits = 1, bits = 0;
  for (int k = 0; k < nk; k++) {
    fits = fits && !__builtin_mul_overflow(P, g->enc[k].card, &P);
    bits += g->enc[k].bits;
  }
  uint64_t direct_limit = (uint64_t)n * 2 > DIRECT_MIN ? (uint64_t)n * 2 : DIRECT_MIN;
  if (fits && P <= direct_limit && P <= (uint64_t)INT32_MAX) {
    if (sort && group_by_codes(L, g)) return g; /* a str key's codes are the ids */
    if (sort && by_key && group_by_key(L, g, P)) return g;
    group_direct(L, g, P, sort);
    return g;
  }
  uint64_t *keys = zs_scratch(L, (size_t)n, sizeof(uint64_t));
  if (bits <= 64) {
    g->packed = 1;
    compose(L, g, 1, keys, 1);
  } else if (fits) {
    compose(L, g, 0, keys, 1);
    bits = 64;
  } else {
    /* too wide for one number: fold the keys pairwise into dense ranks */
    g->decodable = 0;
    zs_keyenc acc;
    memset(&acc, 0, sizeof acc);
    zs_col tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.type = ZS_INT;
    tmp.n = n;
    tmp.data = zs_scratch(L, (size_t)n, sizeof(int64_t));
    anchor(L, gidx);
    for (int64_t i = 0; i < n; i++) ((int64_t *)tmp.data)[i] = (int64_t)enc_code(&g->enc[0], i);
    uint64_t card = g->enc[0].card;
    for (int k = 1; k < nk; k++) {
      for (int64_t i = 0; i < n; i++)
        ((int64_t *)tmp.data)[i] = (int64_t)((uint64_t)((int64_t *)tmp.data)[i] * g->enc[k].card + enc_code(&g->enc[k], i));
      acc.col = &tmp;
      encode_sorted(L, gidx, &acc, n); /* dense ranks in value order */
      for (int64_t i = 0; i < n; i++) ((int64_t *)tmp.data)[i] = acc.rowrank[i];
      card = acc.card;
    }
    for (int64_t i = 0; i < n; i++) keys[i] = (uint64_t)((int64_t *)tmp.data)[i];
    bits = bits_for(card);
  }
  if (sort && distinct_share(L, keys, n) > 0.25) group_sorted(L, g, keys, bits);
  else group_hash(L, g, keys, sort);
  zs_release_scratch_at(L, -1); /* keys: reusable at once */
  lua_pop(L, 1);
  return g;
}

/* value of code c of an encoder into element j of column out */
static void decode_into(const zs_keyenc *e, uint64_t c, const int32_t *inv, zs_col *out, int64_t j) {
  if (c == e->card - 1 && e->kind != ENC_SORTED) {
    zs_col_set_na(out, j);
    return;
  }
  switch (e->kind) {
  case ENC_STR: ((int32_t *)out->data)[j] = inv[c]; break;
  case ENC_BOOL: ((int8_t *)out->data)[j] = (int8_t)c; break;
  case ENC_OFFSET:
    if (out->type == ZS_INT) ((int64_t *)out->data)[j] = (int64_t)((uint64_t)e->min + c);
    else ((int32_t *)out->data)[j] = (int32_t)(e->min + (int64_t)c);
    break;
  default: {
    uint64_t k = e->values[c];
    if (k == UINT64_MAX) { zs_col_set_na(out, j); break; }
    if (out->type == ZS_INT) ((int64_t *)out->data)[j] = (int64_t)((k + 1) ^ 0x8000000000000000ULL);
    else if (out->type == ZS_DATE) ((int32_t *)out->data)[j] = (int32_t)(uint32_t)(k ^ 0x80000000ULL);
    else {
      uint64_t b = (k & 0x8000000000000000ULL) ? k & ~0x8000000000000000ULL : ~k;
      double d;
      memcpy(&d, &b, 8);
      ((double *)out->data)[j] = d;
    }
  }
  }
}

typedef struct {
  const zs_groups *g;
  const zs_keyenc *e;
  const int32_t *inv;
  zs_col *out;
  int shift;
  uint64_t div, mask;
} decode_ctx;

/* key values of groups [from, to) for one key column */
static void decode_body(void *arg, int64_t from, int64_t to, int part) {
  (void)part;
  decode_ctx *x = arg;
  const zs_groups *g = x->g;
  const zs_keyenc *e = x->e;
  uint64_t na = e->card - 1;
#define CODE(j) (g->nk == 1 ? g->gkey[j] : g->packed ? (g->gkey[j] >> x->shift) & x->mask : (g->gkey[j] / x->div) % e->card)
  if (e->kind == ENC_STR) { /* the common case, without the general decoder */
    int32_t *out = x->out->data;
    for (int64_t j = from; j < to; j++) {
      uint64_t c = CODE(j);
      out[j] = c == na ? ZS_NA_CODE : x->inv[c];
    }
  } else if (e->kind == ENC_OFFSET && x->out->type == ZS_INT) {
    int64_t *out = x->out->data;
    for (int64_t j = from; j < to; j++) {
      uint64_t c = CODE(j);
      out[j] = c == na ? ZS_NA_INT : (int64_t)((uint64_t)e->min + c);
    }
  } else {
    for (int64_t j = from; j < to; j++) decode_into(e, CODE(j), x->inv, x->out, j);
  }
#undef CODE
}

void zs_group_key_columns(lua_State *L, zs_groups *g, const int *colidx) {
  int64_t G = g->ngroups;
  for (int k = 0; k < g->nk; k++) {
    int cidx = lua_absindex(L, colidx[k]);
    if (!g->decodable) {
      zs_col_take(L, cidx, zs_group_first(L, g), G);
      continue;
    }
    const zs_keyenc *e = &g->enc[k];
    zs_col *src = zs_col_check(L, cidx);
    int32_t *inv = NULL;
    if (e->kind == ENC_STR) { /* rank -> dictionary code */
      inv = zs_scratch(L, (size_t)e->card, sizeof(int32_t));
      for (int32_t c = 0; c < src->dict->n; c++) inv[e->rank[c]] = c;
    }
    zs_col *out;
    if (src->type == ZS_STR) {
      zs_col_push_dict(L, cidx);
      out = zs_col_push(L, ZS_STR, G, -1);
      lua_remove(L, -2);
    } else {
      out = zs_col_push(L, src->type, G, 0);
    }
    /* shift (packed) or divisor (mixed radix) of key k's field */
    int shift = 0;
    uint64_t div = 1;
    for (int j = k + 1; j < g->nk; j++) {
      shift += g->enc[j].bits;
      div *= g->enc[j].card;
    }
    uint64_t mask = e->bits >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << e->bits) - 1);
    decode_ctx x = {g, e, inv, out, shift, div, mask};
    zs_parallel_L(L, G, zs_threads_for_L(L, G), decode_body, &x);
    if (inv) lua_remove(L, -2);
  }
}

void zs_group_drop_keys(lua_State *L, zs_groups *g) {
  zs_free(L, g->gkey, g->gkey_bytes);
  g->gkey = NULL;
  g->gkey_bytes = 0;
}

/* group.c: factorizing key columns into dense group ids.
 *
 * Each key column is first turned into order-preserving "ranks": a str
 * column by its dictionary's sorted order, a bool directly, an int or date
 * column by offset from its minimum when the range is small, otherwise (and
 * for floats) by sorting its distinct values.  NA gets the highest rank, so
 * it forms its own group and sorts last.  Several keys combine by mixed
 * radix into one 64-bit number whose order is the order of the key tuples;
 * when the combined range is small, a direct table maps it to group ids,
 * otherwise a hash table does and the distinct keys are radix-sorted.  Group
 * ids therefore come out in ascending key order (or, with sort = false, in
 * order of first appearance), without comparing rows.
 *
 * A Groups value (userdata "zonestat.Groups") holds the per-row group id,
 * the number of groups and the first row of each group. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zs.h"
#include "group.h"

#define DIRECT_MIN (1 << 16)

static int groups_gc(lua_State *L) {
  zs_groups *g = luaL_checkudata(L, 1, ZS_GROUPS);
  zs_free(L, g->gid, g->gid_bytes);
  zs_free(L, g->first, g->first_bytes);
  g->gid = NULL;
  g->first = NULL;
  g->gid_bytes = g->first_bytes = 0;
  return 0;
}

zs_groups *zs_groups_push(lua_State *L, int64_t n) {
  zs_groups *g = lua_newuserdatauv(L, sizeof *g, 0);
  memset(g, 0, sizeof *g);
  if (luaL_newmetatable(L, ZS_GROUPS)) {
    lua_pushcfunction(L, groups_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  g->n = n;
  g->gid_bytes = zs_mulsize(L, (size_t)(n ? n : 1), sizeof(int32_t));
  g->gid = zs_realloc(L, NULL, 0, g->gid_bytes);
  return g;
}

void zs_groups_set_first(lua_State *L, zs_groups *g, int64_t ngroups) {
  size_t bytes = zs_mulsize(L, (size_t)(ngroups ? ngroups : 1), sizeof(int64_t));
  g->first = zs_realloc(L, g->first, g->first_bytes, bytes);
  g->first_bytes = bytes;
  g->ngroups = ngroups;
}

/* ---- ranks of one key column ---------------------------------------------- */

typedef struct {
  uint64_t card;    /* number of rank values (NA included) */
  uint32_t *rank;   /* per row (scratch userdata), or NULL when direct below */
} keyranks;

static uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

/* ranks of an arbitrary 64-bit sortable key per row (NA = UINT64_MAX):
 * distinct keys through a hash table, sorted, numbered */
static uint64_t ranks_by_sorting(lua_State *L, const uint64_t *key, int64_t n, uint32_t *rank) {
  uint64_t nslots = 16;
  while (nslots < (uint64_t)n * 2) nslots <<= 1;
  int64_t *slot = zs_scratch(L, nslots, sizeof(int64_t));
  memset(slot, 0xff, nslots * sizeof(int64_t));
  uint64_t *distinct = zs_scratch(L, (size_t)n, 4 * sizeof(uint64_t));
  int64_t *ids = (int64_t *)(distinct + n);
  uint64_t *tmpk = distinct + 2 * n;
  int64_t *tmpv = (int64_t *)(distinct + 3 * n);
  int64_t nd = 0;
  /* first pass: distinct keys; rank[] temporarily holds the distinct index */
  for (int64_t i = 0; i < n; i++) {
    uint64_t k = key[i];
    uint64_t s = mix(k) & (nslots - 1);
    for (;;) {
      int64_t d = slot[s];
      if (d < 0) {
        slot[s] = nd;
        distinct[nd] = k;
        ids[nd] = nd;
        rank[i] = (uint32_t)nd++;
        break;
      }
      if (distinct[d] == k) {
        rank[i] = (uint32_t)d;
        break;
      }
      s = (s + 1) & (nslots - 1);
    }
  }
  zs_radix_sort_pairs(distinct, ids, tmpk, tmpv, nd);
  /* ids[r] = distinct index of rank r; invert into tmpv */
  for (int64_t r = 0; r < nd; r++) tmpv[ids[r]] = r;
  for (int64_t i = 0; i < n; i++) rank[i] = (uint32_t)tmpv[rank[i]];
  lua_pop(L, 2);
  return (uint64_t)nd;
}

/* Fill kr with the ranks of column c; pushes one scratch userdata. */
static void key_ranks(lua_State *L, zs_col *c, keyranks *kr) {
  int64_t n = c->n;
  if (n > (int64_t)UINT32_MAX) luaL_error(L, "too many rows to group");
  kr->rank = zs_scratch(L, (size_t)n, sizeof(uint32_t));
  uint32_t *rank = kr->rank;
  switch (c->type) {
  case ZS_STR: {
    const int32_t *dr = zs_dict_rank(c->dict);
    if (!dr && c->dict->n) luaL_error(L, "not enough memory");
    uint32_t na = (uint32_t)c->dict->n;
    const int32_t *codes = c->data;
    for (int64_t i = 0; i < n; i++) rank[i] = codes[i] < 0 ? na : (uint32_t)dr[codes[i]];
    kr->card = (uint64_t)na + 1;
    return;
  }
  case ZS_BOOL: {
    const int8_t *b = c->data;
    for (int64_t i = 0; i < n; i++) rank[i] = b[i] < 0 ? 2 : (uint32_t)b[i];
    kr->card = 3;
    return;
  }
  case ZS_INT:
  case ZS_DATE: {
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    int any = 0;
    for (int64_t i = 0; i < n; i++) {
      int64_t v;
      if (c->type == ZS_INT) { v = ((int64_t *)c->data)[i]; if (v == ZS_NA_INT) continue; }
      else { int32_t d = ((int32_t *)c->data)[i]; if (d == ZS_NA_DATE) continue; v = d; }
      any = 1;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    uint64_t range = any ? (uint64_t)hi - (uint64_t)lo + 1 : 0;
    uint64_t limit = (uint64_t)n * 2 > DIRECT_MIN ? (uint64_t)n * 2 : DIRECT_MIN;
    if (any && range <= limit && range < UINT32_MAX) {
      for (int64_t i = 0; i < n; i++) {
        int64_t v;
        int na;
        if (c->type == ZS_INT) { v = ((int64_t *)c->data)[i]; na = v == ZS_NA_INT; }
        else { int32_t d = ((int32_t *)c->data)[i]; na = d == ZS_NA_DATE; v = d; }
        rank[i] = na ? (uint32_t)range : (uint32_t)((uint64_t)v - (uint64_t)lo);
      }
      kr->card = range + 1;
      return;
    }
    break;
  }
  default: break;
  }
  /* general case: sort the distinct values */
  uint64_t *key = zs_scratch(L, (size_t)n, sizeof(uint64_t));
  zs_sort_keys(L, c, 0, key);
  kr->card = ranks_by_sorting(L, key, n, rank);
  lua_pop(L, 1);
}

/* ---- combining keys ------------------------------------------------------- */

/* composite key of row i (mixed radix, first key most significant) */
static inline uint64_t composite(const keyranks *kr, int nk, int64_t i) {
  uint64_t v = 0;
  for (int k = 0; k < nk; k++) v = v * kr[k].card + kr[k].rank[i];
  return v;
}

/* Group ids through a direct table over the composite range P. */
static void group_direct(lua_State *L, zs_groups *g, const keyranks *kr, int nk, uint64_t P, int sort) {
  int64_t n = g->n;
  int32_t *map = zs_scratch(L, (size_t)P, sizeof(int32_t));
  memset(map, 0xff, (size_t)P * sizeof(int32_t));
  int32_t *gid = g->gid;
  int64_t ng = 0;
  if (sort) {
    for (int64_t i = 0; i < n; i++) map[composite(kr, nk, i)] = 0;
    for (uint64_t p = 0; p < P; p++)
      if (map[p] >= 0) map[p] = (int32_t)ng++;
    if (ng > INT32_MAX) luaL_error(L, "too many groups");
    zs_groups_set_first(L, g, ng);
    for (int64_t k = 0; k < ng; k++) g->first[k] = -1;
    for (int64_t i = 0; i < n; i++) {
      int32_t id = map[composite(kr, nk, i)];
      gid[i] = id;
      if (g->first[id] < 0) g->first[id] = i;
    }
  } else {
    zs_groups_set_first(L, g, n ? n : 1);
    for (int64_t i = 0; i < n; i++) {
      uint64_t p = composite(kr, nk, i);
      int32_t id = map[p];
      if (id < 0) {
        id = map[p] = (int32_t)ng;
        g->first[ng++] = i;
      }
      gid[i] = id;
    }
    zs_groups_set_first(L, g, ng);
  }
  lua_pop(L, 1);
}

/* Group ids through a hash table on 64-bit composite keys; sorted after. */
static void group_hash(lua_State *L, zs_groups *g, const uint64_t *keys, int sort) {
  int64_t n = g->n;
  uint64_t nslots = 16;
  while (nslots < (uint64_t)n * 2) nslots <<= 1;
  int32_t *slot = zs_scratch(L, nslots, sizeof(int32_t));
  memset(slot, 0xff, nslots * sizeof(int32_t));
  uint64_t *gkey = zs_scratch(L, (size_t)n, sizeof(uint64_t));
  zs_groups_set_first(L, g, n ? n : 1);
  int32_t *gid = g->gid;
  int64_t ng = 0;
  for (int64_t i = 0; i < n; i++) {
    uint64_t k = keys[i];
    uint64_t s = mix(k) & (nslots - 1);
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
  if (sort && ng > 1) {
    /* order the groups by key and renumber */
    int64_t *ids = zs_scratch(L, (size_t)ng, 3 * sizeof(int64_t));
    uint64_t *tmpk = (uint64_t *)(ids + ng);
    int64_t *tmpv = ids + 2 * ng;
    for (int64_t k = 0; k < ng; k++) ids[k] = k;
    zs_radix_sort_pairs(gkey, ids, tmpk, tmpv, ng);
    int32_t *newid = (int32_t *)tmpk; /* reuse: ng int32 fit in ng uint64 */
    for (int64_t r = 0; r < ng; r++) newid[ids[r]] = (int32_t)r;
    for (int64_t i = 0; i < n; i++) gid[i] = newid[gid[i]];
    int64_t *first = tmpv;
    for (int64_t r = 0; r < ng; r++) first[r] = g->first[ids[r]];
    memcpy(g->first, first, (size_t)ng * sizeof(int64_t));
    lua_pop(L, 1);
  }
  zs_groups_set_first(L, g, ng);
  lua_pop(L, 2);
}

/* Group the rows of the key columns; pushes the Groups userdata. */
zs_groups *zs_group_rows(lua_State *L, zs_col **cols, int nk, int64_t n, int sort) {
  zs_groups *g = zs_groups_push(L, n);
  int gidx = lua_gettop(L);
  if (nk == 0) { /* one group of all rows */
    memset(g->gid, 0, (size_t)n * sizeof(int32_t));
    zs_groups_set_first(L, g, 1);
    g->first[0] = 0;
    return g;
  }
  if (n == 0) {
    zs_groups_set_first(L, g, 0);
    return g;
  }
  keyranks *kr = lua_newuserdatauv(L, sizeof(keyranks) * (size_t)nk, 0);
  for (int k = 0; k < nk; k++) key_ranks(L, cols[k], &kr[k]); /* each pushes its ranks */
  uint64_t P = 1;
  int fits = 1;
  for (int k = 0; k < nk && fits; k++) fits = !__builtin_mul_overflow(P, kr[k].card, &P);
  uint64_t direct_limit = (uint64_t)n * 2 > DIRECT_MIN ? (uint64_t)n * 2 : DIRECT_MIN;
  if (fits && P <= direct_limit && P <= (uint64_t)INT32_MAX) {
    group_direct(L, g, kr, nk, P, sort);
  } else {
    uint64_t *keys = zs_scratch(L, (size_t)n, sizeof(uint64_t));
    if (fits) {
      for (int64_t i = 0; i < n; i++) keys[i] = composite(kr, nk, i);
    } else {
      /* too wide for one number: fold the keys pairwise into dense ranks */
      uint32_t *acc = zs_scratch(L, (size_t)n, sizeof(uint32_t));
      memcpy(acc, kr[0].rank, (size_t)n * sizeof(uint32_t));
      uint64_t card = kr[0].card;
      for (int k = 1; k < nk; k++) {
        for (int64_t i = 0; i < n; i++) keys[i] = (uint64_t)acc[i] * kr[k].card + kr[k].rank[i];
        if (__builtin_mul_overflow(card, kr[k].card, &card)) card = UINT64_MAX;
        card = ranks_by_sorting(L, keys, n, acc);
      }
      for (int64_t i = 0; i < n; i++) keys[i] = acc[i];
      lua_pop(L, 1);
    }
    group_hash(L, g, keys, sort);
    lua_pop(L, 1);
  }
  lua_settop(L, gidx);
  return g;
}

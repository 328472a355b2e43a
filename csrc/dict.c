/* dict.c: string dictionaries for str columns.
 *
 * Distinct strings are stored once in a pool and numbered 0..n-1 in order
 * of first insertion; a column stores the numbers.  A dictionary is shared by
 * every column derived from the one that built it (filters, slices), and is
 * never changed once a column using it is visible to Lua. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "zs.h"

uint64_t zs_hash(const char *s, size_t len) {
  const uint64_t k = 0xff51afd7ed558ccdULL;
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)len * 0xc2b2ae3d27d4eb4fULL);
  while (len >= 8) {
    uint64_t w;
    memcpy(&w, s, 8);
    h = (h ^ w) * k;
    h ^= h >> 29;
    s += 8;
    len -= 8;
  }
  if (len) {
    uint64_t w = 0;
    memcpy(&w, s, len);
    h = (h ^ w) * k;
    h ^= h >> 29;
  }
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

void zs_dict_init(zs_dict *d, lua_Alloc alloc, void *ud) {
  memset(d, 0, sizeof *d);
  d->alloc = alloc;
  d->ud = ud;
}

static void *dict_realloc(zs_dict *d, void *p, size_t osize, size_t nsize) {
  return d->alloc(d->ud, p, p ? osize : 0, nsize);
}

void zs_dict_release(zs_dict *d) {
  if (d->alloc == NULL) return;
  size_t cap = (size_t)d->cap;
  dict_realloc(d, d->off, cap * sizeof *d->off, 0);
  dict_realloc(d, d->len, cap * sizeof *d->len, 0);
  dict_realloc(d, d->hash, cap * sizeof *d->hash, 0);
  dict_realloc(d, d->pool, d->pool_cap, 0);
  dict_realloc(d, d->slots, (size_t)d->nslots * sizeof *d->slots, 0);
  dict_realloc(d, d->rank, cap * sizeof *d->rank, 0);
  lua_Alloc a = d->alloc;
  void *ud = d->ud;
  zs_dict_init(d, a, ud);
  d->alloc = NULL; /* released: idempotent */
}

static int grow_slots(zs_dict *d) {
  uint32_t nslots = d->nslots ? d->nslots * 2 : 64;
  struct zs_slot *slots = dict_realloc(d, NULL, 0, (size_t)nslots * sizeof *slots);
  if (!slots) return -1;
  for (uint32_t i = 0; i < nslots; i++) slots[i].code = -1;
  uint32_t mask = nslots - 1;
  for (int32_t c = 0; c < d->n; c++) {
    uint32_t i = (uint32_t)d->hash[c] & mask;
    while (slots[i].code >= 0) i = (i + 1) & mask;
    slots[i].h32 = (uint32_t)(d->hash[c] >> 32);
    slots[i].code = c;
    slots[i].off = d->off[c];
  }
  dict_realloc(d, d->slots, (size_t)d->nslots * sizeof *d->slots, 0);
  d->slots = slots;
  d->nslots = nslots;
  return 0;
}

static int grow_entries(zs_dict *d) {
  if (d->cap >= INT32_MAX / 2) return -1;
  size_t ocap = (size_t)d->cap, ncap = d->cap ? ocap * 2 : 32;
  uint64_t *off = dict_realloc(d, d->off, ocap * sizeof *off, ncap * sizeof *off);
  if (!off) return -1;
  d->off = off;
  uint32_t *len = dict_realloc(d, d->len, ocap * sizeof *len, ncap * sizeof *len);
  if (!len) return -1;
  d->len = len;
  uint64_t *hash = dict_realloc(d, d->hash, ocap * sizeof *hash, ncap * sizeof *hash);
  if (!hash) return -1;
  d->hash = hash;
  if (d->rank) { /* ranks are rebuilt on demand */
    dict_realloc(d, d->rank, ocap * sizeof *d->rank, 0);
    d->rank = NULL;
  }
  d->cap = (int32_t)ncap;
  return 0;
}

static inline int same_bytes(const char *a, const char *b, size_t len) {
  if (len <= 16) {
    for (size_t i = 0; i < len; i++)
      if (a[i] != b[i]) return 0;
    return 1;
  }
  return memcmp(a, b, len) == 0;
}

static inline uint32_t pool_len(const zs_dict *d, uint64_t off) {
  uint32_t len;
  memcpy(&len, d->pool + off - 4, 4);
  return len;
}

int32_t zs_dict_intern_h(zs_dict *d, const char *s, size_t len, uint64_t h) {
  if (len > UINT32_MAX - 8) return -1;
  if ((uint64_t)(d->n + 1) * 2 > d->nslots && grow_slots(d) < 0) return -1;
  uint32_t mask = d->nslots - 1, i = (uint32_t)h & mask, h32 = (uint32_t)(h >> 32);
  struct zs_slot *slot;
  while ((slot = &d->slots[i])->code >= 0) {
    if (slot->h32 == h32 && pool_len(d, slot->off) == len && same_bytes(d->pool + slot->off, s, len))
      return slot->code;
    i = (i + 1) & mask;
  }
  if (d->n == d->cap && grow_entries(d) < 0) return -1;
  if (d->pool_len + len + 4 > d->pool_cap) {
    size_t ncap = d->pool_cap ? d->pool_cap : 256;
    while (ncap < d->pool_len + len + 4) ncap *= 2;
    char *pool = dict_realloc(d, d->pool, d->pool_cap, ncap);
    if (!pool) return -1;
    d->pool = pool;
    d->pool_cap = ncap;
  }
  uint32_t len32 = (uint32_t)len;
  memcpy(d->pool + d->pool_len, &len32, 4);
  d->pool_len += 4;
  if (len) memcpy(d->pool + d->pool_len, s, len);
  int32_t c = d->n++;
  d->off[c] = d->pool_len;
  d->len[c] = len32;
  d->hash[c] = h;
  d->pool_len += len;
  slot->h32 = h32;
  slot->code = c;
  slot->off = d->off[c];
  if (d->rank) {
    dict_realloc(d, d->rank, (size_t)d->cap * sizeof *d->rank, 0);
    d->rank = NULL;
  }
  return c;
}

int32_t zs_dict_intern(zs_dict *d, const char *s, size_t len) {
  return zs_dict_intern_h(d, s, len, zs_hash(s, len));
}

int32_t zs_dict_find(const zs_dict *d, const char *s, size_t len) {
  if (d->nslots == 0) return -1;
  uint64_t h = zs_hash(s, len);
  uint32_t mask = d->nslots - 1, i = (uint32_t)h & mask, h32 = (uint32_t)(h >> 32);
  const struct zs_slot *slot;
  while ((slot = &d->slots[i])->code >= 0) {
    if (slot->h32 == h32 && pool_len(d, slot->off) == len && same_bytes(d->pool + slot->off, s, len))
      return slot->code;
    i = (i + 1) & mask;
  }
  return -1;
}

int zs_strcmp(const char *a, size_t la, const char *b, size_t lb) {
  size_t m = la < lb ? la : lb;
  int r = m ? memcmp(a, b, m) : 0;
  if (r) return r < 0 ? -1 : 1;
  return la < lb ? -1 : la > lb ? 1 : 0;
}

static int cmp_codes(const void *pa, const void *pb, void *ctx) {
  const zs_dict *d = ctx;
  int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
  return zs_strcmp(d->pool + d->off[a], d->len[a], d->pool + d->off[b], d->len[b]);
}

const int32_t *zs_dict_rank(zs_dict *d) {
  if (d->rank || d->n == 0) return d->rank;
  size_t n = (size_t)d->n;
  int32_t *order = dict_realloc(d, NULL, 0, n * sizeof *order);
  if (!order) return NULL;
  int32_t *rank = dict_realloc(d, NULL, 0, (size_t)d->cap * sizeof *rank);
  if (!rank) {
    dict_realloc(d, order, n * sizeof *order, 0);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) order[i] = (int32_t)i;
  qsort_r(order, n, sizeof *order, cmp_codes, d);
  int sorted = 1;
  for (size_t i = 0; i < n; i++) {
    rank[order[i]] = (int32_t)i;
    sorted &= order[i] == (int32_t)i;
  }
  dict_realloc(d, order, n * sizeof *order, 0);
  d->rank = rank;
  d->sorted = sorted;
  return rank;
}

/* ---- Dict userdata ------------------------------------------------------ */

static int dict_gc(lua_State *L) {
  zs_dict *d = luaL_checkudata(L, 1, ZS_DICT);
  zs_dict_release(d);
  return 0;
}

zs_dict *zs_dict_push(lua_State *L) {
  zs_dict *d = lua_newuserdatauv(L, sizeof *d, 0);
  memset(d, 0, sizeof *d); /* released state until initialized */
  if (zs_newmetatable(L, ZS_DICT)) {
    lua_pushcfunction(L, dict_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  void *ud;
  lua_Alloc f = lua_getallocf(L, &ud);
  zs_dict_init(d, f, ud);
  return d;
}

zs_dict *zs_dict_check(lua_State *L, int idx) { return luaL_checkudata(L, idx, ZS_DICT); }

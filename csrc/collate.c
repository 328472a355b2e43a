/* collate.c: the order of text in a language (ICU collation), for
 * f:sort(col, {collate = "vi"}): Vietnamese puts "Đình Vũ" after "Dung
 * Quất" and before "Hải Phòng", where bytes put it after "Tràng Duệ".
 *
 * core.collation_ranks(column, locale) gives an int column: each row the
 * rank of its string among the column's distinct strings in the locale's
 * collation (strings the collation holds equal share a rank; NA stays NA).
 * Sort keys are computed once per distinct string (the dictionary), not
 * per row. */
#include <stdlib.h>
#include <string.h>
#include <unicode/ucol.h>
#include <unicode/ustring.h>

#include "zs.h"

#define COLLATOR "zonestat.Collator"

typedef struct {
  UCollator *coll;
} collbox;

static int collbox_gc(lua_State *L) {
  collbox *b = luaL_checkudata(L, 1, COLLATOR);
  if (b->coll) ucol_close(b->coll);
  b->coll = NULL;
  return 0;
}

typedef struct {
  const uint8_t *keys; /* all sort keys, back to back */
  const size_t *off;   /* off[i] .. off[i + 1]: the key of string i */
} keyset;

static int cmp_keys(const keyset *k, int32_t a, int32_t b) {
  size_t la = k->off[a + 1] - k->off[a], lb = k->off[b + 1] - k->off[b];
  int c = memcmp(k->keys + k->off[a], k->keys + k->off[b], la < lb ? la : lb);
  return c ? c : (la < lb ? -1 : la > lb);
}

/* merge sort of idx[0..n) by key (stable; no qsort_r, which is not portable) */
static void sort_by_keys(const keyset *k, int32_t *idx, int32_t *tmp, int32_t n) {
  for (int32_t width = 1; width < n; width *= 2) {
    for (int32_t lo = 0; lo < n; lo += 2 * width) {
      int32_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      int32_t i = lo, j = mid, o = lo;
      while (i < mid && j < hi) tmp[o++] = cmp_keys(k, idx[j], idx[i]) < 0 ? idx[j++] : idx[i++];
      while (i < mid) tmp[o++] = idx[i++];
      while (j < hi) tmp[o++] = idx[j++];
    }
    memcpy(idx, tmp, (size_t)n * sizeof *idx);
  }
}

static int l_collation_ranks(lua_State *L) {
  zs_col *c = zs_col_check(L, 1);
  const char *locale = luaL_checkstring(L, 2);
  luaL_argcheck(L, c->type == ZS_STR, 1, "expected a str column");
  collbox *box = lua_newuserdatauv(L, sizeof *box, 0); /* 3 */
  box->coll = NULL;
  if (luaL_newmetatable(L, COLLATOR)) {
    lua_pushcfunction(L, collbox_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  UErrorCode st = U_ZERO_ERROR;
  box->coll = ucol_open(locale, &st);
  if (U_FAILURE(st)) luaL_error(L, "collate: no collation for the locale '%s' (%s)", locale, u_errorName(st));
  const zs_dict *d = c->dict;
  int32_t n = d->n;
  keyset ks = {NULL, NULL};
  /* UTF-16 text of the longest string, then every key */
  size_t longest = 0;
  for (int32_t i = 0; i < n; i++) longest = d->len[i] > longest ? d->len[i] : longest;
  if (longest > (size_t)INT32_MAX / 2) luaL_error(L, "collate: a string is too long");
  UChar *u16 = zs_scratch(L, longest + 1, sizeof(UChar));    /* 4 */
  size_t *off = zs_scratch(L, (size_t)n + 1, sizeof(size_t)); /* 5 */
  /* two passes: the length of every key, then the keys into one buffer */
  for (int pass = 0; pass < 2; pass++) {
    uint8_t *keys = pass ? zs_scratch(L, off[n] ? off[n] : 1, 1) : NULL; /* 6 */
    size_t used = 0;
    for (int32_t i = 0; i < n; i++) {
      size_t len;
      const char *s = zs_dict_str(d, i, &len);
      int32_t n16 = 0;
      st = U_ZERO_ERROR;
      u_strFromUTF8WithSub(u16, (int32_t)longest + 1, &n16, s, (int32_t)len, 0xFFFD, NULL, &st);
      if (U_FAILURE(st)) luaL_error(L, "collate: cannot read a string as UTF-8 (%s)", u_errorName(st));
      int32_t room = pass ? (int32_t)(off[i + 1] - off[i]) : 0;
      int32_t need = ucol_getSortKey(box->coll, u16, n16, pass ? keys + off[i] : NULL, room);
      if (need <= 0) luaL_error(L, "collate: ICU could not make a sort key");
      if (!pass) {
        off[i] = used;
        used += (size_t)need;
      }
    }
    if (!pass) {
      off[n] = used;
    } else {
      ks.keys = keys;
    }
  }
  ks.off = off;
  int32_t *idx = zs_scratch(L, (size_t)n ? (size_t)n : 1, sizeof(int32_t)); /* 7 */
  int32_t *tmp = zs_scratch(L, (size_t)n ? (size_t)n : 1, sizeof(int32_t)); /* 8 */
  for (int32_t i = 0; i < n; i++) idx[i] = i;
  const keyset *k = &ks;
  sort_by_keys(k, idx, tmp, n);
  int32_t *rank = tmp; /* reused: rank[code] */
  int32_t r = 0;
  for (int32_t i = 0; i < n; i++) {
    if (i > 0 && cmp_keys(k, idx[i - 1], idx[i]) != 0) r = i;
    rank[idx[i]] = r;
  }
  zs_col *out = zs_col_push(L, ZS_INT, c->n, 0);
  const int32_t *codes = c->data;
  int64_t *dst = out->data;
  for (int64_t i = 0; i < c->n; i++) dst[i] = codes[i] < 0 ? ZS_NA_INT : rank[codes[i]];
  return 1;
}

void zs_collate_open(lua_State *L) {
  static const luaL_Reg fns[] = {{"collation_ranks", l_collation_ranks}, {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
}

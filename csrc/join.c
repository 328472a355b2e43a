/* join.c: hash joins on one or more key columns.
 *
 * The right frame is the build side: its rows with no NA key go into a hash
 * table (chains in ascending row order); each left row probes it.  Output
 * pairs come in left-row order, and for one left row in right-row order;
 * a full join appends the unmatched right rows in their order.  NA keys
 * never match.  Keys compare by value: str keys of different dictionaries
 * by their text, int with float exactly (a float key matches an int key
 * only when it is that integer: 2^53 never matches 2^53 + 1, and a float
 * that is not an integer in int64's range matches no int). */
#include <math.h>
#include <string.h>

#include "zs.h"

typedef struct {
  zs_col *l, *r;
  int mixed;            /* int and float keys: the float side as an exact int64 */
  int32_t *rcode;       /* str: right code -> left code (-1: absent from left) */
} keypair;

/* hashable bits of element i of column c on `side` (NULL-free: NA checked first) */
static inline uint64_t key_bits(const keypair *k, int right, int64_t i) {
  const zs_col *c = right ? k->r : k->l;
  if (k->mixed && c->type == ZS_FLOAT) /* an integer: unmatchable() checked it */
    return (uint64_t)(int64_t)((double *)c->data)[i];
  switch (c->type) {
  case ZS_BOOL: return (uint64_t)((int8_t *)c->data)[i];
  case ZS_INT: return (uint64_t)((int64_t *)c->data)[i];
  case ZS_FLOAT: {
    double v = ((double *)c->data)[i];
    if (v == 0) v = 0.0;
    uint64_t b;
    memcpy(&b, &v, 8);
    return b;
  }
  case ZS_DATE: return (uint64_t)(uint32_t)((int32_t *)c->data)[i];
  default: {
    int32_t code = ((int32_t *)c->data)[i];
    return right ? (uint64_t)(int64_t)k->rcode[code] : (uint64_t)(int64_t)code;
  }
  }
}

/* row i of a side has a NA key (or, right, a string the left never has) */
static int unmatchable(const keypair *keys, int nk, int right, int64_t i) {
  for (int k = 0; k < nk; k++) {
    const zs_col *c = right ? keys[k].r : keys[k].l;
    if (zs_col_isna(c, i)) return 1;
    if (keys[k].mixed && c->type == ZS_FLOAT) {
      double v = ((double *)c->data)[i];
      if (!(v >= -0x1p63 && v < 0x1p63) || trunc(v) != v) return 1; /* equals no int64 */
    }
    if (right && c->type == ZS_STR && keys[k].rcode[((int32_t *)c->data)[i]] < 0) return 1;
  }
  return 0;
}

static uint64_t row_hash(const keypair *keys, int nk, int right, int64_t i) {
  uint64_t h = 0x9e3779b97f4a7c15ULL;
  for (int k = 0; k < nk; k++) {
    h ^= key_bits(&keys[k], right, i);
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
  }
  return h;
}

static int rows_equal(const keypair *keys, int nk, int64_t li, int64_t ri) {
  for (int k = 0; k < nk; k++)
    if (key_bits(&keys[k], 0, li) != key_bits(&keys[k], 1, ri)) return 0;
  return 1;
}

static const char *const hows[] = {"inner", "left", "full", "semi", "anti", NULL};
enum { J_INNER, J_LEFT, J_FULL, J_SEMI, J_ANTI };

/* core.join_rows(left, right, {lkey...}, {rkey...}, how) -> two int Columns
 * of 1-based rows (NA where a side has no row): left rows, right rows
 * (semi and anti: only the left rows) */
static int l_join_rows(lua_State *L) {
  zs_frame *lf = zs_frame_check(L, 1), *rf = zs_frame_check(L, 2);
  luaL_checktype(L, 3, LUA_TTABLE);
  luaL_checktype(L, 4, LUA_TTABLE);
  int how = luaL_checkoption(L, 5, "inner", hows);
  int nk = (int)lua_rawlen(L, 3);
  if (nk == 0 || nk != (int)lua_rawlen(L, 4)) luaL_error(L, "join: give the same number of keys on both sides");
  lua_settop(L, 5);
  keypair *keys = zs_scratch(L, (size_t)nk, sizeof(keypair)); /* 6 */
  for (int k = 0; k < nk; k++) {
    lua_rawgeti(L, 3, k + 1);
    lua_rawgeti(L, 4, k + 1);
    const char *ln = lua_tostring(L, -2), *rn = lua_tostring(L, -1);
    int lj = ln ? zs_frame_find(L, 1, ln) : -1, rj = rn ? zs_frame_find(L, 2, rn) : -1;
    if (lj < 0) luaL_error(L, "join: no column named '%s' on the left", ln ? ln : "?");
    if (rj < 0) luaL_error(L, "join: no column named '%s' on the right", rn ? rn : "?");
    keypair *kp = &keys[k];
    memset(kp, 0, sizeof *kp);
    kp->l = lf->cols[lj];
    kp->r = rf->cols[rj];
    zs_type lt = kp->l->type, rt = kp->r->type;
    if (lt != rt) {
      if ((lt == ZS_INT || lt == ZS_FLOAT) && (rt == ZS_INT || rt == ZS_FLOAT)) kp->mixed = 1;
      else luaL_error(L, "join: key '%s' is %s on the left but '%s' is %s on the right", ln, zs_type_names[lt], rn, zs_type_names[rt]);
    }
    lua_pop(L, 2);
    if (lt == ZS_STR && rt == ZS_STR) {
      const zs_dict *rd = kp->r->dict;
      kp->rcode = zs_scratch(L, (size_t)rd->n, sizeof(int32_t));
      lua_insert(L, 6); /* keep it below the working area */
      for (int32_t c = 0; c < rd->n; c++) {
        size_t len;
        const char *s = zs_dict_str(rd, c, &len);
        kp->rcode[c] = kp->l->dict == rd ? c : zs_dict_find(kp->l->dict, s, len);
      }
    }
  }
  int64_t nl = lf->nrow, nr = rf->nrow;
  /* build: chains of right rows per slot, ascending */
  uint64_t nslots = 16;
  while (nslots < (uint64_t)nr * 2) nslots <<= 1;
  int64_t *head = zs_scratch(L, nslots, sizeof(int64_t));
  int64_t *next = zs_scratch(L, (size_t)nr, sizeof(int64_t));
  memset(head, 0xff, nslots * sizeof(int64_t));
  for (int64_t j = nr - 1; j >= 0; j--) {
    if (unmatchable(keys, nk, 1, j)) continue;
    uint64_t s = row_hash(keys, nk, 1, j) & (nslots - 1);
    next[j] = head[s];
    head[s] = j;
  }
  /* probe twice: count, then fill */
  uint8_t *rmatched = NULL;
  if (how == J_FULL) {
    rmatched = zs_scratch(L, (size_t)nr, 1);
    memset(rmatched, 0, (size_t)nr);
  }
  int64_t total = 0;
  for (int pass = 0; pass < 2; pass++) {
    int64_t *lo = NULL, *ro = NULL;
    if (pass == 1) {
      zs_col *lc = zs_col_push(L, ZS_INT, total, 0);
      lo = lc->data;
      if (how != J_SEMI && how != J_ANTI) {
        zs_col *rc = zs_col_push(L, ZS_INT, total, 0);
        ro = rc->data;
      }
    }
    int64_t m = 0;
    for (int64_t i = 0; i < nl; i++) {
      int64_t hits = 0;
      if (!unmatchable(keys, nk, 0, i)) {
        uint64_t s = row_hash(keys, nk, 0, i) & (nslots - 1);
        for (int64_t j = head[s]; j >= 0; j = next[j]) {
          if (!rows_equal(keys, nk, i, j)) continue;
          hits++;
          if (how == J_SEMI || how == J_ANTI) break;
          if (rmatched) rmatched[j] = 1;
          if (pass == 1) {
            lo[m] = i + 1;
            ro[m] = j + 1;
          }
          m++;
        }
      }
      if ((how == J_SEMI && hits) || (how == J_ANTI && !hits)) {
        if (pass == 1) lo[m] = i + 1;
        m++;
      } else if (!hits && (how == J_LEFT || how == J_FULL)) {
        if (pass == 1) {
          lo[m] = i + 1;
          ro[m] = ZS_NA_INT;
        }
        m++;
      }
    }
    if (how == J_FULL) /* then the right rows nothing matched */
      for (int64_t j = 0; j < nr; j++) {
        if (rmatched[j]) continue;
        if (pass == 1) {
          lo[m] = ZS_NA_INT;
          ro[m] = j + 1;
        }
        m++;
      }
    if (pass == 0) total = m;
  }
  return how == J_SEMI || how == J_ANTI ? 1 : 2;
}

void zs_join_open(lua_State *L) {
  static const luaL_Reg fns[] = {{"join_rows", l_join_rows}, {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
}

/* group.h: grouped rows, shared by group.c (factorizing keys) and agg.c
 * (aggregation kernels). */
#ifndef ZS_GROUP_H
#define ZS_GROUP_H

#include "zs.h"

#define ZS_GROUPS "zonestat.Groups"

/* How one key column turns into order-preserving codes 0..card-1 (NA is
 * card-1, so it sorts last). */
typedef enum {
  ENC_STR,    /* dictionary rank of the code */
  ENC_BOOL,   /* false, true, NA */
  ENC_OFFSET, /* int or date minus the column's minimum (small ranges) */
  ENC_SORTED  /* rank among the sorted distinct values (per-row ranks) */
} zs_enc_kind;

typedef struct {
  zs_enc_kind kind;
  zs_col *col;
  uint64_t card;       /* number of codes, NA included */
  int bits;            /* bits needed for card codes */
  const int32_t *rank; /* ENC_STR: dictionary code -> rank */
  int64_t min;         /* ENC_OFFSET */
  uint32_t *rowrank;   /* ENC_SORTED: code of each row */
  uint64_t *values;    /* ENC_SORTED: sort key of each code */
} zs_keyenc;

typedef struct {
  int64_t n;          /* rows */
  int64_t ngroups;
  int32_t *gid;       /* per row: its group, 0..ngroups-1 (NULL until made) */
  int gid_borrowed;   /* gid is a key column's codes (not ours to free) */
  int gid_ready;      /* gid is filled (else: from order and seg, or from codes; see zs_group_gid) */
  const int32_t *codes; /* or NULL: a str key's codes are the group ids, except */
  int32_t codes_na;     /* NA (negative codes), which is this group */
  int64_t *first;     /* per group: its first row, or NULL (see zs_group_first) */
  int first_ready;    /* first[] is filled */
  uint64_t *gkey;     /* per group: its composite key (when decodable) */
  uint32_t *order;    /* rows grouped (a group's rows in row order), or NULL */
  uint32_t *seg;      /* with order: group k's rows are order[seg[k] .. seg[k+1]) (n < 2^31) */
  size_t gid_bytes, first_bytes, gkey_bytes, order_bytes, seg_bytes;
  int nk;
  zs_keyenc *enc;     /* nk encoders (scratch kept alive by user value 1) */
  int packed;         /* gkey packs codes in bit fields (else mixed radix) */
  int decodable;      /* key values can be rebuilt from gkey */
  /* Key-read groups (zs_group_rows with by_key): keys whose composites
   * (mixed radix) span a small range, not numbered in advance.  Row i
   * belongs to composite c (zs_group_block_codes) and c to group keymap[c]:
   * at first every composite is a group (ngroups = ncodes, some maybe
   * empty), until zs_group_keep_codes keeps those with rows.  Kernels may
   * compose a block's composites instead of reading gid; zs_group_gid makes
   * gid when asked.  keymap is NULL for other groups. */
  int64_t ncodes;
  int32_t *keymap;    /* ncodes entries */
  size_t keymap_bytes;
} zs_groups;

/* Group n rows by the key columns (none: one group of all rows); group ids
 * in ascending key order (NA last) when sort, else in order of first
 * appearance.  by_key: key-read groups (see above) are welcome where they
 * apply (the caller then calls zs_group_keep_codes before using ngroups).
 * Pushes the Groups userdata. */
zs_groups *zs_group_rows(lua_State *L, zs_col **cols, int nk, int64_t n, int sort, int by_key);

/* Key-read groups: the composites of rows [from, to) into
 * out[0 .. to - from) (on this thread) */
void zs_group_block_codes(const zs_groups *g, int64_t from, int64_t to, uint32_t *out);

/* Key-read groups: keep the composites with rows[c] > 0 as the groups (in
 * composite order, so still sorted).  Returns the new number of groups. */
int64_t zs_group_keep_codes(lua_State *L, zs_groups *g, const int64_t *rows);

/* the group of each row (filled on first use when grouping sorted rows, by
 * the codes of a key with NA, or with no key) */
const int32_t *zs_group_gid(lua_State *L, zs_groups *g);

/* Grouped by no key: one group of all rows (kernels that run over rows
 * need no gid then: every row is in group 0). */
static inline int zs_group_single(const zs_groups *g) { return g->nk == 0; }

/* Before gid is filled from a key's codes: those codes (NA negative, in
 * group *na), for kernels that can map NA themselves; else NULL. */
const int32_t *zs_group_codes(const zs_groups *g, int32_t *na);

/* the first row of each group (computed on first use) */
const int64_t *zs_group_first(lua_State *L, zs_groups *g);

/* Push one column per key with the key values of each group (in group
 * order); colidx[k] is the stack index of key k's Column userdata. */
void zs_group_key_columns(lua_State *L, zs_groups *g, const int *colidx);

/* free the groups' composite keys now (after zs_group_key_columns: the
 * aggregates do not need them), so that their pages are reused at once */
void zs_group_drop_keys(lua_State *L, zs_groups *g);

/* c:sum(), c:mean(), c:var(), c:sd() (op "sum", "mean", "var", "sd") of
 * the Column at cidx, by the kernels of f:agg (agg.c): pushes the value, or
 * nil when there is none */
void zs_agg_column(lua_State *L, int cidx, const char *op);

#endif

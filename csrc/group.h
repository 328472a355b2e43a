/* group.h: grouped rows, shared by group.c (factorizing keys) and agg.c
 * (aggregation kernels). */
#ifndef ZS_GROUP_H
#define ZS_GROUP_H

#include "zs.h"

#define ZS_GROUPS "zonestat.Groups"

typedef struct {
  int64_t n;          /* rows */
  int64_t ngroups;
  int32_t *gid;       /* per row: its group, 0..ngroups-1 */
  int64_t *first;     /* per group: its first row */
  size_t gid_bytes, first_bytes;
} zs_groups;

/* Group n rows by the key columns (none: one group of all rows); group ids
 * in ascending key order (NA last) when sort, else in order of first
 * appearance.  Pushes the Groups userdata. */
zs_groups *zs_group_rows(lua_State *L, zs_col **cols, int nk, int64_t n, int sort);
zs_groups *zs_groups_push(lua_State *L, int64_t n);
void zs_groups_set_first(lua_State *L, zs_groups *g, int64_t ngroups);

#endif

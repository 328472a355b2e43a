/* fs.c: what a path is and what a folder holds, for readers and writers
 * that take folders (zs.path_info, zs.list_dir, zs.make_dir). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zs.h"

/* core.path_info(path) -> {kind = "directory" | "file" | "other", size = n}
 * or nil, "path: message" */
static int l_path_info(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  struct stat st;
  if (stat(path, &st) != 0) {
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s", path, strerror(errno));
    return 2;
  }
  lua_createtable(L, 0, 2);
  lua_pushstring(L, S_ISDIR(st.st_mode) ? "directory" : S_ISREG(st.st_mode) ? "file" : "other");
  lua_setfield(L, -2, "kind");
  lua_pushinteger(L, (lua_Integer)st.st_size);
  lua_setfield(L, -2, "size");
  return 1;
}

/* a DIR* owned by a userdata, closed by __gc if a Lua error comes first */
typedef struct {
  DIR *dir;
} dirbox;

static int dirbox_gc(lua_State *L) {
  dirbox *b = luaL_checkudata(L, 1, "zonestat.Dir");
  if (b->dir) closedir(b->dir);
  b->dir = NULL;
  return 0;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* core.list_dir(path) -> sorted array of the entry names (no . and ..),
 * or nil, "path: message" */
static int l_list_dir(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  dirbox *b = lua_newuserdatauv(L, sizeof *b, 0); /* 2 */
  b->dir = NULL;
  if (luaL_newmetatable(L, "zonestat.Dir")) {
    lua_pushcfunction(L, dirbox_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  b->dir = opendir(path);
  if (!b->dir) {
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s", path, strerror(errno));
    return 2;
  }
  lua_newtable(L); /* 3 */
  lua_Integer n = 0;
  struct dirent *e;
  while ((e = readdir(b->dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    lua_pushstring(L, e->d_name);
    lua_rawseti(L, 3, ++n);
  }
  closedir(b->dir);
  b->dir = NULL;
  /* sort by bytes: the order does not depend on the file system */
  const char **names = zs_scratch(L, (size_t)n, sizeof *names); /* 4 */
  for (lua_Integer i = 0; i < n; i++) {
    lua_rawgeti(L, 3, i + 1);
    names[i] = lua_tostring(L, -1);
    lua_pop(L, 1); /* the string stays in the table */
  }
  qsort(names, (size_t)n, sizeof *names, cmp_names);
  lua_createtable(L, (int)n, 0); /* 5 */
  for (lua_Integer i = 0; i < n; i++) {
    lua_pushstring(L, names[i]);
    lua_rawseti(L, 5, i + 1);
  }
  return 1;
}

/* core.make_dir(path) -> true, or nil, "path: message" (one level, mode 0777
 * less the umask) */
static int l_make_dir(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  if (mkdir(path, 0777) != 0) {
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s", path, strerror(errno));
    return 2;
  }
  lua_pushboolean(L, 1);
  return 1;
}

void zs_fs_open(lua_State *L) {
  static const luaL_Reg fns[] = {
    {"path_info", l_path_info}, {"list_dir", l_list_dir}, {"make_dir", l_make_dir}, {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
}

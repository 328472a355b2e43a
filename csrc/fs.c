/* fs.c: what a path is and what a folder holds (zs.path_info, zs.list_dir,
 * zs.make_dir), and files and folders written atomically.
 *
 * Atomic writes.  Every writer of the core (CSV, JSON, xlsx, SQLite, the
 * report's text, PDF and folders) follows one rule: after any failure or a
 * kill at any point, the target is either as it was or completely new, and
 * nothing else is left once the next write to the same target has run.
 *
 *  - A writer that writes through a file descriptor writes to an unnamed
 *    file (Linux O_TMPFILE) in the target's folder: a kill leaves nothing.
 *    When complete it is linked in place (linkat) if there is no target,
 *    else linked to `<target>.tmp-XXXXXX` and renamed over the target.
 *  - A library that writes only to a file name (libxlsxwriter, SQLite for a
 *    new database, Chromium) gets `<target>.tmp-XXXXXX` from the start,
 *    renamed over the target when complete.
 *  - A folder is built as `<target>.tmp-XXXXXX` and exchanged with the old
 *    one (renameat2 RENAME_EXCHANGE), which is then removed.
 *
 * Every temporary is flock'ed by its writer while it lives (the lock dies
 * with the process, even on SIGKILL), so the sweep that each write runs
 * first removes exactly the temporaries of that pattern whose writer is
 * gone, and never those of a writer still at work.
 *
 * Test hook: ZONESTAT_KILL_AT=<writer>:<step> makes the writer kill itself
 * (SIGKILL) at that step (writers csv, json, xlsx, sqlite, text, pdf,
 * csv_dir, dataset; steps temp, data, commit, linked, swapped). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zs.h"

#define TMP_MARK ".tmp-"
#define TMP_RANDOM 6
#define JOURNAL "-journal"

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
  luaL_setmetatable(L, "zonestat.Dir");
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

/* ---- the kill hook ----------------------------------------------------------------- */

int zs_kill_armed(const char *writer, const char *step) {
  const char *at = getenv("ZONESTAT_KILL_AT");
  if (!at || !*at || !writer) return 0;
  size_t n = strlen(writer);
  return strncmp(at, writer, n) == 0 && at[n] == ':' && strcmp(at + n + 1, step) == 0;
}

void zs_kill_point(const char *writer, const char *step) {
  if (zs_kill_armed(writer, step)) raise(SIGKILL);
}

/* ---- temporaries and their sweep ------------------------------------------------------- */

static void random_suffix(char *out) {
  static const char abc[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  unsigned char r[TMP_RANDOM];
  if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
    static unsigned counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long x = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16) ^ (counter++ * 2654435761u);
    for (int i = 0; i < TMP_RANDOM; i++, x = x * 6364136223846793005ul + 1442695040888963407ul) r[i] = (unsigned char)(x >> 33);
  }
  for (int i = 0; i < TMP_RANDOM; i++) out[i] = abc[r[i] % 62];
  out[TMP_RANDOM] = '\0';
}

static int is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* name is base + ".tmp-" + 6 letters or digits (+ "-journal" when
 * journal); the length of the temporary's own name, or 0 */
static size_t temp_of(const char *name, const char *base, size_t blen, int *journal) {
  size_t mlen = sizeof TMP_MARK - 1, n = blen + mlen + TMP_RANDOM;
  if (strncmp(name, base, blen) != 0 || strncmp(name + blen, TMP_MARK, mlen) != 0) return 0;
  for (size_t i = blen + mlen; i < n; i++)
    if (!is_alnum(name[i])) return 0;
  *journal = 0;
  if (name[n] == '\0') return n;
  if (strcmp(name + n, JOURNAL) == 0) {
    *journal = 1;
    return n;
  }
  return 0;
}

/* remove the folder `name` in dirfd and everything in it (no symbolic link
 * is followed); 0 or -1 */
static int remove_tree_at(int dirfd, const char *name, int depth) {
  if (depth > 64) return -1;
  int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return unlinkat(dirfd, name, 0) == 0 || errno == ENOENT ? 0 : -1;
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return -1;
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    struct stat st;
    if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) remove_tree_at(fd, e->d_name, depth + 1);
    else unlinkat(fd, e->d_name, 0);
  }
  closedir(d);
  return unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT ? 0 : -1;
}

/* Remove the temporary `name` (in dirfd) if no live writer locks it: a
 * regular file or folder of this user, locked by nobody.  1 if removed. */
static int sweep_one(int dirfd, const char *name) {
  struct stat st, now;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return 0;
  if (st.st_uid != geteuid() || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) return 0;
  int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
  if (fd < 0) return 0;
  int removed = 0;
  if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
      now.st_ino == st.st_ino && now.st_dev == st.st_dev) {
    if (S_ISDIR(st.st_mode)) removed = remove_tree_at(dirfd, name, 0) == 0;
    else removed = unlinkat(dirfd, name, 0) == 0;
  }
  close(fd);
  return removed;
}

/* Sweep the stale temporaries of target `path` in its folder (an SQLite
 * journal of a temporary goes with it, or alone when the temporary is
 * gone). */
static void sweep_temps(const char *path) {
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  size_t blen = strlen(base);
  if (blen == 0 || blen > NAME_MAX) return;
  char dir[PATH_MAX];
  if (slash) {
    size_t dlen = slash == path ? 1 : (size_t)(slash - path);
    if (dlen >= sizeof dir) return;
    memcpy(dir, path, dlen);
    dir[dlen] = '\0';
  } else {
    strcpy(dir, ".");
  }
  int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0) return;
  DIR *d = fdopendir(dup(dirfd));
  if (!d) {
    close(dirfd);
    return;
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    int journal;
    size_t n = temp_of(e->d_name, base, blen, &journal);
    if (!n) continue;
    char own[NAME_MAX + 1];
    memcpy(own, e->d_name, n);
    own[n] = '\0';
    if (journal) {
      /* a journal alone (its temporary is gone) is stale; with its
       * temporary it goes when that goes */
      struct stat st;
      if (fstatat(dirfd, own, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT) sweep_one(dirfd, e->d_name);
    } else if (sweep_one(dirfd, own)) {
      char j[NAME_MAX + sizeof JOURNAL + 1];
      snprintf(j, sizeof j, "%s%s", own, JOURNAL);
      unlinkat(dirfd, j, 0);
    }
  }
  closedir(d);
  close(dirfd);
}

/* ---- atomic files ------------------------------------------------------------------- */

void zs_atomic_init(zs_atomic *a, const char *writer) {
  memset(a, 0, sizeof *a);
  a->fd = -1;
  a->writer = writer;
}

void zs_atomic_release(zs_atomic *a) {
  if (a->tmpname) {
    unlink(a->tmpname);
    free(a->tmpname);
    a->tmpname = NULL;
  }
  if (a->fd >= 0) close(a->fd); /* an unnamed file vanishes with it */
  a->fd = -1;
  free(a->path);
  a->path = NULL;
}

static const char *push_errno(lua_State *L, const char *shown, int e) {
  return lua_pushfstring(L, "%s: %s", shown, strerror(e));
}

/* link the file of fd to `name`; 0 or -1 (errno) */
static int link_fd(int fd, const char *name) {
  if (linkat(fd, "", AT_FDCWD, name, AT_EMPTY_PATH) == 0) return 0;
  if (errno == EEXIST) return -1;
  /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd does not */
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  return linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW);
}

/* give the file a temporary name `<target>.tmp-XXXXXX` (or create it so when
 * there is no fd yet); 0 or an errno */
static int name_temp(zs_atomic *a) {
  size_t plen = strlen(a->path);
  char *name = malloc(plen + sizeof TMP_MARK + TMP_RANDOM + 1);
  if (!name) return ENOMEM;
  memcpy(name, a->path, plen);
  memcpy(name + plen, TMP_MARK, sizeof TMP_MARK - 1);
  char *suffix = name + plen + sizeof TMP_MARK - 1;
  for (int tries = 0; tries < 100; tries++) {
    random_suffix(suffix);
    int rc;
    if (a->fd >= 0) {
      rc = link_fd(a->fd, name);
    } else {
      int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      rc = fd < 0 ? -1 : 0;
      if (fd >= 0) {
        /* locked before anyone can see it unlocked for long: check that
         * the name is still ours after taking the lock */
        struct stat a1, b1;
        flock(fd, LOCK_EX);
        if (fstat(fd, &a1) != 0 || stat(name, &b1) != 0 || a1.st_ino != b1.st_ino || a1.st_dev != b1.st_dev) {
          close(fd);
          continue;
        }
        a->fd = fd;
      }
    }
    if (rc == 0) {
      a->tmpname = name;
      return 0;
    }
    if (errno != EEXIST) {
      int e = errno;
      free(name);
      return e;
    }
  }
  free(name);
  return EEXIST;
}

const char *zs_atomic_open(lua_State *L, zs_atomic *a, const char *path, int flags) {
  a->shown = path;
  a->flags = flags;
  if (!*path) return push_errno(L, path, ENOENT);
  struct stat st;
  int exists = 0;
  if (lstat(path, &st) == 0) {
    exists = 1;
    if (S_ISLNK(st.st_mode)) {
      /* write where the link points, and keep the link */
      if (stat(path, &st) == 0) {
        a->path = realpath(path, NULL);
        if (!a->path) return push_errno(L, path, errno);
      } else {
        exists = 0; /* a dangling link: replaced by the file */
      }
    }
  } else if (errno != ENOENT) {
    return push_errno(L, path, errno);
  }
  if (!a->path) a->path = strdup(path);
  if (!a->path) return push_errno(L, path, ENOMEM);
  if (exists && S_ISDIR(st.st_mode)) return push_errno(L, path, EISDIR);
  size_t plen = strlen(a->path);
  if (a->path[plen - 1] == '/') return push_errno(L, path, exists ? EISDIR : ENOENT);
  if (exists && !S_ISREG(st.st_mode)) {
    /* a device, a FIFO or a socket: written in place, as a stream */
    if (flags & ZS_ATOMIC_NAMED) return lua_pushfstring(L, "%s: not a regular file", path);
    int fd = open(a->path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENXIO) return lua_pushfstring(L, "%s: a FIFO that no process reads", path);
      return push_errno(L, path, errno);
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    a->fd = fd;
    a->direct = 1;
    zs_kill_point(a->writer, "temp");
    return NULL;
  }
  if (exists) {
    a->has_mode = 1;
    a->mode = (unsigned)(st.st_mode & 07777);
  }
  sweep_temps(a->path);
  /* the folder: everything before the last slash */
  char *slash = strrchr(a->path, '/');
  int fd;
  if (slash) {
    char keep = slash[1];
    slash[1] = '\0';
    fd = open(a->path, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    slash[1] = keep;
  } else {
    fd = open(".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  }
  int e = 0;
  if (fd >= 0) {
    a->fd = fd;
    flock(fd, LOCK_EX);
    if (flags & ZS_ATOMIC_NAMED) e = name_temp(a);
  } else if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
    e = name_temp(a); /* no O_TMPFILE on this file system: a named temporary */
  } else {
    e = errno;
  }
  if (e) return push_errno(L, path, e);
  if (a->has_mode && fchmod(a->fd, a->mode) != 0) { /* keep the default mode */ }
  zs_kill_point(a->writer, "temp");
  return NULL;
}

/* flush the folder's entry of a rename or link to disk (best effort) */
static void sync_dir(const char *path) {
  const char *slash = strrchr(path, '/');
  char dir[PATH_MAX];
  if (!slash) {
    strcpy(dir, ".");
  } else {
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= sizeof dir) return;
    memcpy(dir, path, n);
    dir[n] = '\0';
  }
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    if (fsync(fd) != 0) { /* not every file system syncs folders */ }
    close(fd);
  }
}

const char *zs_atomic_commit(lua_State *L, zs_atomic *a) {
  int e = 0;
  zs_kill_point(a->writer, "commit");
  if (a->direct) {
    if (close(a->fd) != 0) e = errno;
    a->fd = -1;
    if (e) return push_errno(L, a->shown, e);
    zs_atomic_release(a);
    return NULL;
  }
  if (fsync(a->fd) != 0 && errno != EINVAL) e = errno;
  if (!e && a->tmpname) {
    if (a->flags & ZS_ATOMIC_NOREPLACE) {
      if (renameat2(AT_FDCWD, a->tmpname, AT_FDCWD, a->path, RENAME_NOREPLACE) != 0) {
        if (errno != EINVAL) e = errno;
        else if (link(a->tmpname, a->path) != 0) e = errno; /* no renameat2 here: link, then unlink */
      }
    } else if (rename(a->tmpname, a->path) != 0) {
      e = errno;
    }
  } else if (!e) {
    if (link_fd(a->fd, a->path) != 0) {
      e = errno;
      if (e == EEXIST && !(a->flags & ZS_ATOMIC_NOREPLACE)) {
        e = name_temp(a);
        if (!e) {
          zs_kill_point(a->writer, "linked");
          if (rename(a->tmpname, a->path) != 0) e = errno;
        }
      }
    }
  }
  if (e) {
    const char *msg = push_errno(L, a->shown, e);
    zs_atomic_release(a);
    return msg;
  }
  /* in place: the name is the target's now */
  if (a->tmpname && (a->flags & ZS_ATOMIC_NOREPLACE)) unlink(a->tmpname); /* (after a link) */
  free(a->tmpname);
  a->tmpname = NULL;
  sync_dir(a->path);
  zs_atomic_release(a);
  return NULL;
}

/* ---- the Lua side: text files, folders ------------------------------------------------ */

#define ATOMIC "zonestat.AtomicFile"
#define TEMPDIR "zonestat.TempDir"

static int atomic_gc(lua_State *L) {
  zs_atomic_release(luaL_checkudata(L, 1, ATOMIC));
  return 0;
}

zs_atomic *zs_atomic_push(lua_State *L, const char *writer) {
  zs_atomic *a = lua_newuserdatauv(L, sizeof *a, 0);
  zs_atomic_init(a, writer);
  luaL_setmetatable(L, ATOMIC);
  return a;
}

/* the writer's name for the kill hook: a string kept alive at arg */
static const char *writer_name(lua_State *L, int arg, const char *dflt) {
  return luaL_optstring(L, arg, dflt);
}

/* core.write_file(path, text [, writer]) -> true, or nil, "path: message":
 * text written atomically (writer: its name for ZONESTAT_KILL_AT, "text") */
static int l_write_file(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  size_t len;
  const char *text = luaL_checklstring(L, 2, &len);
  const char *writer = writer_name(L, 3, "text");
  zs_atomic *a = zs_atomic_push(L, writer);
  const char *msg = zs_atomic_open(L, a, path, 0);
  if (msg) {
    zs_atomic_release(a);
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  /* with the hook armed at "data", the first half is written, then the kill */
  size_t off = 0, stop = zs_kill_armed(writer, "data") ? len / 2 : len;
  for (int pass = 0; pass < 2; pass++) {
    while (off < stop) {
      ssize_t r = write(a->fd, text + off, stop - off);
      if (r < 0) {
        if (errno == EINTR) continue;
        int e = errno;
        zs_atomic_release(a);
        lua_pushnil(L);
        push_errno(L, path, e);
        return 2;
      }
      off += (size_t)r;
    }
    if (stop < len) zs_kill_point(writer, "data");
    stop = len;
  }
  msg = zs_atomic_commit(L, a);
  if (msg) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushboolean(L, 1);
  return 1;
}

typedef struct {
  int fd;     /* the lock on the folder */
  char *name; /* malloc'd */
} tempdir;

static int tempdir_gc(lua_State *L) {
  tempdir *t = luaL_checkudata(L, 1, TEMPDIR);
  if (t->fd >= 0) close(t->fd);
  t->fd = -1;
  free(t->name);
  t->name = NULL;
  return 0;
}

/* core.temp_dir(target [, writer]) -> name, lock, or nil, "target: message":
 * a new folder `<target>.tmp-XXXXXX` beside the target, locked (while lock
 * lives) against the sweep that this call first runs for the target.  The
 * folder is the caller's to fill and put in place (core.replace_dir) or
 * remove (core.remove_tree). */
static int l_temp_dir(lua_State *L) {
  const char *target = luaL_checkstring(L, 1);
  const char *writer = writer_name(L, 2, "csv_dir");
  tempdir *t = lua_newuserdatauv(L, sizeof *t, 0);
  t->fd = -1;
  t->name = NULL;
  luaL_setmetatable(L, TEMPDIR);
  size_t plen = strlen(target);
  while (plen > 1 && target[plen - 1] == '/') plen--;
  if (plen == 0) {
    lua_pushnil(L);
    push_errno(L, target, ENOENT);
    return 2;
  }
  t->name = malloc(plen + sizeof TMP_MARK + TMP_RANDOM + 1);
  if (!t->name) luaL_error(L, "not enough memory");
  memcpy(t->name, target, plen);
  t->name[plen] = '\0';
  sweep_temps(t->name);
  memcpy(t->name + plen, TMP_MARK, sizeof TMP_MARK - 1);
  char *suffix = t->name + plen + sizeof TMP_MARK - 1;
  int e = EEXIST;
  for (int tries = 0; tries < 100 && e == EEXIST; tries++) {
    random_suffix(suffix);
    e = mkdir(t->name, 0777) == 0 ? 0 : errno;
  }
  if (!e) {
    t->fd = open(t->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (t->fd < 0 || flock(t->fd, LOCK_EX) != 0) {
      e = errno;
      rmdir(t->name);
    }
  }
  if (e) {
    lua_pushnil(L);
    push_errno(L, target, e);
    return 2;
  }
  zs_kill_point(writer, "temp");
  lua_pushstring(L, t->name);
  lua_insert(L, -2);
  return 2;
}

/* core.replace_dir(lock, target [, writer]) -> true, or nil, "target:
 * message": the temporary folder of lock (core.temp_dir) takes the place of
 * target, atomically (exchanged with the old folder, which is then removed;
 * renamed when there is none).  The lock is released. */
static int l_replace_dir(lua_State *L) {
  tempdir *t = luaL_checkudata(L, 1, TEMPDIR);
  const char *target = luaL_checkstring(L, 2);
  const char *writer = writer_name(L, 3, "csv_dir");
  if (!t->name) luaL_argerror(L, 1, "the temporary folder is already used");
  zs_kill_point(writer, "commit");
  int e = 0;
  struct stat st;
  if (lstat(target, &st) == 0 && S_ISDIR(st.st_mode)) {
    if (renameat2(AT_FDCWD, t->name, AT_FDCWD, target, RENAME_EXCHANGE) == 0) {
      /* the old folder is under the temporary name now, unlocked: a kill
       * here leaves it to the next sweep */
      zs_kill_point(writer, "swapped");
      remove_tree_at(AT_FDCWD, t->name, 0);
    } else if (errno == EINVAL || errno == ENOSYS) {
      /* no exchange on this file system: move the old one aside first */
      size_t plen = strlen(target);
      char *old = malloc(plen + sizeof TMP_MARK + TMP_RANDOM + 1);
      if (!old) luaL_error(L, "not enough memory");
      memcpy(old, target, plen);
      memcpy(old + plen, TMP_MARK, sizeof TMP_MARK - 1);
      random_suffix(old + plen + sizeof TMP_MARK - 1);
      if (rename(target, old) != 0) e = errno;
      else if (rename(t->name, target) != 0) {
        e = errno;
        if (rename(old, target) != 0) { /* the old folder stays under its temporary name */ }
      } else {
        remove_tree_at(AT_FDCWD, old, 0);
      }
      free(old);
    } else {
      e = errno;
    }
  } else if (renameat2(AT_FDCWD, t->name, AT_FDCWD, target, RENAME_NOREPLACE) != 0) {
    e = errno;
    if (e == EINVAL) e = rename(t->name, target) == 0 ? 0 : errno;
  }
  if (e) {
    remove_tree_at(AT_FDCWD, t->name, 0);
    lua_pushnil(L);
    push_errno(L, target, e);
  } else {
    sync_dir(target);
    lua_pushboolean(L, 1);
  }
  if (t->fd >= 0) close(t->fd);
  t->fd = -1;
  free(t->name);
  t->name = NULL;
  return e ? 2 : 1;
}

/* core.remove_temp(lock): remove the temporary folder of lock and all in it */
static int l_remove_temp(lua_State *L) {
  tempdir *t = luaL_checkudata(L, 1, TEMPDIR);
  if (t->name) remove_tree_at(AT_FDCWD, t->name, 0);
  if (t->fd >= 0) close(t->fd);
  t->fd = -1;
  free(t->name);
  t->name = NULL;
  return 0;
}

#define FDBOX "zonestat.Fd"

typedef struct {
  int fd;
} fdbox;

static int fdbox_gc(lua_State *L) {
  fdbox *b = luaL_checkudata(L, 1, FDBOX);
  if (b->fd >= 0) close(b->fd);
  b->fd = -1;
  return 0;
}

/* core.read_file(path) -> the file's bytes, or nil, "path: message".  A
 * FIFO without a writer gives "" at once instead of waiting for one (open
 * with O_NONBLOCK); a folder is an error. */
static int l_read_file(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  fdbox *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->fd = -1;
  luaL_setmetatable(L, FDBOX);
  b->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  struct stat st;
  int e = 0;
  if (b->fd < 0 || fstat(b->fd, &st) != 0) e = errno;
  else if (S_ISDIR(st.st_mode)) e = EISDIR;
  if (e) {
    lua_pushnil(L);
    push_errno(L, path, e);
    return 2;
  }
  int fl = fcntl(b->fd, F_GETFL);
  if (fl >= 0) fcntl(b->fd, F_SETFL, fl & ~O_NONBLOCK);
  luaL_Buffer buf;
  luaL_buffinit(L, &buf);
  for (;;) {
    char *p = luaL_prepbuffsize(&buf, 1 << 16);
    ssize_t r = read(b->fd, p, 1 << 16);
    if (r < 0) {
      if (errno == EINTR) continue;
      e = errno;
      close(b->fd);
      b->fd = -1;
      lua_pushnil(L);
      push_errno(L, path, e);
      return 2;
    }
    if (r == 0) break;
    luaL_addsize(&buf, (size_t)r);
  }
  close(b->fd);
  b->fd = -1;
  luaL_pushresult(&buf);
  return 1;
}

/* core.kill_point(writer, step): the test hook ZONESTAT_KILL_AT, for writers
 * written in Lua */
static int l_kill_point(lua_State *L) {
  zs_kill_point(luaL_checkstring(L, 1), luaL_checkstring(L, 2));
  return 0;
}

void zs_fs_open(lua_State *L) {
  static const luaL_Reg fns[] = {{"path_info", l_path_info},
                                 {"list_dir", l_list_dir},
                                 {"make_dir", l_make_dir},
                                 {"write_file", l_write_file},
                                 {"temp_dir", l_temp_dir},
                                 {"replace_dir", l_replace_dir},
                                 {"remove_temp", l_remove_temp},
                                 {"kill_point", l_kill_point},
                                 {"read_file", l_read_file},
                                 {NULL, NULL}};
  static const struct {
    const char *name;
    lua_CFunction gc;
  } metas[] = {{"zonestat.Dir", dirbox_gc}, {ATOMIC, atomic_gc}, {TEMPDIR, tempdir_gc}, {FDBOX, fdbox_gc}};
  for (size_t i = 0; i < sizeof metas / sizeof metas[0]; i++) {
    zs_newmetatable(L, metas[i].name);
    lua_pushcfunction(L, metas[i].gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, metas[i].gc);
    lua_setfield(L, -2, "__close");
    lua_pop(L, 1);
  }
  luaL_setfuncs(L, fns, 0);
}

/* mem.c: the core's memory.
 *
 * Every buffer belongs to a userdata whose __gc frees it, so a Lua error
 * never strands memory.  Small buffers come from the Lua state's allocator
 * (lua_getallocf, as LPeg does).  Big ones (>= ZS_BIG bytes: columns,
 * group ids, sort scratch) are mapped directly and, when freed, kept in a
 * small cache for later requests (whole, split or grown: see big_map): the
 * first write to a fresh page costs a page fault and zeroing (about 0.7 s
 * per GB on the development VM, more than most queries), and analyses
 * allocate the same sizes over and over.  The cache holds at most
 * ZS_CACHE_MAX bytes and is released when the state closes; it belongs to
 * one Lua state (see memstate), as does the account below.
 *
 * Neither kind counts in collectgarbage("count"), so zs_gc_hint asks for a
 * full collection whenever the core's live memory (in this state) has
 * doubled since the last one: garbage frames are freed in time. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zs.h"

#define ZS_BIG ((size_t)1 << 20)
#define ZS_CACHE_SLOTS 64
#define ZS_CACHE_MAX ((size_t)1 << 31)
#define EXTERNAL_SLACK ((size_t)64 << 20)

/* Everything here is per Lua state: the account of the core's bytes and
 * the cache of big blocks live in one userdata in the state's registry
 * (no process-wide variable, so two states, on two threads or one, never
 * share or race on them; a state is used by one thread at a time, so no
 * lock is needed).  The userdata's __gc, run when the state closes,
 * releases the cache and marks it closed: blocks freed by finalizers that
 * run after it are unmapped at once. */
typedef struct {
  size_t live, base; /* bytes the core holds; what it held after the last full collection it asked for */
  struct {
    void *p;
    size_t size; /* mapped bytes */
  } cache[ZS_CACHE_SLOTS];
  size_t cache_bytes;
  int closed;
} memstate;

static int memstate_key; /* registry key (its address) */

/* the state's memstate, or NULL (only when the stack is full: then big
 * blocks bypass the cache and are not counted) */
static memstate *get_memstate(lua_State *L) {
  if (!lua_checkstack(L, 1)) return NULL;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &memstate_key);
  memstate *m = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return m;
}

/* ---- big blocks --------------------------------------------------------------- */

static size_t page_round(size_t n) {
  size_t page = 4096;
  return (n + page - 1) & ~(page - 1);
}

static void cache_put(memstate *m, void *p, size_t mapped);

/* take cached block i out of the cache */
static void *cache_take(memstate *m, int i, size_t *size) {
  void *p = m->cache[i].p;
  *size = m->cache[i].size;
  m->cache_bytes -= m->cache[i].size;
  m->cache[i].p = NULL;
  return p;
}

static void cache_release(memstate *m) {
  for (int i = 0; i < ZS_CACHE_SLOTS; i++)
    if (m->cache[i].p) { munmap(m->cache[i].p, m->cache[i].size); m->cache[i].p = NULL; }
  m->cache_bytes = 0;
}

/* A mapping of at least n bytes (n a multiple of the page size); NULL on
 * failure.  Pages already touched are worth more than fresh ones, so in
 * this order: the smallest cached block that holds n bytes (with its tail
 * split off and kept as a block of its own when that is big); the biggest
 * smaller block, grown in place or moved by mremap (only the added pages
 * are fresh); a fresh mapping.  m may be NULL (no cache). */
static void *big_map(memstate *m, size_t n, size_t *mapped) {
  int fit = -1, smaller = -1;
  for (int i = 0; m && i < ZS_CACHE_SLOTS; i++) {
    if (!m->cache[i].p) continue;
    size_t sz = m->cache[i].size;
    if (sz >= n && (fit < 0 || sz < m->cache[fit].size)) fit = i;
    if (sz < n && (smaller < 0 || sz > m->cache[smaller].size)) smaller = i;
  }
  if (fit >= 0) {
    size_t size;
    char *p = cache_take(m, fit, &size);
    if (size - n < ZS_BIG) {
      *mapped = size;
      return p;
    }
    cache_put(m, p + n, size - n);
    *mapped = n;
    return p;
  }
  if (smaller >= 0) {
    size_t size;
    void *p = cache_take(m, smaller, &size);
    void *q = mremap(p, size, n, MREMAP_MAYMOVE);
    if (q != MAP_FAILED) {
      *mapped = n;
      return q;
    }
    munmap(p, size);
  }
  void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    if (!m) return NULL;
    cache_release(m); /* give the cache back and try once more */
    p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
  }
  *mapped = n;
  return p;
}

/* keep a block of touched pages for later requests, or unmap it */
static void cache_put(memstate *m, void *p, size_t mapped) {
  if (!m || m->closed || mapped > ZS_CACHE_MAX / 4) {
    munmap(p, mapped);
    return;
  }
  /* evict the oldest-looking (first found) blocks until it fits */
  for (int i = 0; i < ZS_CACHE_SLOTS && m->cache_bytes + mapped > ZS_CACHE_MAX; i++)
    if (m->cache[i].p) {
      munmap(m->cache[i].p, m->cache[i].size);
      m->cache_bytes -= m->cache[i].size;
      m->cache[i].p = NULL;
    }
  int slot = -1;
  for (int i = 0; i < ZS_CACHE_SLOTS && slot < 0; i++) if (!m->cache[i].p) slot = i;
  if (slot < 0) { /* full: replace the smallest */
    slot = 0;
    for (int i = 1; i < ZS_CACHE_SLOTS; i++) if (m->cache[i].size < m->cache[slot].size) slot = i;
    munmap(m->cache[slot].p, m->cache[slot].size);
    m->cache_bytes -= m->cache[slot].size;
  }
  m->cache[slot].p = p;
  m->cache[slot].size = mapped;
  m->cache_bytes += mapped;
}

/* Big blocks carry their mapped size in a header so that frees and
 * reallocations know it. */
#define HDR 64

static void *big_alloc(memstate *m, size_t n) {
  size_t mapped;
  char *base = big_map(m, page_round(n + HDR), &mapped);
  if (!base) return NULL;
  memcpy(base, &mapped, sizeof mapped);
  return base + HDR;
}

static size_t big_size(void *p) {
  size_t mapped;
  memcpy(&mapped, (char *)p - HDR, sizeof mapped);
  return mapped;
}

static void big_free(memstate *m, void *p) {
  if (p) cache_put(m, (char *)p - HDR, big_size(p));
}

/* release the cache (the state is closing) */
static int memstate_gc(lua_State *L) {
  memstate *m = lua_touserdata(L, 1);
  if (m) {
    cache_release(m);
    m->closed = 1;
  }
  return 0;
}

/* ---- the core's allocation functions ------------------------------------------------ */

static void count_free(memstate *m, size_t size) {
  if (m) m->live -= size < m->live ? size : m->live;
}

static void free_in(lua_State *L, memstate *m, void *p, size_t size) {
  if (p == NULL) return;
  if (size >= ZS_BIG) {
    big_free(m, p);
  } else {
    void *ud;
    lua_Alloc f = lua_getallocf(L, &ud);
    f(ud, p, size, 0);
  }
  count_free(m, size);
}

static void gc_hint_in(lua_State *L, memstate *m) {
  if (!m || m->live <= 2 * m->base + EXTERNAL_SLACK) return;
  if (!lua_gc(L, LUA_GCISRUNNING)) return;
  lua_gc(L, LUA_GCCOLLECT);
  m->base = m->live;
}

void *zs_realloc(lua_State *L, void *p, size_t oldsize, size_t newsize) {
  memstate *m = get_memstate(L);
  if (newsize == 0) {
    free_in(L, m, p, oldsize);
    return NULL;
  }
  if (!p) oldsize = 0;
  int was_big = oldsize >= ZS_BIG, big = newsize >= ZS_BIG;
  void *q;
  if (was_big && big) {
    size_t mapped = big_size(p);
    if (newsize + HDR <= mapped && newsize + HDR > mapped / 2) {
      q = p; /* fits where it is */
    } else {
      char *base = mremap((char *)p - HDR, mapped, page_round(newsize + HDR), MREMAP_MAYMOVE);
      if (base == MAP_FAILED) luaL_error(L, "not enough memory (allocating %I bytes)", (lua_Integer)newsize);
      size_t mm = page_round(newsize + HDR);
      memcpy(base, &mm, sizeof mm);
      q = base + HDR;
    }
  } else if (big) {
    q = big_alloc(m, newsize);
    if (!q) luaL_error(L, "not enough memory (allocating %I bytes)", (lua_Integer)newsize);
    if (p) {
      memcpy(q, p, oldsize);
      free_in(L, m, p, oldsize);
      if (m) m->live += oldsize; /* free_in took it off; counted again below */
    }
  } else if (was_big) {
    void *ud;
    lua_Alloc f = lua_getallocf(L, &ud);
    q = f(ud, NULL, 0, newsize);
    if (!q) luaL_error(L, "not enough memory (allocating %I bytes)", (lua_Integer)newsize);
    memcpy(q, p, newsize);
    big_free(m, p);
  } else {
    void *ud;
    lua_Alloc f = lua_getallocf(L, &ud);
    q = f(ud, p, oldsize, newsize);
    if (!q) luaL_error(L, "not enough memory (allocating %I bytes)", (lua_Integer)newsize);
  }
  if (m) {
    m->live += newsize;
    count_free(m, oldsize);
  }
  if (newsize > oldsize) gc_hint_in(L, m);
  return q;
}

void zs_free(lua_State *L, void *p, size_t size) {
  if (p == NULL) return;
  free_in(L, get_memstate(L), p, size);
}

void zs_gc_hint(lua_State *L, size_t bytes) {
  (void)bytes;
  gc_hint_in(L, get_memstate(L));
}

size_t zs_mulsize(lua_State *L, size_t n, size_t size) {
  if (size != 0 && n > SIZE_MAX / size) luaL_error(L, "not enough memory (size overflow)");
  return n * size;
}

void *zs_sysalloc(void *ud, void *p, size_t osize, size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    free(p);
    return NULL;
  }
  return realloc(p, nsize);
}

/* ---- scratch buffers ------------------------------------------------------------------ */

#define BUFFER "zonestat.Buffer"

typedef struct {
  void *p;
  size_t size;
} buffer;

static int buffer_gc(lua_State *L) {
  buffer *b = luaL_checkudata(L, 1, BUFFER);
  zs_free(L, b->p, b->size);
  b->p = NULL;
  b->size = 0;
  return 0;
}

void *zs_scratch(lua_State *L, size_t n, size_t size) {
  size_t bytes = zs_mulsize(L, n ? n : 1, size ? size : 1);
  if (bytes < ZS_BIG) return lua_newuserdatauv(L, bytes, 0);
  buffer *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->p = NULL;
  b->size = 0;
  luaL_setmetatable(L, BUFFER);
  b->p = zs_realloc(L, NULL, 0, bytes);
  b->size = bytes;
  return b->p;
}

void zs_release_scratch_at(lua_State *L, int idx) {
  buffer *b = luaL_testudata(L, idx, BUFFER);
  if (b) {
    zs_free(L, b->p, b->size);
    b->p = NULL;
    b->size = 0;
  }
}

void zs_release_scratch(lua_State *L, int from) {
  int top = lua_gettop(L);
  for (int i = from; i <= top; i++) zs_release_scratch_at(L, i);
}

void zs_mem_open(lua_State *L) {
  if (zs_newmetatable(L, BUFFER)) {
    lua_pushcfunction(L, buffer_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
  /* the state's memstate, once per state (opening the module again in the
   * same state keeps it) */
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &memstate_key) == LUA_TUSERDATA) {
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  memstate *m = lua_newuserdatauv(L, sizeof *m, 0);
  memset(m, 0, sizeof *m);
  if (zs_newmetatable(L, "zonestat.MemState")) {
    lua_pushcfunction(L, memstate_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &memstate_key);
}

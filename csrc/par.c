/* par.c: running a loop on several threads.
 *
 * zs_parallel splits [0, n) into `parts` contiguous ranges and runs the
 * body on each, the first on the calling thread, the rest on new threads;
 * it returns when all are done.  Bodies never call Lua and never allocate
 * through it.  Results must not depend on how many threads ran: callers
 * either fix the number of parts from the data alone (zs_fixed_parts) and
 * merge per-part results in part order, or give each part its own groups. */
#include <pthread.h>
#include <unistd.h>

#include "zs.h"

/* The thread count belongs to the Lua state (an int userdata in its
 * registry): zs.set_threads in one state never changes another's, and
 * opening the module again in a state keeps its setting. */
static int threads_key; /* registry key (its address) */

static int cpu_count(void) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  return cpus > 0 ? (cpus > 1024 ? 1024 : (int)cpus) : 1;
}

/* what the transitional L-less functions use: the count last read or set
 * on this OS thread (0: none yet) */
static _Thread_local int last_count;

static int *threads_slot(lua_State *L) {
  if (!lua_checkstack(L, 1)) return NULL;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &threads_key);
  int *p = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return p;
}

int zs_threads(lua_State *L) {
  int *p = threads_slot(L);
  int n = p && *p > 0 ? *p : 1;
  last_count = n;
  return n;
}

int zs_set_threads(lua_State *L, int n) {
  int *p = threads_slot(L);
  int old = p ? *p : 1;
  if (n == 0) n = cpu_count();
  if (n < 1) n = 1;
  if (p) *p = n;
  last_count = n;
  return old;
}

int zs_threads_current(void) { return last_count > 0 ? last_count : cpu_count(); }

void zs_par_open(lua_State *L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &threads_key) == LUA_TUSERDATA) {
    lua_pop(L, 1);
    zs_threads(L);
    return;
  }
  lua_pop(L, 1);
  int *p = lua_newuserdatauv(L, sizeof *p, 0);
  *p = cpu_count();
  lua_rawsetp(L, LUA_REGISTRYINDEX, &threads_key);
  last_count = *p;
}

#define MAX_PARTS 64
/* a test build may lower it (-DZS_MIN_ROWS_PER_PART=4) to reach the
 * parallel plans on small data */
#ifndef ZS_MIN_ROWS_PER_PART
#define ZS_MIN_ROWS_PER_PART (1 << 16)
#endif
#define MIN_ROWS_PER_PART ZS_MIN_ROWS_PER_PART

typedef struct {
  zs_body body;
  void *ctx;
  int64_t n;
  int parts, first, stride;
} worker;

static void *run_worker(void *arg) {
  worker *w = arg;
  int64_t n = w->n, parts = w->parts;
  for (int p = w->first; p < w->parts; p += w->stride) {
    int64_t from = n / parts * p + (p < n % parts ? p : n % parts);
    int64_t to = from + n / parts + (p < n % parts);
    w->body(w->ctx, from, to, p);
  }
  return NULL;
}

static int threads_for(int64_t t, int64_t n) {
  if (t > n / MIN_ROWS_PER_PART) t = n / MIN_ROWS_PER_PART;
  if (t > MAX_PARTS) t = MAX_PARTS;
  return t < 1 ? 1 : (int)t;
}

int zs_threads_for_L(lua_State *L, int64_t n) { return threads_for(zs_threads(L), n); }
int zs_threads_for(int64_t n) { return threads_for(zs_threads_current(), n); }

int zs_fixed_parts(int64_t n) {
  int64_t p = n / MIN_ROWS_PER_PART;
  if (p > 8) p = 8;
  return p < 1 ? 1 : (int)p;
}

static void parallel(int nthreads, int64_t n, int parts, zs_body body, void *ctx) {
  if (parts < 1) parts = 1;
  if (parts > MAX_PARTS) parts = MAX_PARTS;
  int threads = nthreads < parts ? nthreads : parts;
  if (threads < 1) threads = 1;
  worker w[MAX_PARTS];
  pthread_t tid[MAX_PARTS];
  int started[MAX_PARTS] = {0};
  for (int t = 0; t < threads; t++) {
    w[t].body = body;
    w[t].ctx = ctx;
    w[t].n = n;
    w[t].parts = parts;
    w[t].first = t;
    w[t].stride = threads;
  }
  for (int t = 1; t < threads; t++) started[t] = pthread_create(&tid[t], NULL, run_worker, &w[t]) == 0;
  run_worker(&w[0]);
  for (int t = 1; t < threads; t++) {
    if (started[t]) pthread_join(tid[t], NULL);
    else run_worker(&w[t]);
  }
}

void zs_parallel_L(lua_State *L, int64_t n, int parts, zs_body body, void *ctx) {
  parallel(zs_threads(L), n, parts, body, ctx);
}

void zs_parallel(int64_t n, int parts, zs_body body, void *ctx) {
  parallel(zs_threads_current(), n, parts, body, ctx);
}

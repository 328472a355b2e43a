/* two_states.c: two Lua states in one process, for spec/hostile_api_spec.lua
 * (and a ThreadSanitizer run, see /work/scratch/issue13/README-api.md).
 *
 *   two_states LUA_PATH LUA_CPATH [rounds]
 *
 * 1. On the main thread: state A sets 3 threads; state B then opens the
 *    module (its luaopen must not reset A's count); A opens it again after
 *    package.loaded is cleared (its count is kept); each state reads only
 *    its own count.
 * 2. Two states on two threads at once, with different thread counts,
 *    each building, grouping and sorting frames of big columns (>= 1 MB:
 *    the big-block cache) and collecting them, checking its count after
 *    every round; a barrier makes both set their counts before either
 *    checks.  One state closes while the other still allocates.
 * Prints one line per check and "ok" at the end; exit status 0 when every
 * check held. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

static const char *lua_path, *lua_cpath;
static int rounds = 4;
static pthread_barrier_t barrier;

#define BARRIERS 2 /* barrier() calls in WORK */

/* barrier(): wait for the other thread; counts the calls in upvalue 1 so
 * that a state that fails early can still let the other one through */
static int l_barrier(lua_State *L) {
  int *passed = lua_touserdata(L, lua_upvalueindex(1));
  if (passed) ++*passed;
  pthread_barrier_wait(&barrier);
  return 0;
}

static lua_State *new_state_with(int *passed) {
  lua_State *L = luaL_newstate();
  if (!L) {
    fprintf(stderr, "cannot create a Lua state\n");
    exit(2);
  }
  luaL_openlibs(L);
  /* the given paths first, then the default ones (cjson and the like) */
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "path");
  lua_pushfstring(L, "%s;%s", lua_path, lua_tostring(L, -1));
  lua_setfield(L, -3, "path");
  lua_pop(L, 1);
  lua_getfield(L, -1, "cpath");
  lua_pushfstring(L, "%s;%s", lua_cpath, lua_tostring(L, -1));
  lua_setfield(L, -3, "cpath");
  lua_pop(L, 2);
  lua_pushlightuserdata(L, passed);
  lua_pushcclosure(L, l_barrier, 1);
  lua_setglobal(L, "barrier");
  return L;
}

static lua_State *new_state(void) { return new_state_with(NULL); }

/* run chunk in L with one integer argument; 1 on success */
static int run(lua_State *L, const char *label, const char *chunk, lua_Integer arg) {
  if (luaL_loadstring(L, chunk) != LUA_OK) {
    printf("FAIL %s: %s\n", label, lua_tostring(L, -1));
    lua_pop(L, 1);
    return 0;
  }
  lua_pushinteger(L, arg);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
    printf("FAIL %s: %s\n", label, lua_tostring(L, -1));
    lua_pop(L, 1);
    return 0;
  }
  printf("pass %s\n", label);
  return 1;
}

static const char *WORK =
  "local n = ...\n"
  "local zs = require 'zonestat'\n"
  "zs.set_threads(n)\n"
  "barrier()\n"
  "assert(zs.get_threads() == n, 'the other state changed the thread count: ' .. zs.get_threads())\n"
  "local rounds = tonumber(os.getenv('TWO_STATES_ROUNDS') or '') or " "%d\n"
  "for r = 1, rounds do\n"
  "  local k, v = {}, {}\n"
  "  for i = 1, 200000 do k[i] = (i * 7919 + n) %% 1000; v[i] = i %% 97 + 0.5 end\n"
  "  local f = zs.frame({k = k, v = v})\n"
  "  local g = f:group_by('k'):agg(zs.sum('v'), zs.count())\n"
  "  assert(g:nrow() == 1000, 'groups: ' .. g:nrow())\n"
  "  assert(g:column('n'):sum() == 200000)\n"
  "  local s = f:sort('k', 'v')\n"
  "  assert(s:get('k', 1) == 0)\n"
  "  local t = f:slice(1000, 150000):distinct('k')\n"
  "  assert(t:nrow() == 1000)\n"
  "  assert(zs.get_threads() == n, 'round ' .. r .. ': thread count ' .. zs.get_threads())\n"
  "  f, g, s, t = nil, nil, nil, nil\n"
  "  collectgarbage()\n"
  "end\n"
  "barrier()\n"
  "assert(zs.get_threads() == n)\n";

typedef struct {
  int threads, close_early, ok;
  char label[64];
} job;

static void *run_job(void *arg) {
  job *j = arg;
  int passed = 0;
  lua_State *L = new_state_with(&passed);
  char chunk[2048];
  snprintf(chunk, sizeof chunk, WORK, rounds);
  j->ok = run(L, j->label, chunk, j->threads);
  while (passed < BARRIERS) { /* failed early: let the other thread on */
    passed++;
    pthread_barrier_wait(&barrier);
  }
  if (j->close_early) lua_close(L);
  if (j->ok) {
    /* the other state closes now or has closed: keep allocating here */
    if (!j->close_early)
      j->ok = run(L, "allocating after the other state closed",
                  "local zs = require 'zonestat'\n"
                  "for r = 1, 3 do\n"
                  "  local t = {}\n"
                  "  for i = 1, 300000 do t[i] = i end\n"
                  "  local f = zs.frame({a = t})\n"
                  "  assert(f:sort('a', {desc = true}):get('a', 1) == 300000)\n"
                  "  f = nil; collectgarbage()\n"
                  "end\n"
                  "assert(zs.get_threads() == ...)\n",
                  j->threads);
  }
  if (!j->close_early) lua_close(L);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s LUA_PATH LUA_CPATH [rounds]\n", argv[0]);
    return 2;
  }
  lua_path = argv[1];
  lua_cpath = argv[2];
  if (argc > 3) rounds = atoi(argv[3]);
  int ok = 1;

  /* 1. one thread, two states (A's count is not the number of cores, which
   * every luaopen used to reset it to) */
  lua_State *A = new_state(), *B = new_state();
  ok &= run(A, "state A sets 3 threads", "zs = require 'zonestat'; zs.set_threads(...); "
            "assert(zs.get_threads() == ...)", 3);
  ok &= run(B, "state B opens the module", "zs = require 'zonestat'", 0);
  ok &= run(A, "A keeps 3 threads after B's luaopen", "assert(zs.get_threads() == ..., zs.get_threads())", 3);
  ok &= run(B, "B sets 1 thread", "zs.set_threads(...); assert(zs.get_threads() == 1)", 1);
  ok &= run(A, "A keeps 3 threads after B's set_threads", "assert(zs.get_threads() == ..., zs.get_threads())", 3);
  ok &= run(A, "A keeps 3 threads when it opens the module again",
            "for k in pairs(package.loaded) do if k:find('^zonestat') then package.loaded[k] = nil end end\n"
            "zs = require 'zonestat'\n"
            "assert(zs.get_threads() == ..., zs.get_threads())", 3);
  ok &= run(B, "B still has 1 thread", "assert(zs.get_threads() == ..., zs.get_threads())", 1);
  lua_close(B);
  ok &= run(A, "A works after B closed",
            "local t = {}; for i = 1, 300000 do t[i] = i % 10 end\n"
            "local f = zs.frame({a = t}); assert(f:group_by('a'):agg(zs.count()):nrow() == 10)\n"
            "f = nil; collectgarbage(); assert(zs.get_threads() == ...)", 3);
  lua_close(A);

  /* 2. two threads, two states at once */
  pthread_barrier_init(&barrier, NULL, 2);
  job jobs[2] = {{1, 0, 0, "thread 1: state with 1 thread, concurrent work"},
                 {3, 1, 0, "thread 2: state with 3 threads, concurrent work"}};
  pthread_t tid[2];
  for (int t = 0; t < 2; t++) pthread_create(&tid[t], NULL, run_job, &jobs[t]);
  for (int t = 0; t < 2; t++) pthread_join(tid[t], NULL);
  pthread_barrier_destroy(&barrier);
  ok &= jobs[0].ok & jobs[1].ok;

  printf("%s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}

/* oom_sweep.c: allocation-failure sweep for zonestat's C core.
 *
 * The memory rule of the core (zs.h) is that a Lua error raised at any
 * point strands nothing.  Out-of-memory is the error that can be raised
 * almost everywhere (lua_push*, lua_newuserdatauv, luaL_Buffer, ...), so
 * this program runs a few parse_csv / read_csv / frame calls in a fresh Lua
 * state whose allocator fails the N-th allocation, for N = 1, 2, ... until
 * the call completes without a failure.  Built with ASan+UBSan+LSan: a raw
 * malloc held across a raising call shows up as a leak at exit, a
 * half-initialized object used by __gc as a crash.
 *
 *   make -C fuzz oom && fuzz/out/oom_sweep            (ASAN_OPTIONS=detect_leaks=1)
 *   fuzz/out/oom_sweep -v 3      only case 3, printing each failure point
 *
 * Only the Lua allocator fails; malloc in the core does not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

int luaopen_zonestat_core(lua_State *L);

static long countdown = -1; /* allocations left before failing; -1: never */
static int failed;

static void *failing_alloc(void *ud, void *p, size_t osize, size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    free(p);
    return NULL;
  }
  if (countdown >= 0 && nsize > osize) {
    if (countdown == 0) {
      failed = 1;
      return NULL;
    }
    countdown--;
  }
  return realloc(p, nsize);
}

/* each case is a Lua chunk run with `core` and `big` (a 200 KB CSV) */
static const char *const cases[] = {
  /* 1 */ "return core.parse_csv('a,b,c\\n1,x,2024-01-01\\n2.5,\"y,\"\"z\",NA\\n')",
  /* 2: pass 2 (text late in a numeric column) */
  "return core.parse_csv('a,b\\n1,2\\n3,4\\nx,5\\n')",
  /* 3: doubled quotes (scratch buffer) in the header */
  "return core.parse_csv('\"a\"\"b\",c\\n1,2\\n')",
  /* 4: UTF-16 input (transcoded) */
  "return core.parse_csv('\\255\\254a\\0,\\0b\\0\\n\\0001\\0,\\0x\\0\\n\\0')",
  /* 5: legacy encoding */
  "return core.parse_csv('a;b\\n\\233;1\\n', {sep = ';', encoding = 'latin1'})",
  /* 6: several threads, str + float + pass 2 */
  "return core.parse_csv(big, {threads = 4})",
  /* 7: errors */
  "return core.parse_csv('a,b\\n1\\n')",
  /* 8: read_csv of a file */
  "local p = os.tmpname(); local fh = io.open(p, 'wb'); fh:write('a,b\\nx,1\\ny,2\\n'); fh:close()\n"
  "local f, e = core.read_csv(p); os.remove(p); return f, e",
  /* 9: frame verbs */
  "local f = assert(core.parse_csv('k,v\\nx,1\\ny,2\\nx,1\\n'))\n"
  "local d = core.take(f, core.distinct_rows(f, {1, 2}))\n"
  "return core.concat_raw(f, d, core.slice(f, 2, 2))",
  /* 10: casts and fill_na */
  "local f = assert(core.parse_csv('k,s\\n1,a\\n,b\\n3,\\n'))\n"
  "return core.cast(f:column('k'), 'str'), core.fill_na(f:column('s'), 'z'), core.fill_na(f:column('k'), 0)",
  /* 11: writers */
  "local f = assert(core.parse_csv('k,s\\n1,a\\n,b\\n'))\n"
  "local p = os.tmpname(); local ok = f:write_csv(p); f:write_json(p); os.remove(p); return ok",
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

static const char *big_text(size_t *len) {
  static char *text;
  static size_t n;
  if (!text) {
    size_t cap = 1 << 20;
    text = malloc(cap);
    n = (size_t)sprintf(text, "k,v,s\n");
    for (int i = 1; i <= 8000; i++)
      n += (size_t)sprintf(text + n, "%d,%d.25,s%d\n", i % 13, i, i % 97);
    n += (size_t)sprintf(text + n, "zz,1,\"q\"\"q\"\n");
  }
  *len = n;
  return text;
}

/* run case c failing allocation n; 1 if the call completed without failure */
static int run(int c, long n, int verbose) {
  countdown = -1;
  failed = 0;
  lua_State *L = lua_newstate(failing_alloc, NULL);
  luaL_openlibs(L);
  luaL_requiref(L, "zonestat.core", luaopen_zonestat_core, 0);
  lua_setglobal(L, "core");
  size_t len;
  const char *big = big_text(&len);
  lua_pushlstring(L, big, len);
  lua_setglobal(L, "big");
  if (luaL_loadstring(L, cases[c]) != LUA_OK) {
    fprintf(stderr, "case %d: %s\n", c + 1, lua_tostring(L, -1));
    exit(2);
  }
  lua_gc(L, LUA_GCCOLLECT);
  countdown = n;
  int rc = lua_pcall(L, 0, 0, 0);
  countdown = -1;
  if (verbose && rc != LUA_OK) fprintf(stderr, "case %d, failing allocation %ld: %s\n", c + 1, n, lua_tostring(L, -1));
  if (rc != LUA_OK && !failed) {
    fprintf(stderr, "case %d raised without an allocation failure: %s\n", c + 1, lua_tostring(L, -1));
    exit(2);
  }
  lua_close(L);
  return !failed;
}

int main(int argc, char **argv) {
  int verbose = 0, only = 0;
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-v") == 0) verbose = 1;
    else only = atoi(argv[i]);
  }
  for (int c = 0; c < NCASES; c++) {
    if (only && c + 1 != only) continue;
    long n = 0;
    while (!run(c, n, verbose)) n++;
    printf("case %d: %ld failure points\n", c + 1, n);
  }
  return 0;
}

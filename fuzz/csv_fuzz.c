/* csv_fuzz.c: libFuzzer harness for zonestat's CSV reader (parse_csv).
 *
 * The C core is linked in statically (its objects are built with the
 * sanitizers by fuzz/Makefile) and opened with luaopen_zonestat_core in an
 * embedded Lua 5.4 state.  Each input is
 *
 *   byte 0   option bits (see decode_options)
 *   byte 1   more option bits
 *   rest     the CSV text
 *
 * and is parsed with core.parse_csv(text, opts).  The harness aborts (a
 * finding) when
 *   - parse_csv raises a Lua error (bad data must give nil, message),
 *   - it returns anything but a Frame or nil + "<string>:..." message,
 *   - the frame breaks an invariant of the core (column lengths, str codes
 *     inside their dictionary, bool values 0/1/NA, buffers large enough;
 *     every element is read so ASan sees out-of-bounds buffers),
 *   - with the "threads" bit: the result with threads = 4 differs from the
 *     result with threads = 1 (the design says results must not depend on
 *     the number of threads).
 * ASan/UBSan/LSan find the rest.
 *
 * The Makefile builds csv_read.c with MIN_CHUNK_BYTES lowered to 16 so that
 * inputs of a few bytes are already split between threads; see README.md. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"
#include "zs.h"

int luaopen_zonestat_core(lua_State *L);

static lua_State *L;
static int verbose;
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  verbose = getenv("CSV_FUZZ_VERBOSE") != NULL;
  L = luaL_newstate();
  luaL_openlibs(L);
  luaL_requiref(L, "zonestat.core", luaopen_zonestat_core, 0);
  lua_setglobal(L, "core");
  return 0;
}

typedef struct {
  int header, strict, pad, infer, skip_empty, threads;
  char sep, comment;
  int decimal_comma;
  int nrows; /* -1: none */
} options;

static void decode_options(const uint8_t *d, size_t n, options *o) {
  uint8_t b0 = n > 0 ? d[0] : 0, b1 = n > 1 ? d[1] : 0;
  static const char seps[4] = {',', ';', '\t', ','};
  o->header = !(b0 & 1);
  o->sep = seps[(b0 >> 1) & 3];
  o->decimal_comma = (b0 & 8) && o->sep != ',';
  o->strict = !(b0 & 16);
  o->pad = (b0 & 32) != 0;
  o->infer = !(b0 & 64);
  o->comment = (b0 & 128) ? '#' : 0;
  o->threads = (b1 & 1) ? 4 : 1;
  o->skip_empty = !(b1 & 2);
  o->nrows = (b1 & 4) ? (b1 >> 3) : -1;
}

static void push_options(lua_State *L, const options *o, int threads) {
  lua_createtable(L, 0, 12);
  lua_pushboolean(L, o->header); lua_setfield(L, -2, "header");
  lua_pushlstring(L, &o->sep, 1); lua_setfield(L, -2, "sep");
  if (o->decimal_comma) { lua_pushliteral(L, ","); lua_setfield(L, -2, "decimal"); }
  lua_pushboolean(L, o->strict); lua_setfield(L, -2, "strict");
  lua_pushboolean(L, o->pad); lua_setfield(L, -2, "pad");
  lua_pushboolean(L, o->infer); lua_setfield(L, -2, "infer");
  lua_pushboolean(L, o->skip_empty); lua_setfield(L, -2, "skip_empty");
  if (o->comment) { lua_pushlstring(L, &o->comment, 1); lua_setfield(L, -2, "comment"); }
  lua_pushinteger(L, threads); lua_setfield(L, -2, "threads");
  if (o->nrows >= 0) { lua_pushinteger(L, o->nrows); lua_setfield(L, -2, "nrows"); }
}

static void die(const char *what, const char *detail) {
  fprintf(stderr, "csv_fuzz: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  abort();
}

/* the frame at idx keeps the core's invariants; every element is read */
static void check_frame(lua_State *L, int idx) {
  zs_frame *f = zs_frame_check(L, idx);
  if (f->ncol < 0 || f->nrow < 0) die("negative frame size", NULL);
  volatile uint64_t sink = 0;
  for (int j = 0; j < f->ncol; j++) {
    const zs_col *c = f->cols[j];
    if ((int)c->type < 0 || c->type >= ZS_NTYPES) die("bad column type", NULL);
    if (c->n != f->nrow) die("column length differs from nrow", NULL);
    size_t w = zs_type_width(c->type);
    if (c->bytes < (size_t)c->n * w) die("column buffer smaller than n * width", NULL);
    for (int64_t i = 0; i < c->n; i++) {
      switch (c->type) {
      case ZS_BOOL: {
        int8_t v = ((const int8_t *)c->data)[i];
        if (v != 0 && v != 1 && v != ZS_NA_BOOL) die("bool value not 0, 1 or NA", NULL);
        break;
      }
      case ZS_STR: {
        int32_t code = ((const int32_t *)c->data)[i];
        if (!c->dict) die("str column without dictionary", NULL);
        if (code < -1 || code >= c->dict->n) die("str code outside its dictionary", NULL);
        if (code >= 0) {
          size_t len;
          const char *s = zs_dict_str(c->dict, code, &len);
          if (len) sink += (unsigned char)s[0] + (unsigned char)s[len - 1];
        }
        break;
      }
      case ZS_INT: sink += (uint64_t)((const int64_t *)c->data)[i]; break;
      case ZS_FLOAT: { uint64_t b; memcpy(&b, (const double *)c->data + i, 8); sink += b; break; }
      case ZS_DATE: sink += (uint64_t)((const int32_t *)c->data)[i]; break;
      default: break;
      }
    }
  }
  (void)sink;
}

/* same names, types and values (NA = NA, floats by bits after NaN folding) */
static void compare_frames(lua_State *L, int a, int b) {
  zs_frame *fa = zs_frame_check(L, a), *fb = zs_frame_check(L, b);
  if (fa->ncol != fb->ncol) die("threads=1 and threads=4 differ", "ncol");
  if (fa->nrow != fb->nrow) die("threads=1 and threads=4 differ", "nrow");
  for (int j = 0; j < fa->ncol; j++) {
    zs_frame_push_name(L, a, j);
    zs_frame_push_name(L, b, j);
    if (!lua_rawequal(L, -1, -2)) die("threads=1 and threads=4 differ", "column names");
    lua_pop(L, 2);
    const zs_col *x = fa->cols[j], *y = fb->cols[j];
    if (x->type != y->type) die("threads=1 and threads=4 differ", "column types");
    for (int64_t i = 0; i < x->n; i++) {
      int nx = zs_col_isna(x, i), ny = zs_col_isna(y, i);
      if (nx != ny) die("threads=1 and threads=4 differ", "NA");
      if (nx) continue;
      int same = 1;
      switch (x->type) {
      case ZS_BOOL: same = ((int8_t *)x->data)[i] == ((int8_t *)y->data)[i]; break;
      case ZS_INT: same = ((int64_t *)x->data)[i] == ((int64_t *)y->data)[i]; break;
      case ZS_FLOAT: same = memcmp((double *)x->data + i, (double *)y->data + i, 8) == 0; break;
      case ZS_DATE: same = ((int32_t *)x->data)[i] == ((int32_t *)y->data)[i]; break;
      case ZS_STR: {
        size_t lx, ly;
        const char *sx = zs_dict_str(x->dict, ((int32_t *)x->data)[i], &lx);
        const char *sy = zs_dict_str(y->dict, ((int32_t *)y->data)[i], &ly);
        same = lx == ly && memcmp(sx, sy, lx) == 0;
        break;
      }
      default: break;
      }
      if (!same) die("threads=1 and threads=4 differ", "a value");
    }
  }
}

/* core.parse_csv(text, opts with `threads`); leaves 2 results on the stack
 * (frame, nil or nil, message); returns 1 for a frame, 0 for an error */
static int run_parse(const char *text, size_t len, const options *o, int threads) {
  lua_getglobal(L, "core");
  lua_getfield(L, -1, "parse_csv");
  lua_remove(L, -2);
  lua_pushlstring(L, text, len);
  push_options(L, o, threads);
  if (lua_pcall(L, 2, 2, 0) != LUA_OK) die("parse_csv raised", lua_tostring(L, -1));
  if (luaL_testudata(L, -2, ZS_FRAME)) {
    check_frame(L, lua_gettop(L) - 1);
    return 1;
  }
  if (!lua_isnil(L, -2)) die("parse_csv returned neither a frame nor nil", luaL_typename(L, -2));
  if (lua_type(L, -1) != LUA_TSTRING) die("parse_csv returned nil without a message", NULL);
  const char *msg = lua_tostring(L, -1);
  if (strncmp(msg, "<string>:", 9) != 0) die("message does not start with <string>:", msg);
  if (verbose) fprintf(stderr, "nil, %s\n", msg);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  options o;
  decode_options(data, size, &o);
  const char *text = size > 2 ? (const char *)data + 2 : "";
  size_t len = size > 2 ? size - 2 : 0;
  int top = lua_gettop(L);
  int ok1 = run_parse(text, len, &o, 1);
  if (o.threads > 1) {
    int ok4 = run_parse(text, len, &o, o.threads);
    if (ok1 != ok4) die("threads=1 and threads=4 differ", ok1 ? "only threads=4 failed" : "only threads=1 failed");
    if (ok1) compare_frames(L, top + 1, top + 3);
    else if (!lua_rawequal(L, top + 2, top + 4))
      die("threads=1 and threads=4 give different messages", lua_tostring(L, top + 4));
  }
  lua_settop(L, top);
  lua_gc(L, LUA_GCCOLLECT);
  return 0;
}

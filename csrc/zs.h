/* zs.h: shared declarations of the zonestat C core.
 *
 * Memory rule: every buffer the core allocates is owned by a userdata whose
 * __gc frees it, so a Lua error raised at any point strands nothing.  Small
 * buffers come from the state's allocator (lua_getallocf), as LPeg does; big
 * ones (1 MB and more) are mapped directly and cached per Lua state when
 * freed (mem.c says how).  Neither counts in collectgarbage("count"), so
 * zs_gc_hint asks for a full collection when the core's own memory has
 * doubled, and garbage frames are freed in time.
 *
 * Platform: Linux only (mremap, O_TMPFILE, renameat2, __int128 with gcc or
 * clang); the rockspec says supported_platforms = {"linux"}.
 */
#ifndef ZS_H
#define ZS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"

/* The module exports one symbol: the Makefile builds with
 * -fvisibility=hidden and this marks the entry point. */
#define ZS_EXPORT __attribute__((visibility("default")))
ZS_EXPORT int luaopen_zonestat_core(lua_State *L);

/* ---- column types ------------------------------------------------------- */

typedef enum {
  ZS_BOOL = 0, /* int8_t: 0, 1; NA = -1 */
  ZS_INT,      /* int64_t; NA = INT64_MIN */
  ZS_FLOAT,    /* double; NA = any NaN */
  ZS_DATE,     /* int32_t days since 1970-01-01; NA = INT32_MIN */
  ZS_STR,      /* int32_t code into the column's dictionary; NA = -1 */
  ZS_NTYPES
} zs_type;

#define ZS_NA_BOOL ((int8_t)-1)
#define ZS_NA_INT INT64_MIN
#define ZS_NA_DATE INT32_MIN
#define ZS_NA_CODE ((int32_t)-1)

extern const char *const zs_type_names[ZS_NTYPES];
size_t zs_type_width(zs_type t);
/* type from its name ("int", ...); -1 if unknown */
int zs_type_from_name(const char *name);
/* luaL_checkoption-like: raises naming argument arg */
zs_type zs_check_type(lua_State *L, int arg);
/* boolean option key of the options table at index opts (dflt when absent);
 * raises when it is not a boolean */
int zs_opt_bool(lua_State *L, int opts, const char *key, int dflt);

/* protected metatables: zs_newmetatable is luaL_newmetatable that also
 * seals a new metatable; zs_seal_metatable seals the one at idx (its
 * __metatable becomes its __name, so getmetatable() gives a string and
 * Lua code cannot reach __gc or change a metamethod) */
int zs_newmetatable(lua_State *L, const char *name);
void zs_seal_metatable(lua_State *L, int idx);

/* ---- memory ------------------------------------------------------------- */

/* allocate/resize/free: the state's allocator below 1 MB, else a mapping
 * (cached per state, mem.c); raise on failure */
void *zs_realloc(lua_State *L, void *p, size_t oldsize, size_t newsize);
void zs_free(lua_State *L, void *p, size_t size);
/* after an allocation of `bytes`: collect fully if the core's memory doubled */
void zs_gc_hint(lua_State *L, size_t bytes);
/* n * size, raising on overflow */
size_t zs_mulsize(lua_State *L, size_t n, size_t size);
/* push a scratch userdata of n * size bytes (uninitialized) and return it */
void *zs_scratch(lua_State *L, size_t n, size_t size);
/* free now the big scratch buffers at stack indices from..top (they are
 * done with; their userdata stay, empty, until collected) */
void zs_release_scratch(lua_State *L, int from);
/* the same for the one value at idx (nothing if it is no big scratch) */
void zs_release_scratch_at(lua_State *L, int idx);

/* ---- string dictionary -------------------------------------------------- */

/* A dictionary maps distinct strings to dense codes 0..n-1 in insertion
 * order.  Its allocator is a lua_Alloc so the same code runs on the main
 * thread (Lua's allocator) and on worker threads (zs_sysalloc). */
/* A hash slot carries what a lookup needs in one cache line: 32 bits of
 * the hash, the code (-1: empty) and where the string's bytes start in the
 * pool (each string is preceded there by its length, 4 bytes). */
struct zs_slot {
  uint32_t h32;
  int32_t code;
  uint64_t off;
};

typedef struct zs_dict {
  lua_Alloc alloc;
  void *ud;
  int32_t n, cap;      /* strings, capacity of off/len/hash arrays */
  uint64_t *off;       /* offset of string i in pool */
  uint32_t *len;       /* length of string i */
  uint64_t *hash;      /* hash of string i */
  char *pool;
  size_t pool_len, pool_cap;
  struct zs_slot *slots; /* open addressing table */
  uint32_t nslots;     /* power of two */
  int32_t *rank;       /* lazily built: rank[code] in byte order */
  int sorted;          /* with rank: rank[code] == code for every code */
  int frozen;          /* no more inserts (shared by several columns) */
} zs_dict;

void *zs_sysalloc(void *ud, void *p, size_t osize, size_t nsize);
void zs_dict_init(zs_dict *d, lua_Alloc alloc, void *ud);
void zs_dict_release(zs_dict *d);
uint64_t zs_hash(const char *s, size_t len);
/* code of s, inserting it if new; -1 on out-of-memory */
int32_t zs_dict_intern(zs_dict *d, const char *s, size_t len);
int32_t zs_dict_intern_h(zs_dict *d, const char *s, size_t len, uint64_t h);
static inline void zs_dict_prefetch(const zs_dict *d, uint64_t h) {
  if (d->nslots) __builtin_prefetch(&d->slots[(uint32_t)h & (d->nslots - 1)]);
}
/* second stage: the slot is cached by now; fetch the string it points at */
static inline void zs_dict_prefetch_string(const zs_dict *d, uint64_t h) {
  if (!d->nslots) return;
  const struct zs_slot *slot = &d->slots[(uint32_t)h & (d->nslots - 1)];
  if (slot->code >= 0) __builtin_prefetch(d->pool + slot->off - 4);
}
/* code of s or -1 if absent */
int32_t zs_dict_find(const zs_dict *d, const char *s, size_t len);
static inline const char *zs_dict_str(const zs_dict *d, int32_t code, size_t *len) {
  *len = d->len[code];
  return d->pool + d->off[code];
}
/* rank of every code in byte order (memcmp, shorter first on ties);
 * built once; returns NULL on out-of-memory */
const int32_t *zs_dict_rank(zs_dict *d);
int zs_strcmp(const char *a, size_t la, const char *b, size_t lb);

/* Dict userdata ("zonestat.Dict"): pushes a new empty dictionary */
zs_dict *zs_dict_push(lua_State *L);
zs_dict *zs_dict_check(lua_State *L, int idx);

/* ---- columns ------------------------------------------------------------ */

typedef struct zs_col {
  zs_type type;
  int64_t n;       /* length */
  void *data;      /* n elements of zs_type_width(type) bytes */
  size_t bytes;    /* allocated size of data */
  zs_dict *dict;   /* ZS_STR: dictionary, kept alive as user value 1 */
  int range_known; /* int, date: lo and hi are known (see zs_col_range) */
  int64_t lo, hi;
  int na_state;    /* ZS_NA_UNKNOWN, ZS_NA_SOME or ZS_NA_NONE (see zs_col_note_na) */
  int codes_dense; /* str: every code of the dictionary occurs (known by the builder) */
} zs_col;

enum { ZS_NA_UNKNOWN, ZS_NA_SOME, ZS_NA_NONE };

#define ZS_COLUMN "zonestat.Column"
#define ZS_FRAME "zonestat.Frame"
#define ZS_DICT "zonestat.Dict"

/* push a new column of n elements (data uninitialized); for ZS_STR the
 * dictionary at stack index dict_idx is attached (0: a new empty one) */
zs_col *zs_col_push(lua_State *L, zs_type t, int64_t n, int dict_idx);
zs_col *zs_col_check(lua_State *L, int idx);
zs_col *zs_col_test(lua_State *L, int idx);
/* 0 when the column's __gc (or its dictionary's) has already run and its
 * values are gone (a finalized column is empty; a frame checks its length) */
int zs_col_usable(const zs_col *c);
/* shrink or grow a column being built (before anyone else sees it) */
void zs_col_resize(lua_State *L, zs_col *c, int64_t n);
/* push the dictionary userdata of a str column at idx */
void zs_col_push_dict(lua_State *L, int idx);
/* give the str column at idx (being built) a dictionary in byte order,
 * renumbering its codes, so that code order is string order */
void zs_col_sort_dict(lua_State *L, int idx);

/* store the Lua value at idx as element i of a column being built (nil,
 * zs.NA, NaN: NA); raises naming `what` on a type mismatch */
void zs_col_set_lua(lua_State *L, zs_col *c, int64_t i, int idx, const char *what);
/* push a column built from the Lua array at idx (n values; type t or -1 to
 * infer); `name` is used in errors */
zs_col *zs_col_from_table(lua_State *L, int idx, lua_Integer n, int t, const char *name);

/* smallest and largest non-NA value of an int or date column (0, 0 when
 * it has none); computed once, on all threads, then kept: columns never
 * change once built */
void zs_col_range(zs_col *c, int64_t *lo, int64_t *hi);
/* record the range of an int or date column being built (lo > hi: no
 * value), as its builder saw it */
void zs_col_set_range(zs_col *c, int64_t lo, int64_t hi);

/* record whether a built column has NA, once someone has seen all of it
 * (its reader, or a pass that counted its non-NA values) */
void zs_col_note_na(zs_col *c, int has_na);

/* element i (0-based) is NA */
int zs_col_isna(const zs_col *c, int64_t i);
/* push element i as a Lua value (nil for NA) */
void zs_col_push_value(lua_State *L, const zs_col *c, int64_t i);
/* fill element i with NA */
void zs_col_set_na(zs_col *c, int64_t i);
/* new column with elements idx[0..m-1] of c (idx < 0: NA) */
zs_col *zs_col_take(lua_State *L, int cidx, const int64_t *idx, int64_t m);
/* new column with elements [from, from+m) */
zs_col *zs_col_slice(lua_State *L, int cidx, int64_t from, int64_t m);
/* push the column at cidx converted to type t (itself when it has that
 * type); raises naming `name`, the row and the value when a value does not
 * convert */
zs_col *zs_col_cast(lua_State *L, int cidx, zs_type t, const char *name);
/* push the column at cidx with NA replaced by the Lua value at vidx */
zs_col *zs_col_fill_na(lua_State *L, int cidx, int vidx, const char *name);

/* ---- dates --------------------------------------------------------------- */

int32_t zs_days_from_civil(int64_t y, int m, int d);
void zs_civil_from_days(int32_t days, int64_t *y, int *m, int *d);
/* parse exactly "yyyy-mm-dd" (valid calendar date); 1 on success */
int zs_parse_date(const char *s, size_t len, int32_t *out);
/* writes "yyyy-mm-dd" (or longer for years beyond 9999), returns length */
int zs_format_date(int32_t days, char *buf);

/* ---- numbers ------------------------------------------------------------ */

/* The conventions of numbers and dates written as text: the decimal mark
 * ('.' or ','), the thousands mark (0: none, '.' or ','), the date format.
 * A number with thousands marks groups exactly: 1 to 3 leading digits, then
 * groups of three; one without marks is read too.  Dates in ISO yyyy-mm-dd
 * are read whatever the format. */
enum { ZS_DATE_ISO, ZS_DATE_DMY, ZS_DATE_DMY_DASH, ZS_DATE_MDY, ZS_NDATE_FORMATS };
extern const char *const zs_date_format_names[ZS_NDATE_FORMATS]; /* "%Y-%m-%d", "%d/%m/%Y", ... */
int zs_date_format_from_name(const char *name); /* -1 if unknown */
typedef struct {
  char decimal, thousands;
  int date;
} zs_textfmt;
extern const zs_textfmt zs_textfmt_default; /* '.', no thousands, ISO dates */

/* strict parsers used by CSV inference and casts; 1 on success */
int zs_parse_int(const char *s, size_t len, char thousands, int64_t *out);
int zs_parse_float(const char *s, size_t len, char decimal, char thousands, double *out);
/* "inf", "-inf", "nan" and the like (only for columns typed float) */
int zs_parse_float_special(const char *s, size_t len, double *out);
int zs_parse_bool(const char *s, size_t len, int8_t *out);
/* a date in `format` (ZS_DATE_*), or in ISO */
int zs_parse_date_as(const char *s, size_t len, int format, int32_t *out);
/* all digits with an optional sign (an integer, perhaps beyond int64) */
int zs_is_big_integer(const char *s, size_t len);
/* the type read_csv infers for an unquoted, non-NA field: int, float (also
 * Inf and NaN), bool, date, else str (an integer beyond int64 is str) */
int zs_infer_text(const char *s, size_t len, const zs_textfmt *fmt);
/* text as a value of type t (not str) into out; 1 on success */
int zs_text_to(zs_type t, const char *s, size_t len, const zs_textfmt *fmt, void *out);
/* shortest text that reads back to the same double; returns length.
 * buf must hold 32 bytes.  Always C locale; '.' replaced by `point`. */
int zs_format_float(double v, char *buf, char point);
int zs_format_int(int64_t v, char *buf);

/* ---- building a column value by value (builder.c) ------------------------ */

/* For readers whose values come typed one at a time (xlsx, SQLite): push a
 * builder userdata; `fixed` is a zs_type, or -1 to type the column by its
 * values as read_csv infers (int with float gives float, other mixes str,
 * integral floats within +-2^53 int); `fmt` (NULL: the defaults) reads text
 * under a fixed type.  The add functions return 0 when the value does not
 * fit the fixed type (nothing is stored then), else 1. */
typedef struct zs_builder zs_builder;
zs_builder *zs_builder_push(lua_State *L, int fixed, const zs_textfmt *fmt);
int64_t zs_builder_rows(const zs_builder *b);
void zs_builder_na(lua_State *L, zs_builder *b);
int zs_builder_int(lua_State *L, zs_builder *b, int64_t v);
int zs_builder_float(lua_State *L, zs_builder *b, double v); /* NaN: NA */
int zs_builder_bool(lua_State *L, zs_builder *b, int v);
int zs_builder_date(lua_State *L, zs_builder *b, int32_t days);
int zs_builder_text(lua_State *L, zs_builder *b, const char *s, size_t len);
/* push the finished column of the builder at bidx and free its buffers */
zs_col *zs_builder_finish(lua_State *L, int bidx);

/* ---- frames ------------------------------------------------------------- */

typedef struct zs_frame {
  int64_t nrow;
  int ncol;
  zs_col *cols[1]; /* ncol entries; the Column userdata live in user value 2 */
} zs_frame;

/* Build a frame from the `ncol` names and Column userdata on the top of the
 * stack, pushed as name1, col1, name2, col2, ...; pops them, pushes the
 * frame.  Checks lengths and names. */
zs_frame *zs_frame_build(lua_State *L, int ncol);
zs_frame *zs_frame_check(lua_State *L, int idx);
/* index (0-based) of column `name` or -1 */
int zs_frame_find(lua_State *L, int fidx, const char *name);
/* index of the column named by argument arg (name), raising if absent */
int zs_frame_check_column(lua_State *L, int fidx, int arg);
/* push the name / the Column userdata of column j */
void zs_frame_push_name(lua_State *L, int fidx, int j);
void zs_frame_push_column(lua_State *L, int fidx, int j);
/* push a frame of rows idx[0..m-1] (0-based, -1: a row of NA) of the frame
 * at fidx */
zs_frame *zs_frame_take(lua_State *L, int fidx, const int64_t *idx, int64_t m);

/* sum / n as a double for an exact 128-bit sum: the integer quotient and
 * the remainder's fraction, each rounded once (no long double: its
 * precision varies between platforms and emulators) */
static inline double zs_mean128(__int128 sum, int64_t n) {
  __int128 q = sum / n, r = sum % n;
  return (double)q + (double)r / (double)n;
}

/* ---- sorting (sort.c) ---------------------------------------------------- */

/* order-preserving uint64 of a double (-0.0 as 0.0) */
static inline uint64_t zs_float_key(double v) {
  if (v == 0) v = 0.0; /* -0.0 sorts with 0.0 */
  uint64_t b;
  memcpy(&b, &v, 8);
  return (b & 0x8000000000000000ULL) ? ~b : b | 0x8000000000000000ULL;
}
/* sort keys of a column: ascending unsigned order is the requested order,
 * NA is UINT64_MAX (last).  Ascending keys decode as: int (k + 1) ^ 2^63,
 * date k ^ 2^31, float by inverting zs_float_key, str dictionary rank. */
void zs_sort_keys(lua_State *L, zs_col *c, int desc, uint64_t *out);
/* the same for rows [from, to) into out[0 .. to - from), on this thread;
 * rank: zs_sort_rank(L, c) (str columns' dictionary ranks, else NULL) */
void zs_sort_keys_range(const zs_col *c, const int32_t *rank, int desc, int64_t from, int64_t to, uint64_t *out);
const int32_t *zs_sort_rank(lua_State *L, zs_col *c);
/* stable LSD radix sorts */
void zs_radix_sort_idx(const uint64_t *keys, int64_t *idx, int64_t *tmp, int64_t n);
void zs_radix_sort_pairs(uint64_t *keys, int64_t *vals, uint64_t *tmpk, int64_t *tmpv, int64_t n);
/* stable row order by several columns; pushes a scratch userdata */
int64_t *zs_order(lua_State *L, zs_col **cols, const int *desc, int nk, int64_t n);

/* ---- threads (par.c) ------------------------------------------------------ */

/* The thread count is a setting of the Lua state (zs.set_threads), not of
 * the process: these functions read it from L's registry. */
int zs_threads(lua_State *L);
/* set it (0: one per core); returns the previous value */
int zs_set_threads(lua_State *L, int n);
void zs_par_open(lua_State *L);
typedef void (*zs_body)(void *ctx, int64_t from, int64_t to, int part);
/* run body over [0, n) cut into `parts` ranges, on up to zs_threads(L) threads */
void zs_parallel_L(lua_State *L, int64_t n, int parts, zs_body body, void *ctx);
/* parts worth running for n rows on the state's thread count */
int zs_threads_for_L(lua_State *L, int64_t n);
/* Transitional forms without L (to be replaced by the _L forms): they use
 * the count of the state that last read or set it on this OS thread (the
 * one running, in a program with one state), or one per core when none
 * has. */
int zs_threads_current(void);
#define zs_nthreads zs_threads_current()
void zs_parallel(int64_t n, int parts, zs_body body, void *ctx);
int zs_threads_for(int64_t n);
/* parts for n rows that depend on n only (for per-part results merged in order) */
int zs_fixed_parts(int64_t n);

/* ---- files written atomically (fs.c) --------------------------------------- */

/* A file replaced atomically: the data go to an unnamed file (O_TMPFILE) in
 * the target's folder, flock'ed while it lives, linked into place when
 * complete (to the target when there is none, else to a temporary name
 * renamed over it).  Writers that need a name (libraries writing to a file
 * name: libxlsxwriter, SQLite) get it linked to `<target>.tmp-XXXXXX` from
 * the start.  Temporaries of that pattern that no live writer locks are
 * swept by the next write to the same target.  A target that is no
 * regular file (a device, a FIFO) is written in place.  Embed the struct in
 * a userdata whose __gc calls zs_atomic_release. */
typedef struct zs_atomic {
  int fd;             /* the file being written, -1 when none */
  int direct;         /* written in place (a device or FIFO) */
  int flags;          /* ZS_ATOMIC_* */
  int has_mode;       /* mode: the permissions of the file replaced */
  unsigned mode;
  char *path;         /* the target, symbolic links resolved (malloc) */
  char *tmpname;      /* the temporary's name while it has one (malloc) */
  const char *shown;  /* the path as given, for messages (valid during the call) */
  const char *writer; /* its name for ZONESTAT_KILL_AT */
} zs_atomic;
enum { ZS_ATOMIC_NAMED = 1, ZS_ATOMIC_NOREPLACE = 2 };
void zs_atomic_init(zs_atomic *a, const char *writer);
/* create the temporary; NULL, or an error message (pushed) */
const char *zs_atomic_open(lua_State *L, zs_atomic *a, const char *path, int flags);
/* flush it to disk and put it in place; NULL, or an error message (pushed;
 * the temporary is removed then) */
const char *zs_atomic_commit(lua_State *L, zs_atomic *a);
/* close and remove the temporary (idempotent; nothing after a commit) */
void zs_atomic_release(zs_atomic *a);
/* push a userdata holding a zs_atomic (initialized) whose __gc releases it */
zs_atomic *zs_atomic_push(lua_State *L, const char *writer);
/* the test hook ZONESTAT_KILL_AT=<writer>:<step>: armed / raise(SIGKILL) */
int zs_kill_armed(const char *writer, const char *step);
void zs_kill_point(const char *writer, const char *step);

/* ---- module areas ------------------------------------------------------- */

extern int zs_na_key; /* registry key (address) of the NA sentinel */
void zs_push_na(lua_State *L);
int zs_is_na(lua_State *L, int idx);

void zs_column_open(lua_State *L);
void zs_frame_open(lua_State *L);
void zs_csv_read_open(lua_State *L);
void zs_write_open(lua_State *L);
void zs_util_open(lua_State *L);
void zs_mem_open(lua_State *L);
void zs_sort_open(lua_State *L);
void zs_agg_open(lua_State *L);
void zs_expr_open(lua_State *L);
void zs_join_open(lua_State *L);
void zs_text_open(lua_State *L);
void zs_fs_open(lua_State *L);
void zs_collate_open(lua_State *L);
void zs_xlsx_read_open(lua_State *L);
void zs_xlsx_write_open(lua_State *L);
void zs_sqlite_open(lua_State *L);

#endif

/* write.c: f:write_csv and f:write_json.
 *
 * Files are written atomically (fs.c, zs_atomic): to an unnamed file in the
 * target's folder, flushed to disk, then put in place, so a reader never
 * sees a half-written file, and a failure or a kill leaves the old file in
 * place and no temporary behind.
 *
 * Refused before anything is written: an `na` token that a value of the
 * frame prints as (misuse: it raises), dates beyond the years 0000-9999
 * that ISO yyyy-mm-dd and the readers hold (nil, message naming the column
 * and the row).
 *
 * CSV round trip: a str value that would read back as something else (a
 * number, a boolean, a date, an NA token, the empty string) is quoted, and
 * the reader treats quoted fields as text; floats always carry a decimal
 * mark or an exponent, so the file reads back to the same frame. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zs.h"

#define WRITER "zonestat.Writer"
#define BUFSIZE (1 << 20)

typedef struct {
  int fd;          /* -1: writing to memory (mem) */
  zs_atomic a;     /* the file (released by __gc unless committed) */
  const char *kind; /* "csv" or "json", for ZONESTAT_KILL_AT */
  char *buf;       /* BUFSIZE bytes (malloc) */
  size_t n;
  int err;         /* errno of the first failed write */
  char *mem;       /* string mode: everything written so far (malloc) */
  size_t mem_len, mem_cap;
} writer;

static int writer_gc(lua_State *L) {
  writer *w = luaL_checkudata(L, 1, WRITER);
  zs_atomic_release(&w->a);
  w->fd = -1;
  free(w->buf);
  w->buf = NULL;
  free(w->mem);
  w->mem = NULL;
  return 0;
}

static void flush(writer *w) {
  if (w->fd < 0) { /* string mode */
    if (w->mem_len + w->n > w->mem_cap) {
      size_t cap = w->mem_cap ? w->mem_cap : BUFSIZE;
      while (cap < w->mem_len + w->n) cap *= 2;
      char *m = realloc(w->mem, cap);
      if (!m) { w->err = ENOMEM; w->n = 0; return; }
      w->mem = m;
      w->mem_cap = cap;
    }
    memcpy(w->mem + w->mem_len, w->buf, w->n);
    w->mem_len += w->n;
    w->n = 0;
    return;
  }
  size_t off = 0;
  while (off < w->n && !w->err) {
    ssize_t r = write(w->fd, w->buf + off, w->n - off);
    if (r < 0) {
      if (errno == EINTR) continue;
      w->err = errno;
    } else {
      off += (size_t)r;
    }
  }
  w->n = 0;
}

static inline void put(writer *w, const char *s, size_t len) {
  if (w->n + len > BUFSIZE) {
    flush(w);
    if (len > BUFSIZE && w->fd >= 0) {
      size_t off = 0;
      while (off < len && !w->err) {
        ssize_t r = write(w->fd, s + off, len - off);
        if (r < 0) { if (errno != EINTR) w->err = errno; }
        else off += (size_t)r;
      }
      return;
    }
    while (len > BUFSIZE) { /* string mode: in buffer-sized pieces */
      memcpy(w->buf, s, BUFSIZE);
      w->n = BUFSIZE;
      flush(w);
      s += BUFSIZE;
      len -= BUFSIZE;
    }
  }
  memcpy(w->buf + w->n, s, len);
  w->n += len;
}

static inline void putc_(writer *w, char c) {
  if (w->n == BUFSIZE) flush(w);
  w->buf[w->n++] = c;
}

/* Open the file that will replace path (NULL: write to memory).  Pushes
 * the writer; on failure returns an error message (pushed) instead. */
static const char *writer_open(lua_State *L, const char *path, const char *kind, writer **out) {
  writer *w = lua_newuserdatauv(L, sizeof *w, 0);
  memset(w, 0, sizeof *w);
  w->fd = -1;
  zs_atomic_init(&w->a, kind);
  w->kind = kind;
  if (zs_newmetatable(L, WRITER)) {
    lua_pushcfunction(L, writer_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  w->buf = malloc(BUFSIZE);
  if (!w->buf) luaL_error(L, "not enough memory");
  *out = w;
  if (!path) return NULL;
  const char *msg = zs_atomic_open(L, &w->a, path, 0);
  if (msg) {
    zs_atomic_release(&w->a);
    return msg;
  }
  w->fd = w->a.fd;
  return NULL;
}

/* the test hook at "data": what is written so far goes to the file first */
static void kill_mid(writer *w) {
  if (w->fd < 0 || !zs_kill_armed(w->kind, "data")) return;
  flush(w);
  zs_kill_point(w->kind, "data");
}

/* flush, sync and put in place (string mode: push the text); NULL or an
 * error message (pushed) */
static const char *writer_commit(lua_State *L, writer *w, const char *path) {
  flush(w);
  if (!path) {
    if (w->err) return lua_pushfstring(L, "%s", strerror(w->err));
    lua_pushlstring(L, w->mem ? w->mem : "", w->mem_len);
    return NULL;
  }
  w->fd = -1;
  if (w->err) {
    zs_atomic_release(&w->a);
    return lua_pushfstring(L, "%s: %s", path, strerror(w->err));
  }
  return zs_atomic_commit(L, &w->a);
}

/* ---- what the writers refuse -------------------------------------------------- */

/* Dates are written as ISO yyyy-mm-dd, which the readers (and ISO 8601
 * without an agreed extension) take for the years 0000 to 9999 only: the
 * first date of the frame outside them, as row (1-based) and column, or 0. */
#define FIRST_ISO_DAY (-719528) /* 0000-01-01 */
#define LAST_ISO_DAY 2932896    /* 9999-12-31 */
static int64_t bad_date(const zs_frame *f, int *col) {
  for (int j = 0; j < f->ncol; j++) {
    const zs_col *c = f->cols[j];
    if (c->type != ZS_DATE) continue;
    const int32_t *v = c->data;
    for (int64_t i = 0; i < f->nrow; i++)
      if (v[i] != ZS_NA_DATE && (v[i] < FIRST_ISO_DAY || v[i] > LAST_ISO_DAY)) {
        *col = j;
        return i + 1;
      }
  }
  return 0;
}

/* nil, "path: column 'c' row N: the date ... ": for the first date out of
 * range (returns 0 when there is none) */
static int refuse_dates(lua_State *L, int fidx, const zs_frame *f, const char *path) {
  int j = 0;
  int64_t row = bad_date(f, &j);
  if (!row) return 0;
  char buf[32];
  zs_format_date(((const int32_t *)f->cols[j]->data)[row - 1], buf);
  lua_pushnil(L);
  zs_frame_push_name(L, fidx, j);
  lua_pushfstring(L, "%s%scolumn '%s' row %I: the date %s is outside the years 0000 to 9999 that ISO yyyy-mm-dd "
                     "holds, and would read back as text (cast the column to str to write it as text)",
                  path ? path : "", path ? ": " : "", lua_tostring(L, -1), (lua_Integer)row, buf);
  lua_remove(L, -2);
  return 2;
}

/* strict UTF-8: no overlong forms, no surrogates, nothing beyond U+10FFFF */
static int utf8_valid(const unsigned char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    unsigned c = s[i];
    if (c < 0x80) { i++; continue; }
    size_t n;
    unsigned min, cp;
    if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if (len - i <= n) return 0;
    for (size_t k = 1; k <= n; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    i += n + 1;
  }
  return 1;
}

/* JSON text is UTF-8: nil, "path: column 'c' row N: ..." for the first name
 * or str value that is not (returns 0 when all are) */
static int refuse_bad_utf8(lua_State *L, int fidx, const zs_frame *f, const char *path) {
  const char *pre = path ? path : "", *sep = path ? ": " : "";
  for (int j = 0; j < f->ncol; j++) {
    size_t len;
    zs_frame_push_name(L, fidx, j);
    const char *name = lua_tolstring(L, -1, &len);
    if (!utf8_valid((const unsigned char *)name, len)) {
      lua_pushnil(L);
      lua_pushfstring(L, "%s%scolumn %d: the name is not valid UTF-8, which JSON text must be", pre, sep, j + 1);
      return 2;
    }
    const zs_col *c = f->cols[j];
    if (c->type != ZS_STR) {
      lua_pop(L, 1);
      continue;
    }
    /* each distinct string once: 0 unchecked, 1 valid */
    int32_t nd = c->dict->n;
    char *seen = zs_scratch(L, (size_t)(nd ? nd : 1), 1);
    memset(seen, 0, (size_t)(nd ? nd : 1));
    const int32_t *codes = c->data;
    for (int64_t i = 0; i < f->nrow; i++) {
      int32_t k = codes[i];
      if (k < 0 || seen[k]) continue;
      const char *v = zs_dict_str(c->dict, k, &len);
      if (!utf8_valid((const unsigned char *)v, len)) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s%scolumn '%s' row %I: the text is not valid UTF-8, which JSON text must be", pre, sep,
                        name, (lua_Integer)i + 1);
        return 2;
      }
      seen[k] = 1;
    }
    lua_pop(L, 2);
  }
  return 0;
}

/* The row (1-based) of column c whose value prints as the token s, or 0. */
static int64_t prints_as(const zs_col *c, const char *s, size_t len, char point) {
  char buf[40];
  int64_t n = c->n;
  switch (c->type) {
  case ZS_INT: {
    int64_t v;
    if (!zs_parse_int(s, len, 0, &v) || (size_t)zs_format_int(v, buf) != len || memcmp(buf, s, len) != 0) return 0;
    const int64_t *d = c->data;
    for (int64_t i = 0; i < n; i++)
      if (d[i] == v) return i + 1;
    return 0;
  }
  case ZS_FLOAT: {
    double v;
    if (!zs_parse_float(s, len, point, 0, &v) && !zs_parse_float_special(s, len, &v)) return 0;
    if (v != v || (size_t)zs_format_float(v, buf, point) != len || memcmp(buf, s, len) != 0) return 0;
    const double *d = c->data;
    for (int64_t i = 0; i < n; i++)
      if (d[i] == v && (d[i] < 0) == (v < 0) && signbit(d[i]) == signbit(v)) return i + 1;
    return 0;
  }
  case ZS_BOOL: {
    int8_t v;
    if (len == 4 && memcmp(s, "true", 4) == 0) v = 1;
    else if (len == 5 && memcmp(s, "false", 5) == 0) v = 0;
    else return 0;
    const int8_t *d = c->data;
    for (int64_t i = 0; i < n; i++)
      if (d[i] == v) return i + 1;
    return 0;
  }
  case ZS_DATE: {
    int32_t v;
    if (!zs_parse_date(s, len, &v)) return 0;
    const int32_t *d = c->data;
    for (int64_t i = 0; i < n; i++)
      if (d[i] == v) return i + 1;
    return 0;
  }
  default: return 0; /* text equal to the token is quoted, and reads back as text */
  }
}

/* ---- CSV --------------------------------------------------------------------- */

typedef struct {
  char sep, point;
  const char *na;
  size_t na_len;
  const char *eol;
  zs_textfmt fmt; /* how a reader with the same decimal mark reads text back */
} csvopts;

static int needs_quotes(const csvopts *o, const char *s, size_t len, int check_types) {
  if (len == 0) return 1;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == o->sep || c == '"' || c == '\n' || c == '\r') return 1;
  }
  if ((len == o->na_len && memcmp(s, o->na, len) == 0) || (len == 2 && s[0] == 'N' && s[1] == 'A')) return 1;
  if (!check_types) return 0;
  return zs_infer_text(s, len, &o->fmt) != ZS_STR;
}

static void put_text(writer *w, const csvopts *o, const char *s, size_t len, int check_types) {
  if (!needs_quotes(o, s, len, check_types)) {
    put(w, s, len);
    return;
  }
  putc_(w, '"');
  const char *p = s, *end = s + len;
  while (p < end) {
    const char *q = memchr(p, '"', (size_t)(end - p));
    if (!q) { put(w, p, (size_t)(end - p)); break; }
    put(w, p, (size_t)(q - p) + 1);
    putc_(w, '"');
    p = q + 1;
  }
  putc_(w, '"');
}

static void put_value(writer *w, const csvopts *o, const zs_col *c, int64_t i) {
  char buf[40];
  if (zs_col_isna(c, i)) {
    put(w, o->na, o->na_len);
    return;
  }
  switch (c->type) {
  case ZS_BOOL: put(w, ((int8_t *)c->data)[i] ? "true" : "false", ((int8_t *)c->data)[i] ? 4 : 5); break;
  case ZS_INT: put(w, buf, (size_t)zs_format_int(((int64_t *)c->data)[i], buf)); break;
  case ZS_FLOAT: {
    int n = zs_format_float(((double *)c->data)[i], buf, o->point);
    if (o->point == o->sep) put_text(w, o, buf, (size_t)n, 0);
    else put(w, buf, (size_t)n);
    break;
  }
  case ZS_DATE: put(w, buf, (size_t)zs_format_date(((int32_t *)c->data)[i], buf)); break;
  case ZS_STR: {
    size_t len;
    const char *s = zs_dict_str(c->dict, ((int32_t *)c->data)[i], &len);
    put_text(w, o, s, len, 1);
    break;
  }
  default: break;
  }
}

static const char *opt_string(lua_State *L, int opts, const char *key, const char *dflt) {
  const char *v = dflt;
  if (lua_getfield(L, opts, key) != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "option '%s' must be a string", key);
    v = lua_tostring(L, -1);
  }
  lua_pop(L, 1); /* still referenced by opts */
  return v;
}

static void check_options(lua_State *L, int opts, const char *const *known) {
  lua_pushnil(L);
  while (lua_next(L, opts)) {
    int ok = 0;
    if (lua_type(L, -2) == LUA_TSTRING)
      for (int i = 0; known[i]; i++) ok |= strcmp(known[i], lua_tostring(L, -2)) == 0;
    if (!ok) luaL_error(L, "unknown option '%s'", lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?");
    lua_pop(L, 1);
  }
}

/* f:write_csv(path [, opts]) -> true, or nil and "path: message".
 * opts: sep (","), decimal ("." or ","), na (""), bom (false),
 * header (true), eol ("\n" or "\r\n") */
static int l_write_csv(lua_State *L) {
  zs_frame *f = zs_frame_check(L, 1);
  const char *path = lua_isnoneornil(L, 2) && lua_toboolean(L, lua_upvalueindex(1)) ? NULL : luaL_checkstring(L, 2);
  if (lua_isnoneornil(L, 3)) { lua_settop(L, 2); lua_newtable(L); }
  luaL_checktype(L, 3, LUA_TTABLE);
  lua_settop(L, 3);
  static const char *const known[] = {"sep", "decimal", "na", "bom", "header", "eol", NULL};
  check_options(L, 3, known);
  csvopts o;
  const char *sep = opt_string(L, 3, "sep", ",");
  const char *dec = opt_string(L, 3, "decimal", ".");
  o.na = opt_string(L, 3, "na", "");
  o.na_len = strlen(o.na);
  o.eol = opt_string(L, 3, "eol", "\n");
  int bom = zs_opt_bool(L, 3, "bom", 0), header = zs_opt_bool(L, 3, "header", 1);
  if (strlen(sep) != 1 || sep[0] == '"' || sep[0] == '\n' || sep[0] == '\r') luaL_error(L, "option 'sep' must be one character (not a quote or line break)");
  if (strcmp(dec, ".") != 0 && strcmp(dec, ",") != 0) luaL_error(L, "option 'decimal' must be \".\" or \",\"");
  if (strcmp(o.eol, "\n") != 0 && strcmp(o.eol, "\r\n") != 0) luaL_error(L, "option 'eol' must be \"\\n\" or \"\\r\\n\"");
  o.sep = sep[0];
  o.point = dec[0];
  o.fmt = zs_textfmt_default;
  o.fmt.decimal = o.point;
  o.fmt.thousands = o.point == ',' ? '.' : 0;
  if (o.point == o.sep) luaL_error(L, "options 'sep' and 'decimal' must differ (use sep = \";\" with decimal = \",\")");
  for (size_t i = 0; i < o.na_len; i++)
    if (o.na[i] == o.sep || o.na[i] == '"' || o.na[i] == '\n' || o.na[i] == '\r')
      luaL_error(L, "option 'na' must not contain the separator, quotes or line breaks");
  size_t eol_len = strlen(o.eol);
  /* an NA token that a value prints as would make NA and that value one */
  for (int j = 0; j < f->ncol; j++) {
    int64_t row = prints_as(f->cols[j], o.na, o.na_len, o.point);
    if (row) {
      zs_frame_push_name(L, 1, j);
      luaL_error(L, "option 'na' (\"%s\") is how column '%s' writes its value in row %I: NA and that value would "
                    "read back alike (choose a token that no value prints as)",
                 o.na, lua_tostring(L, -1), (lua_Integer)row);
    }
  }
  if (refuse_dates(L, 1, f, path)) return 2;

  writer *w;
  const char *msg = writer_open(L, path, "csv", &w);
  if (msg) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  if (bom) put(w, "\xEF\xBB\xBF", 3);
  if (header && f->ncol > 0) {
    lua_getiuservalue(L, 1, 1);
    for (int j = 0; j < f->ncol; j++) {
      lua_rawgeti(L, -1, j + 1);
      size_t len;
      const char *name = lua_tolstring(L, -1, &len);
      if (j) putc_(w, o.sep);
      put_text(w, &o, name, len, 0);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    put(w, o.eol, eol_len);
  }
  if (f->ncol > 0) {
    for (int64_t i = 0; i < f->nrow && !w->err; i++) {
      if (i == f->nrow / 2) kill_mid(w);
      for (int j = 0; j < f->ncol; j++) {
        if (j) putc_(w, o.sep);
        put_value(w, &o, f->cols[j], i);
      }
      put(w, o.eol, eol_len);
    }
  }
  msg = writer_commit(L, w, path);
  if (msg) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  if (!path) return 1; /* the text */
  lua_pushboolean(L, 1);
  return 1;
}

/* ---- JSON -------------------------------------------------------------------- */

static void put_json_string(writer *w, const char *s, size_t len) {
  static const char hex[] = "0123456789abcdef";
  putc_(w, '"');
  size_t start = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    put(w, s + start, i - start);
    start = i + 1;
    switch (c) {
    case '"': put(w, "\\\"", 2); break;
    case '\\': put(w, "\\\\", 2); break;
    case '\n': put(w, "\\n", 2); break;
    case '\r': put(w, "\\r", 2); break;
    case '\t': put(w, "\\t", 2); break;
    default: {
      char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      put(w, esc, 6);
    }
    }
  }
  put(w, s + start, len - start);
  putc_(w, '"');
}

/* JSON has no infinities: they are written as null, like NA */
static void put_json_value(writer *w, const zs_col *c, int64_t i) {
  char buf[40];
  if (zs_col_isna(c, i)) {
    put(w, "null", 4);
    return;
  }
  switch (c->type) {
  case ZS_BOOL: put(w, ((int8_t *)c->data)[i] ? "true" : "false", ((int8_t *)c->data)[i] ? 4 : 5); break;
  case ZS_INT: put(w, buf, (size_t)zs_format_int(((int64_t *)c->data)[i], buf)); break;
  case ZS_FLOAT: {
    double v = ((double *)c->data)[i];
    if (isinf(v)) put(w, "null", 4);
    else put(w, buf, (size_t)zs_format_float(v, buf, '.'));
    break;
  }
  case ZS_DATE: {
    int n = zs_format_date(((int32_t *)c->data)[i], buf);
    put_json_string(w, buf, (size_t)n);
    break;
  }
  case ZS_STR: {
    size_t len;
    const char *s = zs_dict_str(c->dict, ((int32_t *)c->data)[i], &len);
    put_json_string(w, s, len);
    break;
  }
  default: put(w, "null", 4);
  }
}

/* f:write_json(path [, opts]) -> true, or nil and "path: message".
 * opts.orient: "records" (default: an array of objects, one per row) or
 * "columns" (an object of arrays); NA is null.  Numbers are written with
 * the shortest digits that read back to the same double (at most 17
 * significant digits); integers exactly. */
static int l_write_json(lua_State *L) {
  zs_frame *f = zs_frame_check(L, 1);
  const char *path = lua_isnoneornil(L, 2) && lua_toboolean(L, lua_upvalueindex(1)) ? NULL : luaL_checkstring(L, 2);
  if (lua_isnoneornil(L, 3)) { lua_settop(L, 2); lua_newtable(L); }
  luaL_checktype(L, 3, LUA_TTABLE);
  lua_settop(L, 3);
  static const char *const known[] = {"orient", NULL};
  check_options(L, 3, known);
  const char *orient = opt_string(L, 3, "orient", "records");
  int records = strcmp(orient, "records") == 0;
  if (!records && strcmp(orient, "columns") != 0) luaL_error(L, "option 'orient' must be \"records\" or \"columns\"");
  if (refuse_dates(L, 1, f, path)) return 2;
  if (refuse_bad_utf8(L, 1, f, path)) return 2;
  lua_getiuservalue(L, 1, 1); /* 4: names */
  writer *w;
  const char *msg = writer_open(L, path, "json", &w);
  if (msg) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  if (records) {
    putc_(w, '[');
    for (int64_t i = 0; i < f->nrow && !w->err; i++) {
      if (i == f->nrow / 2) kill_mid(w);
      put(w, i ? ",\n{" : "\n{", i ? 3 : 2);
      for (int j = 0; j < f->ncol; j++) {
        lua_rawgeti(L, 4, j + 1);
        size_t len;
        const char *name = lua_tolstring(L, -1, &len);
        if (j) putc_(w, ',');
        put_json_string(w, name, len);
        putc_(w, ':');
        lua_pop(L, 1);
        put_json_value(w, f->cols[j], i);
      }
      putc_(w, '}');
    }
    put(w, f->nrow ? "\n]\n" : "]\n", f->nrow ? 3 : 2);
  } else {
    putc_(w, '{');
    for (int j = 0; j < f->ncol; j++) {
      lua_rawgeti(L, 4, j + 1);
      size_t len;
      const char *name = lua_tolstring(L, -1, &len);
      put(w, j ? ",\n" : "\n", j ? 2 : 1);
      put_json_string(w, name, len);
      put(w, ":[", 2);
      lua_pop(L, 1);
      if (j == f->ncol / 2) kill_mid(w);
      for (int64_t i = 0; i < f->nrow && !w->err; i++) {
        if (i) putc_(w, ',');
        put_json_value(w, f->cols[j], i);
      }
      putc_(w, ']');
    }
    put(w, f->ncol ? "\n}\n" : "}\n", f->ncol ? 3 : 2);
  }
  msg = writer_commit(L, w, path);
  if (msg) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  if (!path) return 1; /* the text */
  lua_pushboolean(L, 1);
  return 1;
}

/* core.format_number(x) -> shortest text reading back to x (integers exact) */
static int l_format_number(lua_State *L) {
  char buf[40];
  if (lua_isinteger(L, 1)) {
    lua_pushlstring(L, buf, (size_t)zs_format_int(lua_tointeger(L, 1), buf));
  } else {
    lua_Number x = luaL_checknumber(L, 1);
    lua_pushlstring(L, buf, (size_t)zs_format_float(x, buf, '.'));
  }
  return 1;
}

/* core.write_csv(f, path, opts), core.write_json(f, path, opts) write files;
 * core.to_csv(f, opts), core.to_json(f, opts) return the text.  The Frame
 * methods of the same names are set by lua/zonestat/csv.lua and json.lua. */
void zs_write_open(lua_State *L) {
  lua_pushboolean(L, 0);
  lua_pushcclosure(L, l_write_csv, 1);
  lua_setfield(L, -2, "write_csv");
  lua_pushboolean(L, 0);
  lua_pushcclosure(L, l_write_json, 1);
  lua_setfield(L, -2, "write_json");
  lua_pushboolean(L, 1);
  lua_pushcclosure(L, l_write_csv, 1);
  lua_setfield(L, -2, "to_csv");
  lua_pushboolean(L, 1);
  lua_pushcclosure(L, l_write_json, 1);
  lua_setfield(L, -2, "to_json");
  lua_pushcfunction(L, l_format_number);
  lua_setfield(L, -2, "format_number");
}

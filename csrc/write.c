/* write.c: f:write_csv and f:write_json.
 *
 * Files are written atomically: to a temporary file in the same directory,
 * flushed to disk, then renamed over the target, so a reader never sees a
 * half-written file and a failed write leaves the old file in place.
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
  char *tmpname;   /* malloc'd; unlinked by __gc unless committed */
  char *buf;       /* BUFSIZE bytes (malloc) */
  size_t n;
  int err;         /* errno of the first failed write */
  char *mem;       /* string mode: everything written so far (malloc) */
  size_t mem_len, mem_cap;
} writer;

static int writer_gc(lua_State *L) {
  writer *w = luaL_checkudata(L, 1, WRITER);
  if (w->fd >= 0) { close(w->fd); w->fd = -1; }
  if (w->tmpname) { unlink(w->tmpname); free(w->tmpname); w->tmpname = NULL; }
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

/* Open a temporary file next to path (NULL: write to memory).  Pushes the
 * writer; on failure returns an error message (pushed) instead. */
static const char *writer_open(lua_State *L, const char *path, writer **out) {
  writer *w = lua_newuserdatauv(L, sizeof *w, 0);
  memset(w, 0, sizeof *w);
  w->fd = -1;
  if (luaL_newmetatable(L, WRITER)) {
    lua_pushcfunction(L, writer_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  if (!path) {
    w->buf = malloc(BUFSIZE);
    if (!w->buf) luaL_error(L, "not enough memory");
    *out = w;
    return NULL;
  }
  size_t plen = strlen(path);
  w->buf = malloc(BUFSIZE);
  char *tmpname = malloc(plen + 16);
  if (!w->buf || !tmpname) {
    free(tmpname); /* not yet owned by w: __gc would unlink its garbage */
    luaL_error(L, "not enough memory");
  }
  memcpy(tmpname, path, plen);
  memcpy(tmpname + plen, ".tmp-XXXXXX", 12);
  w->tmpname = tmpname;
  w->fd = mkstemp(w->tmpname);
  if (w->fd < 0) {
    int e = errno;
    free(w->tmpname);
    w->tmpname = NULL;
    return lua_pushfstring(L, "%s: %s", path, strerror(e));
  }
  mode_t um = umask(0);
  umask(um);
  fchmod(w->fd, 0666 & ~um);
  *out = w;
  return NULL;
}

/* flush, sync and rename (string mode: push the text); NULL or an error
 * message (pushed) */
static const char *writer_commit(lua_State *L, writer *w, const char *path) {
  flush(w);
  if (!path) {
    if (w->err) return lua_pushfstring(L, "%s", strerror(w->err));
    lua_pushlstring(L, w->mem ? w->mem : "", w->mem_len);
    return NULL;
  }
  if (!w->err && fsync(w->fd) < 0 && errno != EINVAL) w->err = errno;
  if (close(w->fd) < 0 && !w->err) w->err = errno;
  w->fd = -1;
  if (!w->err && rename(w->tmpname, path) < 0) w->err = errno;
  if (w->err) return lua_pushfstring(L, "%s: %s", path, strerror(w->err));
  free(w->tmpname);
  w->tmpname = NULL;
  return NULL;
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

  writer *w;
  const char *msg = writer_open(L, path, &w);
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
  lua_getiuservalue(L, 1, 1); /* 4: names */
  writer *w;
  const char *msg = writer_open(L, path, &w);
  if (msg) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  if (records) {
    putc_(w, '[');
    for (int64_t i = 0; i < f->nrow && !w->err; i++) {
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

/* xlsx_write.c: f:write_xlsx and zs.write_xlsx through libxlsxwriter.
 *
 * Atomic (fs.c, zs_atomic): libxlsxwriter writes only to a file name, so the
 * workbook goes to `<target>.tmp-XXXXXX` beside the target (locked while
 * this writer lives; libxlsxwriter fills it when the workbook is closed),
 * is flushed to disk, then renamed over the target; on any failure the
 * temporary file is removed and the target is left as it was, and after a
 * kill the next write to the target sweeps it.  libxlsxwriter's own
 * temporary files (the sheets' XML) are unlinked as soon as they are
 * opened, so a kill leaves none of them.
 *
 * Everything that can be refused is checked before libxlsxwriter is called:
 * sheet names (Excel: 1 to 31 characters, none of []:*?/\, no apostrophe at
 * either end, unique ignoring case, not "History"), the sheet size (1048576
 * rows, 16384 columns), integers beyond +-2^53 (Excel holds numbers as
 * doubles), infinities, dates before 1900-01-01 or after 9999-12-31, text
 * that is not UTF-8 or longer than 32767 characters.  Bad names raise
 * (misuse); values that Excel cannot hold return nil and a message naming
 * the sheet, column and row.
 *
 * Cells: numbers as numbers, dates as date serials (the 1900 system) shown
 * dd/mm/yyyy, booleans as booleans, text as inline strings, NA and the empty
 * string as blank cells.  The header row is bold and frozen.  Column widths
 * come from the content: the display width of the longest value (all
 * distinct strings; the range of integers; floats sampled), 8 to 60.
 *
 * libxlsxwriter writes numbers with printf("%.16G"): 16 significant digits
 * (a float needing 17 reads back as the nearest 16-digit value), in the
 * C locale, which this thread is switched to while writing.
 *
 * Memory: the workbook and the temporary name belong to a userdata
 * ("zonestat.XlsxWriter") whose __gc frees the workbook and removes the
 * file; the text of str columns is prepared in Lua-managed scratch before
 * the workbook exists. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <utf8proc.h>
#include <xlsxwriter.h>

#include "zs.h"

#define XWRITER "zonestat.XlsxWriter"
#define XL_ROWS 1048576
#define XL_COLS 16384
#define XL_STR_MAX 32767
#define TWO53 9007199254740992.0
#define FIRST_DAY (-25567)  /* 1900-01-01 */
#define LAST_DAY 2932896    /* 9999-12-31 */

typedef struct {
  lxw_workbook *wb;
  zs_atomic a; /* the temporary file; removed by __gc unless renamed */
} xw;

static int writer_gc(lua_State *L) {
  xw *w = luaL_checkudata(L, 1, XWRITER);
  if (w->wb) {
    lxw_workbook_free(w->wb);
    w->wb = NULL;
  }
  zs_atomic_release(&w->a);
  return 0;
}

/* ---- sheet names ----------------------------------------------------------- */

/* raise unless `name` is a sheet name Excel takes; pushes its case fold */
static void check_sheet_name(lua_State *L, const char *name, size_t len) {
  if (len == 0) luaL_error(L, "a sheet name must not be empty");
  size_t units = 0;
  utf8proc_ssize_t i = 0;
  while ((size_t)i < len) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)name + i, (utf8proc_ssize_t)len - i, &cp);
    if (n < 0) luaL_error(L, "sheet name '%s' is not valid UTF-8", name);
    if (cp < 0x20) luaL_error(L, "sheet name '%s' contains a control character", name);
    if (strchr("[]:*?/\\", (int)cp) && cp < 0x80)
      luaL_error(L, "sheet name '%s' contains '%c': Excel forbids [ ] : * ? / \\ in sheet names", name, (int)cp);
    units += cp > 0xFFFF ? 2 : 1; /* Excel counts UTF-16 units */
    i += n;
  }
  if (units > 31) luaL_error(L, "sheet name '%s' has %d characters: Excel allows at most 31", name, (int)units);
  if (name[0] == '\'' || name[len - 1] == '\'')
    luaL_error(L, "sheet name '%s' begins or ends with an apostrophe, which Excel forbids", name);
  utf8proc_uint8_t *fold = NULL;
  utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)name, (utf8proc_ssize_t)len, &fold,
                                    UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_STABLE);
  if (r < 0) luaL_error(L, "sheet name '%s' is not valid UTF-8", name);
  lua_pushlstring(L, (const char *)fold, (size_t)r);
  free(fold);
  if (strcmp(lua_tostring(L, -1), "history") == 0) luaL_error(L, "sheet name '%s' is reserved by Excel", name);
}

/* ---- text ------------------------------------------------------------------- */

static int hexdigit(char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

/* an "_xHHHH_" that a reader would decode starts at s[i] */
static int looks_escaped(const char *s, size_t len, size_t i) {
  return i + 7 <= len && s[i] == '_' && s[i + 1] == 'x' && hexdigit(s[i + 2]) && hexdigit(s[i + 3]) &&
         hexdigit(s[i + 4]) && hexdigit(s[i + 5]) && s[i + 6] == '_';
}

/* Check text for a cell: 0 if fine (*chars: its characters once written),
 * 1 not UTF-8, 2 too long.  Its escaped form (see put_text) takes *bytes. */
static int check_text(const char *s, size_t len, size_t *bytes) {
  size_t out = 0, chars = 0;
  utf8proc_ssize_t i = 0;
  while ((size_t)i < len) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)len - i, &cp);
    if (n < 0) return 1;
    if (cp == 0xFFFE || cp == 0xFFFF || cp == 0) { out += 7; chars += 7; }
    else if (cp == '_' && looks_escaped(s, len, (size_t)i)) { out += 7; chars += 7; }
    else { out += (size_t)n; chars++; }
    i += n;
  }
  *bytes = out;
  return chars > XL_STR_MAX ? 2 : 0;
}

/* Copy text as a NUL-terminated string that reads back as itself: an
 * underscore that starts "_xHHHH_" becomes "_x005F_" (OOXML's escape of
 * "_"), U+FFFE, U+FFFF and NUL (which XML cannot hold) become their escapes;
 * libxlsxwriter escapes control characters itself. */
static void put_text(const char *s, size_t len, char *out) {
  size_t o = 0;
  utf8proc_ssize_t i = 0;
  while ((size_t)i < len) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)len - i, &cp);
    if (cp == 0xFFFE || cp == 0xFFFF || cp == 0) {
      /* (a NUL would end libxlsxwriter's C string: escaped too) */
      o += (size_t)sprintf(out + o, "_x%04X_", (unsigned)cp);
    } else if (cp == '_' && looks_escaped(s, len, (size_t)i)) {
      memcpy(out + o, "_x005F_", 7);
      o += 7;
    } else {
      memcpy(out + o, s + i, (size_t)n);
      o += (size_t)n;
    }
    i += n;
  }
  out[o] = '\0';
}

/* display width of UTF-8 text: combining marks 0, wide characters 2 */
static size_t display_width(const char *s, size_t len) {
  size_t w = 0;
  utf8proc_ssize_t i = 0;
  while ((size_t)i < len) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)len - i, &cp);
    if (n < 0) { n = 1; cp = '?'; }
    int cw = utf8proc_charwidth(cp);
    w += cw > 0 ? (size_t)cw : 0;
    i += n;
  }
  return w;
}

/* ---- a sheet's plan ----------------------------------------------------------- */

typedef struct {
  zs_col *c;
  const char *name;      /* stays alive in the frame */
  const char **text;     /* str: C string of each dictionary code used (else NULL) */
  lxw_format *fmt;       /* number format (dates: dd/mm/yyyy unless given) */
  const char *numfmt;    /* formats[name], or NULL */
  double width;
} colplan;

typedef struct {
  const char *name;      /* sheet name (alive in the sheets table) */
  zs_frame *f;
  int header;
  colplan *cols;
} sheetplan;

/* first row (1-based) of c whose value satisfies bad(), for messages */
static int64_t first_row_int(const zs_col *c, int64_t lo, int64_t hi) {
  const int64_t *v = c->data;
  for (int64_t i = 0; i < c->n; i++)
    if (v[i] != ZS_NA_INT && (v[i] < lo || v[i] > hi)) return i + 1;
  return 0;
}

static int fail(lua_State *L, const char *msg) {
  lua_pushnil(L);
  lua_pushstring(L, msg);
  return 2;
}

/* Check column j of sheet s and prepare its text and width; NULL or a
 * message (pushed). */
static const char *plan_column(lua_State *L, const char *path, sheetplan *s, int j) {
  colplan *cp = &s->cols[j];
  zs_col *c = cp->c;
  int64_t n = c->n;
  size_t hb;
  int ht = check_text(cp->name, strlen(cp->name), &hb);
  if (ht == 1) return lua_pushfstring(L, "%s: sheet '%s': column name '%s' is not valid UTF-8", path, s->name, cp->name);
  double w = s->header ? (double)display_width(cp->name, strlen(cp->name)) * 1.1 : 0;
  char buf[64];
  switch (c->type) {
  case ZS_INT: {
    int64_t lo, hi;
    zs_col_range(c, &lo, &hi);
    if (lo < -(int64_t)9007199254740992LL || hi > (int64_t)9007199254740992LL) {
      int64_t row = first_row_int(c, -(int64_t)9007199254740992LL, (int64_t)9007199254740992LL);
      int64_t v = ((int64_t *)c->data)[row - 1];
      return lua_pushfstring(L, "%s: sheet '%s': column '%s' row %I: %I is beyond +-2^53, the largest integers "
                                "Excel's numbers (doubles) hold exactly: cast the column to str or float first",
                             path, s->name, cp->name, (lua_Integer)row, (lua_Integer)v);
    }
    int dl = zs_format_int(lo, buf), dh = zs_format_int(hi, buf);
    int digits = dl > dh ? dl : dh;
    if (cp->numfmt && strchr(cp->numfmt, ',')) digits += digits / 3;
    if (w < digits) w = digits;
    break;
  }
  case ZS_FLOAT: {
    const double *v = c->data;
    int64_t stride = n > 100000 ? n / 100000 : 1;
    for (int64_t i = 0; i < n; i++) {
      if (isinf(v[i]))
        return lua_pushfstring(L, "%s: sheet '%s': column '%s' row %I: %s: Excel has no infinite numbers", path,
                               s->name, cp->name, (lua_Integer)i + 1, v[i] > 0 ? "inf" : "-inf");
      if (i % stride == 0 && !isnan(v[i])) {
        int len = zs_format_float(v[i], buf, '.');
        double cw = len > 12 ? 12 : len;
        if (cp->numfmt && strchr(cp->numfmt, ',')) cw += cw / 3;
        if (w < cw) w = cw;
      }
    }
    break;
  }
  case ZS_DATE: {
    const int32_t *v = c->data;
    for (int64_t i = 0; i < n; i++) {
      if (v[i] != ZS_NA_DATE && (v[i] < FIRST_DAY || v[i] > LAST_DAY)) {
        zs_format_date(v[i], buf);
        return lua_pushfstring(L, "%s: sheet '%s': column '%s' row %I: %s is outside the dates Excel holds "
                                  "(1900-01-01 to 9999-12-31): cast the column to str first",
                               path, s->name, cp->name, (lua_Integer)i + 1, buf);
      }
    }
    if (w < 10) w = 10;
    break;
  }
  case ZS_BOOL:
    if (w < 5) w = 5;
    break;
  case ZS_STR: {
    const zs_dict *d = c->dict;
    const int32_t *codes = c->data;
    /* the codes used, their escaped sizes, then one pool of C strings */
    size_t *size = zs_scratch(L, (size_t)(d->n ? d->n : 1), sizeof(size_t));
    for (int32_t k = 0; k < d->n; k++) size[k] = (size_t)-1;
    size_t total = 0;
    for (int64_t i = 0; i < n; i++) {
      int32_t k = codes[i];
      if (k < 0 || size[k] != (size_t)-1) continue;
      size_t len, bytes;
      const char *str = zs_dict_str(d, k, &len);
      int bad = check_text(str, len, &bytes);
      if (bad)
        return lua_pushfstring(L, bad == 1 ? "%s: sheet '%s': column '%s' row %I: the text is not valid UTF-8"
                                           : "%s: sheet '%s': column '%s' row %I: the text is longer than the "
                                             "32767 characters an Excel cell holds",
                               path, s->name, cp->name, (lua_Integer)i + 1);
      size[k] = bytes;
      total += bytes + 1;
      double dw = (double)display_width(str, len);
      if (w < dw) w = dw;
    }
    const char **text = zs_scratch(L, (size_t)(d->n ? d->n : 1), sizeof(char *));
    char *pool = zs_scratch(L, total ? total : 1, 1);
    size_t off = 0;
    for (int32_t k = 0; k < d->n; k++) {
      if (size[k] == (size_t)-1) { text[k] = NULL; continue; }
      size_t len;
      const char *str = zs_dict_str(d, k, &len);
      put_text(str, len, pool + off);
      text[k] = pool + off;
      off += size[k] + 1;
    }
    cp->text = text;
    /* keep text and pool (on the stack, under the writer), drop size */
    lua_remove(L, -3);
    break;
  }
  default: break;
  }
  w += 2;
  cp->width = w < 8 ? 8 : w > 60 ? 60 : w;
  return NULL;
}

/* ---- writing ------------------------------------------------------------------ */

static lxw_error write_sheet(lxw_workbook *wb, const sheetplan *s, lxw_format *bold) {
  lxw_worksheet *ws = workbook_add_worksheet(wb, s->name);
  if (!ws) return LXW_ERROR_MEMORY_MALLOC_FAILED;
  zs_frame *f = s->f;
  lxw_error err;
  for (int j = 0; j < f->ncol; j++)
    if ((err = worksheet_set_column(ws, (lxw_col_t)j, (lxw_col_t)j, s->cols[j].width, NULL))) return err;
  lxw_row_t r0 = 0;
  if (s->header) {
    worksheet_freeze_panes(ws, 1, 0);
    for (int j = 0; j < f->ncol; j++)
      if ((err = worksheet_write_string(ws, 0, (lxw_col_t)j, s->cols[j].name, bold))) return err;
    r0 = 1;
  }
  int kill_mid = zs_kill_armed("xlsx", "data");
  for (int64_t i = 0; i < f->nrow; i++) {
    if (kill_mid && i == f->nrow / 2) zs_kill_point("xlsx", "data");
    lxw_row_t r = r0 + (lxw_row_t)i;
    for (int j = 0; j < f->ncol; j++) {
      const colplan *cp = &s->cols[j];
      const zs_col *c = cp->c;
      lxw_col_t cc = (lxw_col_t)j;
      err = LXW_NO_ERROR;
      switch (c->type) {
      case ZS_INT: {
        int64_t v = ((const int64_t *)c->data)[i];
        if (v != ZS_NA_INT) err = worksheet_write_number(ws, r, cc, (double)v, cp->fmt);
        break;
      }
      case ZS_FLOAT: {
        double v = ((const double *)c->data)[i];
        if (!isnan(v)) err = worksheet_write_number(ws, r, cc, v, cp->fmt);
        break;
      }
      case ZS_DATE: {
        int32_t d = ((const int32_t *)c->data)[i];
        if (d != ZS_NA_DATE)
          err = worksheet_write_number(ws, r, cc, d >= -25508 ? (double)d + 25569 : (double)d + 25568, cp->fmt);
        break;
      }
      case ZS_BOOL: {
        int8_t v = ((const int8_t *)c->data)[i];
        if (v != ZS_NA_BOOL) err = worksheet_write_boolean(ws, r, cc, v, cp->fmt);
        break;
      }
      case ZS_STR: {
        int32_t k = ((const int32_t *)c->data)[i];
        if (k >= 0 && cp->text[k][0]) err = worksheet_write_string(ws, r, cc, cp->text[k], cp->fmt);
        break;
      }
      default: break;
      }
      if (err) return err;
    }
  }
  return LXW_NO_ERROR;
}

/* core.write_xlsx(path, sheets) -> true | nil, message.  sheets: array of
 * {name = string, frame = Frame, formats = {col = numfmt}, header = bool}. */
/* The folder of libxlsxwriter's constant-memory temporary files (the
 * sheets' XML before it is zipped): $ZONESTAT_TMPDIR when set; else the
 * RAM-backed /dev/shm when it has room for twice the expected XML (about
 * 48 bytes a cell), which saves the disk round trip (about 7% of a write
 * of 1e6 x 9 cells, bench/README.md); else NULL, libxlsxwriter's tmpfile(). */
static char *xml_tmpdir(double cells) {
  static char shm[] = "/dev/shm";
  char *env = getenv("ZONESTAT_TMPDIR");
  if (env && *env) return env;
  struct statvfs st;
  if (statvfs(shm, &st) == 0 && access(shm, W_OK) == 0 &&
      (double)st.f_bavail * (double)st.f_frsize > 2.0 * 48.0 * cells + 64.0 * 1024 * 1024)
    return shm;
  return NULL;
}

static int l_write_xlsx(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  int nsheets = (int)lua_rawlen(L, 2);
  if (nsheets < 1) luaL_error(L, "no sheet to write");
  sheetplan *plans = lua_newuserdatauv(L, sizeof(sheetplan) * (size_t)nsheets, 0); /* 3 */
  memset(plans, 0, sizeof(sheetplan) * (size_t)nsheets);
  lua_newtable(L); /* 4: case folds of the names */
  lua_newtable(L); /* 5: keeps every sheet's scratch alive */
  /* names first: a bad one is misuse and raises */
  for (int s = 0; s < nsheets; s++) {
    lua_rawgeti(L, 2, s + 1);
    if (!lua_istable(L, -1)) luaL_error(L, "sheets[%d] must be a table", s + 1);
    if (lua_getfield(L, -1, "name") != LUA_TSTRING) luaL_error(L, "sheets[%d].name must be a string", s + 1);
    size_t len;
    const char *name = lua_tolstring(L, -1, &len);
    check_sheet_name(L, name, len);
    lua_pushvalue(L, -1);
    if (lua_rawget(L, 4) != LUA_TNIL) {
      lua_pop(L, 1);
      luaL_error(L, "sheet name '%s' is used twice (Excel ignores case)", name);
    }
    lua_pop(L, 1);
    lua_pushvalue(L, -2);
    lua_rawset(L, 4); /* fold -> name */
    plans[s].name = name; /* alive in the sheets table */
    lua_pop(L, 1);
    lua_getfield(L, -1, "frame");
    plans[s].f = zs_frame_check(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, -1, "header");
    plans[s].header = lua_isnil(L, -1) ? 1 : lua_toboolean(L, -1);
    lua_pop(L, 2);
  }
  /* the data: what Excel cannot hold is refused before anything is written */
  for (int s = 0; s < nsheets; s++) {
    sheetplan *sp = &plans[s];
    zs_frame *f = sp->f;
    lua_rawgeti(L, 2, s + 1);
    int st = lua_gettop(L);
    lua_getfield(L, st, "frame");
    int fidx = lua_gettop(L);
    if (f->nrow + sp->header > XL_ROWS)
      return fail(L, lua_pushfstring(L, "%s: sheet '%s': %I rows%s: an Excel sheet holds at most 1048576", path, sp->name,
                                     (lua_Integer)f->nrow, sp->header ? " and a header row" : ""));
    if (f->ncol > XL_COLS)
      return fail(L, lua_pushfstring(L, "%s: sheet '%s': %d columns: an Excel sheet holds at most 16384", path, sp->name,
                                     f->ncol));
    sp->cols = zs_scratch(L, (size_t)(f->ncol ? f->ncol : 1), sizeof(colplan));
    lua_rawseti(L, 5, (lua_Integer)lua_rawlen(L, 5) + 1);
    memset(sp->cols, 0, sizeof(colplan) * (size_t)(f->ncol ? f->ncol : 1));
    lua_getfield(L, st, "formats");
    int fmts = lua_gettop(L);
    for (int j = 0; j < f->ncol; j++) {
      colplan *cp = &sp->cols[j];
      cp->c = f->cols[j];
      zs_frame_push_name(L, fidx, j);
      size_t nlen;
      cp->name = lua_tolstring(L, -1, &nlen); /* alive in the frame's names */
      if (strlen(cp->name) != nlen)
        return fail(L, lua_pushfstring(L, "%s: sheet '%s': column %d: the name contains a NUL character, which a cell "
                                          "cannot hold",
                                       path, sp->name, j + 1));
      lua_pop(L, 1);
      if (lua_istable(L, fmts) && lua_getfield(L, fmts, cp->name) == LUA_TSTRING) cp->numfmt = lua_tostring(L, -1);
      if (lua_istable(L, fmts)) lua_pop(L, 1); /* the string stays alive in formats */
      int top = lua_gettop(L);
      const char *msg = plan_column(L, path, sp, j);
      if (msg) return fail(L, msg);
      while (lua_gettop(L) > top) lua_rawseti(L, 5, (lua_Integer)lua_rawlen(L, 5) + 1);
    }
    lua_settop(L, 5);
  }
  /* the temporary file next to the target */
  xw *w = lua_newuserdatauv(L, sizeof *w, 0); /* 6 */
  memset(w, 0, sizeof *w);
  zs_atomic_init(&w->a, "xlsx");
  luaL_setmetatable(L, XWRITER);
  const char *amsg = zs_atomic_open(L, &w->a, path, ZS_ATOMIC_NAMED);
  if (amsg) {
    zs_atomic_release(&w->a);
    return fail(L, amsg);
  }
  const char *tmpname = w->a.tmpname;
  /* zip64 only when the parts may pass 4 GB (Excel warns about it otherwise) */
  double cells = 0;
  for (int s = 0; s < nsheets; s++) cells += (double)plans[s].f->nrow * plans[s].f->ncol;
  lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = xml_tmpdir(cells), .use_zip64 = cells * 64 > 3.5e9};
  /* libxlsxwriter prints numbers with printf: C locale on this thread */
  locale_t cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
  locale_t old = cloc ? uselocale(cloc) : (locale_t)0;
  w->wb = workbook_new_opt(tmpname, &opt);
  lxw_error err = w->wb ? LXW_NO_ERROR : LXW_ERROR_MEMORY_MALLOC_FAILED;
  lxw_format *bold = NULL, *datefmt = NULL;
  if (!err) {
    bold = workbook_add_format(w->wb);
    datefmt = workbook_add_format(w->wb);
    if (!bold || !datefmt) err = LXW_ERROR_MEMORY_MALLOC_FAILED;
  }
  if (!err) {
    format_set_bold(bold);
    format_set_num_format(datefmt, "dd/mm/yyyy");
  }
  for (int s = 0; s < nsheets && !err; s++) {
    sheetplan *sp = &plans[s];
    for (int j = 0; j < sp->f->ncol && !err; j++) {
      colplan *cp = &sp->cols[j];
      if (cp->numfmt) {
        cp->fmt = workbook_add_format(w->wb);
        if (!cp->fmt) err = LXW_ERROR_MEMORY_MALLOC_FAILED;
        else format_set_num_format(cp->fmt, cp->numfmt);
      } else if (cp->c->type == ZS_DATE) {
        cp->fmt = datefmt;
      }
    }
    if (!err) err = write_sheet(w->wb, sp, bold);
  }
  lxw_error cerr = LXW_NO_ERROR;
  if (w->wb) {
    /* close in every case: it frees the workbook and its temporary files
     * (lxw_workbook_free alone would leave those open) */
    cerr = workbook_close(w->wb);
    w->wb = NULL;
  }
  if (cloc) {
    uselocale(old);
    freelocale(cloc);
  }
  if (!err) err = cerr;
  if (err) {
    const char *msg = lua_pushfstring(L, "%s: %s", path, lxw_strerror(err));
    zs_atomic_release(&w->a);
    return fail(L, msg);
  }
  /* to disk, then into place */
  const char *cmsg = zs_atomic_commit(L, &w->a);
  if (cmsg) return fail(L, cmsg);
  lua_pushboolean(L, 1);
  return 1;
}

void zs_xlsx_write_open(lua_State *L) {
  if (zs_newmetatable(L, XWRITER)) {
    lua_pushcfunction(L, writer_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, writer_gc);
    lua_setfield(L, -2, "__close");
  }
  lua_pop(L, 1);
  lua_pushcfunction(L, l_write_xlsx);
  lua_setfield(L, -2, "write_xlsx");
}

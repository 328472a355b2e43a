/* xlsx_read.c: zs.read_xlsx and zs.xlsx_sheets (Office Open XML workbooks,
 * ECMA-376).
 *
 * Streaming: every part is inflated by libzip in chunks and handed to an
 * expat SAX parser chunk by chunk; no part is ever held whole and no Lua
 * value is made per cell.  Expat's callbacks never call Lua (a Lua error
 * raised inside one would unwind through expat): they decode cells into a
 * queue of small C records (and a text pool), and after each chunk the queue
 * is drained, outside expat, into one zs_builder per column (builder.c),
 * where Lua errors are safe.
 *
 * The parts: _rels/.rels (the workbook part), the workbook (sheets, their
 * state, the date system), its relationships (sheet, styles and shared
 * strings parts), styles.xml (which cell formats are dates), the shared
 * strings (kept as one pool of bytes plus offsets: memory grows with the
 * data, never quadratically), then the sheet.
 *
 * Types: pass 1 reads every column by its cells' own types (numbers,
 * date-formatted numbers, booleans, text; the builder's rules decide the
 * column type).  Header names are only final at the end of the sheet (its
 * <mergeCells> come after <sheetData>), so `types`, and the text conventions
 * (decimal, thousands, date_format) that read text cells as numbers, are
 * applied afterwards: conversions that cannot fail (to str, int to float)
 * on the built column, the others by a second pass over the sheet that
 * rebuilds only the columns concerned, cell by cell, so that every value is
 * converted from the cell it came from and a failure names that cell.  A
 * column of date-formatted cells of which some carry a time of day is also
 * re-read, as float serial numbers.
 *
 * Hostile input: a file is refused as a possible zip bomb when an entry
 * inflates beyond both 100 times the size of the file and 2 GiB (counted
 * while inflating: declared sizes are checked first but not trusted); any
 * DTD is refused (no entity can be declared, so no entity expansion and no
 * external entity); elements nest at most 256 deep; a value's text is at
 * most 16 MiB; cell references beyond XFD1048576 are errors.
 *
 * Memory: the zip archive, the open entry, the expat parser and every buffer
 * belong to the reader userdata ("zonestat.XlsxReader"), whose __gc releases
 * them; buffers come from the state's allocator without raising (callbacks
 * must not raise), and failures are reported as "not enough memory". */
#define _GNU_SOURCE
#include <errno.h>
#include <expat.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>
#include <zip.h>

#include "zs.h"

#define XREADER "zonestat.XlsxReader"
#define CHUNK (1 << 18)                      /* bytes of XML per expat call */
#define BOMB_RATIO 100                       /* inflated / file size */
#define BOMB_CAP ((uint64_t)2 << 30)         /* 2 GiB */
#define MAX_DEPTH 256                        /* element nesting */
#define MAX_TEXT ((size_t)16 << 20)          /* bytes of one value's text */
#define MAX_ROW 1048576
#define MAX_COL 16384
#define MAX_NA 16
#define TWO53 9007199254740992.0

enum { STOP_NONE, STOP_ERR, STOP_DONE };

/* cell records queued by the sheet callbacks */
enum { CK_NUM, CK_BOOL, CK_ERR, CK_SST, CK_TEXT, CK_NOVAL };

typedef struct {        /* 24 bytes */
  int32_t row;          /* 1-based sheet coordinates */
  uint16_t col;
  uint8_t kind;         /* CK_* */
  uint8_t date;         /* a number in a date format */
  uint32_t len;         /* CK_TEXT: bytes in the queue's text pool */
  union {
    uint64_t off;       /* CK_TEXT: offset in the pool; CK_SST: string index */
    double num;         /* CK_NUM, CK_BOOL */
  };
} cellrec;

/* how the drain builds a column */
enum { M_SKIP, M_INFER, M_SERIAL, M_CONV, M_FIXED };

/* what a column's cells were (pass 1) */
enum { F_NUM = 1, F_BOOL = 2, F_TEXT = 4, F_DATE_INT = 8, F_DATE_FRAC = 16 };

typedef struct {
  zs_builder *b;
  int mode, fixed;
  unsigned flags;
} colinfo;

typedef struct {
  char *p;
  size_t n, cap;
} xbuf;

typedef struct {
  size_t name, name_len, rid, rid_len; /* in the workbook pool */
  int state;                           /* 0 visible, 1 hidden, 2 veryHidden */
} sheetinfo;

typedef struct {
  size_t id, id_len, type, type_len, target, target_len; /* in a rels pool */
} relinfo;

typedef struct xr {
  lua_Alloc alloc;
  void *aud;
  zip_t *za;
  zip_file_t *zf;
  XML_Parser xp;
  int fd;
  /* the current part */
  char entry[512];
  uint64_t file_size, inflated, limit;
  int depth, stop;
  char err[600];
  int err_is_xml; /* err already says where (entry:line:col) */
  /* text of the element being read */
  xbuf text;
  int collecting;
  /* relationships of the part being read */
  xbuf relpool;
  relinfo *rels;
  size_t nrels, relcap;
  /* workbook */
  xbuf wbpool;
  sheetinfo *sheets;
  size_t nsheets, sheetcap;
  int date1904, in_sheets;
  /* styles */
  int in_cellxfs, in_numfmts;
  int32_t *xf_fmt;              /* numFmtId of each cellXfs entry */
  size_t nxf, xfcap;
  struct numfmt { int32_t id; int32_t date; } *custom; /* custom numFmts: id, a date format */
  size_t ncustom, customcap;
  uint8_t *xf_date;             /* per cellXfs entry: a date format */
  /* shared strings */
  xbuf sst;
  uint64_t *sst_off;            /* nsst + 1 offsets */
  size_t nsst, sstcap;
  int in_si, in_t, rph;
  /* sheet: options */
  int64_t top, left, bottom, right; /* region, 1-based inclusive */
  int64_t hdr_first, data_first, data_last;
  int header;
  int pass2;
  /* sheet: parse state */
  int in_sd, in_c, in_v, in_is, cell_f, cell_has_v, cell_skip, cell_type, cell_date;
  int64_t row, prev_row, ccol, cell_row, cell_col;
  int dim_only;                 /* xlsx_sheets: stop at <dimension> or <sheetData> */
  char dimension[40];
  /* queue */
  cellrec *q;
  size_t nq, qcap;
  xbuf qtext;
  /* merges touching the header rows: r1, c1, r2, c2 */
  int32_t *merges;
  size_t nmerge, mergecap;
  /* columns (drain) */
  colinfo *cols;
  int ncols, colcap;
  int dmode, dfixed;            /* mode and fixed type of columns not set up beforehand */
  int colsel, decided;          /* `columns`: stack index of the set of names asked for (0: all);
                                   whether the columns to skip are chosen yet */
  int btab;                     /* stack index of the builders' table */
  int hdrtab;                   /* stack index of the header texts' table */
  int64_t nrow, maxcol;         /* data rows and last column (sheet numbering) with a value */
  /* text conventions and NA tokens */
  zs_textfmt fmt;
  int conventions;              /* decimal, thousands or date_format given */
  int nna;
  const char *na[MAX_NA];
  size_t na_len[MAX_NA];
  int norow;                    /* a <row> without r= (a parallel chunk cannot number it) */
  /* parallel parse (the main reader only) */
  struct pchunk *chunks;        /* in-flight chunks, joined by __gc if a Lua error leaves them */
  int nslots;
  char *pbuf;                   /* inflated text not yet given to a chunk (malloc) */
  size_t plen, pcap;
  /* warnings found by the drain */
  int64_t n_noval, n_bad_serial;
  char first_noval[24], first_bad_serial[24];
  double bad_serial;
} xr;

/* ---- small buffers from the state's allocator (never raise) ---------------- */

static void *xalloc(xr *R, void *p, size_t old, size_t n) {
  void *q = R->alloc(R->aud, p, p ? old : 0, n);
  return n == 0 ? NULL : q;
}

/* room for `extra` more elements of `size` bytes in *arr (cap in *cap) */
static int grow(xr *R, void **arr, size_t *cap, size_t used, size_t extra, size_t size) {
  if (used + extra <= *cap) return 0;
  size_t ncap = *cap ? *cap : 16;
  while (ncap < used + extra) {
    if (ncap > SIZE_MAX / 2 / size) return -1;
    ncap *= 2;
  }
  void *p = xalloc(R, *arr, *cap * size, ncap * size);
  if (!p) return -1;
  *arr = p;
  *cap = ncap;
  return 0;
}

static int xbuf_put(xr *R, xbuf *b, const char *s, size_t len) {
  if (grow(R, (void **)&b->p, &b->cap, b->n, len + 1, 1) < 0) return -1;
  memcpy(b->p + b->n, s, len);
  b->n += len;
  return 0;
}

static void xbuf_free(xr *R, xbuf *b) {
  if (b->p) xalloc(R, b->p, b->cap, 0);
  b->p = NULL;
  b->n = b->cap = 0;
}

#define FREE_ARRAY(R, arr, cap) \
  do { \
    if (arr) xalloc(R, arr, (cap) * sizeof *(arr), 0); \
    (arr) = NULL; \
    (cap) = 0; \
  } while (0)

/* ---- the reader userdata ---------------------------------------------------- */

static void close_part(xr *R) {
  if (R->xp) { XML_ParserFree(R->xp); R->xp = NULL; }
  if (R->zf) { zip_fclose(R->zf); R->zf = NULL; }
}

static void parallel_release(xr *R);

static int reader_gc(lua_State *L) {
  xr *R = luaL_checkudata(L, 1, XREADER);
  parallel_release(R); /* joins the worker threads first */
  close_part(R);
  if (R->za) { zip_discard(R->za); R->za = NULL; }
  if (R->fd >= 0) { close(R->fd); R->fd = -1; }
  if (!R->alloc) return 0;
  xbuf_free(R, &R->text);
  xbuf_free(R, &R->relpool);
  xbuf_free(R, &R->wbpool);
  xbuf_free(R, &R->sst);
  xbuf_free(R, &R->qtext);
  FREE_ARRAY(R, R->rels, R->relcap);
  FREE_ARRAY(R, R->sheets, R->sheetcap);
  FREE_ARRAY(R, R->xf_fmt, R->xfcap);
  FREE_ARRAY(R, R->custom, R->customcap);
  if (R->xf_date) { xalloc(R, R->xf_date, R->nxf ? R->nxf : 1, 0); R->xf_date = NULL; }
  FREE_ARRAY(R, R->sst_off, R->sstcap);
  FREE_ARRAY(R, R->q, R->qcap);
  FREE_ARRAY(R, R->merges, R->mergecap);
  if (R->cols) { zs_free(L, R->cols, (size_t)R->colcap * sizeof *R->cols); R->cols = NULL; R->colcap = 0; }
  R->nrels = R->nsheets = R->nxf = R->ncustom = R->nsst = R->nq = R->nmerge = 0;
  R->ncols = 0;
  return 0;
}

static xr *reader_push(lua_State *L) {
  xr *R = lua_newuserdatauv(L, sizeof *R, 0);
  memset(R, 0, sizeof *R);
  R->fd = -1;
  if (luaL_newmetatable(L, XREADER)) {
    lua_pushcfunction(L, reader_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, reader_gc);
    lua_setfield(L, -2, "__close");
  }
  lua_setmetatable(L, -2);
  R->alloc = lua_getallocf(L, &R->aud);
  R->fmt = zs_textfmt_default;
  return R;
}

/* ---- errors ---------------------------------------------------------------------- */

/* stop the parse with a message (the first one wins) */
static void xfail(xr *R, const char *fmt, ...) {
  if (R->stop) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(R->err, sizeof R->err, fmt, ap);
  va_end(ap);
  R->stop = STOP_ERR;
  if (R->xp) XML_StopParser(R->xp, XML_FALSE);
}

/* the same, placed at the parser's position in the part */
static void xfail_here(xr *R, const char *msg) {
  if (R->stop) return;
  xfail(R, "%s:%lu:%lu: %s", R->entry, (unsigned long)XML_GetCurrentLineNumber(R->xp),
        (unsigned long)XML_GetCurrentColumnNumber(R->xp) + 1, msg);
  R->err_is_xml = 1;
}

static void nomem(xr *R) { xfail(R, "not enough memory"); }

static void done(xr *R) {
  if (R->stop) return;
  R->stop = STOP_DONE;
  XML_StopParser(R->xp, XML_FALSE);
}

/* ---- XML helpers -------------------------------------------------------------- */

/* element or attribute name without its namespace prefix */
static inline const char *local(const char *name) {
  const char *c = strchr(name, ':');
  return c ? c + 1 : name;
}

static const char *attr(const char **atts, const char *name) {
  for (int i = 0; atts[i]; i += 2)
    if (strcmp(local(atts[i]), name) == 0) return atts[i + 1];
  return NULL;
}

static void XMLCALL refuse_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                                   int has_internal_subset) {
  xfail_here(ud, "the XML has a DTD (<!DOCTYPE>): DTDs are refused (they can declare entities that expand without bound)");
}

static void XMLCALL refuse_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value, int len,
                                  const XML_Char *base, const XML_Char *sysid, const XML_Char *pubid,
                                  const XML_Char *notation) {
  xfail_here(ud, "the XML declares an entity: refused");
}

static void XMLCALL collect(void *ud, const XML_Char *s, int len) {
  xr *R = ud;
  if (!R->collecting) return;
  if (R->text.n + (size_t)len > MAX_TEXT) {
    xfail_here(R, "a value longer than 16 MiB");
    return;
  }
  if (xbuf_put(R, &R->text, s, (size_t)len) < 0) nomem(R);
}

/* Decode the _xHHHH_ escapes of OOXML strings (ST_Xstring: characters XML
 * cannot hold, and "_x005F_" for a literal underscore) in place; returns the
 * new length.  The UTF-8 of a code point never takes more bytes than its
 * escape (7; a surrogate pair's two escapes take 14 for 4). */
static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int escape_at(const char *s, size_t len, size_t i, unsigned *cp) {
  if (i + 7 > len || s[i] != '_' || s[i + 1] != 'x' || s[i + 6] != '_') return 0;
  unsigned v = 0;
  for (int k = 2; k < 6; k++) {
    int h = hexval(s[i + k]);
    if (h < 0) return 0;
    v = v * 16 + (unsigned)h;
  }
  *cp = v;
  return 1;
}

static size_t unescape(char *s, size_t len) {
  if (len < 7 || !memchr(s, '_', len)) return len;
  size_t o = 0;
  for (size_t i = 0; i < len;) {
    unsigned cp, lo;
    if (escape_at(s, len, i, &cp)) {
      i += 7;
      if (cp >= 0xD800 && cp < 0xDC00 && escape_at(s, len, i, &lo) && lo >= 0xDC00 && lo < 0xE000) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        i += 7;
      } else if (cp >= 0xD800 && cp < 0xE000) {
        cp = 0xFFFD;
      }
      o += (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)s + o);
    } else {
      s[o++] = s[i++];
    }
  }
  return o;
}

/* ---- cell references ------------------------------------------------------------ */

/* "C12" -> column 3, row 12 (either part may be missing: 0); 1 if well
 * formed, 0 if not; *beyond when it lies past XFD1048576 */
static int parse_ref(const char *s, int64_t *row, int64_t *col, int *beyond) {
  int64_t c = 0, r = 0;
  int nl = 0, nd = 0;
  *beyond = 0;
  if (*s == '$') s++;
  for (; (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'); s++, nl++)
    if (c <= MAX_COL) c = c * 26 + ((*s | 0x20) - 'a' + 1);
  if (*s == '$') s++;
  for (; *s >= '0' && *s <= '9'; s++, nd++)
    if (r <= MAX_ROW) r = r * 10 + (*s - '0');
  if (*s || (nl == 0 && nd == 0)) return 0;
  if (nd && r == 0) return 0;
  if (c > MAX_COL || r > MAX_ROW) *beyond = 1;
  *row = r;
  *col = c;
  return 1;
}

/* column letters of a 1-based column number; returns the length */
static int col_letters(int64_t c, char *buf) {
  char tmp[8];
  int n = 0;
  while (c > 0 && n < 7) {
    int64_t m = (c - 1) % 26;
    tmp[n++] = (char)('A' + m);
    c = (c - 1) / 26;
  }
  for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
  buf[n] = '\0';
  return n;
}

static void cell_name(int64_t row, int64_t col, char *buf) {
  int n = col_letters(col, buf);
  snprintf(buf + n, 16, "%lld", (long long)row);
}

/* ---- Excel serial dates ----------------------------------------------------------- */

/* Days since 1970-01-01 of an integral serial.  The 1900 system counts
 * 1900-01-01 as 1 and has Excel's (and Lotus 1-2-3's) nonexistent
 * 1900-02-29 as 60: serials from 61 on are days since 1899-12-30, serials
 * below 60 are one day later than that count would say (0 is 1899-12-31,
 * Excel's "1900-01-00").  The 1904 system counts 1904-01-01 as 0.  Returns
 * 0 for 60 in the 1900 system, a negative 1900 serial and serials out of
 * range. */
static int serial_to_days(double s, int date1904, int32_t *out) {
  if (!(s >= -1e8 && s <= 1e8)) return 0;
  int64_t v = (int64_t)s;
  int64_t d;
  if (date1904) d = v - 24107;
  else if (v >= 61) d = v - 25569;
  else if (v == 60 || v < 0) return 0;
  else d = v - 25568;
  *out = (int32_t)d;
  return 1;
}

static double days_to_serial(int32_t d, int date1904) {
  if (date1904) return (double)d + 24107;
  return d >= -25508 ? (double)d + 25569 : (double)d + 25568;
}

/* ---- opening the file and its parts ------------------------------------------------ */

static uint32_t rd32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_at(int fd, void *buf, size_t n, uint64_t off) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

/* An OLE2 compound file: an Excel 97-2003 workbook has a "Workbook" (or
 * "Book") stream, an encrypted OOXML package an "EncryptionInfo" stream.
 * Walks the directory's sector chain through the FAT (bounded); returns 1
 * for .xls, 2 for encrypted, 0 when it cannot tell. */
static int ole2_kind(int fd, uint64_t size) {
  unsigned char h[512];
  if (size < 512 || read_at(fd, h, 512, 0) < 0) return 0;
  unsigned shift = (unsigned)h[0x1E] | (unsigned)h[0x1F] << 8;
  if (shift != 9 && shift != 12) return 0;
  size_t ssz = (size_t)1 << shift, per = ssz / 4;
  uint32_t nfat = rd32(h + 0x2C), dir = rd32(h + 0x30), difat_next = rd32(h + 0x44);
  unsigned char *sec = malloc(ssz), *fatsec = malloc(ssz);
  uint32_t *difat = malloc(sizeof(uint32_t) * (nfat ? nfat : 1));
  int kind = 0;
  if (!sec || !fatsec || !difat || nfat > (1u << 20)) goto out;
  /* the FAT's sectors: 109 in the header, then the DIFAT chain */
  for (uint32_t i = 0; i < nfat && i < 109; i++) difat[i] = rd32(h + 0x4C + 4 * i);
  for (uint32_t i = 109, guard = 0; i < nfat && guard < 4096; guard++) {
    if (difat_next >= 0xFFFFFFFA || read_at(fd, sec, ssz, ((uint64_t)difat_next + 1) << shift) < 0) goto out;
    for (size_t k = 0; k + 1 < per && i < nfat; k++) difat[i++] = rd32(sec + 4 * k);
    difat_next = rd32(sec + 4 * (per - 1));
  }
  uint32_t cached = 0xFFFFFFFF;
  for (int guard = 0; dir < 0xFFFFFFFA && guard < 4096; guard++) {
    if (read_at(fd, sec, ssz, ((uint64_t)dir + 1) << shift) < 0) goto out;
    for (size_t e = 0; e < ssz / 128; e++) {
      const unsigned char *ent = sec + e * 128;
      unsigned nlen = (unsigned)ent[0x40] | (unsigned)ent[0x41] << 8;
      if (nlen < 2 || nlen > 64) continue;
      char name[33];
      size_t k = 0;
      for (; k < nlen / 2 - 1; k++) name[k] = ent[2 * k + 1] ? '?' : (char)ent[2 * k];
      name[k] = '\0';
      if (strcmp(name, "EncryptionInfo") == 0 || strcmp(name, "EncryptedPackage") == 0) { kind = 2; goto out; }
      if (strcmp(name, "Workbook") == 0 || strcmp(name, "Book") == 0) kind = 1;
    }
    /* next directory sector from the FAT */
    uint32_t fi = dir / (uint32_t)per;
    if (fi >= nfat) break;
    if (fi != cached) {
      if (read_at(fd, fatsec, ssz, ((uint64_t)difat[fi] + 1) << shift) < 0) break;
      cached = fi;
    }
    dir = rd32(fatsec + 4 * (dir % (uint32_t)per));
  }
out:
  free(sec);
  free(fatsec);
  free(difat);
  return kind;
}

/* Open the workbook at path; NULL, or an error message (pushed). */
static const char *open_workbook(lua_State *L, xr *R, const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return lua_pushfstring(L, "%s: %s", path, strerror(errno));
  R->fd = fd;
  struct stat st;
  if (fstat(fd, &st) < 0) return lua_pushfstring(L, "%s: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode)) return lua_pushfstring(L, "%s: %s", path, strerror(EISDIR));
  R->file_size = (uint64_t)st.st_size;
  unsigned char sig[8] = {0};
  size_t have = R->file_size < 8 ? (size_t)R->file_size : 8;
  if (have && read_at(fd, sig, have, 0) < 0) return lua_pushfstring(L, "%s: %s", path, strerror(errno ? errno : EIO));
  static const unsigned char ole[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
  if (have == 8 && memcmp(sig, ole, 8) == 0) {
    switch (ole2_kind(fd, R->file_size)) {
    case 1: return lua_pushfstring(L, "%s: this is an Excel 97-2003 .xls file: save it as .xlsx", path);
    case 2: return lua_pushfstring(L, "%s: the workbook is encrypted: save it as .xlsx without a password", path);
    default:
      return lua_pushfstring(L, "%s: this is an OLE2 compound file (an Excel 97-2003 .xls file or an encrypted "
                                "workbook): save it as .xlsx without a password", path);
    }
  }
  if (have < 4 || sig[0] != 'P' || sig[1] != 'K' || !((sig[2] == 3 && sig[3] == 4) || (sig[2] == 5 && sig[3] == 6)))
    return lua_pushfstring(L, "%s: not an .xlsx workbook (not a zip file)", path);
  close(fd);
  R->fd = -1;
  int zerr = 0;
  R->za = zip_open(path, ZIP_RDONLY, &zerr);
  if (!R->za) {
    zip_error_t e;
    zip_error_init_with_code(&e, zerr);
    const char *msg = lua_pushfstring(L, "%s: the zip file is damaged or truncated (%s)", path, zip_error_strerror(&e));
    zip_error_fini(&e);
    return msg;
  }
  uint64_t ratio = R->file_size * BOMB_RATIO;
  R->limit = ratio > BOMB_CAP ? ratio : BOMB_CAP;
  return NULL;
}

static zip_int64_t locate(xr *R, const char *name) {
  zip_int64_t i = zip_name_locate(R->za, name, 0);
  if (i < 0) i = zip_name_locate(R->za, name, ZIP_FL_NOCASE);
  return i;
}

typedef struct {
  XML_StartElementHandler start;
  XML_EndElementHandler end;
  int (*drain)(lua_State *L, xr *R); /* after each chunk (may raise); 0 to stop */
} handlers;

/* Parse the zip entry `name`.  Returns 0 when done, 1 when the entry is
 * missing, -1 on error (message in R->err). */
static int parse_part(lua_State *L, xr *R, const char *name, const handlers *h) {
  snprintf(R->entry, sizeof R->entry, "%s", name);
  R->stop = STOP_NONE;
  R->err[0] = '\0';
  R->err_is_xml = 0;
  R->depth = 0;
  R->collecting = 0;
  R->text.n = 0;
  zip_int64_t idx = locate(R, name);
  if (idx < 0) return 1;
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(R->za, (zip_uint64_t)idx, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) && st.size > R->limit) {
    xfail(R, "%s inflates to %llu bytes, more than both %d times the file's size and 2 GiB: refused as a possible zip bomb",
          name, (unsigned long long)st.size, BOMB_RATIO);
    return -1;
  }
  R->zf = zip_fopen_index(R->za, (zip_uint64_t)idx, 0);
  if (!R->zf) {
    xfail(R, "%s: %s", name, zip_strerror(R->za));
    return -1;
  }
  R->xp = XML_ParserCreate(NULL);
  if (!R->xp) {
    close_part(R);
    nomem(R);
    return -1;
  }
  XML_SetUserData(R->xp, R);
  XML_SetElementHandler(R->xp, h->start, h->end);
  XML_SetCharacterDataHandler(R->xp, collect);
  XML_SetStartDoctypeDeclHandler(R->xp, refuse_doctype);
  XML_SetEntityDeclHandler(R->xp, refuse_entity);
  XML_SetParamEntityParsing(R->xp, XML_PARAM_ENTITY_PARSING_NEVER);
  R->inflated = 0;
  int rc = 0;
  for (;;) {
    void *buf = XML_GetBuffer(R->xp, CHUNK);
    if (!buf) { nomem(R); rc = -1; break; }
    zip_int64_t n = zip_fread(R->zf, buf, CHUNK);
    if (n < 0) {
      xfail(R, "%s: the zip file is damaged (%s)", name, zip_file_strerror(R->zf));
      rc = -1;
      break;
    }
    R->inflated += (uint64_t)n;
    if (R->inflated > R->limit) {
      xfail(R, "%s inflates to more than both %d times the file's size and 2 GiB: refused as a possible zip bomb", name,
            BOMB_RATIO);
      rc = -1;
      break;
    }
    if (XML_ParseBuffer(R->xp, (int)n, n == 0) == XML_STATUS_ERROR) {
      if (R->stop == STOP_DONE) { if (h->drain && !h->drain(L, R)) rc = -1; break; }
      if (R->stop != STOP_ERR) {
        enum XML_Error code = XML_GetErrorCode(R->xp);
        xfail(R, "%s:%lu:%lu: %s", name, (unsigned long)XML_GetErrorLineNumber(R->xp),
              (unsigned long)XML_GetErrorColumnNumber(R->xp) + 1, XML_ErrorString(code));
        R->err_is_xml = 1;
      }
      rc = -1;
      break;
    }
    if (h->drain && !h->drain(L, R)) { rc = -1; break; }
    if (n == 0) break;
  }
  close_part(R);
  return rc;
}

/* a part's path from a relationship target: relative to the folder of the
 * part whose relationships these are (base, "xl/"), or absolute ("/xl/...") */
static void resolve_target(const char *base_dir, const char *target, size_t tlen, char *out, size_t outsz) {
  char tmp[1024];
  if (tlen && target[0] == '/') snprintf(tmp, sizeof tmp, "%.*s", (int)(tlen - 1), target + 1);
  else snprintf(tmp, sizeof tmp, "%s%.*s", base_dir, (int)tlen, target);
  /* normalize "a/../b" and "./" */
  char *seg[64];
  int nseg = 0;
  for (char *tok = strtok(tmp, "/"); tok; tok = strtok(NULL, "/")) {
    if (strcmp(tok, ".") == 0) continue;
    if (strcmp(tok, "..") == 0) { if (nseg) nseg--; continue; }
    if (nseg < 64) seg[nseg++] = tok;
  }
  size_t o = 0;
  out[0] = '\0';
  for (int i = 0; i < nseg && o < outsz; i++)
    o += (size_t)snprintf(out + o, outsz - o, "%s%s", i ? "/" : "", seg[i]);
}

/* ---- relationships ------------------------------------------------------------------ */

static void XMLCALL rels_start(void *ud, const char *name, const char **atts) {
  xr *R = ud;
  if (++R->depth > MAX_DEPTH) { xfail_here(R, "elements nested too deeply"); return; }
  if (strcmp(local(name), "Relationship") != 0) return;
  const char *id = attr(atts, "Id"), *type = attr(atts, "Type"), *target = attr(atts, "Target");
  const char *mode = attr(atts, "TargetMode");
  if (!id || !type || !target || (mode && strcmp(mode, "External") == 0)) return;
  if (grow(R, (void **)&R->rels, &R->relcap, R->nrels, 1, sizeof *R->rels) < 0) { nomem(R); return; }
  relinfo *r = &R->rels[R->nrels];
  r->id = R->relpool.n;
  r->id_len = strlen(id);
  r->type = r->id + r->id_len;
  r->type_len = strlen(type);
  r->target = r->type + r->type_len;
  r->target_len = strlen(target);
  if (xbuf_put(R, &R->relpool, id, r->id_len) < 0 || xbuf_put(R, &R->relpool, type, r->type_len) < 0 ||
      xbuf_put(R, &R->relpool, target, r->target_len) < 0) {
    nomem(R);
    return;
  }
  R->nrels++;
}

static void XMLCALL depth_end(void *ud, const char *name) { ((xr *)ud)->depth--; }

static const handlers rels_handlers = {rels_start, depth_end, NULL};

static int read_rels(lua_State *L, xr *R, const char *name) {
  R->nrels = 0;
  R->relpool.n = 0;
  return parse_part(L, R, name, &rels_handlers);
}

/* the target of the first relationship whose type ends with `suffix` (or
 * whose id is `id`), resolved against base_dir; 1 if found */
static int find_rel(xr *R, const char *suffix, const char *id, size_t id_len, const char *base_dir, char *out,
                    size_t outsz) {
  size_t sl = suffix ? strlen(suffix) : 0;
  for (size_t i = 0; i < R->nrels; i++) {
    const relinfo *r = &R->rels[i];
    const char *pool = R->relpool.p;
    int hit = suffix ? r->type_len >= sl && memcmp(pool + r->type + r->type_len - sl, suffix, sl) == 0
                     : r->id_len == id_len && memcmp(pool + r->id, id, id_len) == 0;
    if (hit) {
      resolve_target(base_dir, pool + r->target, r->target_len, out, outsz);
      return 1;
    }
  }
  return 0;
}

/* whether the relationship `id` has a type whose last segment is `kind`
 * ("worksheet"); sets *type to that segment (pushed) when it is not */
static int rel_is(lua_State *L, xr *R, const char *id, size_t id_len, const char *kind) {
  for (size_t i = 0; i < R->nrels; i++) {
    const relinfo *r = &R->rels[i];
    if (r->id_len != id_len || memcmp(R->relpool.p + r->id, id, id_len) != 0) continue;
    const char *t = R->relpool.p + r->type;
    size_t from = 0;
    for (size_t k = 0; k < r->type_len; k++)
      if (t[k] == '/') from = k + 1;
    size_t kl = strlen(kind);
    if (r->type_len - from == kl && memcmp(t + from, kind, kl) == 0) return 1;
    lua_pushlstring(L, t + from, r->type_len - from);
    return 0;
  }
  return 1;
}

/* ---- the workbook ------------------------------------------------------------------- */

static void XMLCALL wb_start(void *ud, const char *name, const char **atts) {
  xr *R = ud;
  if (++R->depth > MAX_DEPTH) { xfail_here(R, "elements nested too deeply"); return; }
  const char *n = local(name);
  if (strcmp(n, "sheets") == 0) { R->in_sheets = 1; return; }
  if (strcmp(n, "workbookPr") == 0) {
    const char *v = attr(atts, "date1904");
    R->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    return;
  }
  if (!R->in_sheets || strcmp(n, "sheet") != 0) return;
  const char *sname = attr(atts, "name"), *state = attr(atts, "state"), *rid = NULL;
  for (int i = 0; atts[i]; i += 2)
    if (strchr(atts[i], ':') && strcmp(local(atts[i]), "id") == 0) rid = atts[i + 1];
  if (!sname) sname = "";
  if (!rid) rid = "";
  if (grow(R, (void **)&R->sheets, &R->sheetcap, R->nsheets, 1, sizeof *R->sheets) < 0) { nomem(R); return; }
  sheetinfo *s = &R->sheets[R->nsheets];
  s->name = R->wbpool.n;
  s->name_len = strlen(sname);
  s->rid = s->name + s->name_len + 1;
  s->rid_len = strlen(rid);
  s->state = !state ? 0 : strcmp(state, "hidden") == 0 ? 1 : strcmp(state, "veryHidden") == 0 ? 2 : 0;
  if (xbuf_put(R, &R->wbpool, sname, s->name_len + 1) < 0 || xbuf_put(R, &R->wbpool, rid, s->rid_len + 1) < 0) {
    nomem(R);
    return;
  }
  R->nsheets++;
}

static void XMLCALL wb_end(void *ud, const char *name) {
  xr *R = ud;
  R->depth--;
  if (strcmp(local(name), "sheets") == 0) R->in_sheets = 0;
}

static const handlers wb_handlers = {wb_start, wb_end, NULL};

static const char *sheet_name(const xr *R, size_t i) { return R->wbpool.p + R->sheets[i].name; }
static const char *const state_names[3] = {"visible", "hidden", "veryHidden"};

/* ---- styles: which cell formats are dates --------------------------------------------- */

/* A custom number format shows a date or time when it has a d, m, y or h
 * outside quoted text, [brackets] (colours, locales, conditions; [h] of an
 * elapsed time is followed by :mm anyway) and escaped characters (\x, _x,
 * *x). */
static int is_date_code(const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '"':
      s++;
      while (*s && *s != '"') s++;
      if (!*s) return 0;
      break;
    case '[':
      while (*s && *s != ']') s++;
      if (!*s) return 0;
      break;
    case '\\': case '_': case '*':
      if (!s[1]) return 0;
      s++;
      break;
    default: {
      char c = (char)(*s | 0x20);
      if (c == 'd' || c == 'm' || c == 'y' || c == 'h') return 1;
    }
    }
  }
  return 0;
}

static int builtin_date(int id) { return (id >= 14 && id <= 22) || (id >= 45 && id <= 47); }

static void XMLCALL styles_start(void *ud, const char *name, const char **atts) {
  xr *R = ud;
  if (++R->depth > MAX_DEPTH) { xfail_here(R, "elements nested too deeply"); return; }
  const char *n = local(name);
  if (strcmp(n, "cellXfs") == 0) { R->in_cellxfs = 1; return; }
  if (strcmp(n, "numFmts") == 0) { R->in_numfmts = 1; return; }
  if (R->in_cellxfs && strcmp(n, "xf") == 0) {
    const char *id = attr(atts, "numFmtId");
    if (grow(R, (void **)&R->xf_fmt, &R->xfcap, R->nxf, 1, sizeof *R->xf_fmt) < 0) { nomem(R); return; }
    R->xf_fmt[R->nxf++] = id ? (int32_t)strtol(id, NULL, 10) : 0;
    return;
  }
  if (R->in_numfmts && strcmp(n, "numFmt") == 0) {
    const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
    if (!id || !code) return;
    if (grow(R, (void **)&R->custom, &R->customcap, R->ncustom, 1, sizeof *R->custom) < 0) { nomem(R); return; }
    R->custom[R->ncustom].id = (int32_t)strtol(id, NULL, 10);
    R->custom[R->ncustom].date = is_date_code(code);
    R->ncustom++;
  }
}

static void XMLCALL styles_end(void *ud, const char *name) {
  xr *R = ud;
  R->depth--;
  const char *n = local(name);
  if (strcmp(n, "cellXfs") == 0) R->in_cellxfs = 0;
  else if (strcmp(n, "numFmts") == 0) R->in_numfmts = 0;
}

static const handlers styles_handlers = {styles_start, styles_end, NULL};

static int finish_styles(xr *R) {
  R->xf_date = xalloc(R, NULL, 0, R->nxf ? R->nxf : 1);
  if (!R->xf_date) return -1;
  for (size_t i = 0; i < R->nxf; i++) {
    int id = R->xf_fmt[i], date = builtin_date(id);
    for (size_t k = 0; k < R->ncustom; k++)
      if (R->custom[k].id == id) date = R->custom[k].date;
    R->xf_date[i] = (uint8_t)date;
  }
  return 0;
}

/* ---- shared strings ------------------------------------------------------------------ */

static void XMLCALL sst_start(void *ud, const char *name, const char **atts) {
  xr *R = ud;
  if (++R->depth > MAX_DEPTH) { xfail_here(R, "elements nested too deeply"); return; }
  const char *n = local(name);
  if (n[0] == 't' && !n[1]) {
    if (R->in_si && !R->rph) R->in_t = 1;
  } else if (strcmp(n, "si") == 0) {
    R->in_si = 1;
    R->text.n = 0;
  } else if (strcmp(n, "rPh") == 0) {
    R->rph++;
  }
  R->collecting = R->in_t;
}

static void XMLCALL sst_end(void *ud, const char *name) {
  xr *R = ud;
  R->depth--;
  const char *n = local(name);
  if (n[0] == 't' && !n[1]) {
    R->in_t = 0;
  } else if (strcmp(n, "rPh") == 0) {
    if (R->rph) R->rph--;
  } else if (strcmp(n, "si") == 0) {
    R->in_si = 0;
    size_t len = unescape(R->text.p, R->text.n);
    if (grow(R, (void **)&R->sst_off, &R->sstcap, R->nsst, 2, sizeof *R->sst_off) < 0 ||
        xbuf_put(R, &R->sst, R->text.p ? R->text.p : "", len) < 0) {
      nomem(R);
      return;
    }
    R->nsst++;
    R->sst_off[R->nsst] = R->sst.n;
    R->text.n = 0;
  }
  R->collecting = R->in_t;
}

static const handlers sst_handlers = {sst_start, sst_end, NULL};

static const char *sst_str(const xr *R, uint64_t i, size_t *len) {
  *len = (size_t)(R->sst_off[i + 1] - R->sst_off[i]);
  return R->sst.p + R->sst_off[i];
}

/* ---- the sheet --------------------------------------------------------------------- */

enum { T_N, T_S, T_B, T_E, T_STR, T_INLINE, T_D };

static void XMLCALL merge_start(void *ud, const char *name, const char **atts);

/* no more rows wanted: only <mergeCell> elements matter now (they follow
 * the sheet data), and only with header rows */
static void rows_done(xr *R) {
  if (R->header > 0 && !R->pass2 && !R->dim_only) {
    XML_SetElementHandler(R->xp, merge_start, depth_end);
    R->collecting = 0;
    R->in_c = R->in_v = R->in_is = 0;
  } else {
    done(R);
  }
}

static void add_merge(xr *R, const char *ref) {
  char a[32], b[32];
  const char *colon = strchr(ref, ':');
  if (!colon || colon - ref >= 32 || strlen(colon + 1) >= 32) return;
  memcpy(a, ref, (size_t)(colon - ref));
  a[colon - ref] = '\0';
  strcpy(b, colon + 1);
  int64_t r1, c1, r2, c2;
  int beyond1, beyond2;
  if (!parse_ref(a, &r1, &c1, &beyond1) || !parse_ref(b, &r2, &c2, &beyond2) || beyond1 || beyond2) return;
  if (!r1 || !c1 || !r2 || !c2 || r2 < r1 || c2 < c1) return;
  if (r2 < R->hdr_first || r1 >= R->data_first) return; /* no header cell in it */
  if (grow(R, (void **)&R->merges, &R->mergecap, R->nmerge * 4, 4, sizeof *R->merges) < 0) { nomem(R); return; }
  int32_t *m = R->merges + 4 * R->nmerge++;
  m[0] = (int32_t)r1; m[1] = (int32_t)c1; m[2] = (int32_t)r2; m[3] = (int32_t)c2;
}

static void XMLCALL merge_start(void *ud, const char *name, const char **atts) {
  xr *R = ud;
  if (++R->depth > MAX_DEPTH) { xfail_here(R, "elements nested too deeply"); return; }
  if (strcmp(local(name), "mergeCell") == 0) {
    const char *ref = attr(atts, "ref");
    if (ref) add_merge(R, ref);
  }
}

static void row_start(xr *R, const char **atts) {
  const char *r = attr(atts, "r");
  int64_t row = R->prev_row + 1;
  if (r) {
    char *end;
    errno = 0;
    long long v = strtoll(r, &end, 10);
    if (*end || errno || v < 1) { xfail(R, "row number '%.20s' is not a row number", r); return; }
    if (v > MAX_ROW) { xfail(R, "row %lld is beyond the last row of a sheet (1048576)", v); return; }
    row = v;
  }
  if (!r) R->norow = 1;
  R->row = row;
  R->prev_row = row;
  R->ccol = 0;
  if (row > R->data_last) rows_done(R);
}

static void cell_start(xr *R, const char **atts) {
  const char *r = NULL, *s = NULL, *t = NULL;
  for (int i = 0; atts[i]; i += 2) {
    const char *a = atts[i];
    if (a[0] == 'r' && !a[1]) r = atts[i + 1];
    else if (a[0] == 's' && !a[1]) s = atts[i + 1];
    else if (a[0] == 't' && !a[1]) t = atts[i + 1];
  }
  int64_t row = R->row, col = R->ccol + 1;
  if (r) {
    int64_t rr, cc;
    int beyond;
    if (!parse_ref(r, &rr, &cc, &beyond) || cc == 0) { xfail(R, "cell reference '%.20s' is not a cell reference", r); return; }
    if (beyond) { xfail(R, "cell %.20s is beyond the last cell of a sheet (XFD1048576)", r); return; }
    col = cc;
    if (rr) row = rr;
  } else if (col > MAX_COL) {
    xfail(R, "row %lld has more than 16384 cells", (long long)row);
    return;
  }
  R->ccol = col;
  R->in_c = 1;
  R->cell_row = row;
  R->cell_col = col;
  R->cell_f = R->cell_has_v = 0;
  R->cell_skip = row == 0 /* outside any <row> */ || row < R->hdr_first || row > R->data_last || col < R->left || col > R->right ||
                 (R->pass2 && row < R->data_first);
  if (!R->cell_skip && R->pass2) {
    int j = (int)(col - R->left);
    R->cell_skip = j >= R->ncols || R->cols[j].mode == M_SKIP;
  }
  int type = T_N;
  if (t) {
    switch (t[0]) {
    case 's': type = t[1] == 0 ? T_S : strcmp(t, "str") == 0 ? T_STR : T_N; break;
    case 'b': type = T_B; break;
    case 'e': type = T_E; break;
    case 'i': type = strcmp(t, "inlineStr") == 0 ? T_INLINE : T_N; break;
    case 'd': type = T_D; break;
    default: break;
    }
  }
  R->cell_type = type;
  long xf = s ? strtol(s, NULL, 10) : 0;
  R->cell_date = type == T_N && xf >= 0 && (size_t)xf < R->nxf && R->xf_date && R->xf_date[xf];
  R->text.n = 0;
}

static cellrec *queue(xr *R, int kind) {
  if (grow(R, (void **)&R->q, &R->qcap, R->nq, 1, sizeof *R->q) < 0) { nomem(R); return NULL; }
  cellrec *c = &R->q[R->nq++];
  c->row = (int32_t)R->cell_row;
  c->col = (uint16_t)R->cell_col;
  c->kind = (uint8_t)kind;
  c->date = (uint8_t)R->cell_date;
  c->len = 0;
  c->off = 0;
  return c;
}

static void queue_text(xr *R, const char *s, size_t len) {
  len = unescape((char *)s, len);
  if (len == 0) return; /* an empty text cell is a blank cell */
  size_t off = R->qtext.n;
  if (xbuf_put(R, &R->qtext, s, len) < 0) { nomem(R); return; }
  cellrec *c = queue(R, CK_TEXT);
  if (!c) return;
  c->off = off;
  c->len = (uint32_t)len;
}

/* two digits at s (0..99); -1 if not */
static int two_digits(const char *s) {
  if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') return -1;
  return (s[0] - '0') * 10 + (s[1] - '0');
}

/* "2024-01-05" or "2024-01-05T10:30(:00(.fff))(Z)" (a t="d" cell): a
 * serial number of the workbook's date system */
static int iso_serial(const char *s, size_t len, int date1904, double *out) {
  int32_t days;
  if (len < 10 || !zs_parse_date(s, 10, &days)) return 0;
  double frac = 0;
  if (len > 10) {
    if ((s[10] != 'T' && s[10] != ' ') || len < 16 || s[13] != ':') return 0;
    int h = two_digits(s + 11), m = two_digits(s + 14);
    double sec = 0;
    size_t p = 16;
    if (p < len && s[p] == ':') {
      if (p + 3 > len) return 0;
      int whole = two_digits(s + p + 1);
      if (whole < 0) return 0;
      sec = whole;
      p += 3;
      if (p < len && s[p] == '.') {
        double scale = 0.1;
        for (p++; p < len && s[p] >= '0' && s[p] <= '9'; p++, scale /= 10) sec += (s[p] - '0') * scale;
      }
    }
    if (p < len && s[p] == 'Z') p++;
    if (h < 0 || h > 24 || m < 0 || m > 59 || sec >= 61 || p != len) return 0;
    frac = (h * 3600.0 + m * 60.0 + sec) / 86400.0;
  }
  *out = days_to_serial(days, date1904) + frac;
  return 1;
}

/* a <v> number: as Excel writes it, or with leading zeros some writers
 * leave ("007") */
static int cell_number(const char *s, size_t len, double *v) {
  if (zs_parse_float(s, len, '.', 0, v) || zs_parse_float_special(s, len, v)) return 1;
  size_t i = (len && (s[0] == '-' || s[0] == '+')) ? 1 : 0, z = i;
  while (z + 1 < len && s[z] == '0' && s[z + 1] >= '0' && s[z + 1] <= '9') z++;
  if (z == i || len - z > 64) return 0;
  char buf[72];
  size_t n = 0;
  if (i) buf[n++] = s[0];
  memcpy(buf + n, s + z, len - z);
  n += len - z;
  return zs_parse_float(buf, n, '.', 0, v);
}

static void cell_end(xr *R) {
  R->in_c = R->in_v = R->in_is = 0;
  R->collecting = 0;
  if (R->cell_skip) return;
  const char *s = R->text.p ? R->text.p : "";
  size_t len = R->text.n;
  if (!R->cell_has_v || (len == 0 && R->cell_f && R->cell_type != T_STR && R->cell_type != T_INLINE)) {
    /* no cached value (openpyxl writes <f>..</f><v></v>): NA, and a warning */
    if (R->cell_type == T_INLINE && len) queue_text(R, R->text.p, len);
    else if (R->cell_f) queue(R, CK_NOVAL);
    return;
  }
  switch (R->cell_type) {
  case T_S: {
    char *end;
    char tmp[24];
    if (len == 0 || len >= sizeof tmp) goto bad_index;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    unsigned long long v = strtoull(tmp, &end, 10);
    if (*end || tmp[0] == '-') goto bad_index;
    if (v >= R->nsst) {
      char where[24];
      cell_name(R->cell_row, R->cell_col, where);
      xfail(R, "cell %s: shared string %llu does not exist (the workbook has %llu)", where, v,
            (unsigned long long)R->nsst);
      return;
    }
    size_t sl;
    sst_str(R, v, &sl);
    if (sl == 0) return;
    cellrec *c = queue(R, CK_SST);
    if (c) c->off = v;
    return;
  bad_index: {
      char where[24];
      cell_name(R->cell_row, R->cell_col, where);
      xfail(R, "cell %s: '%.20s' is not a shared string index", where, s);
      return;
    }
  }
  case T_STR: case T_INLINE:
    if (len) queue_text(R, R->text.p, len);
    return;
  case T_B: {
    cellrec *c = queue(R, CK_BOOL);
    if (c) c->num = len == 1 && s[0] == '1';
    return;
  }
  case T_E: queue(R, CK_ERR); return;
  case T_D: {
    double v;
    if (!iso_serial(s, len, R->date1904, &v)) {
      char where[24];
      cell_name(R->cell_row, R->cell_col, where);
      xfail(R, "cell %s: '%.30s' is not an ISO 8601 date", where, s);
      return;
    }
    cellrec *c = queue(R, CK_NUM);
    if (c) { c->num = v; c->date = 1; }
    return;
  }
  default: {
    double v;
    if (len == 0) return;
    if (!cell_number(s, len, &v)) {
      char where[24];
      cell_name(R->cell_row, R->cell_col, where);
      xfail(R, "cell %s: '%.30s' is not a number", where, s);
      return;
    }
    cellrec *c = queue(R, CK_NUM);
    if (c) c->num = v;
    return;
  }
  }
}

static void XMLCALL sheet_start(void *ud, const char *name, const char **atts) {
  xr *R = ud;
  if (++R->depth > MAX_DEPTH) { xfail_here(R, "elements nested too deeply"); return; }
  const char *n = local(name);
  switch (n[0]) {
  case 'c':
    if (!n[1] && R->in_sd) cell_start(R, atts);
    break;
  case 'v':
    if (!n[1] && R->in_c) {
      R->in_v = 1;
      R->cell_has_v = 1;
      R->text.n = 0;
      R->collecting = !R->cell_skip;
    }
    break;
  case 'f':
    if (!n[1] && R->in_c) R->cell_f = 1;
    break;
  case 'i':
    if (R->in_c && n[1] == 's' && !n[2]) { R->in_is = 1; R->text.n = 0; }
    break;
  case 't':
    if (!n[1] && R->in_is && !R->rph) R->collecting = !R->cell_skip;
    break;
  case 'r':
    if (n[1] == 'o' && strcmp(n, "row") == 0 && R->in_sd) row_start(R, atts);
    else if (strcmp(n, "rPh") == 0) R->rph++;
    break;
  case 's':
    if (strcmp(n, "sheetData") == 0) {
      R->in_sd = 1;
      if (R->dim_only) done(R);
    }
    break;
  case 'd':
    if (strcmp(n, "dimension") == 0) {
      const char *ref = attr(atts, "ref");
      if (ref) snprintf(R->dimension, sizeof R->dimension, "%s", ref);
      if (R->dim_only) done(R);
    }
    break;
  case 'm':
    if (strcmp(n, "mergeCell") == 0 && R->header > 0 && !R->pass2) {
      const char *ref = attr(atts, "ref");
      if (ref) add_merge(R, ref);
    }
    break;
  default: break;
  }
}

static void XMLCALL sheet_end(void *ud, const char *name) {
  xr *R = ud;
  R->depth--;
  const char *n = local(name);
  switch (n[0]) {
  case 'c':
    if (!n[1] && R->in_c) cell_end(R);
    break;
  case 'v':
    if (!n[1]) { R->in_v = 0; R->collecting = 0; }
    break;
  case 'i':
    if (n[1] == 's' && !n[2]) R->in_is = 0;
    break;
  case 't':
    if (!n[1]) R->collecting = 0;
    break;
  case 'r':
    if (strcmp(n, "row") == 0) R->row = 0;
    else if (strcmp(n, "rPh") == 0 && R->rph) R->rph--;
    break;
  case 's':
    if (strcmp(n, "sheetData") == 0) {
      R->in_sd = 0;
      if (R->header == 0 || R->pass2) done(R);
    }
    break;
  default: break;
  }
}

/* ---- the drain: queued cells into column builders ------------------------------------ */

static int is_na_text(const xr *R, const char *s, size_t len) {
  for (int k = 0; k < R->nna; k++)
    if (R->na_len[k] == len && memcmp(R->na[k], s, len) == 0) return 1;
  return 0;
}

/* column j (0-based) of the pass, set up (dmode) when new; its builder made
 * unless the column is skipped */
static colinfo *column(lua_State *L, xr *R, int j) {
  if (j >= R->colcap) {
    int ncap = R->colcap ? R->colcap : 16;
    while (ncap <= j) ncap *= 2;
    R->cols = zs_realloc(L, R->cols, (size_t)R->colcap * sizeof *R->cols, (size_t)ncap * sizeof *R->cols);
    memset(R->cols + R->colcap, 0, (size_t)(ncap - R->colcap) * sizeof *R->cols);
    R->colcap = ncap;
  }
  if (j >= R->ncols) {
    for (int k = R->ncols; k <= j; k++) {
      R->cols[k].mode = R->dmode;
      R->cols[k].fixed = R->dfixed;
    }
    R->ncols = j + 1;
  }
  colinfo *ci = &R->cols[j];
  if (!ci->b && ci->mode != M_SKIP) {
    ci->b = zs_builder_push(L, ci->mode == M_FIXED ? ci->fixed : ci->fixed == ZS_STR ? ZS_STR : -1, &R->fmt);
    lua_rawseti(L, R->btab, j + 1);
  }
  return ci;
}

/* the text of a cell, for a header name (pushed) */
static void push_cell_text(lua_State *L, xr *R, const xr *S, const cellrec *c) {
  char buf[40];
  switch (c->kind) {
  case CK_SST: {
    size_t len;
    const char *s = sst_str(R, c->off, &len);
    lua_pushlstring(L, s, len);
    return;
  }
  case CK_TEXT: lua_pushlstring(L, S->qtext.p + c->off, c->len); return;
  case CK_BOOL: lua_pushstring(L, c->num ? "TRUE" : "FALSE"); return;
  case CK_NUM: {
    int32_t days;
    if (c->date && c->num == floor(c->num) && serial_to_days(c->num, R->date1904, &days)) {
      lua_pushlstring(L, buf, (size_t)zs_format_date(days, buf));
    } else if (c->num == floor(c->num) && fabs(c->num) <= TWO53) {
      lua_pushlstring(L, buf, (size_t)zs_format_int((int64_t)c->num, buf));
    } else {
      lua_pushlstring(L, buf, (size_t)zs_format_float(c->num, buf, '.'));
    }
    return;
  }
  default: lua_pushliteral(L, ""); return;
  }
}

/* the value of a cell that does not fit the fixed type, for messages */
static void describe_cell(const xr *R, const xr *S, const cellrec *c, char *out, size_t outsz) {
  switch (c->kind) {
  case CK_SST: case CK_TEXT: {
    size_t len;
    const char *s = c->kind == CK_SST ? sst_str(R, c->off, &len) : (len = c->len, S->qtext.p + c->off);
    snprintf(out, outsz, "'%.*s%s'", len > 40 ? 40 : (int)len, s, len > 40 ? "..." : "");
    return;
  }
  case CK_BOOL: snprintf(out, outsz, "%s", c->num ? "TRUE" : "FALSE"); return;
  default: {
    char buf[40];
    zs_format_float(c->num, buf, '.');
    snprintf(out, outsz, "%s%s", buf, c->date ? " (a date serial number)" : "");
  }
  }
}

/* Add cell c (queued by S) to column ci; 0 if its value does not fit the
 * fixed type. */
static int push_cell(lua_State *L, xr *R, const xr *S, colinfo *ci, const cellrec *c) {
  zs_builder *b = ci->b;
  switch (c->kind) {
  case CK_ERR: zs_builder_na(L, b); return 1;
  case CK_NOVAL:
    if (!R->pass2 && R->n_noval++ == 0) cell_name(c->row, c->col, R->first_noval);
    zs_builder_na(L, b);
    return 1;
  case CK_BOOL:
    ci->flags |= F_BOOL;
    return zs_builder_bool(L, b, c->num != 0);
  case CK_SST: case CK_TEXT: {
    size_t len;
    const char *s = c->kind == CK_SST ? sst_str(R, c->off, &len) : (len = c->len, S->qtext.p + c->off);
    if (is_na_text(R, s, len)) { zs_builder_na(L, b); return 1; }
    ci->flags |= F_TEXT;
    if (ci->mode == M_CONV) {
      union { int8_t b; int64_t i; double f; int32_t d; } u;
      switch (zs_infer_text(s, len, &R->fmt)) {
      case ZS_INT: if (zs_text_to(ZS_INT, s, len, &R->fmt, &u)) return zs_builder_int(L, b, u.i); break;
      case ZS_FLOAT: if (zs_text_to(ZS_FLOAT, s, len, &R->fmt, &u)) return zs_builder_float(L, b, u.f); break;
      case ZS_DATE: if (zs_text_to(ZS_DATE, s, len, &R->fmt, &u)) return zs_builder_date(L, b, u.d); break;
      default: break;
      }
    }
    return zs_builder_text(L, b, s, len);
  }
  default: break; /* CK_NUM */
  }
  double v = c->num;
  if (ci->mode == M_FIXED && ci->fixed == ZS_DATE) {
    int32_t days;
    if (!serial_to_days(floor(v), R->date1904, &days)) return 0;
    return zs_builder_date(L, b, days);
  }
  if (!c->date || ci->mode == M_SERIAL || (ci->mode == M_FIXED && ci->fixed != ZS_STR)) {
    ci->flags |= c->date ? F_DATE_FRAC : F_NUM;
    return zs_builder_float(L, b, v);
  }
  if (v != floor(v)) {
    ci->flags |= F_DATE_FRAC;
    return zs_builder_float(L, b, v);
  }
  ci->flags |= F_DATE_INT;
  int32_t days;
  if (!serial_to_days(v, R->date1904, &days)) {
    if (!R->pass2 && R->n_bad_serial++ == 0) {
      cell_name(c->row, c->col, R->first_bad_serial);
      R->bad_serial = v;
    }
    zs_builder_na(L, b);
    return 1;
  }
  return zs_builder_date(L, b, days);
}

/* With `columns`, at the first data cell (the header rows are all read by
 * then): skip the columns that cannot be among those asked for.  A column
 * is kept when its header text (the rows joined, before merged cells are
 * known) is a name asked for or the start of one ("a" for "a_2"), when a
 * header part is empty (a merged cell may fill it), and when it has no
 * header text at all and its V<j> is asked for.  The final names are
 * checked at the end of the pass: if a merged cell renamed a skipped column
 * into one asked for, the pass is done again without skipping. */
static void decide_columns(lua_State *L, xr *R) {
  R->decided = 1;
  int n = R->maxcol >= R->left ? (int)(R->maxcol - R->left + 1) : 0;
  if (n == 0) return;
  if (n > R->colcap) {
    int ncap = R->colcap ? R->colcap : 16;
    while (ncap < n) ncap *= 2;
    R->cols = zs_realloc(L, R->cols, (size_t)R->colcap * sizeof *R->cols, (size_t)ncap * sizeof *R->cols);
    memset(R->cols + R->colcap, 0, (size_t)(ncap - R->colcap) * sizeof *R->cols);
    R->colcap = ncap;
  }
  for (int j = R->ncols; j < n; j++) {
    R->cols[j].mode = R->dmode;
    R->cols[j].fixed = R->dfixed;
  }
  if (n > R->ncols) R->ncols = n;
  for (int j = 0; j < n; j++) {
    if (R->cols[j].b) continue; /* already has data (rows out of order): keep */
    int empty_part = 0, parts = 0;
    lua_pushliteral(L, "");
    for (int k = 0; k < R->header; k++) {
      const char *s = NULL;
      if (lua_rawgeti(L, R->hdrtab, k + 1) == LUA_TTABLE) {
        lua_rawgeti(L, -1, j + 1);
        s = lua_tostring(L, -1);
        lua_remove(L, -2);
      }
      if (!s || !*s) { empty_part = 1; lua_pop(L, 1); continue; }
      if (parts++) {
        lua_pushliteral(L, " / ");
        lua_insert(L, -2);
        lua_concat(L, 3);
      } else {
        lua_remove(L, -2);
      }
    }
    if (parts == 0) {
      lua_pop(L, 1);
      lua_pushfstring(L, "V%d", j + 1);
      empty_part = 0; /* no header at all: its name is V<j> (unless merged: checked at the end) */
    }
    size_t blen;
    const char *base = lua_tolstring(L, -1, &blen);
    int keep = empty_part && R->header > 0;
    lua_pushnil(L);
    while (!keep && lua_next(L, R->colsel)) {
      size_t len;
      const char *want = lua_tolstring(L, -2, &len);
      keep = len >= blen && memcmp(want, base, blen) == 0 && (len == blen || want[blen] == '_');
      lua_pop(L, 1);
    }
    if (keep) lua_pop(L, 2); /* the key and the base */
    else lua_pop(L, 1);
    if (!keep) R->cols[j].mode = M_SKIP;
  }
}

/* Drain the cells S queued (S is R, or a parallel chunk's copy of it) into
 * R's columns; 0 on an error (in R->err). */
static int drain_queue(lua_State *L, xr *R, xr *S) {
  for (size_t k = 0; k < S->nq; k++) {
    const cellrec *c = &S->q[k];
    int j = c->col - (int)R->left;
    if (c->row < R->data_first) { /* a header cell */
      if (lua_rawgeti(L, R->hdrtab, c->row - R->hdr_first + 1) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_rawseti(L, R->hdrtab, c->row - R->hdr_first + 1);
      }
      push_cell_text(L, R, S, c);
      lua_rawseti(L, -2, j + 1);
      lua_pop(L, 1);
      if (c->col > R->maxcol) R->maxcol = c->col;
      continue;
    }
    int64_t i = c->row - R->data_first;
    if (R->colsel && !R->decided && !R->pass2) decide_columns(L, R);
    if (i + 1 > R->nrow) R->nrow = i + 1; /* the rows and columns of every cell, read or skipped */
    if (c->col > R->maxcol) R->maxcol = c->col;
    colinfo *ci = column(L, R, j);
    if (ci->mode == M_SKIP) continue;
    int64_t have = zs_builder_rows(ci->b);
    if (have > i) {
      char where[24];
      cell_name(c->row, c->col, where);
      snprintf(R->err, sizeof R->err, "cell %s comes twice, or after a later row", where);
      R->stop = STOP_ERR;
      return 0;
    }
    for (; have < i; have++) zs_builder_na(L, ci->b);
    if (!push_cell(L, R, S, ci, c)) {
      char where[24], what[80];
      cell_name(c->row, c->col, where);
      describe_cell(R, S, c, what, sizeof what);
      snprintf(R->err, sizeof R->err, "cell %s: cannot read %s as %s", where, what, zs_type_names[ci->fixed]);
      R->stop = STOP_ERR;
      return 0;
    }
  }
  S->nq = 0;
  S->qtext.n = 0;
  return 1;
}

static int sheet_drain(lua_State *L, xr *R) { return drain_queue(L, R, R); }

static const handlers sheet_handlers = {sheet_start, sheet_end, sheet_drain};

/* ---- the workbook's parts ------------------------------------------------------------ */

typedef struct {
  char workbook[256], wb_dir[256], styles[320], sst[320];
} parts;

/* Read the workbook part and its relationships; NULL or a message (pushed). */
static const char *load_workbook(lua_State *L, xr *R, const char *path, parts *P) {
  snprintf(P->workbook, sizeof P->workbook, "xl/workbook.xml");
  int rc = read_rels(L, R, "_rels/.rels");
  if (rc < 0) return lua_pushfstring(L, "%s: %s", path, R->err);
  if (rc == 0) find_rel(R, "/officeDocument", NULL, 0, "", P->workbook, sizeof P->workbook);
  if (locate(R, P->workbook) < 0 && locate(R, "xl/workbook.xml") >= 0) snprintf(P->workbook, sizeof P->workbook, "xl/workbook.xml");
  const char *slash = strrchr(P->workbook, '/');
  snprintf(P->wb_dir, sizeof P->wb_dir, "%.*s", slash ? (int)(slash - P->workbook + 1) : 0, P->workbook);
  rc = parse_part(L, R, P->workbook, &wb_handlers);
  if (rc == 1) return lua_pushfstring(L, "%s: not an .xlsx workbook (the zip file has no %s)", path, P->workbook);
  if (rc < 0) return lua_pushfstring(L, "%s: %s", path, R->err);
  char rels[1100];
  snprintf(rels, sizeof rels, "%s_rels/%s.rels", P->wb_dir, slash ? slash + 1 : P->workbook);
  rc = read_rels(L, R, rels);
  if (rc < 0) return lua_pushfstring(L, "%s: %s", path, R->err);
  if (!find_rel(R, "/styles", NULL, 0, P->wb_dir, P->styles, sizeof P->styles))
    snprintf(P->styles, sizeof P->styles, "%sstyles.xml", P->wb_dir);
  if (!find_rel(R, "/sharedStrings", NULL, 0, P->wb_dir, P->sst, sizeof P->sst))
    snprintf(P->sst, sizeof P->sst, "%ssharedStrings.xml", P->wb_dir);
  return NULL;
}

/* the part of sheet i (0-based) */
static int sheet_part(xr *R, const parts *P, size_t i, char *out, size_t outsz) {
  const sheetinfo *s = &R->sheets[i];
  return find_rel(R, NULL, R->wbpool.p + s->rid, s->rid_len, P->wb_dir, out, outsz);
}

/* "'A', 'B' (hidden), ..." */
static void push_sheet_list(lua_State *L, xr *R) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (size_t i = 0; i < R->nsheets; i++) {
    if (i) luaL_addstring(&b, ", ");
    luaL_addchar(&b, '\'');
    luaL_addstring(&b, sheet_name(R, i));
    luaL_addchar(&b, '\'');
    if (R->sheets[i].state) {
      luaL_addstring(&b, " (");
      luaL_addstring(&b, state_names[R->sheets[i].state]);
      luaL_addchar(&b, ')');
    }
  }
  luaL_pushresult(&b);
}

static int fail_msg(lua_State *L, const char *msg) {
  lua_pushnil(L);
  lua_pushstring(L, msg);
  return 2;
}

/* ---- options ---------------------------------------------------------------------- */

static int64_t opt_count(lua_State *L, int opts, const char *key, int64_t dflt) {
  int64_t v = dflt;
  if (lua_getfield(L, opts, key) != LUA_TNIL) {
    int ok;
    lua_Integer n = lua_tointegerx(L, -1, &ok);
    if (!ok || n < 0 || lua_type(L, -1) != LUA_TNUMBER) luaL_error(L, "option '%s' must be a non-negative integer", key);
    v = n;
  }
  lua_pop(L, 1);
  return v;
}

/* "A3:K200", "A:K", "3:200", "B2:XFD" (with or without $) */
static void parse_range(lua_State *L, xr *R, const char *s) {
  const char *colon = strchr(s, ':');
  char a[32], b[32];
  int64_t r1, c1, r2, c2;
  int b1, b2;
  if (!colon || colon - s >= 32 || strlen(colon + 1) >= 32) goto bad;
  memcpy(a, s, (size_t)(colon - s));
  a[colon - s] = '\0';
  strcpy(b, colon + 1);
  if (!parse_ref(a, &r1, &c1, &b1) || !parse_ref(b, &r2, &c2, &b2) || b1 || b2) goto bad;
  R->top = r1 ? r1 : 1;
  R->left = c1 ? c1 : 1;
  R->bottom = r2 ? r2 : MAX_ROW;
  R->right = c2 ? c2 : MAX_COL;
  if (R->bottom < R->top || R->right < R->left) goto bad;
  return;
bad:
  luaL_error(L, "option 'range' must be a cell range such as \"A3:K200\" or \"B:F\", got '%s'", s);
}

static const char *const known_options[] = {"sheet", "range", "header", "skip", "nrows", "columns", "types", "na",
                                            "infer", "decimal", "thousands", "date_format", NULL};

/* opts at index 2; sets the region and conventions; pushes nothing */
static void read_options(lua_State *L, xr *R, int opts, int *infer) {
  lua_pushnil(L);
  while (lua_next(L, opts)) {
    int known = 0;
    if (lua_type(L, -2) == LUA_TSTRING)
      for (int i = 0; known_options[i]; i++) known |= strcmp(known_options[i], lua_tostring(L, -2)) == 0;
    if (!known) luaL_error(L, "unknown option '%s'", lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?");
    lua_pop(L, 1);
  }
  R->top = R->left = 1;
  R->bottom = MAX_ROW;
  R->right = MAX_COL;
  if (lua_getfield(L, opts, "range") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "option 'range' must be a string such as \"A3:K200\"");
    parse_range(L, R, lua_tostring(L, -1));
  }
  lua_pop(L, 1);
  int t = lua_getfield(L, opts, "header");
  if (t == LUA_TNIL) R->header = 1;
  else if (t == LUA_TBOOLEAN) R->header = lua_toboolean(L, -1);
  else {
    int ok;
    lua_Integer n = lua_tointegerx(L, -1, &ok);
    if (t != LUA_TNUMBER || !ok || n < 0 || n > 100)
      luaL_error(L, "option 'header' must be a boolean or the number of header rows (0 to 100)");
    R->header = (int)n;
  }
  lua_pop(L, 1);
  int64_t skip = opt_count(L, opts, "skip", 0);
  int64_t nrows = opt_count(L, opts, "nrows", -1);
  *infer = zs_opt_bool(L, opts, "infer", 1);
  R->hdr_first = R->top + (skip < MAX_ROW ? skip : MAX_ROW);
  R->data_first = R->hdr_first + R->header;
  R->data_last = R->bottom;
  if (nrows >= 0 && R->data_first + nrows - 1 < R->data_last) R->data_last = R->data_first + nrows - 1;
  /* text conventions: as read_csv's */
  if (lua_getfield(L, opts, "decimal") != LUA_TNIL) {
    const char *d = lua_tostring(L, -1);
    if (lua_type(L, -1) != LUA_TSTRING || (strcmp(d, ",") != 0 && strcmp(d, ".") != 0))
      luaL_error(L, "option 'decimal' must be \".\" or \",\"");
    R->fmt.decimal = d[0];
    if (R->fmt.decimal == ',') R->fmt.thousands = '.';
    R->conventions = 1;
  }
  lua_pop(L, 1);
  int decimal_given = R->conventions;
  if (lua_getfield(L, opts, "thousands") != LUA_TNIL) {
    const char *s = lua_tostring(L, -1);
    if (lua_type(L, -1) != LUA_TSTRING || (strcmp(s, ",") != 0 && strcmp(s, ".") != 0 && strcmp(s, "") != 0))
      luaL_error(L, "option 'thousands' must be \".\", \",\" or \"\" (none)");
    R->fmt.thousands = s[0];
    if (R->fmt.thousands == '.' && !decimal_given) R->fmt.decimal = ','; /* 1.250 and 1.234,5 */
    R->conventions = 1;
  }
  lua_pop(L, 1);
  if (R->fmt.thousands == R->fmt.decimal)
    luaL_error(L, "options 'decimal' and 'thousands' must differ (decimal = \",\" with thousands = \".\", say)");
  if (lua_getfield(L, opts, "date_format") != LUA_TNIL) {
    const char *d = lua_tostring(L, -1);
    int k = lua_type(L, -1) == LUA_TSTRING ? zs_date_format_from_name(d) : -1;
    if (k < 0)
      luaL_error(L, "option 'date_format' must be \"%%d/%%m/%%Y\", \"%%d-%%m-%%Y\", \"%%m/%%d/%%Y\" or \"%%Y-%%m-%%d\"");
    R->fmt.date = k;
    R->conventions = 1;
  }
  lua_pop(L, 1);
  /* NA tokens: the strings stay alive in opts (or are literals) */
  static const char *const dflt[2] = {"", "NA"};
  if (lua_getfield(L, opts, "na") == LUA_TNIL) {
    R->nna = 2;
    for (int k = 0; k < 2; k++) { R->na[k] = dflt[k]; R->na_len[k] = strlen(dflt[k]); }
  } else if (lua_type(L, -1) == LUA_TSTRING) {
    R->nna = 1;
    R->na[0] = lua_tolstring(L, -1, &R->na_len[0]);
  } else {
    if (!lua_istable(L, -1)) luaL_error(L, "option 'na' must be a string or an array of strings");
    int n = (int)lua_rawlen(L, -1);
    if (n > MAX_NA) luaL_error(L, "option 'na': at most %d tokens", MAX_NA);
    for (int i = 1; i <= n; i++) {
      if (lua_rawgeti(L, -1, i) != LUA_TSTRING) luaL_error(L, "option 'na' must hold strings");
      R->na[i - 1] = lua_tolstring(L, -1, &R->na_len[i - 1]);
      lua_pop(L, 1); /* still referenced by the option's table */
    }
    R->nna = n;
  }
  lua_pop(L, 1);
}

/* ---- names --------------------------------------------------------------------------- */

/* Header names of columns 0..ncol-1 (pushed as an array): the header rows'
 * texts joined with " / " (empty parts, and a part repeating the one above
 * it, a vertically merged cell, left out), merged cells' values repeated
 * across their span; then the names are made unique as read_csv does
 * (empty: V<j>; repeats: name_2, name_3...). */
static void push_names(lua_State *L, xr *R, int ncol) {
  /* merges: the origin's text over the span, within the header rows */
  int64_t hdr_last = R->data_first - 1, budget = (int64_t)R->header * ncol * 4 + 100000;
  for (size_t m = 0; m < R->nmerge && budget > 0; m++) {
    const int32_t *g = R->merges + 4 * m;
    if (g[0] < R->hdr_first || g[1] < R->left || g[1] >= R->left + ncol) continue; /* origin not read */
    lua_rawgeti(L, R->hdrtab, g[0] - R->hdr_first + 1);
    if (lua_isnil(L, -1)) { lua_pop(L, 1); continue; }
    lua_rawgeti(L, -1, g[1] - R->left + 1);
    lua_remove(L, -2);
    int value = lua_gettop(L);
    if (lua_isnil(L, value)) { lua_pop(L, 1); continue; }
    for (int64_t r = g[0]; r <= g[2] && r <= hdr_last; r++) {
      if (lua_rawgeti(L, R->hdrtab, r - R->hdr_first + 1) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_rawseti(L, R->hdrtab, r - R->hdr_first + 1);
      }
      for (int64_t c = g[1]; c <= g[3] && c < R->left + ncol && budget > 0; c++, budget--) {
        lua_pushvalue(L, value);
        lua_rawseti(L, -2, c - R->left + 1);
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_createtable(L, ncol, 0);
  int names = lua_gettop(L);
  for (int j = 0; j < ncol; j++) {
    int nparts = 0, last = 0; /* stack index of the last part */
    for (int k = 0; k < R->header; k++) {
      if (lua_rawgeti(L, R->hdrtab, k + 1) != LUA_TTABLE) { lua_pop(L, 1); continue; }
      lua_rawgeti(L, -1, j + 1);
      lua_remove(L, -2);
      if (lua_type(L, -1) != LUA_TSTRING || lua_rawlen(L, -1) == 0 || (last && lua_rawequal(L, -1, last))) {
        lua_pop(L, 1);
        continue;
      }
      if (nparts) {
        lua_pushliteral(L, " / ");
        lua_insert(L, -2);
        nparts++;
      }
      nparts++;
      last = lua_gettop(L);
      luaL_checkstack(L, 4, "too many header rows");
    }
    if (nparts == 0) lua_pushliteral(L, "");
    else lua_concat(L, nparts);
    lua_rawseti(L, names, j + 1);
  }
  /* unique names */
  lua_newtable(L); /* seen: name -> next suffix */
  int seen = lua_gettop(L);
  for (int j = 1; j <= ncol; j++) {
    lua_rawgeti(L, names, j);
    if (lua_rawlen(L, -1) == 0) {
      lua_pop(L, 1);
      lua_pushfstring(L, "V%d", j);
    }
    const char *base = lua_tostring(L, -1);
    lua_pushvalue(L, -1);
    if (lua_rawget(L, seen) != LUA_TNIL) {
      lua_Integer k = lua_tointeger(L, -1);
      lua_pop(L, 1);
      for (;; k++) {
        lua_pushfstring(L, "%s_%I", base, k);
        lua_pushvalue(L, -1);
        if (lua_rawget(L, seen) == LUA_TNIL) { lua_pop(L, 1); break; }
        lua_pop(L, 2);
      }
      lua_pushvalue(L, -2);
      lua_pushinteger(L, k + 1);
      lua_rawset(L, seen);
      lua_remove(L, -2);
    } else {
      lua_pop(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_pushinteger(L, 2);
    lua_rawset(L, seen);
    lua_rawseti(L, names, j);
  }
  lua_pop(L, 1);
}

/* ---- parsing a sheet on several threads --------------------------------------------- */

/* A big sheet is inflated on the main thread and cut into chunks of about
 * 2 MB, each ending just before a <row> tag; each chunk is parsed by its own
 * expat parser on a worker thread (chunks after the first are preceded by
 * "<worksheet><sheetData>", with the document's own prefixes, so that they
 * are well-formed on their own) into its own cell queue, and the main
 * thread drains the queues in order: the cells reach the builders in the
 * same order as in a serial parse.  What would make a cut unsafe or a
 * worker's view differ from the serial one falls back to the serial parse
 * of the whole sheet: markup that may hide a "<row" (comments, CDATA,
 * processing instructions, a DTD), a row without r= after the first chunk,
 * an XML error after the first chunk (the serial parse then reports it at
 * its true line), a row longer than 64 MB. */
#define PAR_CHUNK ((size_t)2 << 20)
#define PAR_MIN ((uint64_t)8 << 20)      /* sheets whose XML is at least this big */
#define PAR_MAX_CHUNK ((size_t)64 << 20)
#define PAR_HEAD ((size_t)1 << 20)       /* <sheetData> must start within this */
#define PAR_SLOTS 16

typedef struct pchunk {
  xr *W;           /* the worker's copy of the reader (malloc) */
  char *buf;       /* the chunk's text, after its wrapper (malloc) */
  size_t len, cap;
  int final;
  pthread_t tid;
  int running;
} pchunk;

/* free what a worker's copy allocated (its parse state only: the rest is
 * the main reader's) */
static void worker_free(xr *W) {
  if (!W) return;
  if (W->xp) XML_ParserFree(W->xp);
  xbuf_free(W, &W->text);
  xbuf_free(W, &W->qtext);
  FREE_ARRAY(W, W->q, W->qcap);
  FREE_ARRAY(W, W->merges, W->mergecap);
  free(W);
}

static void chunk_release(pchunk *c) {
  if (c->running) {
    pthread_join(c->tid, NULL);
    c->running = 0;
  }
  worker_free(c->W);
  c->W = NULL;
  free(c->buf);
  c->buf = NULL;
  c->len = c->cap = 0;
}

/* join every chunk and free them, and the carry buffer (also from __gc) */
static void parallel_release(xr *R) {
  if (R->chunks) {
    for (int i = 0; i < R->nslots; i++) chunk_release(&R->chunks[i]);
    free(R->chunks);
    R->chunks = NULL;
  }
  R->nslots = 0;
  free(R->pbuf);
  R->pbuf = NULL;
  R->plen = R->pcap = 0;
}

static void *chunk_thread(void *arg) {
  pchunk *c = arg;
  xr *W = c->W;
  W->xp = XML_ParserCreate(NULL);
  if (!W->xp) { nomem(W); return NULL; }
  XML_SetUserData(W->xp, W);
  XML_SetElementHandler(W->xp, sheet_start, sheet_end);
  XML_SetCharacterDataHandler(W->xp, collect);
  XML_SetStartDoctypeDeclHandler(W->xp, refuse_doctype);
  XML_SetEntityDeclHandler(W->xp, refuse_entity);
  XML_SetParamEntityParsing(W->xp, XML_PARAM_ENTITY_PARSING_NEVER);
  if (XML_Parse(W->xp, c->buf, (int)c->len, c->final) == XML_STATUS_ERROR && W->stop != STOP_DONE &&
      W->stop != STOP_ERR) {
    xfail(W, "%s:%lu:%lu: %s", W->entry, (unsigned long)XML_GetErrorLineNumber(W->xp),
          (unsigned long)XML_GetErrorColumnNumber(W->xp) + 1, XML_ErrorString(XML_GetErrorCode(W->xp)));
    W->err_is_xml = 1;
  }
  XML_ParserFree(W->xp);
  W->xp = NULL;
  return NULL;
}

/* the worker's copy of R: R's shared data (shared strings, styles,
 * options), a fresh parse state, malloc for its own buffers */
static xr *worker_copy(xr *R) {
  xr *W = malloc(sizeof *W);
  if (!W) return NULL;
  memcpy(W, R, sizeof *W);
  W->alloc = zs_sysalloc;
  W->aud = NULL;
  W->za = NULL;
  W->zf = NULL;
  W->xp = NULL;
  W->fd = -1;
  W->chunks = NULL;
  W->pbuf = NULL;
  W->stop = STOP_NONE;
  W->err[0] = '\0';
  W->err_is_xml = W->depth = W->collecting = W->norow = 0;
  memset(&W->text, 0, sizeof W->text);
  memset(&W->qtext, 0, sizeof W->qtext);
  W->q = NULL;
  W->nq = W->qcap = 0;
  W->merges = NULL;
  W->nmerge = W->mergecap = 0;
  W->in_sd = W->in_c = W->in_v = W->in_is = W->rph = 0;
  W->row = W->prev_row = W->ccol = 0;
  return W;
}

/* where the last "<row" tag of buf[from, len) starts; 0 if none */
static size_t last_row_tag(const char *buf, size_t from, size_t len, const char *tag, size_t tlen) {
  size_t end = len;
  while (end > from) {
    const char *lt = memrchr(buf + from, '<', end - from);
    if (!lt) return 0;
    size_t at = (size_t)(lt - buf);
    if (at + tlen < len && memcmp(lt, tag, tlen) == 0) {
      char c = lt[tlen];
      if (c == ' ' || c == '>' || c == '/' || c == '\t' || c == '\n' || c == '\r') return at > from ? at : 0;
    }
    end = at;
  }
  return 0;
}

/* inflate more of the entry into R->pbuf; 1 if something came, 0 at the
 * end, -1 on error */
static int inflate_more(xr *R, size_t want) {
  if (R->plen + want > R->pcap) {
    size_t cap = R->pcap ? R->pcap : PAR_CHUNK;
    while (cap < R->plen + want) cap *= 2;
    char *p = realloc(R->pbuf, cap);
    if (!p) { nomem(R); return -1; }
    R->pbuf = p;
    R->pcap = cap;
  }
  zip_int64_t n = zip_fread(R->zf, R->pbuf + R->plen, want);
  if (n < 0) {
    xfail(R, "%s: the zip file is damaged (%s)", R->entry, zip_file_strerror(R->zf));
    return -1;
  }
  R->inflated += (uint64_t)n;
  if (R->inflated > R->limit) {
    xfail(R, "%s inflates to more than both %d times the file's size and 2 GiB: refused as a possible zip bomb", R->entry,
          BOMB_RATIO);
    return -1;
  }
  R->plen += (size_t)n;
  return n > 0;
}

/* Join chunk k and drain it: 1 done, 0 fall back to the serial parse, -1
 * an error (in R->err) */
static int finish_chunk(lua_State *L, xr *R, pchunk *c, int64_t k) {
  if (c->running) {
    pthread_join(c->tid, NULL);
    c->running = 0;
  }
  xr *W = c->W;
  if (W->stop == STOP_ERR) {
    if (k > 0 && W->err_is_xml) return 0;
    snprintf(R->err, sizeof R->err, "%s", W->err);
    R->stop = STOP_ERR;
    return -1;
  }
  if (k > 0 && W->norow) return 0;
  if (!drain_queue(L, R, W)) return -1;
  for (size_t m = 0; m < W->nmerge; m++) {
    if (grow(R, (void **)&R->merges, &R->mergecap, R->nmerge * 4, 4, sizeof *R->merges) < 0) luaL_error(L, "not enough memory");
    memcpy(R->merges + 4 * R->nmerge++, W->merges + 4 * m, 4 * sizeof *R->merges);
  }
  int stopped = W->stop == STOP_DONE;
  worker_free(W);
  c->W = NULL;
  return stopped ? 2 : 1;
}

/* The sheet part at idx on nthreads workers: 1 done, 0 fall back to the
 * serial parse (nothing drained is kept), -1 an error (in R->err). */
static int sheet_parallel(lua_State *L, xr *R, zip_int64_t idx, int nthreads) {
  int slots = nthreads < PAR_SLOTS ? nthreads : PAR_SLOTS;
  R->chunks = calloc((size_t)slots, sizeof *R->chunks);
  if (!R->chunks) luaL_error(L, "not enough memory");
  R->nslots = slots;
  R->zf = zip_fopen_index(R->za, (zip_uint64_t)idx, 0);
  if (!R->zf) {
    xfail(R, "%s: %s", R->entry, zip_strerror(R->za));
    return -1;
  }
  R->inflated = 0;
  R->plen = 0;
  int rc = 1, eof = 0;
  /* the head: the root element and <sheetData> (no comment, DTD or PI but
   * the XML declaration before it) */
  const char *sd = NULL;
  while (!eof && R->plen < PAR_HEAD) {
    int got = inflate_more(R, 1 << 16);
    if (got < 0) return -1;
    eof = !got;
    sd = memmem(R->pbuf, R->plen, "sheetData", 9);
    if (sd && memchr(sd, '>', R->plen - (size_t)(sd - R->pbuf))) break;
    sd = NULL;
  }
  if (!sd || !strchr(" \t\r\n>/", sd[9])) return 0;
  const char *lt = sd;
  while (lt > R->pbuf && lt[-1] != '<' && lt[-1] != '>' && lt[-1] != ' ') lt--;
  if (lt == R->pbuf || lt[-1] != '<') return 0;
  lt--;
  const char *gt = memchr(sd, '>', R->plen - (size_t)(sd - R->pbuf));
  if (gt[-1] == '/') return 0; /* <sheetData/> */
  size_t sdpos = (size_t)(gt - R->pbuf) + 1;
  const char *root = R->pbuf;
  if ((root = memchr(root, '<', (size_t)(lt - root))) && root[1] == '?') root = memmem(root, (size_t)(lt - root), "?>", 2);
  if (root) root = memchr(root, '<', (size_t)(lt - root));
  if (!root || root[1] == '!' || root[1] == '?' || memmem(R->pbuf, sdpos, "<!", 2)) return 0;
  size_t rlen = 1;
  while (root + rlen < lt && !strchr(" \t\r\n>/", root[rlen])) rlen++;
  size_t slen = 0;
  while (lt + slen < gt && !strchr(" \t\r\n>/", lt[slen])) slen++;
  char wrap[160], tag[80];
  if (rlen + slen + 4 > sizeof wrap || slen > 64) return 0;
  /* "<root><sheetData>" and "<prefix:row" */
  int wl = snprintf(wrap, sizeof wrap, "%.*s><%.*s>", (int)rlen, root, (int)(slen - 1), lt + 1);
  size_t pfx = slen - 1 - 9; /* the prefix of sheetData, with its ':' */
  int tl = snprintf(tag, sizeof tag, "<%.*srow", (int)pfx, lt + 1);
  int64_t k = 0, oldest = 0;
  for (;;) {
    /* fill to a chunk's size, then cut before the last <row> */
    size_t cut = 0, target = PAR_CHUNK;
    for (;;) {
      while (!eof && R->plen < target) {
        int got = inflate_more(R, target - R->plen);
        if (got < 0) { rc = -1; goto out; }
        eof = !got;
      }
      if (eof) { cut = R->plen; break; }
      cut = last_row_tag(R->pbuf, k == 0 ? sdpos : 0, R->plen, tag, (size_t)tl);
      if (cut) break;
      if (target >= PAR_MAX_CHUNK) { rc = 0; goto out; }
      target *= 2;
    }
    size_t scan = k == 0 ? sdpos : 0;
    if (memmem(R->pbuf + scan, cut - scan, "<!", 2) || memmem(R->pbuf + scan, cut - scan, "<?", 2)) { rc = 0; goto out; }
    /* a free slot: join and drain the oldest chunk first */
    pchunk *c = &R->chunks[k % slots];
    if (c->running || c->W) {
      int fr = finish_chunk(L, R, c, oldest++);
      if (fr <= 0) { rc = fr; goto out; }
      if (fr == 2) break; /* that worker saw the last row wanted */
    }
    size_t extra = k == 0 ? 0 : (size_t)wl;
    if (c->cap < cut + extra) {
      free(c->buf);
      c->cap = cut + extra;
      c->buf = malloc(c->cap);
      if (!c->buf) { c->cap = 0; luaL_error(L, "not enough memory"); }
    }
    memcpy(c->buf, wrap, extra);
    memcpy(c->buf + extra, R->pbuf, cut);
    c->len = cut + extra;
    memmove(R->pbuf, R->pbuf + cut, R->plen - cut);
    R->plen -= cut;
    c->final = eof && R->plen == 0;
    c->W = worker_copy(R);
    if (!c->W) luaL_error(L, "not enough memory");
    if (pthread_create(&c->tid, NULL, chunk_thread, c) != 0) {
      chunk_thread(c); /* no thread: parse here */
      c->running = 0;
      int fr = finish_chunk(L, R, c, oldest++);
      if (fr <= 0) { rc = fr; goto out; }
      k++;
      if (fr == 2 || c->final) break;
      continue;
    }
    c->running = 1;
    k++;
    if (c->final) break;
  }
  /* the chunks still in flight, in order */
  for (; oldest < k; oldest++) {
    pchunk *c = &R->chunks[oldest % slots];
    if (!c->running && !c->W) continue;
    int fr = finish_chunk(L, R, c, oldest);
    if (fr <= 0) { rc = fr; goto out; }
    if (fr == 2) { oldest++; break; }
  }
out:
  parallel_release(R);
  if (R->zf) { zip_fclose(R->zf); R->zf = NULL; }
  return rc;
}

/* Forget what a pass built (before the serial parse redoes it). */
static void reset_pass(lua_State *L, xr *R) {
  for (int j = 0; j < R->ncols; j++) {
    R->cols[j].b = NULL;
    R->cols[j].flags = 0;
  }
  if (!R->pass2) R->ncols = 0;
  lua_newtable(L);
  lua_replace(L, R->btab);
  if (!R->pass2) {
    lua_newtable(L);
    lua_replace(L, R->hdrtab);
  }
  R->nrow = R->maxcol = 0;
  R->n_noval = R->n_bad_serial = 0;
  R->nmerge = 0;
  R->decided = 0;
  R->stop = STOP_NONE;
  R->err[0] = '\0';
}

/* ---- casts ---------------------------------------------------------------------------- */

/* Push the column at idx as str, as the builder writes values as text
 * (integral floats within 2^53 without a fraction, dates yyyy-mm-dd,
 * booleans true/false), so that types = {c = "str"} gives the text that
 * infer = false gives. */
static void cast_to_str(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  zs_col *c = zs_col_check(L, idx);
  zs_col *r = zs_col_push(L, ZS_STR, c->n, 0);
  char buf[48];
  int has_na = 0;
  for (int64_t i = 0; i < c->n; i++) {
    int len = -1;
    switch (c->type) {
    case ZS_INT: {
      int64_t v = ((int64_t *)c->data)[i];
      if (v != ZS_NA_INT) len = zs_format_int(v, buf);
      break;
    }
    case ZS_FLOAT: {
      double v = ((double *)c->data)[i];
      if (isnan(v)) break;
      len = v == floor(v) && fabs(v) <= TWO53 ? zs_format_int((int64_t)v, buf) : zs_format_float(v, buf, '.');
      break;
    }
    case ZS_BOOL: {
      int8_t v = ((int8_t *)c->data)[i];
      if (v != ZS_NA_BOOL) len = snprintf(buf, sizeof buf, "%s", v ? "true" : "false");
      break;
    }
    case ZS_DATE: {
      int32_t v = ((int32_t *)c->data)[i];
      if (v != ZS_NA_DATE) len = zs_format_date(v, buf);
      break;
    }
    default: break;
    }
    if (len < 0) {
      ((int32_t *)r->data)[i] = ZS_NA_CODE;
      has_na = 1;
      continue;
    }
    int32_t code = zs_dict_intern(r->dict, buf, (size_t)len);
    if (code < 0) luaL_error(L, "not enough memory");
    ((int32_t *)r->data)[i] = code;
  }
  zs_col_note_na(r, has_na);
  zs_col_sort_dict(L, -1);
  r->codes_dense = 1;
}

/* ---- reading a sheet ----------------------------------------------------------------- */

static void pass_start(xr *R) {
  R->in_sd = R->in_c = R->in_v = R->in_is = 0;
  R->row = R->prev_row = R->ccol = 0;
  R->rph = 0;
  R->nq = 0;
  R->qtext.n = 0;
  R->norow = 0;
}

/* run one pass over the sheet part (on several threads when it is big);
 * 0 ok, else -1 (R->err) */
static int sheet_pass(lua_State *L, xr *R, const char *part) {
  pass_start(R);
  zip_int64_t idx = locate(R, part);
  zip_stat_t st;
  zip_stat_init(&st);
  if (idx >= 0 && zs_nthreads > 1 && zip_stat_index(R->za, (zip_uint64_t)idx, 0, &st) == 0 &&
      (st.valid & ZIP_STAT_SIZE) && st.size >= PAR_MIN && st.size <= R->limit) {
    snprintf(R->entry, sizeof R->entry, "%s", part);
    R->stop = STOP_NONE;
    R->err[0] = '\0';
    R->err_is_xml = 0;
    int rc = sheet_parallel(L, R, idx, zs_nthreads);
    if (rc != 0) return rc > 0 ? 0 : -1;
    reset_pass(L, R); /* something the cuts cannot handle: the serial parse */
    pass_start(R);
  }
  int rc = parse_part(L, R, part, &sheet_handlers);
  if (rc == 1) {
    snprintf(R->err, sizeof R->err, "the workbook has no part %s for this sheet", part);
    return -1;
  }
  return rc;
}

/* finish column j of the pass's builders into a Column (pushed); n rows */
static void finish_column(lua_State *L, xr *R, int j, int64_t n) {
  if (j < R->ncols && R->cols[j].b) {
    zs_builder *b = R->cols[j].b;
    for (int64_t have = zs_builder_rows(b); have < n; have++) zs_builder_na(L, b);
    lua_rawgeti(L, R->btab, j + 1);
    zs_col *c = zs_builder_finish(L, -1);
    lua_remove(L, -2);
    R->cols[j].b = NULL;
    lua_pushnil(L);
    lua_rawseti(L, R->btab, j + 1);
    if (c->type == ZS_STR) {
      zs_col_sort_dict(L, -1);
      c->codes_dense = 1;
    }
    return;
  }
  zs_col *c = zs_col_push(L, ZS_STR, n, 0);
  for (int64_t i = 0; i < n; i++) ((int32_t *)c->data)[i] = ZS_NA_CODE;
  zs_col_note_na(c, n > 0);
}

static int sheet_fail(lua_State *L, const char *path, const char *sheet, const char *err) {
  lua_pushnil(L);
  lua_pushfstring(L, "%s: sheet '%s': %s", path, sheet, err);
  return 2;
}

/* core.read_xlsx(path [, opts]) -> frame, warnings | nil, message */
static int l_read_xlsx(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  if (lua_isnil(L, 2)) { lua_newtable(L); lua_replace(L, 2); }
  xr *R = reader_push(L); /* 3 */
  int infer;
  read_options(L, R, 2, &infer);
  int t = lua_getfield(L, 2, "sheet");
  if (t != LUA_TNIL && t != LUA_TSTRING && !lua_isinteger(L, -1))
    luaL_error(L, "option 'sheet' must be a sheet name or a 1-based index");
  lua_pop(L, 1);
  const char *msg = open_workbook(L, R, path);
  if (msg) return fail_msg(L, msg);
  parts P;
  if ((msg = load_workbook(L, R, path, &P))) return fail_msg(L, msg);
  /* the sheet */
  size_t si = (size_t)-1;
  t = lua_getfield(L, 2, "sheet");
  if (t == LUA_TNIL) {
    for (size_t i = 0; i < R->nsheets && si == (size_t)-1; i++)
      if (R->sheets[i].state == 0) si = i;
    if (si == (size_t)-1)
      return fail_msg(L, lua_pushfstring(L, "%s: the workbook has no visible sheet (sheets: %s)", path,
                                         (push_sheet_list(L, R), lua_tostring(L, -1))));
  } else if (t == LUA_TSTRING) {
    size_t len;
    const char *want = lua_tolstring(L, -1, &len);
    for (size_t i = 0; i < R->nsheets && si == (size_t)-1; i++)
      if (R->sheets[i].name_len == len && memcmp(sheet_name(R, i), want, len) == 0) si = i;
    if (si == (size_t)-1) {
      push_sheet_list(L, R);
      return fail_msg(L, lua_pushfstring(L, "%s: no sheet named '%s' (sheets: %s)", path, want, lua_tostring(L, -1)));
    }
  } else {
    lua_Integer k = lua_tointeger(L, -1);
    if (k < 1 || (size_t)k > R->nsheets) {
      push_sheet_list(L, R);
      return fail_msg(L, lua_pushfstring(L, "%s: no sheet %I: the workbook has %I (%s)", path, k,
                                         (lua_Integer)R->nsheets, lua_tostring(L, -1)));
    }
    si = (size_t)k - 1;
  }
  lua_pop(L, 1);
  const char *sname = sheet_name(R, si);
  char part[512];
  if (!sheet_part(R, &P, si, part, sizeof part))
    return sheet_fail(L, path, sname, "the workbook's relationships do not say where it is");
  if (!rel_is(L, R, R->wbpool.p + R->sheets[si].rid, R->sheets[si].rid_len, "worksheet"))
    return sheet_fail(L, path, sname, lua_pushfstring(L, "it is a %s, not a worksheet", lua_tostring(L, -1)));
  /* styles and shared strings */
  int rc = parse_part(L, R, P.styles, &styles_handlers);
  if (rc < 0) return fail_msg(L, lua_pushfstring(L, "%s: %s", path, R->err));
  if (finish_styles(R) < 0) luaL_error(L, "not enough memory");
  if (grow(R, (void **)&R->sst_off, &R->sstcap, 0, 1, sizeof *R->sst_off) < 0) luaL_error(L, "not enough memory");
  R->sst_off[0] = 0;
  rc = parse_part(L, R, P.sst, &sst_handlers);
  if (rc < 0) return fail_msg(L, lua_pushfstring(L, "%s: %s", path, R->err));

  /* pass 1 */
  lua_newtable(L); /* 4: builders */
  R->btab = 4;
  lua_newtable(L); /* 5: header texts by row */
  R->hdrtab = 5;
  R->dmode = M_INFER; /* every column of pass 1 */
  R->dfixed = infer ? -1 : ZS_STR;
  lua_newtable(L); /* 6: the names asked for (a set), when `columns` is given */
  if (lua_getfield(L, 2, "columns") != LUA_TNIL) {
    if (!lua_istable(L, -1)) luaL_error(L, "option 'columns' must be an array of names");
    int n = (int)lua_rawlen(L, -1);
    for (int i = 1; i <= n; i++) {
      if (lua_rawgeti(L, -1, i) != LUA_TSTRING) luaL_error(L, "option 'columns' must hold names");
      lua_pushboolean(L, 1);
      lua_rawset(L, 6);
    }
    R->colsel = 6;
  }
  lua_pop(L, 1);
  if (sheet_pass(L, R, part) < 0) return sheet_fail(L, path, sname, R->err);
  int ncol, names = 7, byname = 8, sel = 9, nsel;
  int64_t nrow;
  for (;;) {
    lua_settop(L, 6);
    int64_t ncol64 = R->right < MAX_COL ? R->right - R->left + 1 : R->maxcol >= R->left ? R->maxcol - R->left + 1 : 0;
    ncol = (int)ncol64;
    nrow = R->nrow;
    push_names(L, R, ncol); /* 7 */
    /* selection, in the order asked for */
    lua_newtable(L); /* 8: name -> j (1-based) */
    for (int j = 1; j <= ncol; j++) {
      lua_rawgeti(L, names, j);
      lua_pushinteger(L, j);
      lua_rawset(L, byname);
    }
    lua_newtable(L); /* 9: selected j's */
    nsel = 0;
    if (lua_getfield(L, 2, "columns") != LUA_TNIL) {
      int n = (int)lua_rawlen(L, -1);
      lua_newtable(L); /* taken */
      for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, -2, i);
        lua_pushvalue(L, -1);
        if (lua_rawget(L, byname) == LUA_TNIL)
          return sheet_fail(L, path, sname, lua_pushfstring(L, "no column named '%s'", lua_tostring(L, -2)));
        lua_pushvalue(L, -2);
        if (lua_rawget(L, -4) != LUA_TNIL) luaL_error(L, "option 'columns' names '%s' twice", lua_tostring(L, -3));
        lua_pop(L, 1);
        lua_pushvalue(L, -2);
        lua_pushboolean(L, 1);
        lua_rawset(L, -5);
        lua_rawseti(L, sel, ++nsel);
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
    } else {
      for (int j = 1; j <= ncol; j++) {
        lua_pushinteger(L, j);
        lua_rawseti(L, sel, ++nsel);
      }
    }
    lua_pop(L, 1);
    /* a column asked for that was skipped (a merged cell renamed it): again, reading every column */
    int missed = 0;
    for (int k = 1; k <= nsel && !missed; k++) {
      lua_rawgeti(L, sel, k);
      int j = (int)lua_tointeger(L, -1) - 1;
      lua_pop(L, 1);
      missed = j < R->ncols && R->cols[j].mode == M_SKIP;
    }
    if (!missed) break;
    R->colsel = 0;
    reset_pass(L, R);
    if (sheet_pass(L, R, part) < 0) return sheet_fail(L, path, sname, R->err);
  }
  /* the selected columns of pass 1 */
  lua_createtable(L, ncol, 0); /* 10: pass-1 columns */
  int cols = 10;
  unsigned *flags = lua_newuserdatauv(L, sizeof(unsigned) * (size_t)(ncol ? ncol : 1), 0); /* 11 */
  for (int k = 1; k <= nsel; k++) {
    lua_rawgeti(L, sel, k);
    int j = (int)lua_tointeger(L, -1) - 1;
    lua_pop(L, 1);
    flags[j] = j < R->ncols ? R->cols[j].flags : 0;
    finish_column(L, R, j, nrow);
    lua_rawseti(L, cols, j + 1);
  }
  /* the type each selected column must have (-1: as read) */
  int *want = lua_newuserdatauv(L, sizeof(int) * (size_t)(ncol ? ncol : 1), 0); /* 12 */
  for (int j = 0; j < ncol; j++) want[j] = -1;
  if (lua_getfield(L, 2, "types") != LUA_TNIL) {
    if (!lua_istable(L, -1)) luaL_error(L, "option 'types' must be a table of column name = type");
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      if (lua_type(L, -2) != LUA_TSTRING) luaL_error(L, "option 'types': keys must be column names");
      const char *tn = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
      int ty = tn ? zs_type_from_name(tn) : -1;
      if (ty < 0) luaL_error(L, "option 'types': unknown type '%s' for column '%s'", tn ? tn : "?", lua_tostring(L, -2));
      lua_pushvalue(L, -2);
      if (lua_rawget(L, byname) == LUA_TNIL)
        return sheet_fail(L, path, sname, lua_pushfstring(L, "option 'types': no column named '%s'", lua_tostring(L, -3)));
      want[lua_tointeger(L, -1) - 1] = ty;
      lua_pop(L, 2);
    }
  }
  lua_pop(L, 1);
  /* which columns a second pass must rebuild, and how */
  int any2 = 0;
  int *mode2 = lua_newuserdatauv(L, sizeof(int) * (size_t)(ncol ? ncol : 1), 0); /* 13 */
  for (int j = 0; j < ncol; j++) mode2[j] = M_SKIP;
  for (int k = 1; k <= nsel; k++) {
    lua_rawgeti(L, sel, k);
    int j = (int)lua_tointeger(L, -1) - 1;
    lua_pop(L, 1);
    lua_rawgeti(L, cols, j + 1);
    zs_col *c = zs_col_check(L, -1);
    int have = c->type;
    lua_pop(L, 1);
    int w = want[j];
    unsigned f = flags[j];
    if (w >= 0) {
      if (w == have || w == ZS_STR || (w == ZS_FLOAT && have == ZS_INT) || f == 0) continue; /* cast below */
      mode2[j] = M_FIXED;
    } else if (R->conventions && infer && (f & F_TEXT)) {
      mode2[j] = M_CONV;
    } else if (infer && f == (F_DATE_INT | F_DATE_FRAC)) {
      mode2[j] = M_SERIAL;
    } else {
      continue;
    }
    any2 = 1;
  }
  if (any2) {
    /* fresh builders for the columns of pass 2 only */
    if (R->cols) memset(R->cols, 0, (size_t)R->colcap * sizeof *R->cols);
    R->ncols = 0;
    lua_newtable(L);
    lua_replace(L, 4);
    R->dmode = M_SKIP;
    column(L, R, ncol - 1);
    for (int j = 0; j < ncol; j++) {
      R->cols[j].mode = mode2[j];
      R->cols[j].fixed = mode2[j] == M_FIXED ? want[j] : -1;
    }
    R->pass2 = 1;
    int64_t saved_nrow = R->nrow;
    R->data_last = R->data_first + nrow - 1; /* no row past those of pass 1 */
    if (sheet_pass(L, R, part) < 0) return sheet_fail(L, path, sname, R->err);
    R->nrow = saved_nrow;
    for (int j = 0; j < ncol; j++) {
      if (mode2[j] == M_SKIP) continue;
      finish_column(L, R, j, nrow);
      zs_col *c = zs_col_check(L, -1);
      if (mode2[j] == M_CONV && c->type == ZS_STR) { lua_pop(L, 1); continue; } /* text stays as it was */
      lua_rawseti(L, cols, j + 1);
    }
  }
  /* casts that cannot fail, then the frame */
  luaL_checkstack(L, 2 * nsel + 8, "too many columns");
  int base = lua_gettop(L);
  for (int k = 1; k <= nsel; k++) {
    lua_rawgeti(L, sel, k);
    int j = (int)lua_tointeger(L, -1) - 1;
    lua_pop(L, 1);
    lua_rawgeti(L, names, j + 1);
    lua_rawgeti(L, cols, j + 1);
    zs_col *c = zs_col_check(L, -1);
    if (want[j] >= 0 && (int)c->type != want[j]) {
      if (want[j] == ZS_STR) cast_to_str(L, -1);
      else zs_col_cast(L, -1, (zs_type)want[j], lua_tostring(L, -2));
      lua_remove(L, -2);
    }
  }
  zs_frame_build(L, nsel);
  int frame = lua_gettop(L);
  (void)base;
  /* warnings */
  lua_newtable(L);
  int nw = 0;
  if (R->n_noval) {
    lua_pushfstring(L, "%s: sheet '%s': %I formula cell%s without a computed value read as NA (the first: %s); "
                       "open and save the workbook in Excel or LibreOffice to compute them",
                    path, sname, (lua_Integer)R->n_noval, R->n_noval > 1 ? "s" : "", R->first_noval);
    lua_rawseti(L, -2, ++nw);
  }
  if (R->n_bad_serial) {
    lua_pushfstring(L, "%s: sheet '%s': %I date cell%s read as NA (the first: %s, serial %d%s)", path, sname,
                    (lua_Integer)R->n_bad_serial, R->n_bad_serial > 1 ? "s" : "", R->first_bad_serial,
                    (int)R->bad_serial,
                    R->bad_serial == 60 && !R->date1904 ? ", which is 1900-02-29: a day that never was, kept by Excel "
                                                          "for Lotus 1-2-3" : ", before the first date of the 1900 system");
    lua_rawseti(L, -2, ++nw);
  }
  for (int i = 1; i <= nw; i++) {
    lua_rawgeti(L, -1, i);
    lua_warning(L, "zonestat: ", 1);
    lua_warning(L, lua_tostring(L, -1), 0);
    lua_pop(L, 1);
  }
  /* release the archive and buffers now rather than at the next collection */
  lua_pushcfunction(L, reader_gc);
  lua_pushvalue(L, 3);
  lua_call(L, 1, 0);
  lua_pushvalue(L, frame);
  lua_insert(L, -2);
  return 2;
}

/* ---- xlsx_sheets ----------------------------------------------------------------------- */

static const handlers dim_handlers = {sheet_start, sheet_end, NULL};

/* core.xlsx_sheets(path) -> frame (index, name, state, dimension) | nil, message */
static int l_xlsx_sheets(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lua_settop(L, 1);
  xr *R = reader_push(L); /* 2 */
  const char *msg = open_workbook(L, R, path);
  if (msg) return fail_msg(L, msg);
  parts P;
  if ((msg = load_workbook(L, R, path, &P))) return fail_msg(L, msg);
  zs_builder *bi = zs_builder_push(L, ZS_INT, NULL);   /* 3 */
  zs_builder *bn = zs_builder_push(L, ZS_STR, NULL);   /* 4 */
  zs_builder *bs = zs_builder_push(L, ZS_STR, NULL);   /* 5 */
  zs_builder *bd = zs_builder_push(L, ZS_STR, NULL);   /* 6 */
  R->dim_only = 1;
  R->top = R->left = R->hdr_first = R->data_first = 1;
  R->bottom = R->data_last = MAX_ROW;
  R->right = MAX_COL;
  for (size_t i = 0; i < R->nsheets; i++) {
    zs_builder_int(L, bi, (int64_t)i + 1);
    zs_builder_text(L, bn, sheet_name(R, i), R->sheets[i].name_len);
    zs_builder_text(L, bs, state_names[R->sheets[i].state], strlen(state_names[R->sheets[i].state]));
    char part[512];
    R->dimension[0] = '\0';
    if (sheet_part(R, &P, i, part, sizeof part)) {
      int rc = parse_part(L, R, part, &dim_handlers);
      if (rc < 0) return sheet_fail(L, path, sheet_name(R, i), R->err);
    }
    if (R->dimension[0]) zs_builder_text(L, bd, R->dimension, strlen(R->dimension));
    else zs_builder_na(L, bd);
  }
  lua_pushliteral(L, "index");
  zs_builder_finish(L, 3);
  lua_pushliteral(L, "name");
  zs_builder_finish(L, 4);
  lua_pushliteral(L, "state");
  zs_builder_finish(L, 5);
  lua_pushliteral(L, "dimension");
  zs_builder_finish(L, 6);
  zs_frame_build(L, 4);
  lua_pushcfunction(L, reader_gc);
  lua_pushvalue(L, 2);
  lua_call(L, 1, 0);
  return 1;
}

void zs_xlsx_read_open(lua_State *L) {
  static const luaL_Reg fns[] = {{"read_xlsx", l_read_xlsx}, {"xlsx_sheets", l_xlsx_sheets}, {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
}

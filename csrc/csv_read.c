/* csv_read.c: zs.read_csv / zs.parse_csv.
 *
 * Grammar: RFC 4180 records; LF, CRLF and lone CR end a record; a quoted
 * field keeps everything verbatim (doubled quotes are one quote); spaces
 * are kept.  A quote inside an unquoted field, text after a closing quote
 * and an unterminated quote are errors (strict = false reads them
 * literally, as fastcsv does).
 *
 * Values: an unquoted field equal to an NA token (default: the empty field
 * and NA) is NA; a quoted field is always text.  Types are inferred per
 * column: bool (true/false in any case), int (int64, no leading zeros),
 * float, date (yyyy-mm-dd, or the date_format), else str, under the
 * number conventions of the options (decimal, thousands); see
 * zs_infer_text() and the README.
 *
 * Input: a file is read with read() (pread, on several threads) into an
 * anonymous buffer that the reader userdata owns, never memory-mapped: a
 * file truncated by another process while it is parsed would kill the
 * process with SIGBUS through a mapping, while a read simply comes up short
 * and the parse returns nil, "path: the file changed while it was read".
 * The pages the parse has passed are given back (MADV_DONTNEED) every 64 MB
 * so that the peak memory stays near the size of the columns, and read
 * again (checking that the file has not changed) when an error message or
 * a second pass needs them.
 *
 * Speed: the text is parsed in place; columns are written straight into
 * their final buffers (no per-cell Lua values).  Large inputs
 * are split at a line break into one chunk per thread; each chunk is parsed
 * on the assumption that it starts a record, which is checked afterwards
 * (the previous chunk must end exactly there), falling back to one thread
 * when a split fell inside a quoted field.  A column that turns out to be
 * text after values were stored as numbers is re-read in a second pass.
 *
 * Memory: everything the parse allocates belongs to the reader userdata
 * (freed by its __gc) or to the result columns, so an error frees it all.
 * Worker threads use malloc-based dictionaries owned by the reader and
 * never call Lua. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zs.h"

#define READER "zonestat.CsvReader"
#define MAX_NA 16
#define MAX_CHUNKS 64
/* a test build may lower it (-DZS_MIN_CHUNK_BYTES=16) so that inputs of a
 * few bytes are split between threads */
#ifndef ZS_MIN_CHUNK_BYTES
#define ZS_MIN_CHUNK_BYTES (1 << 16)
#endif
#define MIN_CHUNK_BYTES ZS_MIN_CHUNK_BYTES

enum { C_TEXT = 0, C_SEP, C_LF, C_CR, C_QUOTE };
enum { T_UNKNOWN = -1 };

typedef struct {
  char *p;
  size_t cap;
} scratch;

/* Strings waiting to be interned: dictionary lookups of a high-cardinality
 * column miss the cache, so they are done in batches whose hash slots are
 * prefetched first. */
#define STR_BATCH 32
typedef struct {
  int n;
  const char *s[STR_BATCH];
  uint32_t len[STR_BATCH];
  uint64_t hash[STR_BATCH];
  int64_t row[STR_BATCH];
} strbatch;

typedef struct {
  int type;          /* T_UNKNOWN until the first value, else zs_type */
  strbatch *batch;   /* str columns: pending strings (malloc) */
  int to_str;        /* a value did not fit: re-read as str in pass 2 */
  int64_t n;         /* rows stored (NA included) */
  zs_dict dict;      /* chunk-local dictionary (malloc) */
  int64_t lo, hi;    /* range of the int or date values stored (lo > hi: none) */
  int saw_na;        /* an NA (or NaN) was stored */
} colstate;

typedef struct {
  const char *start, *end; /* records start in [start, end) */
  char *rel_from, *rel_to; /* pages given back (MADV_DONTNEED), read again on demand */
  const char *stop;        /* where the parse stopped */
  int64_t row0;            /* first row slot (upper bound of rows before) */
  int64_t nrows;           /* records parsed */
  int64_t max_rows;        /* bound (capacity) for this chunk */
  colstate *cols;
  scratch sb;
  const char *err_at;      /* first error position, or NULL */
  char err[200];
  int pass2;               /* only re-read the columns marked to_str */
} chunk;

typedef struct {
  /* input */
  const char *text;   /* UTF-8 text (after BOM) */
  size_t len;
  const char *name;   /* for messages: path or <string> */
  char *buf;          /* the file's bytes: an anonymous mapping (munmap) */
  size_t buf_len;     /* its mapped size */
  size_t file_len;    /* the bytes read into it */
  int fd;             /* the file, kept open to read again (-1: none) */
  struct stat st0;    /* what the file was when it was read */
  int keep_text;      /* a column needs pass 2: stop giving pages back (atomic) */
  char *owned;        /* transcoded or read() buffer (malloc) */
  /* options */
  char sep, quote, comment;
  int header, skip_empty, strict, pad, infer;
  zs_textfmt fmt;     /* decimal and thousands marks, date format */
  int64_t skip, max_records;
  int nna;
  const char *na[MAX_NA];
  size_t na_len[MAX_NA];
  uint64_t na_lens;   /* bit k: some token has length k (k < 64) */
  unsigned char cls[256];
  /* columns: file field j -> output k (or -1) */
  int nfields, nout;
  int *out_of_field;   /* nfields entries */
  int *fixed;          /* nout entries: zs_type or T_UNKNOWN (infer) */
  char **base;         /* nout output buffers (Column data) */
  /* chunks */
  int nchunks;
  chunk *chunks;
  chunk pass2;
  chunk head;          /* header / pre-scan tokenizer state (scratch buffer) */
  int *needs_pass2;    /* nout entries */
  int *types;          /* nout entries: final type of each output column */
} reader;

/* ---- reader lifetime ---------------------------------------------------------- */

static void chunk_release(chunk *ch, int nout) {
  if (ch->cols) {
    for (int k = 0; k < nout; k++) {
      zs_dict_release(&ch->cols[k].dict);
      free(ch->cols[k].batch);
    }
    free(ch->cols);
    ch->cols = NULL;
  }
  free(ch->sb.p);
  ch->sb.p = NULL;
  ch->sb.cap = 0;
}

static int reader_gc(lua_State *L) {
  reader *R = luaL_checkudata(L, 1, READER);
  if (R->chunks) {
    for (int c = 0; c < R->nchunks; c++) chunk_release(&R->chunks[c], R->nout);
    free(R->chunks);
    R->chunks = NULL;
  }
  chunk_release(&R->pass2, R->nout);
  chunk_release(&R->head, 0);
  free(R->out_of_field); R->out_of_field = NULL;
  free(R->fixed); R->fixed = NULL;
  free(R->base); R->base = NULL;
  free(R->needs_pass2); R->needs_pass2 = NULL;
  free(R->types); R->types = NULL;
  if (R->buf) { munmap(R->buf, R->buf_len); R->buf = NULL; }
  if (R->fd >= 0) { close(R->fd); R->fd = -1; }
  free(R->owned); R->owned = NULL;
  return 0;
}

static reader *reader_push(lua_State *L) {
  reader *R = lua_newuserdatauv(L, sizeof *R, 1);
  memset(R, 0, sizeof *R);
  R->fd = -1;
  if (zs_newmetatable(L, READER)) {
    lua_pushcfunction(L, reader_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return R;
}

/* malloc that raises (main thread only) */
static void *xcalloc(lua_State *L, size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) luaL_error(L, "not enough memory");
  return p;
}

/* ---- positions and errors --------------------------------------------------------- */

/* "name:line:col" of a position: physical lines (LF, CRLF, CR), columns in
 * characters, both 1-based */
static void push_where(lua_State *L, const reader *R, const char *at) {
  const char *end = R->text + R->len, *line_start = R->text;
  int64_t line = 1;
  if (at > end) at = end;
  for (const char *p = R->text; p < at; p++) {
    if (*p == '\n') {
      line++;
      line_start = p + 1;
    } else if (*p == '\r') {
      if (p + 1 < end && p[1] == '\n') continue; /* CRLF: counted at the LF */
      line++;
      line_start = p + 1;
    }
  }
  int64_t col = 1;
  for (const char *q = line_start; q < at; q++) col += ((unsigned char)*q & 0xC0) != 0x80;
  lua_pushfstring(L, "%s:%I:%I", R->name, (lua_Integer)line, (lua_Integer)col);
}

static int set_err(chunk *ch, const char *at, const char *msg) {
  if (!ch->err_at) {
    ch->err_at = at;
    snprintf(ch->err, sizeof ch->err, "%s", msg);
  }
  return -1;
}

/* ---- tokenizer ----------------------------------------------------------------- */

typedef struct {
  const char *s;
  size_t len;
  const char *at;  /* where the field starts */
  const char *end; /* where its text ends (before separator or terminator) */
  int quoted;
  int last;       /* the record ends after this field */
} field;

static int scratch_put(scratch *sb, size_t *n, const char *s, size_t len) {
  if (!sb->p || *n + len > sb->cap) {
    size_t cap = sb->cap ? sb->cap : 256;
    while (cap < *n + len) cap *= 2;
    char *p = realloc(sb->p, cap);
    if (!p) return -1;
    sb->p = p;
    sb->cap = cap;
  }
  memcpy(sb->p + *n, s, len);
  *n += len;
  return 0;
}

/* Read the field at *pp; on return *pp is past its separator or record
 * terminator.  The record ends at end-of-text too. */
static inline int next_field(const reader *R, chunk *ch, const char **pp, const char *end, field *f) {
  const unsigned char *cls = R->cls;
  const char *p = *pp;
  f->at = p;
  if (p < end && *p == R->quote) {
    const char *open = p++;
    const char *q = memchr(p, R->quote, (size_t)(end - p));
    if (!q) {
      if (R->strict) return set_err(ch, open, "unterminated quoted field");
      f->s = p;
      f->len = (size_t)(end - p);
      f->quoted = 1;
      f->last = 1;
      f->end = end;
      *pp = end;
      return 0;
    }
    f->quoted = 1;
    if (q + 1 < end && q[1] == R->quote) {
      /* doubled quotes: unescape into the scratch buffer */
      size_t n = 0;
      for (;;) {
        if (scratch_put(&ch->sb, &n, p, (size_t)(q - p) + 1) < 0) return set_err(ch, p, "not enough memory");
        p = q + 2;
        q = memchr(p, R->quote, (size_t)(end - p));
        if (!q) {
          if (R->strict) return set_err(ch, open, "unterminated quoted field");
          if (scratch_put(&ch->sb, &n, p, (size_t)(end - p)) < 0) return set_err(ch, p, "not enough memory");
          q = end;
          break;
        }
        if (!(q + 1 < end && q[1] == R->quote)) {
          if (scratch_put(&ch->sb, &n, p, (size_t)(q - p)) < 0) return set_err(ch, p, "not enough memory");
          break;
        }
      }
      f->s = ch->sb.p;
      f->len = n;
    } else {
      f->s = p;
      f->len = (size_t)(q - p);
    }
    p = q < end ? q + 1 : end;
    if (p < end && cls[(unsigned char)*p] != C_SEP && cls[(unsigned char)*p] != C_LF &&
        cls[(unsigned char)*p] != C_CR) {
      if (R->strict) return set_err(ch, p, "unexpected text after a closing quote");
      /* lenient: the rest up to the separator is part of the field */
      size_t n = 0;
      if (f->s != ch->sb.p) {
        if (scratch_put(&ch->sb, &n, f->s, f->len) < 0) return set_err(ch, p, "not enough memory");
      } else {
        n = f->len;
      }
      const char *t = p;
      while (t < end && cls[(unsigned char)*t] != C_SEP && cls[(unsigned char)*t] != C_LF &&
             cls[(unsigned char)*t] != C_CR)
        t++;
      if (scratch_put(&ch->sb, &n, p, (size_t)(t - p)) < 0) return set_err(ch, p, "not enough memory");
      f->s = ch->sb.p;
      f->len = n;
      p = t;
    }
  } else {
    const char *s = p;
    while (p < end && cls[(unsigned char)*p] == C_TEXT) p++;
    while (p < end && cls[(unsigned char)*p] == C_QUOTE) {
      if (R->strict) return set_err(ch, p, "quote inside an unquoted field");
      p++;
      while (p < end && cls[(unsigned char)*p] == C_TEXT) p++;
    }
    f->s = s;
    f->len = (size_t)(p - s);
    f->quoted = 0;
  }
  f->end = p;
  if (p >= end) {
    f->last = 1;
  } else if (*p == R->sep) {
    f->last = 0;
    p++;
  } else {
    f->last = 1;
    if (*p == '\r' && p + 1 < end && p[1] == '\n') p += 2;
    else p++;
  }
  *pp = p;
  return 0;
}

/* skip comment lines and (with skip_empty) empty lines at a record start */
static const char *skip_blank(const reader *R, const char *p, const char *end) {
  while (p < end) {
    if (R->comment && *p == R->comment) {
      while (p < end && *p != '\n' && *p != '\r') p++;
      if (p < end) p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
    } else if (R->skip_empty && (*p == '\n' || *p == '\r')) {
      p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
    } else {
      break;
    }
  }
  return p;
}

static int is_na(const reader *R, const field *f) {
  if (f->quoted || f->len >= 64 || !((R->na_lens >> f->len) & 1)) return 0;
  for (int k = 0; k < R->nna; k++)
    if (R->na_len[k] == f->len && memcmp(R->na[k], f->s, f->len) == 0) return 1;
  return 0;
}

/* ---- storing values -------------------------------------------------------------- */

static void *slot(const reader *R, const chunk *ch, int k, int64_t row, size_t width) {
  return R->base[k] + (size_t)ch->row0 * 8 + (size_t)row * width;
}

static void store_na(const reader *R, chunk *ch, int k, int type, int64_t row) {
  ch->cols[k].saw_na = 1;
  switch (type) {
  case ZS_BOOL: *(int8_t *)slot(R, ch, k, row, 1) = ZS_NA_BOOL; break;
  case ZS_INT: *(int64_t *)slot(R, ch, k, row, 8) = ZS_NA_INT; break;
  case ZS_FLOAT: *(double *)slot(R, ch, k, row, 8) = NAN; break;
  case ZS_DATE: *(int32_t *)slot(R, ch, k, row, 4) = ZS_NA_DATE; break;
  case ZS_STR: *(int32_t *)slot(R, ch, k, row, 4) = ZS_NA_CODE; break;
  default: break;
  }
}

/* the range of a column's values comes for free while they are parsed
 * (grouping by an int key needs it: zs_col_range) */
static inline void note_range(colstate *cs, int64_t v) {
  cs->lo = v < cs->lo ? v : cs->lo;
  cs->hi = v > cs->hi ? v : cs->hi;
}

/* convert f to type t and store it; 0 on success, 1 if it does not fit */
static int store_as(const reader *R, chunk *ch, int k, int t, int64_t row, const field *f) {
  switch (t) {
  case ZS_STR: {
    int32_t code = zs_dict_intern(&ch->cols[k].dict, f->s, f->len);
    if (code < 0) return set_err(ch, f->at, "not enough memory");
    *(int32_t *)slot(R, ch, k, row, 4) = code;
    return 0;
  }
  case ZS_INT: {
    int64_t v;
    if (f->quoted && R->fixed[k] != ZS_INT) return 1;
    if (!zs_parse_int(f->s, f->len, R->fmt.thousands, &v)) return 1;
    *(int64_t *)slot(R, ch, k, row, 8) = v;
    note_range(&ch->cols[k], v);
    return 0;
  }
  case ZS_FLOAT: {
    double v;
    int64_t iv;
    if (f->quoted && R->fixed[k] != ZS_FLOAT) return 1;
    /* inferred columns: digits that are no int64 (too large, leading zeros)
     * are a code (text), as zs_infer_text() decides when they come first */
    if (R->fixed[k] != ZS_FLOAT && zs_is_big_integer(f->s, f->len) && !zs_parse_int(f->s, f->len, R->fmt.thousands, &iv))
      return 1;
    if (!zs_parse_float(f->s, f->len, R->fmt.decimal, R->fmt.thousands, &v) && !zs_parse_float_special(f->s, f->len, &v))
      return 1;
    *(double *)slot(R, ch, k, row, 8) = v;
    if (isnan(v)) ch->cols[k].saw_na = 1; /* "nan": NA too */
    return 0;
  }
  case ZS_BOOL: {
    int8_t v;
    if (f->quoted && R->fixed[k] != ZS_BOOL) return 1;
    if (!zs_parse_bool(f->s, f->len, &v)) return 1;
    *(int8_t *)slot(R, ch, k, row, 1) = v;
    return 0;
  }
  case ZS_DATE: {
    int32_t v;
    if (f->quoted && R->fixed[k] != ZS_DATE) return 1;
    if (!zs_parse_date_as(f->s, f->len, R->fmt.date, &v)) return 1;
    *(int32_t *)slot(R, ch, k, row, 4) = v;
    note_range(&ch->cols[k], v);
    return 0;
  }
  default: return 1;
  }
}

static int flush_strings(const reader *R, chunk *ch, int k) {
  colstate *cs = &ch->cols[k];
  strbatch *b = cs->batch;
  if (!b || b->n == 0) return 0;
  zs_dict *d = &cs->dict;
  for (int i = 0; i < b->n; i++) {
    b->hash[i] = zs_hash(b->s[i], b->len[i]);
    zs_dict_prefetch(d, b->hash[i]);
  }
  for (int i = 0; i < b->n; i++) zs_dict_prefetch_string(d, b->hash[i]);
  for (int i = 0; i < b->n; i++) {
    int32_t code = zs_dict_intern_h(d, b->s[i], b->len[i], b->hash[i]);
    if (code < 0) return set_err(ch, b->s[i], "not enough memory");
    *(int32_t *)slot(R, ch, k, b->row[i], 4) = code;
  }
  b->n = 0;
  return 0;
}

static int flush_all_strings(const reader *R, chunk *ch) {
  for (int k = 0; k < R->nout; k++)
    if (flush_strings(R, ch, k) < 0) return -1;
  return 0;
}

/* queue a str value whose bytes stay put (in the input text) */
static int queue_string(const reader *R, chunk *ch, int k, int64_t row, const field *f) {
  colstate *cs = &ch->cols[k];
  if (!cs->batch) {
    cs->batch = malloc(sizeof *cs->batch);
    if (!cs->batch) return set_err(ch, f->at, "not enough memory");
    cs->batch->n = 0;
  }
  strbatch *b = cs->batch;
  b->s[b->n] = f->s;
  b->len[b->n] = (uint32_t)f->len;
  b->row[b->n] = row;
  if (++b->n == STR_BATCH) return flush_strings(R, ch, k);
  return 0;
}

static int store_field(const reader *R, chunk *ch, int k, int64_t row, const field *f) {
  colstate *cs = &ch->cols[k];
  if (cs->to_str) return 0;
  if (cs->type == ZS_STR && !is_na(R, f)) {
    int stable = f->s != ch->sb.p && f->len < UINT32_MAX;
    if (stable) return queue_string(R, ch, k, row, f);
    if (flush_strings(R, ch, k) < 0) return -1;
  }
  if (is_na(R, f)) {
    if (cs->type != T_UNKNOWN) store_na(R, ch, k, cs->type, row);
    return 0;
  }
  if (cs->type == T_UNKNOWN) {
    int t = f->quoted ? ZS_STR : zs_infer_text(f->s, f->len, &R->fmt);
    cs->type = t;
    for (int64_t r = 0; r < row; r++) store_na(R, ch, k, t, r);
  }
  int rc = store_as(R, ch, k, cs->type, row, f);
  if (rc <= 0) return rc;
  if (R->fixed[k] != T_UNKNOWN) {
    char msg[200];
    char shown[64];
    size_t n = f->len < 40 ? f->len : 40;
    memcpy(shown, f->s, n);
    shown[n] = '\0';
    snprintf(msg, sizeof msg, "cannot read '%s%s' as %s", shown, f->len > 40 ? "..." : "", zs_type_names[cs->type]);
    return set_err(ch, f->at, msg);
  }
  /* inference: widen int to float, anything else becomes text */
  if (cs->type == ZS_INT && !f->quoted) {
    double v;
    if (!zs_is_big_integer(f->s, f->len) &&
        (zs_parse_float(f->s, f->len, R->fmt.decimal, R->fmt.thousands, &v) ||
         zs_parse_float_special(f->s, f->len, &v))) {
      for (int64_t r = 0; r < row; r++) {
        int64_t *ip = slot(R, ch, k, r, 8);
        double d = *ip == ZS_NA_INT ? NAN : (double)*ip;
        memcpy(ip, &d, 8);
      }
      cs->type = ZS_FLOAT;
      *(double *)slot(R, ch, k, row, 8) = v;
      return 0;
    }
  }
  cs->to_str = 1;
  /* pass 2 re-reads the text: keep what is still in memory */
  __atomic_store_n((int *)&R->keep_text, 1, __ATOMIC_RELAXED);
  return 0;
}

/* ---- parsing a chunk ------------------------------------------------------------- */

/* Give back the pages of the file's buffer that the parse has passed, every
 * RELEASE_STEP bytes: restore_text() reads them again from the file if an
 * error message or a second pass needs them.  Keeps the peak memory near
 * the size of the columns rather than columns + file.  Queued strings point
 * into the text: they are interned first.  -1 on out-of-memory. */
#define RELEASE_STEP ((size_t)64 << 20)
static int release_text(const reader *R, chunk *ch, const char **released, const char *upto) {
  if (!R->buf || upto - *released < (ptrdiff_t)RELEASE_STEP) return 0;
  if (__atomic_load_n(&R->keep_text, __ATOMIC_RELAXED)) return 0;
  if (flush_all_strings(R, ch) < 0) return -1;
  uintptr_t page = 4096, a = ((uintptr_t)*released + page - 1) & ~(page - 1), b = (uintptr_t)upto & ~(page - 1);
  if (b > a && madvise((void *)a, b - a, MADV_DONTNEED) == 0) {
    if (!ch->rel_from) ch->rel_from = (char *)a;
    ch->rel_to = (char *)b;
  }
  *released = upto;
  return 0;
}

static void parse_chunk(const reader *R, chunk *ch) {
  const char *p = ch->start, *end = R->text + R->len, *stop_at = ch->end;
  const char *released = p;
  int64_t row = 0;
  field f;
  for (;;) {
    if (R->max_records >= 0 && row >= R->max_records) break;
    p = skip_blank(R, p, end);
    if ((row & 0xFFFF) == 0 && release_text(R, ch, &released, p) < 0) break;
    if (p >= stop_at || p >= end) break;
    if (row >= ch->max_rows) {
      if (R->max_records >= 0) break;
      set_err(ch, p, "internal error: more records than line breaks");
      break;
    }
    int j = 0;
    for (;;) {
      const char *rec_pos = p;
      if (next_field(R, ch, &p, end, &f) < 0) goto done;
      if (j >= R->nfields) {
        /* count the rest of the record for the message */
        int extra = j + 1;
        while (!f.last && next_field(R, ch, &p, end, &f) == 0) extra++;
        char msg[120];
        snprintf(msg, sizeof msg, "expected %d fields, found %d", R->nfields, extra);
        ch->err_at = NULL;
        set_err(ch, rec_pos, msg);
        goto done;
      }
      int k = R->out_of_field[j];
      if (k >= 0 && (!ch->pass2 || R->needs_pass2[k])) {
        if (store_field(R, ch, k, row, &f) < 0) goto done;
      }
      j++;
      if (f.last) break;
    }
    if (j < R->nfields) {
      if (!R->pad) {
        char msg[120];
        snprintf(msg, sizeof msg, "expected %d fields, found %d", R->nfields, j);
        set_err(ch, f.end, msg); /* just after the record's last character */
        goto done;
      }
      for (; j < R->nfields; j++) {
        int k = R->out_of_field[j];
        if (k < 0 || (ch->pass2 && !R->needs_pass2[k])) continue;
        colstate *cs = &ch->cols[k];
        if (!cs->to_str && cs->type != T_UNKNOWN) store_na(R, ch, k, cs->type, row);
      }
    }
    row++;
  }
done:
  if (!ch->err_at) flush_all_strings(R, ch);
  ch->stop = p;
  ch->nrows = row;
}

static void *chunk_thread(void *arg) {
  void **a = arg;
  parse_chunk(a[0], a[1]);
  return NULL;
}

/* ---- input --------------------------------------------------------------------- */

/* read a whole non-mappable file (pipe, /dev/stdin) */
static int read_all(int fd, char **out, size_t *outlen) {
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  if (!buf) return ENOMEM;
  for (;;) {
    if (n == cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) { free(buf); return ENOMEM; }
      buf = nb;
      cap *= 2;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      free(buf);
      return e;
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  *out = buf;
  *outlen = n;
  return 0;
}

/* transcode text to UTF-8 with iconv into R->owned; NULL or a message */
static const char *transcode(lua_State *L, reader *R, const char *from, const char *src, size_t len) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == (iconv_t)-1) return lua_pushfstring(L, "%s: unknown encoding '%s'", R->name, from);
  /* no Lua call (which could raise) while `out` and `cd` are held */
  enum { OK, NOMEM, INVALID } status = OK;
  size_t cap = len <= (SIZE_MAX - 16) / 3 ? len * 3 + 16 : 0;
  char *out = cap ? malloc(cap) : NULL;
  char *in = (char *)src, *o = out;
  size_t inleft = len, outleft = cap;
  if (!out) status = NOMEM;
  while (status == OK && inleft > 0) {
    size_t r = iconv(cd, &in, &inleft, &o, &outleft);
    if (r != (size_t)-1) break;
    if (errno == E2BIG) {
      size_t used = (size_t)(o - out);
      char *nb = cap <= SIZE_MAX / 2 ? realloc(out, cap * 2) : NULL;
      if (!nb) { status = NOMEM; break; }
      out = nb;
      cap *= 2;
      o = out + used;
      outleft = cap - used;
      continue;
    }
    status = INVALID;
  }
  if (status == OK) {
    size_t r = iconv(cd, NULL, NULL, &o, &outleft);
    (void)r;
  }
  iconv_close(cd);
  if (status != OK) {
    free(out);
    if (status == NOMEM) return lua_pushfstring(L, "%s: not enough memory", R->name);
    return lua_pushfstring(L, "%s: invalid %s text at byte %I", R->name, from, (lua_Integer)(in - src) + 1);
  }
  R->owned = out;
  R->text = out;
  R->len = (size_t)(o - out);
  return NULL;
}

static int is_utf8_name(const char *enc) {
  return strcasecmp(enc, "utf-8") == 0 || strcasecmp(enc, "utf8") == 0;
}

/* set R->text/len from the raw bytes: strip or decode a BOM, or transcode
 * from the encoding option; NULL or an error message */
static const char *decode_input(lua_State *L, reader *R, const char *raw, size_t len, const char *encoding) {
  const unsigned char *u = (const unsigned char *)raw;
  if (len >= 4 && u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0)
    return transcode(L, R, "UTF-32LE", raw + 4, len - 4);
  if (len >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF)
    return transcode(L, R, "UTF-32BE", raw + 4, len - 4);
  if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) return transcode(L, R, "UTF-16LE", raw + 2, len - 2);
  if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) return transcode(L, R, "UTF-16BE", raw + 2, len - 2);
  if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
    raw += 3;
    len -= 3;
  }
  if (encoding && !is_utf8_name(encoding)) return transcode(L, R, encoding, raw, len);
  R->text = raw;
  R->len = len;
  return NULL;
}

/* Read [from, to) of the file into R->buf at the same offsets, on up to
 * `threads` threads; 0, or an errno (ESTALE: the file ended early). */
typedef struct {
  int fd;
  char *buf;
  size_t from, to;
  int err;
} readpart;

static void *read_part(void *arg) {
  readpart *p = arg;
  size_t off = p->from;
  while (off < p->to) {
    ssize_t r = pread(p->fd, p->buf + off, p->to - off, (off_t)off);
    if (r < 0) {
      if (errno == EINTR) continue;
      p->err = errno;
      return NULL;
    }
    if (r == 0) {
      p->err = ESTALE; /* shorter than it was: truncated meanwhile */
      return NULL;
    }
    off += (size_t)r;
  }
  return NULL;
}

#define READ_PART_MIN ((size_t)8 << 20)
static int read_range(const reader *R, int threads, size_t from, size_t to) {
  if (to <= from) return 0;
  size_t len = to - from;
  if ((size_t)threads > len / READ_PART_MIN) threads = (int)(len / READ_PART_MIN);
  if (threads > MAX_CHUNKS) threads = MAX_CHUNKS;
  if (threads < 1) threads = 1;
  readpart parts[MAX_CHUNKS];
  pthread_t tid[MAX_CHUNKS];
  int started[MAX_CHUNKS] = {0};
  size_t step = (len / (size_t)threads + 4095) & ~(size_t)4095;
  for (int t = 0; t < threads; t++) {
    size_t a = from + step * (size_t)t, b = a + step;
    parts[t] = (readpart){R->fd, R->buf, a < to ? a : to, b < to && t + 1 < threads ? b : to, 0};
  }
  for (int t = 1; t < threads; t++) started[t] = pthread_create(&tid[t], NULL, read_part, &parts[t]) == 0;
  read_part(&parts[0]);
  int err = parts[0].err;
  for (int t = 1; t < threads; t++) {
    if (started[t]) pthread_join(tid[t], NULL);
    else read_part(&parts[t]);
    if (!err) err = parts[t].err;
  }
  return err;
}

/* the file is still what it was when first read (size, time, identity) */
static int unchanged(const reader *R) {
  struct stat st;
  if (fstat(R->fd, &st) != 0) return 0;
  return st.st_size == R->st0.st_size && st.st_ino == R->st0.st_ino && st.st_dev == R->st0.st_dev &&
         st.st_mtim.tv_sec == R->st0.st_mtim.tv_sec && st.st_mtim.tv_nsec == R->st0.st_mtim.tv_nsec;
}

static const char *push_changed(lua_State *L, const reader *R) {
  return lua_pushfstring(L, "%s: the file changed while it was read (another process wrote to it): read it again "
                            "once it is complete",
                         R->name);
}

/* Read again the pages that the parse gave back (release_text); NULL, or an
 * error message (pushed).  Main thread, no parse running. */
static const char *restore_text(lua_State *L, reader *R, int threads) {
  int any = 0, err = 0;
  chunk *lists[2] = {R->chunks, &R->pass2};
  int counts[2] = {R->nchunks, 1};
  for (int l = 0; l < 2; l++) {
    for (int c = 0; c < counts[l] && lists[l]; c++) {
      chunk *ch = &lists[l][c];
      if (!ch->rel_from) continue;
      any = 1;
      if (!err) err = read_range(R, threads, (size_t)(ch->rel_from - R->buf), (size_t)(ch->rel_to - R->buf));
      ch->rel_from = ch->rel_to = NULL;
    }
  }
  if (!any) return NULL;
  if (err == ESTALE || (!err && !unchanged(R))) return push_changed(L, R);
  if (err) return lua_pushfstring(L, "%s: %s", R->name, strerror(err));
  return NULL;
}

static const char *open_file(lua_State *L, reader *R, const char *path, const char *encoding) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return lua_pushfstring(L, "%s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int e = errno;
    close(fd);
    return lua_pushfstring(L, "%s: %s", path, strerror(e));
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return lua_pushfstring(L, "%s: %s", path, strerror(EISDIR));
  }
  /* O_NONBLOCK kept open() of a FIFO without a writer from hanging; reads
   * block as usual */
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  const char *raw = "";
  size_t len = 0;
  if (S_ISREG(st.st_mode) && st.st_size > 0) { /* (size 0 may be a /proc file: read it) */
    R->fd = fd;
    R->st0 = st;
    len = (size_t)st.st_size;
    size_t mapped = (len + 4095) & ~(size_t)4095;
    void *m = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return lua_pushfstring(L, "%s: not enough memory (%I bytes)", path, (lua_Integer)len);
    R->buf = m;
    R->buf_len = mapped;
    R->file_len = len;
    int err = read_range(R, zs_nthreads, 0, len);
    if (err == ESTALE || (!err && !unchanged(R))) return push_changed(L, R);
    if (err) return lua_pushfstring(L, "%s: %s", path, strerror(err));
    raw = R->buf;
  } else {
    char *buf = NULL;
    int e = read_all(fd, &buf, &len);
    close(fd);
    if (e) return lua_pushfstring(L, "%s: %s", path, strerror(e));
    R->owned = buf;
    raw = buf;
  }
  char *prev_owned = R->owned;
  const char *msg = decode_input(L, R, raw, len, encoding);
  if (R->owned != prev_owned) free(prev_owned); /* transcoded from a read() buffer */
  if (R->buf && R->owned) {
    /* transcoded: the file's bytes are not needed any more */
    munmap(R->buf, R->buf_len);
    R->buf = NULL;
    close(R->fd);
    R->fd = -1;
  }
  return msg;
}

/* ---- options --------------------------------------------------------------------- */

static char opt_char(lua_State *L, int opts, const char *key, char dflt, int allow_none) {
  char c = dflt;
  if (lua_getfield(L, opts, key) != LUA_TNIL) {
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (lua_type(L, -1) != LUA_TSTRING || len > 1 || (len == 0 && !allow_none))
      luaL_error(L, "option '%s' must be a single character", key);
    c = len ? s[0] : 0;
    if (c == '\n' || c == '\r') luaL_error(L, "option '%s' cannot be a line break", key);
  }
  lua_pop(L, 1);
  return c;
}

static int64_t opt_count(lua_State *L, int opts, const char *key, int64_t dflt) {
  int64_t v = dflt;
  if (lua_getfield(L, opts, key) != LUA_TNIL) {
    int ok;
    lua_Integer n = lua_tointegerx(L, -1, &ok);
    if (!ok || n < 0) luaL_error(L, "option '%s' must be a non-negative integer", key);
    v = n;
  }
  lua_pop(L, 1);
  return v;
}

static const char *const known_options[] = {
  "header", "sep", "comment", "skip", "nrows", "columns", "skip_empty", "na", "types", "infer",
  "decimal", "thousands", "date_format", "encoding", "strict", "pad", "quote", "source", "threads", NULL};

static void read_options(lua_State *L, reader *R, int opts) {
  /* reject misspelled options */
  lua_pushnil(L);
  while (lua_next(L, opts)) {
    int known = 0;
    if (lua_type(L, -2) == LUA_TSTRING)
      for (int i = 0; known_options[i]; i++) known |= strcmp(known_options[i], lua_tostring(L, -2)) == 0;
    if (!known) luaL_error(L, "unknown option '%s'", lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?");
    lua_pop(L, 1);
  }
  R->header = zs_opt_bool(L, opts, "header", 1);
  R->sep = opt_char(L, opts, "sep", ',', 0);
  R->quote = opt_char(L, opts, "quote", '"', 0);
  R->comment = opt_char(L, opts, "comment", 0, 1);
  R->skip = opt_count(L, opts, "skip", 0);
  R->max_records = opt_count(L, opts, "nrows", -1);
  R->skip_empty = zs_opt_bool(L, opts, "skip_empty", 1);
  R->infer = zs_opt_bool(L, opts, "infer", 1);
  R->strict = zs_opt_bool(L, opts, "strict", 1);
  R->pad = zs_opt_bool(L, opts, "pad", 0);
  if (R->sep == R->quote) luaL_error(L, "options 'sep' and 'quote' must differ");
  if (R->comment && (R->comment == R->sep || R->comment == R->quote))
    luaL_error(L, "option 'comment' ('%c') must differ from 'sep' and 'quote'", R->comment);
  R->fmt = zs_textfmt_default;
  if (lua_getfield(L, opts, "decimal") != LUA_TNIL) {
    const char *d = lua_tostring(L, -1);
    if (lua_type(L, -1) != LUA_TSTRING || (strcmp(d, ",") != 0 && strcmp(d, ".") != 0))
      luaL_error(L, "option 'decimal' must be \".\" or \",\"");
    R->fmt.decimal = d[0];
    if (R->fmt.decimal == ',') R->fmt.thousands = '.'; /* 1.234,5 unless thousands says otherwise */
  }
  lua_pop(L, 1);
  if (lua_getfield(L, opts, "thousands") != LUA_TNIL) {
    const char *t = lua_tostring(L, -1);
    if (lua_type(L, -1) != LUA_TSTRING || (strcmp(t, ",") != 0 && strcmp(t, ".") != 0 && strcmp(t, "") != 0))
      luaL_error(L, "option 'thousands' must be \".\", \",\" or \"\" (none)");
    R->fmt.thousands = t[0];
  }
  lua_pop(L, 1);
  if (R->fmt.thousands == R->fmt.decimal)
    luaL_error(L, "options 'decimal' and 'thousands' must differ (decimal = \",\" with thousands = \".\", say)");
  if (R->fmt.decimal == R->sep || R->fmt.thousands == R->sep)
    luaL_error(L, "the separator %c cannot also be the %s mark (with decimal = \",\", use sep = \";\")", R->sep,
               R->fmt.decimal == R->sep ? "decimal" : "thousands");
  if (lua_getfield(L, opts, "date_format") != LUA_TNIL) {
    const char *d = lua_tostring(L, -1);
    int k = lua_type(L, -1) == LUA_TSTRING ? zs_date_format_from_name(d) : -1;
    if (k < 0)
      luaL_error(L, "option 'date_format' must be \"%%d/%%m/%%Y\", \"%%d-%%m-%%Y\", \"%%m/%%d/%%Y\" or \"%%Y-%%m-%%d\"");
    R->fmt.date = k;
  }
  lua_pop(L, 1);
  /* NA tokens: strings kept alive in the reader's user value */
  lua_createtable(L, MAX_NA, 0);
  if (lua_getfield(L, opts, "na") == LUA_TNIL) {
    lua_pop(L, 1);
    lua_pushliteral(L, "");
    lua_rawseti(L, -2, 1);
    lua_pushliteral(L, "NA");
    lua_rawseti(L, -2, 2);
  } else {
    if (lua_type(L, -1) == LUA_TSTRING) {
      lua_rawseti(L, -2, 1);
    } else {
      if (!lua_istable(L, -1)) luaL_error(L, "option 'na' must be a string or an array of strings");
      int n = (int)lua_rawlen(L, -1);
      if (n > MAX_NA) luaL_error(L, "option 'na': at most %d tokens", MAX_NA);
      for (int i = 1; i <= n; i++) {
        if (lua_rawgeti(L, -1, i) != LUA_TSTRING) luaL_error(L, "option 'na' must hold strings");
        lua_rawseti(L, -3, i);
      }
      lua_pop(L, 1);
    }
  }
  int nna = (int)lua_rawlen(L, -1);
  for (int i = 0; i < nna; i++) {
    lua_rawgeti(L, -1, i + 1);
    R->na[i] = lua_tolstring(L, -1, &R->na_len[i]);
    if (R->na_len[i] < 64) R->na_lens |= (uint64_t)1 << R->na_len[i];
    lua_pop(L, 1);
  }
  R->nna = nna;
  lua_setiuservalue(L, -2, 1); /* the reader is just below the table */

  memset(R->cls, C_TEXT, sizeof R->cls);
  R->cls[(unsigned char)R->sep] = C_SEP;
  R->cls['\n'] = C_LF;
  R->cls['\r'] = C_CR;
  R->cls[(unsigned char)R->quote] = C_QUOTE;
}

/* ---- header and column selection ---------------------------------------------------- */

/* Read the first record's fields as strings into a Lua array; returns the
 * position after it (or NULL with an error message pushed) */
static const char *read_names(lua_State *L, reader *R, chunk *tmp, const char *p, int *nfields) {
  const char *end = R->text + R->len;
  lua_newtable(L);
  int j = 0;
  field f;
  if (p >= end) {
    *nfields = 0;
    return p;
  }
  for (;;) {
    if (next_field(R, tmp, &p, end, &f) < 0) {
      push_where(L, R, tmp->err_at);
      lua_pushfstring(L, "%s: %s", lua_tostring(L, -1), tmp->err);
      return NULL;
    }
    lua_pushlstring(L, f.s, f.len);
    lua_rawseti(L, -2, ++j);
    if (f.last) break;
  }
  *nfields = j;
  return p;
}

/* turn the raw header fields (array on top) into unique, non-empty names */
static void fix_names(lua_State *L, int nfields) {
  int names = lua_gettop(L);
  lua_newtable(L); /* seen */
  for (int j = 1; j <= nfields; j++) {
    lua_rawgeti(L, names, j);
    if (lua_rawlen(L, -1) == 0) {
      lua_pop(L, 1);
      lua_pushfstring(L, "V%d", j);
    }
    const char *base = lua_tostring(L, -1);
    lua_pushvalue(L, -1);
    if (lua_rawget(L, names + 1) != LUA_TNIL) {
      /* seen[name] is the next suffix to try for it: linear, not quadratic,
       * in the number of duplicates */
      lua_Integer k = lua_tointeger(L, -1);
      lua_pop(L, 1);
      for (;; k++) {
        lua_pushfstring(L, "%s_%I", base, k);
        lua_pushvalue(L, -1);
        if (lua_rawget(L, names + 1) == LUA_TNIL) {
          lua_pop(L, 1);
          break;
        }
        lua_pop(L, 2);
      }
      lua_pushvalue(L, -2);
      lua_pushinteger(L, k + 1);
      lua_rawset(L, names + 1);
      lua_remove(L, -2);
    } else {
      lua_pop(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_pushinteger(L, 2);
    lua_rawset(L, names + 1);
    lua_rawseti(L, names, j);
  }
  lua_pop(L, 1);
}

/* ---- finishing columns ------------------------------------------------------------- */

/* Final type of output column k from the chunks; -2 if it must be re-read as str */
static int final_type(const reader *R, int k) {
  if (R->fixed[k] != T_UNKNOWN) return R->fixed[k];
  int t = T_UNKNOWN;
  for (int c = 0; c < R->nchunks; c++) {
    const colstate *cs = &R->chunks[c].cols[k];
    if (cs->to_str) return -2;
    if (cs->type == T_UNKNOWN) continue;
    if (t == T_UNKNOWN || t == cs->type) t = cs->type;
    else if ((t == ZS_INT || t == ZS_FLOAT) && (cs->type == ZS_INT || cs->type == ZS_FLOAT)) t = ZS_FLOAT;
    else return -2;
  }
  return t == T_UNKNOWN ? ZS_STR : t;
}

/* Move chunk c's values of column k (type t) to their final rows, widening
 * int to float and re-coding strings into the column's dictionary. */
static void compact(lua_State *L, reader *R, zs_col *col, int k, int t, const chunk *ch, int64_t at) {
  const colstate *cs = &ch->cols[k];
  size_t w = zs_type_width((zs_type)t);
  char *dst = R->base[k] + (size_t)at * w;
  const char *src = R->base[k] + (size_t)ch->row0 * 8;
  int64_t n = ch->nrows;
  if (cs->type == T_UNKNOWN) {
    for (int64_t i = 0; i < n; i++) zs_col_set_na(col, at + i);
    return;
  }
  if (dst != src && n) memmove(dst, src, (size_t)n * w);
  if (t == ZS_FLOAT && cs->type == ZS_INT) {
    for (int64_t i = 0; i < n; i++) {
      int64_t v;
      memcpy(&v, dst + 8 * i, 8);
      double d = v == ZS_NA_INT ? NAN : (double)v;
      memcpy(dst + 8 * i, &d, 8);
    }
  }
  if (t == ZS_STR) {
    const zs_dict *from = &cs->dict;
    int32_t *remap = lua_newuserdatauv(L, sizeof(int32_t) * (size_t)(from->n ? from->n : 1), 0);
    int identity = 1;
    for (int32_t i = 0; i < from->n; i++) {
      size_t len;
      const char *s = zs_dict_str(from, i, &len);
      remap[i] = zs_dict_intern_h(col->dict, s, len, from->hash[i]);
      if (remap[i] < 0) luaL_error(L, "not enough memory");
      identity &= remap[i] == i;
    }
    if (!identity) {
      int32_t *codes = (int32_t *)dst;
      for (int64_t i = 0; i < n; i++)
        if (codes[i] >= 0) codes[i] = remap[codes[i]];
    }
    lua_pop(L, 1);
  }
}

/* The range of int or date column k, from the chunks' ranges, when every
 * chunk stored its values as type t (or has none). */
static void record_range(const reader *R, zs_col *col, int k, int t) {
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (int c = 0; c < R->nchunks; c++) {
    const colstate *cs = &R->chunks[c].cols[k];
    if (cs->type != t && cs->type != T_UNKNOWN) return;
    lo = cs->lo < lo ? cs->lo : lo;
    hi = cs->hi > hi ? cs->hi : hi;
  }
  zs_col_set_range(col, lo, hi);
}

/* Whether column k has NA: a chunk stored one, or has rows but never saw a
 * value (all NA). */
static void record_na(const reader *R, zs_col *col, int k) {
  int has_na = 0;
  for (int c = 0; c < R->nchunks; c++) {
    const colstate *cs = &R->chunks[c].cols[k];
    has_na |= cs->saw_na || (cs->type == T_UNKNOWN && R->chunks[c].nrows > 0);
  }
  zs_col_note_na(col, has_na);
}

/* ---- the parse ----------------------------------------------------------------------- */

static int nthreads_for(lua_State *L, size_t bytes, int requested) {
  int t = requested > 0 ? requested : zs_nthreads;
  if ((size_t)t > bytes / MIN_CHUNK_BYTES) t = (int)(bytes / MIN_CHUNK_BYTES);
  if (t > MAX_CHUNKS) t = MAX_CHUNKS;
  return t < 1 ? 1 : t;
}

/* number of line-break bytes in [p, end): bounds the records in it */
__attribute__((optimize("O3"))) static int64_t count_breaks(const char *p, const char *end) {
  int64_t n = 0;
  const unsigned char *u = (const unsigned char *)p;
  size_t len = (size_t)(end - p);
  for (size_t i = 0; i < len; i++) n += (u[i] == '\n') + (u[i] == '\r');
  return n;
}

static void setup_chunk(lua_State *L, reader *R, chunk *ch) {
  ch->cols = xcalloc(L, (size_t)R->nout, sizeof *ch->cols);
  for (int k = 0; k < R->nout; k++) {
    ch->cols[k].type = R->fixed[k];
    ch->cols[k].lo = INT64_MAX;
    ch->cols[k].hi = INT64_MIN;
    zs_dict_init(&ch->cols[k].dict, zs_sysalloc, NULL);
  }
}

/* run chunks 0..n-1: chunk 0 on this thread, the others on new threads */
static void run_chunks(const reader *R, chunk *chunks, int n) {
  pthread_t tid[MAX_CHUNKS];
  void *args[MAX_CHUNKS][2];
  int started[MAX_CHUNKS] = {0};
  for (int c = 1; c < n; c++) {
    args[c][0] = (void *)R;
    args[c][1] = &chunks[c];
    started[c] = pthread_create(&tid[c], NULL, chunk_thread, args[c]) == 0;
  }
  parse_chunk(R, &chunks[0]);
  for (int c = 1; c < n; c++) {
    if (started[c]) pthread_join(tid[c], NULL);
    else parse_chunk(R, &chunks[c]);
  }
}

static int fail(lua_State *L, const char *msg);

/* nil, "name:line:col: msg" (the line counted from the start of the text:
 * the pages given back are read again first) */
static int fail_at(lua_State *L, reader *R, const char *at, const char *msg) {
  const char *changed = restore_text(L, R, zs_nthreads);
  if (changed) return fail(L, changed);
  push_where(L, R, at);
  const char *where = lua_tostring(L, -1);
  lua_pushnil(L);
  lua_pushfstring(L, "%s: %s", where, msg);
  return 2;
}

static int fail(lua_State *L, const char *msg) {
  lua_pushnil(L);
  lua_pushstring(L, msg);
  return 2;
}

/* split the body into chunks at line breaks; returns the count */
static int plan_chunks(lua_State *L, reader *R, const char *body, const char *end, int nthreads) {
  const char *starts[MAX_CHUNKS + 1];
  int n = 0;
  starts[n++] = body;
  size_t len = (size_t)(end - body);
  for (int c = 1; c < nthreads; c++) {
    const char *target = body + len / (size_t)nthreads * (size_t)c;
    if (target <= starts[n - 1]) continue;
    const char *nl = memchr(target, '\n', (size_t)(end - target));
    if (!nl || nl + 1 >= end) break;
    starts[n++] = nl + 1;
  }
  starts[n] = end;
  R->chunks = xcalloc(L, (size_t)n, sizeof *R->chunks);
  R->nchunks = n;
  int64_t row0 = 0;
  for (int c = 0; c < n; c++) {
    chunk *ch = &R->chunks[c];
    ch->start = starts[c];
    ch->end = starts[c + 1];
    ch->row0 = row0;
    ch->max_rows = count_breaks(ch->start, ch->end) + 1;
    row0 += ch->max_rows;
    setup_chunk(L, R, ch);
  }
  return n;
}

static void drop_chunks(reader *R) {
  for (int c = 0; c < R->nchunks; c++) chunk_release(&R->chunks[c], R->nout);
  free(R->chunks);
  R->chunks = NULL;
  R->nchunks = 0;
}

/* Stack: 1 source (path or text), 2 opts table, 3 reader. */
static int parse(lua_State *L, reader *R) {
  const char *end = R->text + R->len, *p = R->text;
  chunk *tmp = &R->head; /* its scratch buffer is freed by reader_gc if a call below raises */

  for (int64_t i = 0; i < R->skip && p < end; i++) {
    while (p < end && *p != '\n' && *p != '\r') p++;
    if (p < end) p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
  }
  p = skip_blank(R, p, end);

  /* names: 4 */
  int nfields;
  const char *after = read_names(L, R, tmp, p, &nfields);
  chunk_release(tmp, 0);
  memset(tmp, 0, sizeof *tmp);
  if (!after) return fail(L, lua_tostring(L, -1));
  if (R->header) {
    p = after;
  } else {
    if (R->pad) {
      /* ragged records without a header: as many columns as the longest */
      const char *q = p;
      field f;
      while ((q = skip_blank(R, q, end)) < end) {
        int nf = 0;
        do {
          if (next_field(R, tmp, &q, end, &f) < 0) break;
          nf++;
        } while (!f.last);
        if (tmp->err_at) break; /* reported by the parse proper */
        if (nf > nfields) nfields = nf;
      }
      chunk_release(tmp, 0);
      memset(tmp, 0, sizeof *tmp);
    }
    lua_pop(L, 1);
    lua_createtable(L, nfields, 0);
    for (int j = 1; j <= nfields; j++) {
      lua_pushfstring(L, "V%d", j);
      lua_rawseti(L, -2, j);
    }
  }
  fix_names(L, nfields);
  int names = lua_gettop(L);

  /* selected columns, in the order asked for */
  R->nfields = nfields;
  R->out_of_field = xcalloc(L, (size_t)nfields, sizeof(int));
  for (int j = 0; j < nfields; j++) R->out_of_field[j] = -1;
  lua_newtable(L); /* 5: output names */
  int out_names = lua_gettop(L);
  if (lua_getfield(L, 2, "columns") != LUA_TNIL) {
    if (!lua_istable(L, -1)) luaL_error(L, "option 'columns' must be an array of names");
    int n = (int)lua_rawlen(L, -1);
    for (int i = 1; i <= n; i++) {
      if (lua_rawgeti(L, -1, i) != LUA_TSTRING) luaL_error(L, "option 'columns' must hold names");
      const char *want = lua_tostring(L, -1);
      int found = -1;
      for (int j = 0; j < nfields && found < 0; j++) {
        lua_rawgeti(L, names, j + 1);
        if (strcmp(lua_tostring(L, -1), want) == 0) found = j;
        lua_pop(L, 1);
      }
      if (found < 0) return fail(L, lua_pushfstring(L, "%s: no column named '%s'", R->name, want));
      if (R->out_of_field[found] >= 0) luaL_error(L, "option 'columns' names '%s' twice", want);
      R->out_of_field[found] = R->nout++;
      lua_rawseti(L, out_names, R->nout);
    }
  } else {
    for (int j = 0; j < nfields; j++) {
      R->out_of_field[j] = R->nout++;
      lua_rawgeti(L, names, j + 1);
      lua_rawseti(L, out_names, R->nout);
    }
  }
  lua_pop(L, 1);

  int nout = R->nout;
  R->fixed = xcalloc(L, (size_t)nout, sizeof(int));
  R->base = xcalloc(L, (size_t)nout, sizeof(char *));
  R->needs_pass2 = xcalloc(L, (size_t)nout, sizeof(int));
  for (int k = 0; k < nout; k++) R->fixed[k] = R->infer ? T_UNKNOWN : ZS_STR;
  if (lua_getfield(L, 2, "types") != LUA_TNIL) {
    if (!lua_istable(L, -1)) luaL_error(L, "option 'types' must be a table of column name = type");
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      if (lua_type(L, -2) != LUA_TSTRING) luaL_error(L, "option 'types': keys must be column names");
      const char *tn = lua_tostring(L, -1);
      int t = tn ? zs_type_from_name(tn) : -1;
      if (t < 0) luaL_error(L, "option 'types': unknown type '%s' for column '%s'", tn ? tn : "?", lua_tostring(L, -2));
      int found = -1;
      for (int k = 0; k < nout && found < 0; k++) {
        lua_rawgeti(L, out_names, k + 1);
        if (strcmp(lua_tostring(L, -1), lua_tostring(L, -3)) == 0) found = k;
        lua_pop(L, 1);
      }
      if (found < 0) return fail(L, lua_pushfstring(L, "%s: option 'types': no column named '%s'", R->name, lua_tostring(L, -2)));
      R->fixed[found] = t;
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);

  /* chunks and output buffers (capacity: one row per line break, + 1 each) */
  const char *body = p;
  int64_t opt_threads = -1;
  if (lua_getfield(L, 2, "threads") != LUA_TNIL) {
    int ok;
    opt_threads = lua_tointegerx(L, -1, &ok);
    if (!ok || opt_threads < 1) luaL_error(L, "option 'threads' must be a positive integer");
  }
  lua_pop(L, 1);
  int nthreads = R->max_records >= 0 ? 1 : nthreads_for(L, (size_t)(end - body), (int)opt_threads);
  int nchunks = plan_chunks(L, R, body, end, nthreads);
  int64_t capacity = 0;
  for (int c = 0; c < nchunks; c++) capacity += R->chunks[c].max_rows;
  lua_createtable(L, nout, 0); /* 6: columns */
  int cols = lua_gettop(L);
  for (int k = 0; k < nout; k++) {
    zs_col *col = zs_col_push(L, ZS_INT, capacity, 0);
    R->base[k] = col->data;
    lua_rawseti(L, cols, k + 1);
  }

  run_chunks(R, R->chunks, nchunks);
  for (int c = 0; c < R->nchunks; c++) {
    chunk *ch = &R->chunks[c];
    const char *next = c + 1 < R->nchunks ? R->chunks[c + 1].start : NULL;
    /* chunk c began a record (chunk 0 does, and each next one was checked
     * to begin where the previous ended): an error before its end is the
     * file's; past it (the chunk ran into the next one's text, which that
     * one may have given back) only a parse on one thread can tell */
    if (ch->err_at && (!next || ch->err_at < next)) return fail_at(L, R, ch->err_at, ch->err);
    if (next && (ch->stop != next || ch->err_at)) {
      /* a split fell inside a quoted field: parse again on one thread */
      const char *changed = restore_text(L, R, zs_nthreads);
      if (changed) return fail(L, changed);
      drop_chunks(R);
      plan_chunks(L, R, body, end, 1);
      run_chunks(R, R->chunks, 1);
      if (R->chunks[0].err_at) return fail_at(L, R, R->chunks[0].err_at, R->chunks[0].err);
      break;
    }
  }
  int64_t total = 0;
  for (int c = 0; c < R->nchunks; c++) total += R->chunks[c].nrows;

  /* columns that turned out to be text: read them again as str */
  int any_pass2 = 0;
  int *types = R->types = xcalloc(L, (size_t)nout, sizeof(int));
  for (int k = 0; k < nout; k++) {
    int t = final_type(R, k);
    if (t == -2) {
      R->needs_pass2[k] = 1;
      any_pass2 = 1;
      t = ZS_STR;
    }
    types[k] = t;
  }
  if (any_pass2) {
    chunk *ch = &R->pass2;
    ch->start = body;
    ch->end = end;
    ch->row0 = 0;
    ch->max_rows = capacity;
    ch->pass2 = 1;
    int *saved = R->fixed;
    int *fixed2 = calloc((size_t)nout, sizeof(int));
    if (!fixed2) luaL_error(L, "not enough memory");
    for (int k = 0; k < nout; k++) fixed2[k] = R->needs_pass2[k] ? ZS_STR : saved[k];
    R->fixed = fixed2;
    free(saved);
    setup_chunk(L, R, ch);
    const char *changed = restore_text(L, R, zs_nthreads);
    if (changed) return fail(L, changed);
    parse_chunk(R, ch);
    if (ch->err_at) return fail_at(L, R, ch->err_at, ch->err);
  }

  /* final types, rows moved into place, dictionaries merged */
  for (int k = 0; k < nout; k++) {
    lua_rawgeti(L, cols, k + 1);
    int cidx = lua_gettop(L);
    zs_col *col = zs_col_check(L, cidx);
    int t = types[k];
    col->type = (zs_type)t;
    if (t == ZS_STR) {
      col->dict = zs_dict_push(L);
      lua_setiuservalue(L, cidx, 1);
    }
    if (R->needs_pass2[k]) {
      compact(L, R, col, k, t, &R->pass2, 0);
    } else {
      int64_t at = 0;
      for (int c = 0; c < R->nchunks; c++) {
        compact(L, R, col, k, t, &R->chunks[c], at);
        at += R->chunks[c].nrows;
      }
    }
    if ((t == ZS_INT || t == ZS_DATE) && !R->needs_pass2[k]) record_range(R, col, k, t);
    if (!R->needs_pass2[k]) record_na(R, col, k);
    /* the buffer held capacity * 8 bytes */
    col->n = capacity * 8 / (int64_t)zs_type_width((zs_type)t);
    col->bytes = (size_t)capacity * 8;
    zs_col_resize(L, col, total);
    if (t == ZS_STR) {
      zs_col_sort_dict(L, cidx); /* code order = string order: faster grouping and sorting */
      col->codes_dense = 1;      /* its dictionary holds the strings read, no other */
    }
    lua_pop(L, 1);
  }

  /* the frame */
  luaL_checkstack(L, 2 * nout + 4, "too many columns");
  for (int k = 0; k < nout; k++) {
    lua_rawgeti(L, out_names, k + 1);
    lua_rawgeti(L, cols, k + 1);
  }
  zs_frame_build(L, nout);
  return 1;
}

/* zs.read_csv(path [, opts]) -> frame, or nil and "path:line:col: message" */
static int l_read_csv(lua_State *L) {
  luaL_checkstring(L, 1);
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  if (lua_isnil(L, 2)) {
    lua_newtable(L);
    lua_replace(L, 2);
  }
  reader *R = reader_push(L); /* 3 */
  read_options(L, R, 2);
  R->name = lua_tostring(L, 1);
  const char *encoding = NULL;
  /* a string, not a number: lua_tostring would convert the copy on the
   * stack, which is popped, and `encoding` would dangle */
  if (lua_getfield(L, 2, "encoding") != LUA_TNIL && (lua_type(L, -1) != LUA_TSTRING || !(encoding = lua_tostring(L, -1))))
    luaL_error(L, "option 'encoding' must be a string");
  lua_pop(L, 1); /* the string stays alive in opts */
  const char *msg = open_file(L, R, lua_tostring(L, 1), encoding);
  if (msg) return fail(L, msg);
  lua_settop(L, 3);
  int n = parse(L, R);
  /* free the mapping and scratch now rather than at the next collection */
  lua_pushcfunction(L, reader_gc);
  lua_pushvalue(L, 3);
  lua_call(L, 1, 0);
  return n;
}

/* zs.parse_csv(text [, opts]) -> frame, or nil and "<string>:line:col: message" */
static int l_parse_csv(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  if (lua_isnil(L, 2)) {
    lua_newtable(L);
    lua_replace(L, 2);
  }
  reader *R = reader_push(L); /* 3 */
  read_options(L, R, 2);
  /* a string, not a number (see encoding): R->name must stay valid */
  if (lua_getfield(L, 2, "source") != LUA_TNIL && lua_type(L, -1) != LUA_TSTRING)
    luaL_error(L, "option 'source' must be a string");
  R->name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "<string>";
  lua_pop(L, 1); /* still referenced by opts */
  const char *encoding = NULL;
  /* a string, not a number: lua_tostring would convert the copy on the
   * stack, which is popped, and `encoding` would dangle */
  if (lua_getfield(L, 2, "encoding") != LUA_TNIL && (lua_type(L, -1) != LUA_TSTRING || !(encoding = lua_tostring(L, -1))))
    luaL_error(L, "option 'encoding' must be a string");
  lua_pop(L, 1);
  const char *msg = decode_input(L, R, text, len, encoding);
  if (msg) return fail(L, msg);
  lua_settop(L, 3);
  int n = parse(L, R);
  lua_pushcfunction(L, reader_gc);
  lua_pushvalue(L, 3);
  lua_call(L, 1, 0);
  return n;
}

void zs_csv_read_open(lua_State *L) {
  static const luaL_Reg fns[] = {{"read_csv", l_read_csv}, {"parse_csv", l_parse_csv}, {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
}

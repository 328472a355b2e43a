/* numparse.c: strict text <-> value conversions shared by the CSV reader,
 * the writer, casts and printing.  Independent of the C locale. */
#define _GNU_SOURCE
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs.h"

/* called from the CSV worker threads too: initialized exactly once */
static locale_t c_loc;
static pthread_once_t c_loc_once = PTHREAD_ONCE_INIT;
static void c_locale_init(void) { c_loc = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

static locale_t c_locale(void) {
  pthread_once(&c_loc_once, c_locale_init);
  return c_loc;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* ---- integers ------------------------------------------------------------ */

/* Digit groups: with a thousands mark, 1 to 3 leading digits then groups of
 * exactly three ("1.234.567"); a number may also be written without marks
 * ("1234567").  group counts the digits since the last mark, -1 before any. */
static int group_ok(int group, int grouped) { return grouped ? group == 3 : 1; }

/* [+-]digits, no leading zeros ("0" itself is fine; "08123" is a code, not
 * a number), with optional thousands marks (0: none) */
int zs_parse_int(const char *s, size_t len, char thousands, int64_t *out) {
  const char *p = s, *end = s + len;
  int neg = 0;
  if (p < end && (*p == '+' || *p == '-')) neg = (*p++ == '-');
  if (p == end || !is_digit(*p)) return 0;
  if (*p == '0' && p + 1 < end) return 0; /* leading zero */
  uint64_t v = 0;
  int group = 0, grouped = 0;
  for (; p < end; p++) {
    char c = *p;
    if (is_digit(c)) {
      if (v > (UINT64_MAX - 9) / 10) return 0;
      v = v * 10 + (uint64_t)(c - '0');
      group++;
      if (grouped && group > 3) return 0;
    } else if (c == thousands && thousands) {
      if (group == 0 || (grouped && group != 3) || (!grouped && group > 3)) return 0;
      grouped = 1;
      group = 0;
    } else {
      return 0;
    }
  }
  if (!group_ok(group, grouped)) return 0;
  if (v > (uint64_t)INT64_MAX) return 0; /* and -2^63 is NA */
  *out = neg ? -(int64_t)v : (int64_t)v;
  return 1;
}

/* ---- floats -------------------------------------------------------------- */

static const double pow10_exact[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Validate [+-]int[<decimal>frac][e[+-]exp] (int without leading zeros,
 * optional thousands groups) and convert.  Up to 19 significant digits and
 * powers of ten up to 1e22 convert exactly with one correctly rounded
 * multiplication or division (Clinger's fast path); anything else goes to
 * strtod_l in the C locale, which rounds correctly. */
int zs_parse_float(const char *s, size_t len, char decimal, char thousands, double *out) {
  const char *p = s, *end = s + len;
  int neg = 0;
  if (p < end && (*p == '+' || *p == '-')) neg = (*p++ == '-');
  uint64_t mant = 0;
  int ndigits = 0;   /* significant digits taken into mant */
  int dropped = 0;   /* nonzero digits beyond 19 */
  int exp10 = 0;     /* decimal exponent adjustment */
  int int_digits = 0, frac_digits = 0;
  const char *int_start = p;
  int group = 0, grouped = 0;
  for (; p < end; p++) {
    char c = *p;
    if (is_digit(c)) {
      if (int_digits == 1 && *int_start == '0' && !grouped) return 0; /* leading zero */
      int_digits++;
      group++;
      if (ndigits < 19) {
        if (mant || c != '0') { mant = mant * 10 + (uint64_t)(c - '0'); ndigits += mant != 0; }
      } else {
        exp10++;
        dropped |= c != '0';
      }
      if (grouped && group > 3) return 0;
    } else if (c == thousands && thousands) {
      if (group == 0 || (grouped && group != 3) || (!grouped && group > 3)) return 0;
      grouped = 1;
      group = 0;
    } else {
      break;
    }
  }
  if (!group_ok(group, grouped)) return 0;
  if (p < end && *p == decimal) {
    p++;
    for (; p < end && is_digit(*p); p++) {
      frac_digits++;
      if (ndigits < 19) {
        if (mant || *p != '0') { mant = mant * 10 + (uint64_t)(*p - '0'); ndigits += mant != 0; }
        exp10--;
      } else {
        dropped |= *p != '0';
      }
    }
  }
  if (int_digits + frac_digits == 0) return 0;
  if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    int eneg = 0, edigits = 0;
    long e = 0;
    if (p < end && (*p == '+' || *p == '-')) eneg = (*p++ == '-');
    for (; p < end && is_digit(*p); p++, edigits++)
      if (e < 100000) e = e * 10 + (*p - '0');
    if (edigits == 0) return 0;
    exp10 += (int)(eneg ? -e : e);
  }
  if (p != end) return 0;
  double v;
  if (mant == 0) {
    v = 0.0;
  } else if (!dropped && mant <= ((uint64_t)1 << 53) && exp10 >= -22 && exp10 <= 22) {
    v = (double)mant;
    v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
  } else {
    /* slow path: normalized copy for strtod_l */
    char stackbuf[128];
    char *buf = len + 1 <= sizeof stackbuf ? stackbuf : malloc(len + 1);
    if (!buf) return 0;
    size_t k = 0;
    for (const char *q = s; q < end; q++) {
      if (thousands && *q == thousands) continue;
      buf[k++] = *q == decimal ? '.' : *q;
    }
    buf[k] = '\0';
    v = strtod_l(buf, NULL, c_locale());
    if (buf != stackbuf) free(buf);
    *out = v; /* sign already in the text */
    return 1;
  }
  *out = neg ? -v : v;
  return 1;
}

static int lower_eq(const char *s, size_t len, const char *word) {
  size_t n = strlen(word);
  if (len != n) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != word[i]) return 0;
  }
  return 1;
}

int zs_parse_float_special(const char *s, size_t len, double *out) {
  int neg = 0;
  if (len && (*s == '+' || *s == '-')) {
    neg = *s == '-';
    s++;
    len--;
  }
  if (lower_eq(s, len, "inf") || lower_eq(s, len, "infinity")) {
    *out = neg ? -HUGE_VAL : HUGE_VAL;
    return 1;
  }
  if (lower_eq(s, len, "nan")) {
    *out = NAN;
    return 1;
  }
  return 0;
}

int zs_parse_bool(const char *s, size_t len, int8_t *out) {
  if (lower_eq(s, len, "true")) { *out = 1; return 1; }
  if (lower_eq(s, len, "false")) { *out = 0; return 1; }
  return 0;
}

int zs_format_int(int64_t v, char *buf) {
  char tmp[24];
  int n = 0, k = 0;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u);
  if (v < 0) buf[k++] = '-';
  while (n) buf[k++] = tmp[--n];
  buf[k] = '\0';
  return k;
}

/* Shortest of %.15g, %.16g, %.17g that reads back exactly (%.17g always
 * does).  Integral values keep a ".0" so that they read back as float. */
int zs_format_float(double v, char *buf, char point) {
  if (isinf(v)) return sprintf(buf, v < 0 ? "-Inf" : "Inf");
  if (isnan(v)) return sprintf(buf, "NaN");
  locale_t old = uselocale(c_locale());
  int n = 0;
  for (int prec = 15; prec <= 17; prec++) {
    n = snprintf(buf, 32, "%.*g", prec, v);
    if (prec == 17 || strtod_l(buf, NULL, c_locale()) == v) break;
  }
  uselocale(old);
  int has_mark = 0;
  for (int i = 0; i < n; i++) {
    if (buf[i] == '.') { buf[i] = point; has_mark = 1; }
    else if (buf[i] == 'e' || buf[i] == 'n' || buf[i] == 'N') has_mark = 1;
  }
  if (!has_mark) {
    buf[n++] = point;
    buf[n++] = '0';
    buf[n] = '\0';
  }
  return n;
}

/* ---- dates --------------------------------------------------------------- */

/* days since 1970-01-01 of a proleptic Gregorian date (the era-based
 * formula: 400-year eras of 146097 days, years starting in March) */
int32_t zs_days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;                                   /* [0, 399] */
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;  /* [0, 365] */
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
  return (int32_t)(era * 146097 + doe - 719468);
}

void zs_civil_from_days(int32_t days, int64_t *y, int *m, int *d) {
  int64_t z = (int64_t)days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m) {
  static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return dim[m - 1];
}

static int civil(int64_t y, int m, int d, int32_t *out) {
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return 0;
  *out = zs_days_from_civil(y, m, d);
  return 1;
}

int zs_parse_date(const char *s, size_t len, int32_t *out) {
  if (len != 10 || s[4] != '-' || s[7] != '-') return 0;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !is_digit(s[i])) return 0;
  int64_t y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0');
  int d = (s[8] - '0') * 10 + (s[9] - '0');
  return civil(y, m, d, out);
}

/* one or two digits then `mark` (moving *p past it); -1 if not */
static int small_part(const char **p, const char *end, char mark) {
  const char *q = *p;
  int v = 0, n = 0;
  while (q < end && is_digit(*q) && n < 2) v = v * 10 + (*q++ - '0'), n++;
  if (n == 0 || q >= end || *q != mark) return -1;
  *p = q + 1;
  return v;
}

const char *const zs_date_format_names[ZS_NDATE_FORMATS] = {"%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%m/%d/%Y"};

int zs_date_format_from_name(const char *name) {
  for (int k = 0; k < ZS_NDATE_FORMATS; k++)
    if (strcmp(name, zs_date_format_names[k]) == 0) return k;
  return -1;
}

/* A date in `format` (day and month of one or two digits, a four-digit
 * year), or in ISO yyyy-mm-dd whatever the format. */
int zs_parse_date_as(const char *s, size_t len, int format, int32_t *out) {
  if (zs_parse_date(s, len, out)) return 1;
  if (format == ZS_DATE_ISO || len < 8 || len > 10) return 0;
  const char *p = s, *end = s + len;
  char mark = format == ZS_DATE_DMY_DASH ? '-' : '/';
  int a = small_part(&p, end, mark), b = a < 0 ? -1 : small_part(&p, end, mark);
  if (b < 0 || end - p != 4) return 0;
  for (const char *q = p; q < end; q++)
    if (!is_digit(*q)) return 0;
  int64_t y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
  return format == ZS_DATE_MDY ? civil(y, a, b, out) : civil(y, b, a, out);
}

/* ---- text under conventions ------------------------------------------------ */

const zs_textfmt zs_textfmt_default = {'.', 0, ZS_DATE_ISO};

int zs_is_big_integer(const char *s, size_t len) {
  size_t i = (len && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == len) return 0;
  for (; i < len; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

int zs_infer_text(const char *s, size_t len, const zs_textfmt *fmt) {
  int64_t iv;
  double dv;
  int8_t bv;
  int32_t days;
  if (zs_parse_int(s, len, fmt->thousands, &iv)) return ZS_INT;
  if (zs_is_big_integer(s, len)) return ZS_STR;
  if (zs_parse_float(s, len, fmt->decimal, fmt->thousands, &dv)) return ZS_FLOAT;
  if (zs_parse_float_special(s, len, &dv)) return ZS_FLOAT; /* NaN: a float NA */
  if (zs_parse_bool(s, len, &bv)) return ZS_BOOL;
  if (zs_parse_date_as(s, len, fmt->date, &days)) return ZS_DATE;
  return ZS_STR;
}

int zs_text_to(zs_type t, const char *s, size_t len, const zs_textfmt *fmt, void *out) {
  switch (t) {
  case ZS_BOOL: return zs_parse_bool(s, len, (int8_t *)out);
  case ZS_INT: return zs_parse_int(s, len, fmt->thousands, (int64_t *)out);
  case ZS_FLOAT:
    return zs_parse_float(s, len, fmt->decimal, fmt->thousands, (double *)out) ||
           zs_parse_float_special(s, len, (double *)out);
  case ZS_DATE: return zs_parse_date_as(s, len, fmt->date, (int32_t *)out);
  default: return 0;
  }
}

int zs_format_date(int32_t days, char *buf) {
  int64_t y;
  int m, d;
  zs_civil_from_days(days, &y, &m, &d);
  if (y >= 0 && y <= 9999)
    return sprintf(buf, "%04d-%02d-%02d", (int)y, m, d);
  return sprintf(buf, "%lld-%02d-%02d", (long long)y, m, d);
}

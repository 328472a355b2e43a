/* text.c: Unicode normalization through libutf8proc (Debian's
 * libutf8proc): NFC for text keys, and a folded form for finding names
 * with or without diacritics ("Hải Phòng", "Hai Phong", "HẢI PHÒNG"). */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "zs.h"

/* utf8proc allocates with malloc: copy into Lua and free at once (no Lua
 * call can raise in between except the push, after which we free) */
static int push_mapped(lua_State *L, utf8proc_ssize_t r, utf8proc_uint8_t *out) {
  if (r < 0) {
    free(out);
    lua_pushnil(L);
    lua_pushstring(L, utf8proc_errmsg(r));
    return 2;
  }
  luaL_Buffer b;
  char *dst = luaL_buffinitsize(L, &b, (size_t)r);
  memcpy(dst, out, (size_t)r);
  free(out);
  luaL_pushresultsize(&b, (size_t)r);
  return 1;
}

/* zs.nfc(s) -> s in Unicode normal form C, or nil and a message for
 * invalid UTF-8 */
static int l_nfc(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  int ascii = 1;
  for (size_t i = 0; i < len && ascii; i++) ascii = (unsigned char)s[i] < 0x80;
  if (ascii) {
    lua_settop(L, 1);
    return 1;
  }
  utf8proc_uint8_t *out = NULL;
  utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &out,
                                    UTF8PROC_STABLE | UTF8PROC_COMPOSE);
  return push_mapped(L, r, out);
}

/* zs.fold(s) -> s without diacritics, case-folded, compatibility forms
 * replaced, đ as d (a letter of its own that no decomposition removes) */
static int l_fold(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  utf8proc_uint8_t *out = NULL;
  utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &out,
                                    UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
                                    UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);
  if (r < 0) return push_mapped(L, r, out);
  /* đ (C4 91) and Đ (C4 90, already folded) -> d: the text only shrinks */
  utf8proc_ssize_t w = 0;
  for (utf8proc_ssize_t i = 0; i < r; i++) {
    if (out[i] == 0xC4 && i + 1 < r && (out[i + 1] == 0x91 || out[i + 1] == 0x90)) {
      out[w++] = 'd';
      i++;
    } else {
      out[w++] = out[i];
    }
  }
  return push_mapped(L, w, out);
}

/* core.nfc_column(c) -> a str column whose strings are in NFC (the same
 * column when they already are), or nil, row, message for invalid UTF-8 */
static int l_nfc_column(lua_State *L) {
  zs_col *c = zs_col_check(L, 1);
  if (c->type != ZS_STR) luaL_argerror(L, 1, "expected a str column");
  const zs_dict *d = c->dict;
  int32_t *remap = zs_scratch(L, (size_t)d->n, sizeof(int32_t)); /* 2 */
  zs_col *r = zs_col_push(L, ZS_STR, c->n, 0);                    /* 3 */
  int changed = 0;
  for (int32_t k = 0; k < d->n; k++) {
    size_t len;
    const char *s = zs_dict_str(d, k, &len);
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t m = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &out,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (m < 0) {
      free(out);
      remap[k] = -2; /* reported at its first row */
      continue;
    }
    changed |= (size_t)m != len || memcmp(out, s, len) != 0;
    remap[k] = zs_dict_intern(r->dict, (const char *)out, (size_t)m);
    free(out);
    if (remap[k] < 0) luaL_error(L, "not enough memory");
  }
  const int32_t *codes = c->data;
  int32_t *dst = r->data;
  for (int64_t i = 0; i < c->n; i++) {
    if (codes[i] < 0) { dst[i] = ZS_NA_CODE; continue; }
    if (remap[codes[i]] == -2) {
      lua_pushnil(L);
      lua_pushinteger(L, i + 1);
      lua_pushliteral(L, "invalid UTF-8");
      return 3;
    }
    dst[i] = remap[codes[i]];
  }
  if (!changed) lua_settop(L, 1);
  return 1;
}

void zs_text_open(lua_State *L) {
  static const luaL_Reg fns[] = {{"nfc", l_nfc}, {"fold", l_fold}, {"nfc_column", l_nfc_column}, {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
}

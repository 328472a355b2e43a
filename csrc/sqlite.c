/* sqlite.c: reading and writing SQLite databases through libsqlite3.
 *
 *   core.read_sqlite(path, x [, params]) -> frame, or nil and a message
 *   core.write_sqlite(frame, path, table, mode) -> true, or nil and a message
 *
 * (lua/zonestat/sqlite.lua checks the arguments and names the calls.)
 *
 * Types.  Reading follows the declared type of each result column
 * (sqlite3_column_decltype), matched as SQLite matches affinities: a name
 * containing INT is int; CHAR, CLOB or TEXT str; REAL, FLOA or DOUB float;
 * then BOOL or BOOLEAN bool and DATE date (ISO 'yyyy-mm-dd' text).  A value
 * that does not fit its declared type is an error naming its row and
 * column.  Any other declared type (NUMERIC, DATETIME, BLOB, ...) and the
 * columns without one (expressions) are typed by their values, through the
 * builder: INTEGER values int, REAL float, int with float float, TEXT str
 * (dates when every value is ISO 'yyyy-mm-dd' text, as read_csv infers),
 * other mixes str.  Writing declares INTEGER, REAL, TEXT, BOOLEAN and DATE,
 * so a written frame reads back the same.
 *
 * Memory and handles.  The connection and its statements live in a userdata
 * ("zonestat.SQLite") that is put in an empty state before anything is
 * opened, and whose __gc (also __close) finalizes the statements, rolls back
 * an open transaction and closes the connection; so a Lua error at any
 * point (out of memory, a misused parameter) strands nothing.  The normal
 * paths close it explicitly, so the file is released when the call returns.
 * Values go through column builders (builder.c): no Lua value per cell. */
#include <errno.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zs.h"

#define HANDLE "zonestat.SQLite"

/* How long a call waits for another connection's lock before failing with
 * "database is locked". */
#define BUSY_TIMEOUT_MS 5000

/* ---- the handle ---------------------------------------------------------------- */

typedef struct {
  sqlite3 *db;
  sqlite3_stmt *stmt; /* the statement being run */
  sqlite3_stmt *aux;  /* a short-lived second one (checking a query's tail) */
  int in_tx;          /* a transaction is open: roll it back when closing */
} handle;

/* Idempotent: __gc, __close and the explicit closes of every path. */
static void handle_release(handle *h) {
  if (h->aux) sqlite3_finalize(h->aux);
  if (h->stmt) sqlite3_finalize(h->stmt);
  h->aux = h->stmt = NULL;
  if (h->db) {
    if (h->in_tx) sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close_v2(h->db); /* closing also rolls back what is still open */
  }
  h->db = NULL;
  h->in_tx = 0;
}

static int handle_gc(lua_State *L) {
  handle_release(luaL_checkudata(L, 1, HANDLE));
  return 0;
}

static handle *handle_push(lua_State *L) {
  handle *h = lua_newuserdatauv(L, sizeof *h, 0);
  memset(h, 0, sizeof *h); /* the safe empty state, before anything is opened */
  if (luaL_newmetatable(L, HANDLE)) {
    lua_pushcfunction(L, handle_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, handle_gc);
    lua_setfield(L, -2, "__close");
    lua_pushliteral(L, HANDLE);
    lua_setfield(L, -2, "__metatable");
  }
  lua_setmetatable(L, -2);
  return h;
}

/* The message on top of the stack becomes the second result after nil; the
 * handle is closed first (after the message was copied: sqlite3_errmsg
 * belongs to the connection). */
static int fail(lua_State *L, handle *h) {
  handle_release(h);
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

static int not_a_database(sqlite3 *db, int rc) {
  return (rc & 0xff) == SQLITE_NOTADB || (db && (sqlite3_errcode(db) & 0xff) == SQLITE_NOTADB);
}

/* Push "path: [label: ]<what went wrong>" for the last error of the
 * connection, with plain words for the errors that are about the file. */
static const char *push_db_error(lua_State *L, handle *h, const char *path, const char *label, int rc) {
  if (not_a_database(h->db, rc)) return lua_pushfstring(L, "%s: not a SQLite database", path);
  if (h->db && sqlite3_extended_errcode(h->db) == SQLITE_READONLY_ROLLBACK)
    return lua_pushfstring(L,
                           "%s: the database has a hot journal from an interrupted write; a read-write open "
                           "rolls it back (a write_sqlite to it, or any query with the sqlite3 command)",
                           path);
  const char *msg = h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc);
  if (label) return lua_pushfstring(L, "%s: %s: %s", path, label, msg);
  return lua_pushfstring(L, "%s: %s", path, msg);
}

/* SQLite reads "file:..." as a URI (Debian builds it with SQLITE_USE_URI)
 * and ":memory:" as no file at all; zonestat's paths are plain file names,
 * so those are given as "./file:...". */
static const char *push_file_name(lua_State *L, const char *path) {
  if (strncmp(path, "file:", 5) == 0 || strcmp(path, ":memory:") == 0) return lua_pushfstring(L, "./%s", path);
  return lua_pushstring(L, path);
}

/* Open the connection; 0 on success, else an error message is pushed. */
static int open_db(lua_State *L, handle *h, const char *file, const char *path, int flags) {
  const char *fname = push_file_name(L, file);
  /* NOMUTEX: the connection is used by this thread alone, so SQLite need
   * not lock a mutex in every call (13% of the time of a big read) */
  int rc = sqlite3_open_v2(fname, &h->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
  lua_pop(L, 1);
  if (rc != SQLITE_OK) {
    /* the reason in the system's words when there is one ("No such file or directory") */
    int e = h->db ? sqlite3_system_errno(h->db) : 0;
    if (e) lua_pushfstring(L, "%s: %s (%s)", path, h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc), strerror(e));
    else push_db_error(L, h, path, NULL, rc);
    return 1;
  }
  sqlite3_extended_result_codes(h->db, 1);
  sqlite3_busy_timeout(h->db, BUSY_TIMEOUT_MS);
  /* A database file may come from anywhere: its views and triggers may not
   * call functions with side effects, and SQL cannot corrupt the file. */
  sqlite3_db_config(h->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
  sqlite3_db_config(h->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
  return 0;
}

/* Prepare sql into h->stmt (finalizing the previous statement). */
static int prepare(handle *h, const char *sql, int len, const char **tail) {
  if (h->stmt) sqlite3_finalize(h->stmt);
  h->stmt = NULL;
  return sqlite3_prepare_v2(h->db, sql, len, &h->stmt, tail);
}

/* Run SQL without results; the primary result code. */
static int exec(handle *h, const char *sql) { return sqlite3_exec(h->db, sql, NULL, NULL, NULL); }

/* Add `name` to the buffer as an SQL identifier: in double quotes, with a
 * double quote inside doubled. */
static void add_ident(luaL_Buffer *b, const char *name, size_t len) {
  luaL_addchar(b, '"');
  for (size_t i = 0; i < len; i++) {
    if (name[i] == '"') luaL_addchar(b, '"');
    luaL_addchar(b, name[i]);
  }
  luaL_addchar(b, '"');
}

static int ascii_upper(int c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }

/* the declared type contains `word` (ASCII, any case) */
static int decl_has(const char *decl, const char *word) {
  size_t n = strlen(word);
  for (const char *p = decl; *p; p++) {
    size_t k = 0;
    while (k < n && p[k] && ascii_upper((unsigned char)p[k]) == word[k]) k++;
    if (k == n) return 1;
  }
  return 0;
}

/* the declared type is `word` (any case), without a "(...)" size */
static int decl_is(const char *decl, const char *word) {
  while (*decl == ' ') decl++;
  size_t n = strlen(word), k = 0;
  while (k < n && decl[k] && ascii_upper((unsigned char)decl[k]) == word[k]) k++;
  if (k < n) return 0;
  for (decl += n; *decl == ' '; decl++) {}
  return *decl == '\0' || *decl == '(';
}

/* The column type of a declared type, or -1 (typed by its values).  The
 * order is SQLite's own for affinities (INT before CHAR before REAL: "POINT"
 * is an integer, "FLOATING CHAR" text), then BOOLEAN and DATE, which SQLite
 * holds as NUMERIC. */
static int type_of_decl(const char *decl) {
  if (!decl) return -1;
  if (decl_has(decl, "INT")) return ZS_INT;
  if (decl_has(decl, "CHAR") || decl_has(decl, "CLOB") || decl_has(decl, "TEXT")) return ZS_STR;
  if (decl_has(decl, "REAL") || decl_has(decl, "FLOA") || decl_has(decl, "DOUB")) return ZS_FLOAT;
  if (decl_is(decl, "BOOL") || decl_is(decl, "BOOLEAN")) return ZS_BOOL;
  if (decl_is(decl, "DATE")) return ZS_DATE;
  return -1;
}

/* Push text for a message: at most `max` bytes (cut between UTF-8
 * characters, then "..."), runs of white space as one space when `squeeze`. */
static const char *push_excerpt(lua_State *L, const char *s, size_t len, size_t max, int squeeze) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  size_t out = 0, i = 0;
  int space = 0;
  if (squeeze)
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
  for (; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (squeeze && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) { space = 1; continue; }
    /* stop before a character (or the space before it) that starts beyond
     * the limit */
    if ((out >= max || (space && out + 1 >= max)) && (c & 0xC0) != 0x80) {
      luaL_addstring(&b, "...");
      break;
    }
    if (space) {
      luaL_addchar(&b, ' ');
      out++;
      space = 0;
    }
    luaL_addchar(&b, (char)c);
    out++;
  }
  luaL_pushresult(&b);
  return lua_tostring(L, -1);
}

/* ---- reading ------------------------------------------------------------------- */

/* what the reader notes about a column typed by its values */
typedef struct {
  int fixed;      /* zs_type from the declared type, or -1 */
  int saw_float;  /* a REAL value (the builder would make integral floats int) */
  int saw_other;  /* a value that is not text */
  int64_t texts;  /* text values, */
  int64_t dates;  /* of which ISO dates */
} colinfo;

/* Push the message for a value that does not fit its declared type. */
static const char *push_misfit(lua_State *L, sqlite3_stmt *s, int j, const char *decl) {
  char buf[40];
  switch (sqlite3_column_type(s, j)) {
  case SQLITE_INTEGER: zs_format_int(sqlite3_column_int64(s, j), buf); lua_pushfstring(L, "value %s", buf); break;
  case SQLITE_FLOAT: zs_format_float(sqlite3_column_double(s, j), buf, '.'); lua_pushfstring(L, "value %s", buf); break;
  case SQLITE_TEXT: {
    const char *t = (const char *)sqlite3_column_text(s, j);
    size_t n = (size_t)sqlite3_column_bytes(s, j);
    push_excerpt(L, t ? t : "", t ? n : 0, 40, 0);
    lua_pushfstring(L, "value '%s'", lua_tostring(L, -1));
    lua_remove(L, -2);
    break;
  }
  default: lua_pushliteral(L, "the value");
  }
  const char *hint = "";
  switch (type_of_decl(decl)) {
  case ZS_BOOL: hint = " (booleans are 0, 1, 'true' or 'false')"; break;
  case ZS_DATE: hint = " (dates are ISO text 'yyyy-mm-dd')"; break;
  default: break;
  }
  lua_pushfstring(L, "%s does not fit its declared type %s%s", lua_tostring(L, -1), decl, hint);
  lua_remove(L, -2);
  return lua_tostring(L, -1);
}

/* Add value j of the current row to builder b.  0: it does not fit the
 * declared type (a message is pushed then). */
static int add_value(lua_State *L, sqlite3_stmt *s, int j, zs_builder *b, colinfo *ci) {
  switch (sqlite3_column_type(s, j)) {
  case SQLITE_NULL: zs_builder_na(L, b); return 1;
  case SQLITE_INTEGER: {
    sqlite3_int64 v = sqlite3_column_int64(s, j);
    ci->saw_other = 1;
    if (v == ZS_NA_INT) {
      lua_pushliteral(L, "value -9223372036854775808 is out of range (the smallest int64 marks NA)");
      return 0;
    }
    if (zs_builder_int(L, b, v)) return 1;
    break;
  }
  case SQLITE_FLOAT:
    ci->saw_float = ci->saw_other = 1;
    if (zs_builder_float(L, b, sqlite3_column_double(s, j))) return 1;
    break;
  case SQLITE_TEXT: {
    const char *t = (const char *)sqlite3_column_text(s, j); /* text first, then its length */
    size_t n = (size_t)sqlite3_column_bytes(s, j);
    if (!t) luaL_error(L, "not enough memory");
    if (ci->fixed < 0) {
      int32_t days;
      ci->texts++;
      if (zs_parse_date(t, n, &days)) ci->dates++;
    }
    if (zs_builder_text(L, b, t, n)) return 1;
    break;
  }
  default:
    lua_pushliteral(L, "a BLOB value cannot be read (CAST it to TEXT in the query, or leave the column out)");
    return 0;
  }
  const char *decl = sqlite3_column_decltype(s, j);
  push_misfit(L, s, j, decl ? decl : "?");
  return 0;
}

/* Duplicate names get suffixes (a, a_2) and empty ones V1, V2, ... (by
 * position), as read_csv does.  The names table is on top of the stack. */
static void fix_names(lua_State *L, int n) {
  int names = lua_gettop(L);
  lua_newtable(L); /* seen: name -> next suffix to try */
  for (int j = 1; j <= n; j++) {
    lua_rawgeti(L, names, j);
    if (lua_rawlen(L, -1) == 0) {
      lua_pop(L, 1);
      lua_pushfstring(L, "V%d", j);
    }
    const char *base = lua_tostring(L, -1);
    lua_pushvalue(L, -1);
    if (lua_rawget(L, names + 1) != LUA_TNIL) {
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

/* Bind the Lua value at vidx to parameter i of the statement; raises on a
 * value that cannot be bound.  SQLITE_OK or SQLite's code. */
static int bind_lua(lua_State *L, sqlite3_stmt *s, int i, int vidx, const char *pname) {
  switch (lua_type(L, vidx)) {
  case LUA_TNIL: return sqlite3_bind_null(s, i);
  case LUA_TBOOLEAN: return sqlite3_bind_int(s, i, lua_toboolean(L, vidx));
  case LUA_TNUMBER:
    if (lua_isinteger(L, vidx)) return sqlite3_bind_int64(s, i, lua_tointeger(L, vidx));
    return sqlite3_bind_double(s, i, lua_tonumber(L, vidx)); /* NaN binds NULL */
  case LUA_TSTRING: {
    size_t len;
    const char *v = lua_tolstring(L, vidx, &len);
    return sqlite3_bind_text64(s, i, v, len, SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  default:
    if (zs_is_na(L, vidx)) return sqlite3_bind_null(s, i);
    return luaL_error(L, "params: parameter %s is a %s (numbers, strings, booleans and zs.NA can be bound)", pname,
                      luaL_typename(L, vidx));
  }
}

/* Bind the table of parameters at index pidx: integer keys bind by
 * position (?, ?NNN), string keys by name (:name, @name or $name; the key
 * may carry the prefix or not).  Misuse raises: a position or name the
 * query does not have, a parameter given twice, a value of another type.
 * Parameters without a value are NULL, as in SQLite.  SQLITE_OK or the code
 * of a failed bind. */
static int bind_params(lua_State *L, handle *h, int pidx) {
  sqlite3_stmt *s = h->stmt;
  int np = sqlite3_bind_parameter_count(s);
  char *bound = lua_newuserdatauv(L, (size_t)np + 1, 0);
  memset(bound, 0, (size_t)np + 1);
  lua_pushnil(L);
  while (lua_next(L, pidx)) {
    int vidx = lua_gettop(L);
    if (lua_type(L, -2) == LUA_TNUMBER) {
      if (!lua_isinteger(L, -2)) luaL_error(L, "params: keys must be positions (integers) or names (strings)");
      lua_Integer k = lua_tointeger(L, -2);
      if (k < 1 || k > np)
        luaL_error(L, "params: the query has %d parameter%s, none at position %I", np, np == 1 ? "" : "s", k);
      if (bound[k]) luaL_error(L, "params: parameter %I is given twice", k);
      bound[k] = 1;
      lua_pushfstring(L, "%I", k);
      int rc = bind_lua(L, s, (int)k, vidx, lua_tostring(L, -1));
      if (rc != SQLITE_OK) return rc;
      lua_pop(L, 1);
    } else if (lua_type(L, -2) == LUA_TSTRING) {
      const char *key = lua_tostring(L, -2);
      static const char prefixes[] = ":@$";
      int found = 0;
      for (int p = 0; p < 3; p++) {
        int idx;
        if (key[0] && strchr(prefixes, key[0])) {
          if (p) break; /* the key names its prefix itself */
          idx = sqlite3_bind_parameter_index(s, key);
        } else {
          char pre[2] = {prefixes[p], '\0'};
          lua_pushfstring(L, "%s%s", pre, key);
          idx = sqlite3_bind_parameter_index(s, lua_tostring(L, -1));
          lua_pop(L, 1);
        }
        if (idx <= 0) continue;
        if (bound[idx]) luaL_error(L, "params: parameter '%s' is given twice", sqlite3_bind_parameter_name(s, idx));
        bound[idx] = 1;
        found = 1;
        lua_pushfstring(L, "'%s'", key);
        int rc = bind_lua(L, s, idx, vidx, lua_tostring(L, -1));
        lua_pop(L, 1);
        if (rc != SQLITE_OK) return rc;
      }
      if (!found) luaL_error(L, "params: the query has no parameter named '%s'", key);
    } else {
      luaL_error(L, "params: keys must be positions (integers) or names (strings)");
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1); /* bound */
  return SQLITE_OK;
}

/* x names a table or view of the main schema (any case, as SQLite's names);
 * 1 yes, 0 no, -1 an error (its code in *rc) */
static int is_table(handle *h, const char *x, size_t len, int *rc) {
  *rc = prepare(h, "SELECT 1 FROM main.sqlite_master WHERE type IN ('table', 'view') AND name = ?1 COLLATE NOCASE", -1,
                NULL);
  if (*rc != SQLITE_OK) return -1;
  sqlite3_bind_text64(h->stmt, 1, x, len, SQLITE_TRANSIENT, SQLITE_UTF8);
  *rc = sqlite3_step(h->stmt);
  if (*rc == SQLITE_ROW) return 1;
  if (*rc == SQLITE_DONE) return 0;
  return -1;
}

/* a single word that could be a table name (letters, digits, _, any UTF-8
 * beyond ASCII): with no such table it is reported as a missing table, not
 * as an SQL syntax error */
static int looks_like_name(const char *x, size_t len) {
  if (len == 0) return 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)x[i];
    if (!(c >= 0x80 || c == '_' || (c >= '0' && c <= '9') || (ascii_upper(c) >= 'A' && ascii_upper(c) <= 'Z'))) return 0;
  }
  return 1;
}

/* core.read_sqlite(path, x [, params]) -> frame, or nil and a message */
static int l_read_sqlite(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  size_t xlen;
  const char *x = luaL_checklstring(L, 2, &xlen);
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  lua_settop(L, 3);
  handle *h = handle_push(L); /* 4 */

  /* read-only: a missing file is an error, never an empty new database */
  struct stat st;
  if (stat(path, &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) lua_pushfstring(L, "%s: no such file", path);
    else lua_pushfstring(L, "%s: %s", path, strerror(errno));
    return fail(L, h);
  }
  if (S_ISDIR(st.st_mode)) {
    lua_pushfstring(L, "%s: is a directory", path);
    return fail(L, h);
  }
  if (open_db(L, h, path, path, SQLITE_OPEN_READONLY)) return fail(L, h);

  int rc, t = is_table(h, x, xlen, &rc);
  if (t < 0 && sqlite3_extended_errcode(h->db) == SQLITE_READONLY_ROLLBACK) {
    /* a hot journal: a write was interrupted (killed, or the power went).
     * Rolling it back is what any SQLite client does on its next open, and
     * needs a read-write open; without write permission, the message says
     * so.  Queries stay read-only (sqlite3_stmt_readonly below). */
    handle_release(h);
    if (open_db(L, h, path, path, SQLITE_OPEN_READWRITE) == 0) {
      t = is_table(h, x, xlen, &rc);
    } else {
      lua_pop(L, 1);
      if (open_db(L, h, path, path, SQLITE_OPEN_READONLY)) return fail(L, h);
      t = is_table(h, x, xlen, &rc);
    }
  }
  if (t < 0) {
    push_db_error(L, h, path, NULL, rc);
    return fail(L, h);
  }
  const char *label, *sql;
  if (t) {
    label = lua_pushstring(L, x); /* 5 */
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "SELECT * FROM main.");
    add_ident(&b, x, xlen);
    luaL_pushresult(&b); /* 6 */
    sql = lua_tostring(L, -1);
  } else {
    /* one word that is not an SQL keyword ("BEGIN", "VACUUM") can only be
     * meant as a name */
    if (looks_like_name(x, xlen) && !(xlen <= INT32_MAX && sqlite3_keyword_check(x, (int)xlen))) {
      lua_pushfstring(L, "%s: no table or view named '%s'", path, x);
      return fail(L, h);
    }
    label = push_excerpt(L, x, xlen, 60, 1); /* 5 */
    sql = lua_pushlstring(L, x, xlen);       /* 6 */
  }
  size_t sql_len = lua_rawlen(L, 6);

  const char *tail;
  rc = prepare(h, sql, (int)(sql_len < (size_t)INT32_MAX ? sql_len : (size_t)INT32_MAX), &tail);
  if (rc != SQLITE_OK) {
    push_db_error(L, h, path, label, rc);
    return fail(L, h);
  }
  if (!h->stmt) {
    lua_pushfstring(L, "%s: %s: no SQL statement", path, label);
    return fail(L, h);
  }
  /* what follows the first statement must be empty (white space, comments,
   * semicolons): a second statement would otherwise be ignored silently */
  rc = sqlite3_prepare_v2(h->db, tail, -1, &h->aux, NULL);
  if (rc != SQLITE_OK || h->aux) {
    lua_pushfstring(L, "%s: %s: only one statement is allowed", path, label);
    return fail(L, h);
  }
  if (!sqlite3_stmt_readonly(h->stmt)) {
    lua_pushfstring(L, "%s: %s: only queries that read are allowed", path, label);
    return fail(L, h);
  }
  int ncol = sqlite3_column_count(h->stmt);
  if (ncol == 0) {
    lua_pushfstring(L, "%s: %s: the statement returns no columns (only queries are allowed)", path, label);
    return fail(L, h);
  }
  if (lua_istable(L, 3) && (rc = bind_params(L, h, 3)) != SQLITE_OK) {
    push_db_error(L, h, path, label, rc);
    return fail(L, h);
  }

  /* one builder per column, at base + j; the notes beside them */
  luaL_checkstack(L, 3 * ncol + 16, "too many columns");
  colinfo *info = lua_newuserdatauv(L, zs_mulsize(L, (size_t)ncol, sizeof(colinfo)), 0); /* 7 */
  int base = lua_gettop(L) + 1;
  zs_builder **bs = lua_newuserdatauv(L, zs_mulsize(L, (size_t)ncol, sizeof(zs_builder *)), 0); /* base */
  base++;
  for (int j = 0; j < ncol; j++) {
    memset(&info[j], 0, sizeof info[j]);
    info[j].fixed = type_of_decl(sqlite3_column_decltype(h->stmt, j));
    bs[j] = zs_builder_push(L, info[j].fixed, NULL);
  }

  int64_t row = 0;
  while ((rc = sqlite3_step(h->stmt)) == SQLITE_ROW) {
    row++;
    for (int j = 0; j < ncol; j++) {
      if (add_value(L, h->stmt, j, bs[j], &info[j])) continue;
      const char *name = sqlite3_column_name(h->stmt, j);
      lua_pushfstring(L, "%s: %s: row %I: column '%s': %s", path, label, (lua_Integer)row, name ? name : "?",
                      lua_tostring(L, -1));
      return fail(L, h);
    }
  }
  if (rc != SQLITE_DONE) {
    push_db_error(L, h, path, label, rc);
    return fail(L, h);
  }

  /* the names, as read_csv fixes them */
  lua_createtable(L, ncol, 0);
  for (int j = 0; j < ncol; j++) {
    const char *name = sqlite3_column_name(h->stmt, j);
    if (!name) luaL_error(L, "not enough memory");
    lua_pushstring(L, name);
    lua_rawseti(L, -2, j + 1);
  }
  fix_names(L, ncol);
  int names = lua_gettop(L);
  handle_release(h); /* all is read */

  for (int j = 0; j < ncol; j++) {
    lua_rawgeti(L, names, j + 1);
    zs_col *c = zs_builder_finish(L, base + j);
    if (info[j].fixed < 0) {
      /* typed by the values: SQLite says which numbers are REAL, so a REAL
       * value makes the column float even when every value is integral (the
       * builder, made for spreadsheets, would make it int); a column of ISO
       * dates as text is a date column, as read_csv infers */
      zs_type want = c->type;
      if (c->type == ZS_INT && info[j].saw_float) want = ZS_FLOAT;
      else if (c->type == ZS_STR && !info[j].saw_other && info[j].texts > 0 && info[j].dates == info[j].texts)
        want = ZS_DATE;
      if (want != c->type) {
        c = zs_col_cast(L, -1, want, lua_tostring(L, -2));
        lua_remove(L, -2);
      }
    }
  }
  zs_frame_build(L, ncol);
  return 1;
}

/* ---- writing ------------------------------------------------------------------- */

/* fail() for the writer: the connection first, then the temporary of a new
 * database and its journal */
static int fail_new(lua_State *L, handle *h, zs_atomic *a) {
  handle_release(h);
  if (a->tmpname) {
    lua_pushfstring(L, "%s-journal", a->tmpname);
    unlink(lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  zs_atomic_release(a);
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

static const char *const decl_of_type[ZS_NTYPES] = {
    [ZS_BOOL] = "BOOLEAN", [ZS_INT] = "INTEGER", [ZS_FLOAT] = "REAL", [ZS_DATE] = "DATE", [ZS_STR] = "TEXT"};

enum { M_CREATE, M_REPLACE, M_APPEND };

/* Push the message when the table's columns (from pragma_table_info) are
 * not the frame's names, in any order, compared as SQLite compares names
 * (ASCII case folded); NULL when they match.  names: the frame's names at
 * index `names`. */
static const char *check_columns(lua_State *L, handle *h, const char *path, const char *table, int names, int ncol,
                                 int *rc) {
  *rc = prepare(h, "SELECT name FROM pragma_table_info(?1, 'main')", -1, NULL);
  if (*rc != SQLITE_OK) return push_db_error(L, h, path, table, *rc);
  sqlite3_bind_text(h->stmt, 1, table, -1, SQLITE_TRANSIENT);
  lua_newtable(L); /* the table's names, in order */
  int tcols = lua_gettop(L), nt = 0;
  while ((*rc = sqlite3_step(h->stmt)) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(h->stmt, 0);
    lua_pushstring(L, name ? name : "");
    lua_rawseti(L, tcols, ++nt);
  }
  if (*rc != SQLITE_DONE) return push_db_error(L, h, path, table, *rc);
  *rc = SQLITE_OK;
  const char *problem = NULL;
  for (int j = 1; j <= ncol && !problem; j++) {
    lua_rawgeti(L, names, j);
    int found = 0;
    for (int k = 1; k <= nt && !found; k++) {
      lua_rawgeti(L, tcols, k);
      found = sqlite3_stricmp(lua_tostring(L, -1), lua_tostring(L, -2)) == 0;
      lua_pop(L, 1);
    }
    if (!found) problem = lua_pushfstring(L, "the table has no column '%s'", lua_tostring(L, -1));
  }
  for (int k = 1; k <= nt && !problem; k++) {
    lua_rawgeti(L, tcols, k);
    int found = 0;
    for (int j = 1; j <= ncol && !found; j++) {
      lua_rawgeti(L, names, j);
      found = sqlite3_stricmp(lua_tostring(L, -1), lua_tostring(L, -2)) == 0;
      lua_pop(L, 1);
    }
    if (!found) problem = lua_pushfstring(L, "the frame has no column '%s'", lua_tostring(L, -1));
  }
  if (!problem) {
    lua_settop(L, tcols - 1);
    return NULL;
  }
  return lua_pushfstring(L, "%s: %s: the columns do not match the frame's: %s (mode = \"append\" needs the same names)",
                         path, table, problem);
}

/* Bind row i of the frame to the INSERT; SQLITE_OK, SQLite's code, or -1
 * when a date has no ISO form (column in *bad). */
static int bind_row(sqlite3_stmt *s, const zs_frame *f, int64_t i, int *bad) {
  for (int j = 0; j < f->ncol; j++) {
    const zs_col *c = f->cols[j];
    int rc;
    if (zs_col_isna(c, i)) {
      rc = sqlite3_bind_null(s, j + 1);
    } else {
      switch (c->type) {
      case ZS_BOOL: rc = sqlite3_bind_int(s, j + 1, ((const int8_t *)c->data)[i] != 0); break;
      case ZS_INT: rc = sqlite3_bind_int64(s, j + 1, ((const int64_t *)c->data)[i]); break;
      case ZS_FLOAT: rc = sqlite3_bind_double(s, j + 1, ((const double *)c->data)[i]); break;
      case ZS_DATE: {
        char buf[32];
        int n = zs_format_date(((const int32_t *)c->data)[i], buf);
        /* only years 0000-9999 have the ISO form read_sqlite reads back */
        if (n != 10 || buf[0] == '-') {
          *bad = j;
          return -1;
        }
        rc = sqlite3_bind_text(s, j + 1, buf, n, SQLITE_TRANSIENT);
        break;
      }
      case ZS_STR: {
        size_t len;
        const char *v = zs_dict_str(c->dict, ((const int32_t *)c->data)[i], &len);
        /* the dictionary outlives the statement (the frame is on the stack) */
        rc = sqlite3_bind_text64(s, j + 1, v, len, SQLITE_STATIC, SQLITE_UTF8);
        break;
      }
      default: rc = sqlite3_bind_null(s, j + 1);
      }
    }
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

/* core.write_sqlite(frame, path, table, mode) -> true, or nil and a
 * message.  mode: "create" (the table must not exist), "replace" (drop it
 * first), "append" (it must exist with the frame's column names).  One
 * transaction: on any error the database is left as it was. */
static int l_write_sqlite(lua_State *L) {
  zs_frame *f = zs_frame_check(L, 1);
  const char *path = luaL_checkstring(L, 2);
  size_t tlen;
  const char *table = luaL_checklstring(L, 3, &tlen);
  static const char *const modes[] = {"create", "replace", "append", NULL};
  int mode = luaL_checkoption(L, 4, "create", modes);
  lua_settop(L, 4);
  if (f->ncol == 0) luaL_error(L, "the frame has no columns (an SQLite table needs at least one)");
  lua_getiuservalue(L, 1, 1); /* 5: names */
  /* A new database is made under a temporary name, renamed into place once
   * committed: a kill leaves no half-made database at `path` (the next write
   * to it sweeps the temporary and its journal).  An existing one is
   * written in one transaction, which SQLite rolls back on the next open
   * after a kill (its journal is the one file left then). */
  zs_atomic *a = zs_atomic_push(L, "sqlite"); /* 6 (finalized after the handle) */
  struct stat st;
  const char *dbname = path;
  if (lstat(path, &st) != 0 && errno == ENOENT) {
    const char *amsg = zs_atomic_open(L, a, path, ZS_ATOMIC_NAMED | ZS_ATOMIC_NOREPLACE);
    if (amsg) {
      zs_atomic_release(a);
      lua_pushnil(L);
      lua_insert(L, -2);
      return 2;
    }
    dbname = a->tmpname;
  }
  handle *h = handle_push(L); /* 7 */
  if (open_db(L, h, dbname, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) return fail_new(L, h, a);

  /* BEGIN IMMEDIATE takes the write lock now, so no other writer can slip
   * in between the checks below and the inserts */
  int rc = exec(h, "BEGIN IMMEDIATE");
  if (rc != SQLITE_OK) {
    push_db_error(L, h, path, NULL, rc);
    return fail_new(L, h, a);
  }
  h->in_tx = 1;

  /* tables, views and indexes share one namespace */
  rc = prepare(h, "SELECT type FROM main.sqlite_master WHERE type IN ('table', 'view', 'index') AND name = ?1 COLLATE NOCASE",
               -1, NULL);
  if (rc != SQLITE_OK) {
    push_db_error(L, h, path, NULL, rc);
    return fail_new(L, h, a);
  }
  sqlite3_bind_text64(h->stmt, 1, table, tlen, SQLITE_TRANSIENT, SQLITE_UTF8);
  rc = sqlite3_step(h->stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    push_db_error(L, h, path, NULL, rc);
    return fail_new(L, h, a);
  }
  int exists = rc == SQLITE_ROW;
  if (exists) {
    const char *type = (const char *)sqlite3_column_text(h->stmt, 0);
    if (type && strcmp(type, "table") != 0) {
      lua_pushfstring(L, "%s: '%s' is %s %s, not a table", path, table, type[0] == 'i' ? "an" : "a", type);
      return fail_new(L, h, a);
    }
  }
  /* done with it: a statement still running would lock the table against DROP */
  sqlite3_finalize(h->stmt);
  h->stmt = NULL;
  if (mode == M_CREATE && exists) {
    lua_pushfstring(L,
                    "%s: table '%s' already exists (use mode = \"replace\" to overwrite it, or mode = \"append\" to "
                    "add the rows)",
                    path, table);
    return fail_new(L, h, a);
  }
  if (mode == M_APPEND && !exists) {
    lua_pushfstring(L, "%s: no table '%s' to append to (mode = \"create\" creates it)", path, table);
    return fail_new(L, h, a);
  }

  luaL_Buffer b;
  if (mode == M_REPLACE && exists) {
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "DROP TABLE main.");
    add_ident(&b, table, tlen);
    luaL_pushresult(&b);
    rc = exec(h, lua_tostring(L, -1));
    lua_pop(L, 1);
    if (rc != SQLITE_OK) {
      push_db_error(L, h, path, table, rc);
      return fail_new(L, h, a);
    }
    exists = 0;
  }
  if (mode == M_APPEND) {
    if (check_columns(L, h, path, table, 5, f->ncol, &rc)) return fail_new(L, h, a);
  }
  if (!exists) {
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "CREATE TABLE main.");
    add_ident(&b, table, tlen);
    luaL_addstring(&b, " (");
    for (int j = 0; j < f->ncol; j++) {
      lua_rawgeti(L, 5, j + 1);
      size_t len;
      const char *name = lua_tolstring(L, -1, &len);
      lua_pop(L, 1); /* still in the names table; luaL_Buffer keeps its slot on top */
      if (j) luaL_addstring(&b, ", ");
      add_ident(&b, name, len);
      luaL_addchar(&b, ' ');
      luaL_addstring(&b, decl_of_type[f->cols[j]->type]);
    }
    luaL_addchar(&b, ')');
    luaL_pushresult(&b);
    rc = exec(h, lua_tostring(L, -1));
    lua_pop(L, 1);
    if (rc != SQLITE_OK) {
      push_db_error(L, h, path, table, rc);
      return fail_new(L, h, a);
    }
  }

  /* one INSERT, prepared once and reset for every row; the values are
   * always bound, never part of the SQL */
  luaL_buffinit(L, &b);
  luaL_addstring(&b, "INSERT INTO main.");
  add_ident(&b, table, tlen);
  luaL_addstring(&b, " (");
  for (int j = 0; j < f->ncol; j++) {
    lua_rawgeti(L, 5, j + 1);
    size_t len;
    const char *name = lua_tolstring(L, -1, &len);
    lua_pop(L, 1);
    if (j) luaL_addstring(&b, ", ");
    add_ident(&b, name, len);
  }
  luaL_addstring(&b, ") VALUES (");
  for (int j = 0; j < f->ncol; j++) {
    if (j) luaL_addstring(&b, ", ");
    luaL_addchar(&b, '?');
  }
  luaL_addchar(&b, ')');
  luaL_pushresult(&b);
  rc = prepare(h, lua_tostring(L, -1), -1, NULL);
  lua_pop(L, 1);
  if (rc != SQLITE_OK) {
    push_db_error(L, h, path, table, rc);
    return fail_new(L, h, a);
  }
  int kill_mid = zs_kill_armed("sqlite", "data");
  for (int64_t i = 0; i < f->nrow; i++) {
    int bad = 0;
    if (kill_mid && i == f->nrow / 2) zs_kill_point("sqlite", "data");
    rc = bind_row(h->stmt, f, i, &bad);
    if (rc == -1) {
      char buf[32];
      zs_format_date(((const int32_t *)f->cols[bad]->data)[i], buf);
      lua_rawgeti(L, 5, bad + 1);
      lua_pushfstring(L, "%s: %s: row %I: column '%s': the date %s has no ISO form 'yyyy-mm-dd' (years 0000 to 9999)",
                      path, table, (lua_Integer)i + 1, lua_tostring(L, -1), buf);
      return fail_new(L, h, a);
    }
    if (rc == SQLITE_OK) rc = sqlite3_step(h->stmt);
    if (rc != SQLITE_DONE) {
      lua_pushfstring(L, "row %I", (lua_Integer)i + 1);
      lua_pushfstring(L, "%s: %s", table, lua_tostring(L, -1));
      push_db_error(L, h, path, lua_tostring(L, -1), rc);
      return fail_new(L, h, a);
    }
    sqlite3_reset(h->stmt);
  }
  sqlite3_finalize(h->stmt);
  h->stmt = NULL;
  if (!a->tmpname) zs_kill_point("sqlite", "commit");
  rc = exec(h, "COMMIT");
  if (rc != SQLITE_OK) {
    push_db_error(L, h, path, table, rc);
    return fail_new(L, h, a); /* rolls back */
  }
  h->in_tx = 0;
  handle_release(h);
  if (a->tmpname) {
    /* SQLite is done with the file (its locks go with its descriptor, so
     * ours is closed only now): into place, unless another process has
     * made a file there meanwhile */
    const char *cmsg = zs_atomic_commit(L, a);
    if (cmsg) {
      lua_pushnil(L);
      lua_insert(L, -2);
      return 2;
    }
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* core.read_sqlite, core.write_sqlite (the public names are set by
 * lua/zonestat/sqlite.lua) */
void zs_sqlite_open(lua_State *L) {
  lua_pushcfunction(L, l_read_sqlite);
  lua_setfield(L, -2, "read_sqlite");
  lua_pushcfunction(L, l_write_sqlite);
  lua_setfield(L, -2, "write_sqlite");
}

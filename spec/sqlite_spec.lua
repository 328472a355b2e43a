-- SQLite reading and writing (zs.read_sqlite, f:write_sqlite).  The test
-- databases are made independently, at run time, with the sqlite3 command.
local zs = require "zonestat.engine"
local util = require "spec_util"
local NA = zs.NA

local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local has_cli = util.run("command -v sqlite3") ~= ""
local describe_cli = has_cli and describe or pending

local counter = 0
--- A fresh database path (not yet created).
local function dbpath(name)
  counter = counter + 1
  return util.tmpdir() .. "/" .. (name or "db") .. "-" .. counter .. ".sqlite"
end

--- Run SQL with the sqlite3 command; returns its output (raises on failure).
local function cli(path, sql)
  local out, code = util.run("sqlite3 -batch " .. shell_quote(path) .. " " .. shell_quote(sql))
  if code ~= 0 then error("sqlite3 failed: " .. out, 2) end
  return out
end

--- A new database made by the sqlite3 command.
local function make_db(sql, name)
  local path = dbpath(name)
  cli(path, sql)
  return path
end

local function exists(path)
  local fh = io.open(path, "rb")
  if fh then fh:close() end
  return fh ~= nil
end

local function values(f, name)
  local c, out = f:column(name), {}
  for i = 1, f:nrow() do
    local v = c[i]
    if v == nil then v = NA end
    out[i] = v
  end
  return out
end

describe_cli("read_sqlite", function()
  local db
  setup(function()
    db = make_db([[
      CREATE TABLE projects (id INTEGER PRIMARY KEY, zone TEXT, capital REAL, employees BIGINT,
        fdi BOOLEAN, licensed DATE, note VARCHAR(40), score NUMERIC, extra);
      INSERT INTO projects VALUES (1, 'Đình Vũ', 12.5, 300, 1, '2024-06-30', 'đầu tư', 3, 'x');
      INSERT INTO projects VALUES (2, 'Nomura', NULL, NULL, 0, NULL, NULL, 4, NULL);
      INSERT INTO projects VALUES (3, NULL, 7, 12, 'true', '2000-02-29', '', NULL, 'y');
      INSERT INTO projects VALUES (4, 'Tràng Duệ', -0.25, 9223372036854775807, 'FALSE', '1970-01-01', 'NA', 5, 'z');
      CREATE TABLE untyped (i, f, mixed_num, t, d, mixed, blank, whole);
      INSERT INTO untyped VALUES (1, 1.5, 1, 'a', '2024-01-01', 1, NULL, 2.0);
      INSERT INTO untyped VALUES (2, 2.25, 2.5, 'b', '2024-12-31', 'two', NULL, 3.0);
      INSERT INTO untyped VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
      CREATE VIEW big_zones AS SELECT zone, capital, capital * 2 AS doubled, licensed FROM projects
        WHERE capital > 5;
    ]], "read")
  end)

  it("reads a table with its declared types, NULL as NA", function()
    local f = assert(zs.read_sqlite(db, "projects"))
    assert.same({ "id", "zone", "capital", "employees", "fdi", "licensed", "note", "score", "extra" }, f:names())
    assert.same({ "int", "str", "float", "int", "bool", "date", "str", "int", "str" }, f:types())
    assert.same({ 1, 2, 3, 4 }, values(f, "id"))
    assert.same({ "Đình Vũ", "Nomura", NA, "Tràng Duệ" }, values(f, "zone"))
    assert.same({ 12.5, NA, 7.0, -0.25 }, values(f, "capital"))
    assert.equals("float", math.type(f:get("capital", 3)))
    assert.same({ 300, NA, 12, math.maxinteger }, values(f, "employees"))
    -- booleans: 0 and 1, and the text 'true' / 'false' in any case
    assert.same({ true, false, true, false }, values(f, "fdi"))
    assert.same({ "2024-06-30", NA, "2000-02-29", "1970-01-01" }, values(f, "licensed"))
    -- text stays text: '' and 'NA' are strings, not NA
    assert.same({ "đầu tư", NA, "", "NA" }, values(f, "note"))
    assert.same({ 3, 4, NA, 5 }, values(f, "score"))
  end)

  it("types columns without a declared type by their values", function()
    local f = assert(zs.read_sqlite(db, "untyped"))
    assert.same({ "int", "float", "float", "str", "date", "str", "str", "float" }, f:types())
    assert.same({ 1, 2, NA }, values(f, "i"))
    assert.same({ 1.5, 2.25, NA }, values(f, "f"))
    assert.same({ 1.0, 2.5, NA }, values(f, "mixed_num"))
    assert.same({ "2024-01-01", "2024-12-31", NA }, values(f, "d"))
    assert.same({ "1", "two", NA }, values(f, "mixed"))
    assert.same({ NA, NA, NA }, values(f, "blank"))
    -- REAL values stay float even when integral (SQLite says which numbers are REAL)
    assert.same({ 2.0, 3.0, NA }, values(f, "whole"))
    assert.equals("float", math.type(f:get("whole", 1)))
  end)

  it("types expressions by their values and keeps declared types through views", function()
    local f = assert(zs.read_sqlite(db, "big_zones"))
    assert.same({ "zone", "capital", "doubled", "licensed" }, f:names())
    assert.same({ "str", "float", "float", "date" }, f:types())
    assert.same({ 25.0, 14.0 }, values(f, "doubled"))
    local g = assert(zs.read_sqlite(db, "SELECT count(*) AS n, max(licensed) AS last, avg(capital) AS mean, "
      .. "sum(employees IS NULL) AS missing FROM projects"))
    assert.same({ "int", "date", "float", "int" }, g:types())
    assert.same({ 4 }, values(g, "n"))
    assert.same({ "2024-06-30" }, values(g, "last"))
    assert.same({ 1 }, values(g, "missing"))
  end)

  it("finds tables and views in any case, and names that are SQL keywords", function()
    local path = make_db([[CREATE TABLE "select" ("from" INTEGER, "a""b" TEXT, "Hải Phòng" REAL);
      INSERT INTO "select" VALUES (1, 'q', 2.5);]])
    local f = assert(zs.read_sqlite(path, "select"))
    assert.same({ "from", 'a"b', "Hải Phòng" }, f:names())
    assert.same({ "int", "str", "float" }, f:types())
    assert.same(values(assert(zs.read_sqlite(db, "projects")), "id"), values(assert(zs.read_sqlite(db, "PROJECTS")), "id"))
    assert.same({ "Đình Vũ", NA }, values(assert(zs.read_sqlite(db, "Big_Zones")), "zone"))
  end)

  it("binds positional parameters", function()
    local f = assert(zs.read_sqlite(db, "SELECT id FROM projects WHERE capital > ? AND employees < ? ORDER BY id",
      { 5, 1000 }))
    assert.same({ 1, 3 }, values(f, "id"))
    f = assert(zs.read_sqlite(db, "SELECT ?2 AS b, ?1 AS a, ?3 AS c, ?4 AS d", { "x", 2.5, true, NA }))
    assert.same({ 2.5 }, values(f, "b"))
    assert.same({ "x" }, values(f, "a"))
    assert.same({ 1 }, values(f, "c")) -- a boolean binds 1 or 0
    assert.same({ NA }, values(f, "d"))
    -- a parameter without a value is NULL, as in SQLite
    f = assert(zs.read_sqlite(db, "SELECT ?1 AS a, ?2 AS b, ?3 AS c", { 1, nil, 3 }))
    assert.same({ NA }, values(f, "b"))
    assert.same({ 3 }, values(f, "c"))
  end)

  it("binds named parameters (:name, @name, $name, with or without the prefix)", function()
    local f = assert(zs.read_sqlite(db, "SELECT id FROM projects WHERE zone = :zone OR id = @id OR note = $note ORDER BY id",
      { zone = "Nomura", ["@id"] = 4, note = "đầu tư" }))
    assert.same({ 1, 2, 4 }, values(f, "id"))
    f = assert(zs.read_sqlite(db, "SELECT :v AS v, :w AS w", { v = math.mininteger + 1, w = zs.NA }))
    assert.same({ math.mininteger + 1 }, values(f, "v"))
    assert.same({ NA }, values(f, "w"))
  end)

  it("stores values of parameters literally (no injection)", function()
    local evil = "x'; DROP TABLE projects; --"
    local f = assert(zs.read_sqlite(db, "SELECT :s AS s, count(*) AS n FROM projects WHERE zone = :s", { s = evil }))
    assert.same({ evil }, values(f, "s"))
    assert.same({ 0 }, values(f, "n"))
    assert.equals(4, assert(zs.read_sqlite(db, "projects")):nrow())
  end)

  it("raises for misused parameters, naming the call", function()
    assert.error_matches(function() zs.read_sqlite(db, "SELECT ?", { 1, 2 }) end,
      "read_sqlite: params: the query has 1 parameter, none at position 2", nil, true)
    assert.error_matches(function() zs.read_sqlite(db, "SELECT :a", { b = 1 }) end,
      "read_sqlite: params: the query has no parameter named 'b'", nil, true)
    assert.error_matches(function() zs.read_sqlite(db, "SELECT :a", { a = {} }) end,
      "read_sqlite: params: parameter 'a' is a table", nil, true)
    assert.error_matches(function() zs.read_sqlite(db, "SELECT :a", { a = 1, [":a"] = 2 }) end,
      "read_sqlite: params: parameter ':a' is given twice", nil, true)
    assert.error_matches(function() zs.read_sqlite(db, "SELECT ?", { [1.5] = 1 }) end,
      "read_sqlite: params: keys must be positions (integers) or names (strings)", nil, true)
    assert.error_matches(function() zs.read_sqlite(db, "projects", { 1 }) end,
      "read_sqlite: params: the query has 0 parameters", nil, true)
  end)

  it("raises for misused arguments, naming the call and the argument", function()
    assert.error_matches(function() zs.read_sqlite(1, "projects") end,
      "read_sqlite: argument 'path' must be a string, got number", nil, true)
    assert.error_matches(function() zs.read_sqlite("", "projects") end,
      "read_sqlite: argument 'path' must not be empty", nil, true)
    assert.error_matches(function() zs.read_sqlite(db) end, "read_sqlite: argument 'x' must be a table name", nil, true)
    assert.error_matches(function() zs.read_sqlite(db, "  ") end, "read_sqlite: argument 'x' must not be empty", nil, true)
    assert.error_matches(function() zs.read_sqlite(db, "projects", "x") end,
      "read_sqlite: argument 'params' must be a table", nil, true)
  end)

  it("names the row and the column of a value that does not fit its declared type", function()
    local path = make_db([[
      CREATE TABLE t (a INTEGER, b BOOLEAN, c DATE, d REAL);
      INSERT INTO t VALUES (1, 1, '2024-01-01', 1.5), (2, 0, NULL, 2), (3, 1, '2024-01-02', 3),
        ('abc', 1, NULL, 4);
      CREATE TABLE f (a INTEGER); INSERT INTO f VALUES (1), (1.5);
      CREATE TABLE b (b BOOLEAN); INSERT INTO b VALUES (1), (0), ('yes');
      CREATE TABLE b2 (b BOOL); INSERT INTO b2 VALUES (2);
      CREATE TABLE d (d DATE); INSERT INTO d VALUES ('2024-01-01'), (19000);
      CREATE TABLE d2 (d DATE); INSERT INTO d2 VALUES ('2024-02-30');
      CREATE TABLE d3 (d DATE); INSERT INTO d3 VALUES ('2024-01-01 10:00:00');
      CREATE TABLE r (r REAL); INSERT INTO r VALUES ('n/a');
      CREATE TABLE blob (x); INSERT INTO blob VALUES (x'00ff');
      CREATE TABLE na (a INTEGER); INSERT INTO na VALUES (-9223372036854775808);
    ]])
    local function fails(x, msg)
      local f, err = zs.read_sqlite(path, x)
      assert.is_nil(f)
      assert.equals(path .. ": " .. msg, err)
    end
    fails("t", "t: row 4: column 'a': value 'abc' does not fit its declared type INTEGER")
    fails("f", "f: row 2: column 'a': value 1.5 does not fit its declared type INTEGER")
    fails("b", "b: row 3: column 'b': value 'yes' does not fit its declared type BOOLEAN "
      .. "(booleans are 0, 1, 'true' or 'false')")
    fails("b2", "b2: row 1: column 'b': value 2 does not fit its declared type BOOL "
      .. "(booleans are 0, 1, 'true' or 'false')")
    fails("d", "d: row 2: column 'd': value 19000 does not fit its declared type DATE "
      .. "(dates are ISO text 'yyyy-mm-dd')")
    fails("d2", "d2: row 1: column 'd': value '2024-02-30' does not fit its declared type DATE "
      .. "(dates are ISO text 'yyyy-mm-dd')")
    fails("d3", "d3: row 1: column 'd': value '2024-01-01 10:00:00' does not fit its declared type DATE "
      .. "(dates are ISO text 'yyyy-mm-dd')")
    fails("r", "r: row 1: column 'r': value 'n/a' does not fit its declared type REAL")
    fails("blob", "blob: row 1: column 'x': a BLOB value cannot be read (CAST it to TEXT in the query, "
      .. "or leave the column out)")
    fails("na", "na: row 1: column 'a': value -9223372036854775808 is out of range (the smallest int64 marks NA)")
    -- in a query, the label is the query (white space squeezed)
    fails("SELECT a\n  FROM t", "SELECT a FROM t: row 4: column 'a': value 'abc' does not fit its declared type INTEGER")
    -- a cast in the query reads what the table cannot
    local f = assert(zs.read_sqlite(path, "SELECT CAST(a AS TEXT) AS a FROM t"))
    assert.same({ "1", "2", "3", "abc" }, values(f, "a"))
  end)

  it("shortens long queries in messages", function()
    local sql = "SELECT " .. string.rep("zone, ", 30) .. "nosuchcolumn FROM projects"
    local f, err = zs.read_sqlite(db, sql)
    assert.is_nil(f)
    assert.equals(db .. ": " .. sql:sub(1, 60) .. "...: no such column: nosuchcolumn", err)
  end)

  it("suffixes duplicate names and names empty ones as read_csv does", function()
    local f = assert(zs.read_sqlite(db, [[SELECT id, id, id AS id_2, zone AS "" FROM projects]]))
    assert.same({ "id", "id_2", "id_2_2", "V4" }, f:names())
  end)

  it("refuses statements that write, and runs nothing", function()
    for _, sql in ipairs({ "DELETE FROM projects", "INSERT INTO projects (id) VALUES (99)",
      "CREATE TABLE x (a)", "DROP TABLE projects", "UPDATE projects SET zone = 'x'" }) do
      local f, err = zs.read_sqlite(db, sql)
      assert.is_nil(f)
      assert.equals(db .. ": " .. sql .. ": only queries that read are allowed", err)
    end
    assert.equals(4, assert(zs.read_sqlite(db, "projects")):nrow())
    assert.equals("4\n", cli(db, "SELECT count(*) FROM projects"))
  end)

  it("refuses a second statement", function()
    local f, err = zs.read_sqlite(db, "SELECT 1; DROP TABLE projects")
    assert.is_nil(f)
    assert.equals(db .. ": SELECT 1; DROP TABLE projects: only one statement is allowed", err)
    -- a trailing semicolon or comment is fine
    assert(zs.read_sqlite(db, "SELECT 1 AS one; -- the end"))
    assert(zs.read_sqlite(db, "SELECT 1 AS one;;  "))
  end)

  it("refuses statements without columns", function()
    local f, err = zs.read_sqlite(db, "BEGIN")
    assert.is_nil(f)
    assert.equals(db .. ": BEGIN: the statement returns no columns (only queries are allowed)", err)
  end)

  it("gives SQLite's message for an SQL error", function()
    local f, err = zs.read_sqlite(db, "SELECT * FORM projects")
    assert.is_nil(f)
    assert.equals(db .. ': SELECT * FORM projects: near "FORM": syntax error', err)
    f, err = zs.read_sqlite(db, "SELECT * FROM nowhere")
    assert.is_nil(f)
    assert.equals(db .. ": SELECT * FROM nowhere: no such table: nowhere", err)
  end)

  it("reports a name that is no table or view", function()
    local f, err = zs.read_sqlite(db, "projets")
    assert.is_nil(f)
    assert.equals(db .. ": no table or view named 'projets'", err)
  end)

  it("reports a missing file and does not create it", function()
    local path = dbpath("missing")
    local f, err = zs.read_sqlite(path, "projects")
    assert.is_nil(f)
    assert.equals(path .. ": no such file", err)
    assert.is_false(exists(path))
    f, err = zs.read_sqlite(util.tmpdir() .. "/no/such/dir/x.db", "SELECT 1")
    assert.is_nil(f)
    assert.matches("no such file$", err)
    f, err = zs.read_sqlite(util.tmpdir(), "SELECT 1")
    assert.is_nil(f)
    assert.equals(util.tmpdir() .. ": is a directory", err)
  end)

  it("reports a file that is not a SQLite database", function()
    local path = util.tmpfile("not-a-db.csv", string.rep("zone,capital\nĐình Vũ,12.5\n", 100))
    local f, err = zs.read_sqlite(path, "SELECT 1")
    assert.is_nil(f)
    assert.equals(path .. ": not a SQLite database", err)
    f, err = zs.read_sqlite(path, "projects")
    assert.is_nil(f)
    assert.equals(path .. ": not a SQLite database", err)
  end)

  it("opens the database read-only, so a query cannot change it", function()
    local before = util.read(db)
    assert(zs.read_sqlite(db, "PRAGMA user_version"))
    local f, err = zs.read_sqlite(db, "PRAGMA user_version = 7")
    assert.is_nil(f)
    assert.truthy(err:find("readonly") or err:find("only queries"), err)
    assert.equals(before, util.read(db))
  end)

  it("reads plain paths that SQLite would take for URIs or memory", function()
    local dir = util.tmpdir()
    local path = make_db("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);")
    assert(os.rename(path, dir .. "/file:x.db"))
    local root = util.run("pwd"):gsub("\n$", "")
    local out, code = util.run("cd " .. shell_quote(dir) .. " && LUA_PATH=" .. shell_quote(root .. "/lua/?.lua;;")
      .. " LUA_CPATH=" .. shell_quote(root .. "/build/?.so;;") .. " lua5.4 -e "
      .. shell_quote([[local zs = require "zonestat.engine"
        print(assert(zs.read_sqlite("file:x.db", "t")):get("a", 1))
        print(select(2, zs.read_sqlite(":memory:", "SELECT 1")))]]))
    assert.equals(0, code, out)
    assert.equals("1\n:memory:: no such file\n", out)
  end)

  it("rolls back a hot journal left by an interrupted write, as any SQLite client's next open does", function()
    local dir = util.tmpdir()
    local live = make_db([[CREATE TABLE t (a INTEGER);
      WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) INSERT INTO t SELECT x FROM c;]],
      "live")
    local copy = dir .. "/hot.sqlite"
    -- copy the database and its journal while a writer is in the middle of
    -- a transaction whose changes have already reached the file
    local out, code = util.run("(printf 'PRAGMA cache_size = 1;\\nBEGIN;\\nUPDATE t SET a = a + 1000000;\\n'; sleep 2) | "
      .. "sqlite3 " .. shell_quote(live) .. " >/dev/null 2>&1 & sleep 1; cp " .. shell_quote(live) .. " "
      .. shell_quote(copy) .. " && cp " .. shell_quote(live .. "-journal") .. " " .. shell_quote(copy .. "-journal")
      .. "; wait")
    assert.equals(0, code, out)
    assert.is_true(exists(copy .. "-journal"))
    assert.same({ 20000 }, values(assert(zs.read_sqlite(copy, "SELECT max(a) AS m FROM t")), "m"))
    assert.is_false(exists(copy .. "-journal"))
  end)

  it("reports a hot journal it cannot roll back (no write permission)", function()
    local dir = util.tmpdir()
    local live = make_db([[CREATE TABLE t (a INTEGER);
      WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) INSERT INTO t SELECT x FROM c;]],
      "live2")
    local copy = dir .. "/hot.sqlite"
    local out, code = util.run("(printf 'PRAGMA cache_size = 1;\\nBEGIN;\\nUPDATE t SET a = a + 1000000;\\n'; sleep 2) | "
      .. "sqlite3 " .. shell_quote(live) .. " >/dev/null 2>&1 & sleep 1; cp " .. shell_quote(live) .. " "
      .. shell_quote(copy) .. " && cp " .. shell_quote(live .. "-journal") .. " " .. shell_quote(copy .. "-journal")
      .. "; wait; chmod 0555 " .. shell_quote(dir) .. "; chmod 0444 " .. shell_quote(copy))
    assert.equals(0, code, out)
    -- as root, permissions do not stop a write: read as nobody then
    local lua = "package.path = 'lua/?.lua;' .. package.path; package.cpath = 'build/?.so;' .. package.cpath; "
      .. "print(select(2, require('zonestat').read_sqlite(" .. string.format("%q", copy) .. ", 't')))"
    local as = util.run("id -u"):match("^0") and "setpriv --reuid=65534 --regid=65534 --clear-groups " or ""
    out = util.run("chmod 0755 " .. shell_quote(util.tmpdir()) .. "; " .. as .. "lua5.4 -e " .. shell_quote(lua))
    util.run("chmod 0755 " .. shell_quote(dir))
    assert.equals(copy .. ": the database has a hot journal from an interrupted write; a read-write open rolls it "
      .. "back (a write_sqlite to it, or any query with the sqlite3 command)\n", out)
  end)

  it("closes the database when it returns, and a Lua error strands no connection", function()
    local fh = assert(io.open("/proc/self/stat"))
    local pid = fh:read("n")
    fh:close()
    -- the descriptors of this process open on the database (or its journal),
    -- so that other files the suite opens and closes meanwhile do not count
    local function open_files()
      collectgarbage()
      collectgarbage()
      local out = util.run("ls -l /proc/" .. pid .. "/fd")
      local n = 0
      for target in out:gmatch("%-> ([^\n]+)") do
        if target:sub(1, #db) == db then n = n + 1 end
      end
      return n
    end
    collectgarbage()
    local before = open_files()
    for _ = 1, 20 do
      assert(zs.read_sqlite(db, "projects"))
      assert.is_nil(zs.read_sqlite(db, "SELECT nonsense"))
    end
    assert.equals(before, open_files())
    -- a misused parameter raises after the database is open: the handle's
    -- __gc closes it
    for _ = 1, 20 do
      assert.has_error(function() zs.read_sqlite(db, "SELECT :a", { a = {} }) end)
    end
    collectgarbage()
    collectgarbage()
    assert.equals(before, open_files())
  end)

  it("reads and appends to a database in WAL mode", function()
    local path = make_db("PRAGMA journal_mode = WAL; CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2);")
    assert.same({ 1, 2 }, values(assert(zs.read_sqlite(path, "t")), "a"))
    assert(zs.frame({ a = { 3 } }):write_sqlite(path, "t", { mode = "append" }))
    assert.same({ 1, 2, 3 }, values(assert(zs.read_sqlite(path, "t")), "a"))
    assert.equals("wal\n", cli(path, "PRAGMA journal_mode"))
  end)

  it("reads an empty table with its declared types", function()
    local path = make_db("CREATE TABLE e (a INTEGER, b TEXT, c BOOLEAN, d DATE, r REAL);")
    local f = assert(zs.read_sqlite(path, "e"))
    assert.equals(0, f:nrow())
    assert.same({ "int", "str", "bool", "date", "float" }, f:types())
  end)
end)

describe_cli("write_sqlite", function()
  local function tricky()
    return zs.frame({
      i = { 1, -2, math.maxinteger, math.mininteger + 1, 0, NA, 7 },
      f = { 0.1, 1 / 3, 1e300, -2.5e-300, math.huge, NA, -math.huge },
      s = { "Hải Phòng", "", "NA", "08123", "say \"hi\"", NA, "line\nbreak" },
      b = { true, false, NA, true, false, true, false },
      d = zs.column({ "2024-06-30", NA, "1970-01-01", "1900-02-28", "2000-02-29", "0001-01-01", "9999-12-31" },
        "date"),
      ['a"b'] = { 1.5, 2.5, 3.5, NA, 5.5, 6.5, 7.5 },
      ["Tổng vốn (tỷ đồng)"] = { 1, 2, 3, 4, 5, 6, NA },
      whole = { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0 },
    }, { "i", "f", "s", "b", "d", 'a"b', "Tổng vốn (tỷ đồng)", "whole" })
  end

  it("reads back to the same frame: names, types, values and NA", function()
    local path = dbpath("roundtrip")
    local f = tricky()
    assert.is_true(f:write_sqlite(path, "select"))
    local g = assert(zs.read_sqlite(path, "select"))
    util.assert_frames_equal(f, g)
    assert.equals("float", math.type(g:get("whole", 1)))
    -- declared types and the stored values, seen by the sqlite3 command
    assert.equals('CREATE TABLE "select" ("i" INTEGER, "f" REAL, "s" TEXT, "b" BOOLEAN, "d" DATE, "a""b" REAL, '
      .. '"Tổng vốn (tỷ đồng)" INTEGER, "whole" REAL)\n', cli(path, "SELECT sql FROM sqlite_master"))
    assert.equals("integer|real|text|integer|text\n",
      cli(path, [[SELECT typeof(i), typeof(f), typeof(s), typeof(b), typeof(d) FROM "select" LIMIT 1]]))
    assert.equals("1\n0\n\n1\n0\n1\n0\n", cli(path, [[SELECT b FROM "select"]]))
    assert.equals("2024-06-30\n", cli(path, [[SELECT d FROM "select" LIMIT 1]]))
    assert.equals("1\n", cli(path, [[SELECT count(*) FROM "select" WHERE s IS NULL]]))
  end)

  it("round-trips an empty frame and columns of only NA with their types", function()
    local path = dbpath("empty")
    local f = zs.frame({ a = zs.column({}, "int"), b = zs.column({}, "str"), c = zs.column({}, "date") }, { "a", "b", "c" })
    assert(f:write_sqlite(path, "e"))
    util.assert_frames_equal(f, assert(zs.read_sqlite(path, "e")))
    local g = zs.frame({ a = zs.column({ NA, NA }, "bool"), b = zs.column({ NA, NA }, "float") }, { "a", "b" })
    assert(g:write_sqlite(path, "nas"))
    util.assert_frames_equal(g, assert(zs.read_sqlite(path, "nas")))
  end)

  it("creates the database file when it does not exist", function()
    local path = dbpath("new")
    assert.is_false(exists(path))
    assert(zs.frame({ a = { 1 } }):write_sqlite(path, "t"))
    assert.is_true(exists(path))
    assert.equals("1\n", cli(path, "SELECT a FROM t"))
  end)

  it("refuses to overwrite an existing table in mode create, suggesting the other modes", function()
    local path = make_db("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (42);")
    local ok, err = zs.frame({ a = { 1 } }):write_sqlite(path, "t")
    assert.is_nil(ok)
    assert.equals(path .. ': table \'t\' already exists (use mode = "replace" to overwrite it, or mode = "append" '
      .. "to add the rows)", err)
    ok, err = zs.frame({ a = { 1 } }):write_sqlite(path, "T", { mode = "create" })
    assert.is_nil(ok)
    assert.matches("already exists", err)
    assert.equals("42\n", cli(path, "SELECT a FROM t"))
  end)

  it("replaces a table (new columns and types)", function()
    local path = make_db("CREATE TABLE t (a INTEGER, old TEXT); INSERT INTO t VALUES (42, 'x'); CREATE TABLE keep (k);")
    local f = zs.frame({ b = { "Đình Vũ", "Nomura" }, c = { 1.5, NA } }, { "b", "c" })
    assert.is_true(f:write_sqlite(path, "t", { mode = "replace" }))
    util.assert_frames_equal(f, assert(zs.read_sqlite(path, "t")))
    assert.equals("keep\nt\n", cli(path, "SELECT name FROM sqlite_master ORDER BY name"))
    -- replace also creates
    assert.is_true(f:write_sqlite(path, "fresh", { mode = "replace" }))
    util.assert_frames_equal(f, assert(zs.read_sqlite(path, "fresh")))
  end)

  it("appends to a table with the same column names, in any order", function()
    local path = dbpath("append")
    local f = zs.frame({ zone = { "Đình Vũ" }, ha = { 12.5 }, n = { 3 } }, { "zone", "ha", "n" })
    assert(f:write_sqlite(path, "z"))
    local g = zs.frame({ n = { 4, NA }, ZONE = { "Nomura", NA }, ha = { NA, 7.0 } }, { "n", "ZONE", "ha" })
    assert.is_true(g:write_sqlite(path, "z", { mode = "append" }))
    local r = assert(zs.read_sqlite(path, "SELECT * FROM z ORDER BY rowid"))
    assert.same({ "zone", "ha", "n" }, r:names())
    assert.same({ "Đình Vũ", "Nomura", NA }, values(r, "zone"))
    assert.same({ 12.5, NA, 7.0 }, values(r, "ha"))
    assert.same({ 3, 4, NA }, values(r, "n"))
  end)

  it("refuses to append when the columns do not match, or the table is absent", function()
    local path = make_db("CREATE TABLE z (zone TEXT, ha REAL); INSERT INTO z VALUES ('a', 1); CREATE VIEW v AS SELECT 1;")
    local ok, err = zs.frame({ zone = { "b" }, ha = { 2.0 }, extra = { 1 } }, { "zone", "ha", "extra" })
      :write_sqlite(path, "z", { mode = "append" })
    assert.is_nil(ok)
    assert.equals(path .. ": z: the columns do not match the frame's: the table has no column 'extra' "
      .. '(mode = "append" needs the same names)', err)
    ok, err = zs.frame({ zone = { "b" } }):write_sqlite(path, "z", { mode = "append" })
    assert.is_nil(ok)
    assert.equals(path .. ": z: the columns do not match the frame's: the frame has no column 'ha' "
      .. '(mode = "append" needs the same names)', err)
    ok, err = zs.frame({ zone = { "b" } }):write_sqlite(path, "nowhere", { mode = "append" })
    assert.is_nil(ok)
    assert.equals(path .. ": no table 'nowhere' to append to (mode = \"create\" creates it)", err)
    ok, err = zs.frame({ zone = { "b" } }):write_sqlite(path, "v", { mode = "replace" })
    assert.is_nil(ok)
    assert.equals(path .. ": 'v' is a view, not a table", err)
    assert.equals("a|1.0\n", cli(path, "SELECT * FROM z"))
    assert.equals("v\nz\n", cli(path, "SELECT name FROM sqlite_master ORDER BY name"))
  end)

  it("rolls back everything when a row fails: the table is unchanged", function()
    local path = make_db([[CREATE TABLE t (id INTEGER NOT NULL, name TEXT NOT NULL);
      INSERT INTO t VALUES (1, 'one'), (2, 'two');]])
    local before = cli(path, "SELECT * FROM t ORDER BY rowid")
    local f = zs.frame({ id = { 10, 11, 12, 13 }, name = { "a", "b", NA, "d" } }, { "id", "name" })
    local ok, err = f:write_sqlite(path, "t", { mode = "append" })
    assert.is_nil(ok)
    assert.equals(path .. ": t: row 3: NOT NULL constraint failed: t.name", err)
    assert.equals(before, cli(path, "SELECT * FROM t ORDER BY rowid"))
    -- and nothing is left behind: no journal, no lock
    assert.is_false(exists(path .. "-journal"))
    assert.is_true(zs.frame({ id = { 3 }, name = { "three" } }, { "id", "name" }):write_sqlite(path, "t", { mode = "append" }))
    assert.equals("3\n", cli(path, "SELECT count(*) FROM t"))
  end)

  it("rolls back a replace that fails: the old table is kept", function()
    local path = make_db("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (42);")
    local f = zs.frame({ d = zs.column({ 0, 1, 3000000 }, "int") }):cast{ d = "date" }
    local ok, err = f:write_sqlite(path, "t", { mode = "replace" })
    assert.is_nil(ok)
    assert.matches("^" .. path:gsub("%p", "%%%0") .. ": t: row 3: column 'd': the date %d+%-%d%d%-%d%d has no ISO form", err)
    assert.equals("CREATE TABLE t (a INTEGER)\n", cli(path, "SELECT sql FROM sqlite_master"))
    assert.equals("42\n", cli(path, "SELECT a FROM t"))
  end)

  it("stores table names and values literally (no SQL injection)", function()
    local path = make_db("CREATE TABLE victim (a INTEGER); INSERT INTO victim VALUES (1);")
    local evil_table = 'x" (a); DROP TABLE victim; --'
    local evil_value = "'); DROP TABLE victim; --"
    local f = zs.frame({ ['a"); DROP TABLE victim; --'] = { evil_value, 'Robert"); DROP TABLE victim;--' } })
    assert.is_true(f:write_sqlite(path, evil_table))
    util.assert_frames_equal(f, assert(zs.read_sqlite(path, evil_table)))
    assert.equals("1\n", cli(path, "SELECT a FROM victim"))
    assert.equals("victim\n" .. evil_table .. "\n", cli(path, "SELECT name FROM sqlite_master ORDER BY rowid"))
  end)

  it("reports a file that is not a SQLite database and leaves it alone", function()
    local content = string.rep("zone,capital\nĐình Vũ,12.5\n", 100)
    local path = util.tmpfile("not-a-db-w.csv", content)
    local ok, err = zs.frame({ a = { 1 } }):write_sqlite(path, "t")
    assert.is_nil(ok)
    assert.equals(path .. ": not a SQLite database", err)
    assert.equals(content, util.read(path))
  end)

  it("reports a database that cannot be created", function()
    local path = util.tmpdir() .. "/no/such/dir/x.db"
    local ok, err = zs.frame({ a = { 1 } }):write_sqlite(path, "t")
    assert.is_nil(ok)
    assert.equals(path .. ": No such file or directory", err)
  end)

  it("raises for misuse, naming the call", function()
    local f = zs.frame({ a = { 1 } })
    assert.error_matches(function() f:write_sqlite(1, "t") end,
      "write_sqlite: argument 'path' must be a string, got number", nil, true)
    assert.error_matches(function() f:write_sqlite(dbpath(), "") end,
      "write_sqlite: argument 'table' must not be empty", nil, true)
    assert.error_matches(function() f:write_sqlite(dbpath()) end,
      "write_sqlite: argument 'table' must be a string, got nil", nil, true)
    assert.error_matches(function() f:write_sqlite(dbpath(), "t", { mode = "overwrite" }) end,
      'write_sqlite: option \'mode\' must be "create", "replace" or "append"', nil, true)
    assert.error_matches(function() f:write_sqlite(dbpath(), "t", { if_exists = "replace" }) end,
      "write_sqlite: unknown option 'if_exists'", nil, true)
    assert.error_matches(function() require("zonestat.sqlite").write_sqlite({}, dbpath(), "t") end,
      "write_sqlite: argument #1 must be a frame, got table", nil, true)
    assert.error_matches(function() zs.frame({}):write_sqlite(dbpath(), "t") end,
      "write_sqlite: the frame has no columns (an SQLite table needs at least one)", nil, true)
  end)

  it("round-trips a larger frame", function()
    local n = 20000
    local ids, zones, caps, flags = {}, {}, {}, {}
    local names = { "Đình Vũ", "Nomura", "Tràng Duệ", "VSIP Quảng Ngãi", "Dung Quất" }
    for i = 1, n do
      ids[i] = i * 1000003
      zones[i] = i % 11 == 0 and NA or names[i % #names + 1] .. " " .. (i % 97)
      caps[i] = i % 13 == 0 and NA or i / 7
      flags[i] = i % 2 == 0
    end
    local f = zs.frame({ id = ids, zone = zones, cap = caps, fdi = flags }, { "id", "zone", "cap", "fdi" })
    local path = dbpath("large")
    assert(f:write_sqlite(path, "p"))
    util.assert_frames_equal(f, assert(zs.read_sqlite(path, "p")))
    assert.equals(tostring(n) .. "\n", cli(path, "SELECT count(*) FROM p"))
  end)
end)

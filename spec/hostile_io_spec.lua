-- Reading and writing files as a hostile user would (issue 13): folders as
-- files, unreadable files, FIFOs, /dev/full, paths with newlines, huge
-- fields, NUL bytes, invalid UTF-8, hostile JSON, files that are not
-- databases, read-only folders, files changed while they are read.  Bad
-- data returns nil and a message naming the place; misuse raises; nothing
-- crashes, hangs, leaks or is half-written.
local util = require "spec_util"
local zs = require "zonestat"
local export = require "zonestat.export"
local render = require "zonestat.render"

local core = zs._core
local ROOT = util.run("pwd"):match("[^\n]+")

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function write(path, text)
  local fh = assert(io.open(path, "wb"))
  fh:write(text)
  fh:close()
  return path
end

local function read(path)
  local fh = io.open(path, "rb")
  if not fh then return nil end
  local s = fh:read("a")
  fh:close()
  return s
end

-- a fresh folder that another user can enter (the permission cases run as
-- nobody when this is root, whom permissions do not stop)
local base
local counter = 0
local function fresh(name)
  if not base then
    base = util.tmpdir() .. "/hostile"
    assert(core.make_dir(base))
    assert(os.execute("chmod 0755 " .. q(util.tmpdir()) .. " " .. q(base)))
  end
  counter = counter + 1
  local dir = base .. "/" .. counter .. "-" .. name
  assert(core.make_dir(dir))
  assert(os.execute("chmod 0755 " .. q(dir)))
  return dir
end

local function ls(dir) return core.list_dir(dir) or {} end

local AS_ROOT = util.run("id -u"):match("^0%s") ~= nil
local HAS_SETPRIV = util.run("command -v setpriv"):match("%S") ~= nil

-- Run Lua code in a child lua5.4 (as nobody when this is root, or under a
-- time limit); returns what it prints.
local function child(code, opts)
  opts = opts or {}
  local script = write(fresh("child") .. "/c.lua", "package.path = 'lua/?.lua;lua/?/init.lua;' .. package.path\n"
    .. "package.cpath = 'build/?.so;' .. package.cpath\nlocal zs = require 'zonestat'\n" .. code)
  assert(os.execute("chmod 0644 " .. q(script)))
  local prefix = ""
  if opts.nobody and AS_ROOT then prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups " end
  if opts.timeout then prefix = "timeout " .. opts.timeout .. " " .. prefix end
  return util.run("cd " .. q(ROOT) .. " && " .. prefix .. "lua5.4 " .. q(script))
end

local nobody_it = (not AS_ROOT or HAS_SETPRIV) and it or pending

local small = zs.frame({ a = { 1, 2, 3 }, s = { "x", "y", "z" } }, { "a", "s" })

describe("read_csv of hostile files", function()
  it("returns nil, message for a folder", function()
    local dir = fresh("folder")
    local f, err = zs.read_csv(dir)
    assert.is_nil(f)
    assert.equals(dir .. ": Is a directory", err)
  end)

  it("returns nil, message for a missing file", function()
    local path = fresh("missing") .. "/none.csv"
    assert.same({ nil, path .. ": No such file or directory" }, { zs.read_csv(path) })
  end)

  nobody_it("returns nil, message for an unreadable file", function()
    local path = write(fresh("unreadable") .. "/secret.csv", "a\n1\n")
    assert(os.execute("chmod 0000 " .. q(path)))
    local out = child("print(select(2, zs.read_csv(" .. string.format("%q", path) .. ")))", { nobody = true })
    assert.equals(path .. ": Permission denied\n", out)
  end)

  it("reads a FIFO without a writer as empty, at once", function()
    local fifo = fresh("fifo") .. "/p"
    assert(os.execute("mkfifo " .. q(fifo)))
    local out = child("local f = assert(zs.read_csv(" .. string.format("%q", fifo) .. ")) print(f:nrow(), f:ncol())",
      { timeout = 20 })
    assert.equals("0\t0\n", out)
  end)

  it("reads a FIFO from its writer", function()
    local fifo = fresh("fifo2") .. "/p"
    assert(os.execute("mkfifo " .. q(fifo)))
    -- the writer opens the FIFO read-write (which never blocks), writes, and
    -- holds it 3 s before it closes (EOF), so the reader, started 0.5 s
    -- later, always finds a writer; its output goes nowhere, so that
    -- util.run does not wait for it
    local out = util.run("(exec 3<>" .. q(fifo) .. "; printf 'a,b\\n1,x\\n2,y\\n' >&3; sleep 3) >/dev/null 2>&1 & "
      .. "sleep 0.5; cd " .. q(ROOT) .. " && timeout 20 lua5.4 -e "
      .. q("package.path = 'lua/?.lua;' .. package.path package.cpath = 'build/?.so;' .. package.cpath "
        .. "local f = assert(require('zonestat').read_csv(" .. string.format("%q", fifo) .. ")) "
        .. "print(f:nrow(), f:get('b', 2))"))
    assert.equals("2\ty\n", out)
  end)

  it("reads /dev/null as an empty frame", function()
    local f = assert(zs.read_csv("/dev/null"))
    assert.same({ 0, 0 }, { f:nrow(), f:ncol() })
  end)

  it("reads a path with a newline in it, and names it in messages", function()
    local dir = fresh("newline")
    local path = write(dir .. "/two\nlines.csv", "a\n1\n")
    assert.equals(1, assert(zs.read_csv(path)):get("a", 1))
    assert.same({ nil, dir .. "/no\nfile.csv: No such file or directory" }, { zs.read_csv(dir .. "/no\nfile.csv") })
  end)

  it("keeps NUL bytes inside fields", function()
    local path = write(fresh("nul") .. "/n.csv", "a,b\nx\0y,1\n\"q\0\",2\n")
    local f = assert(zs.read_csv(path))
    assert.equals("x\0y", f:get("a", 1))
    assert.equals("q\0", f:get("a", 2))
  end)

  it("keeps invalid UTF-8 as the bytes it is", function()
    local f = assert(zs.parse_csv("a\nb\255\n\192\128\n"))
    assert.equals("b\255", f:get("a", 1))
    assert.equals("\192\128", f:get("a", 2))
  end)

  it("reads a 20 MB quoted field", function()
    local big = string.rep("x,\"\n", 5 * 1024 * 1024)
    local path = write(fresh("huge") .. "/h.csv", "a,b\n\"" .. big:gsub('"', '""') .. "\",1\n")
    local f = assert(zs.read_csv(path))
    assert.equals(#big, #f:get("a", 1))
    assert.equals(1, f:get("b", 1))
  end)

  it("reads 100000 columns", function()
    local names = {}
    for i = 1, 100000 do names[i] = "c" .. i end
    local line = table.concat(names, ",")
    local f = assert(zs.parse_csv(line .. "\n" .. line .. "\n"))
    assert.equals(100000, f:ncol())
    assert.equals("c99999", f:get("c99999", 1))
  end)

  it("never dies when another process truncates the file during the read", function()
    local dir = fresh("truncate")
    local path = dir .. "/big.csv"
    local rows = {}
    for i = 1, 2000 do rows[i] = i .. "," .. (i * 0.25) .. ",row" .. (i % 97) end
    local block = table.concat(rows, "\n") .. "\n"
    local fh = assert(io.open(path, "wb"))
    fh:write("a,b,c\n")
    for _ = 1, 2500 do fh:write(block) end -- about 90 MB
    fh:close()
    for _, delay in ipairs({ "0", "0.02", "0.05", "0.1" }) do
      local copy = dir .. "/t" .. delay .. ".csv"
      assert(os.execute("cp " .. q(path) .. " " .. q(copy)))
      local out = util.run("cd " .. q(ROOT) .. " && (lua5.4 -e " .. q("package.path = 'lua/?.lua;' .. package.path "
        .. "package.cpath = 'build/?.so;' .. package.cpath local zs = require('zonestat') zs.set_threads(1) "
        .. "local f, err = zs.read_csv(" .. string.format("%q", copy) .. ") print(f and ('rows ' .. f:nrow()) or err)")
        .. " & sleep " .. delay .. "; truncate -s 1000 " .. q(copy) .. "; wait $!); echo status $?")
      -- a whole frame (read before the truncation), or the message; never a signal
      assert.matches("status 0\n$", out)
      -- (a truncation before the open leaves a 1000-byte file, whose last
      -- record is cut short: a parse error naming the place)
      local ok = out:find("^rows 5000000\n") or out:find(copy .. ": the file changed while it was read", 1, true)
        or out:find("^rows %d+\n") or out:find(copy:gsub("%p", "%%%0") .. ":%d+:%d+: expected 3 fields, found %d\n")
      assert.is_truthy(ok, out)
    end
  end)

  -- a file big enough that each of two parts gives pages back (every 64 MB)
  local function big_file(name, last)
    local path = fresh(name) .. "/big.csv"
    local rows = {}
    for i = 1, 4000 do rows[i] = i .. ",row" .. (i % 13) end
    local block = table.concat(rows, "\n") .. "\n"
    local fh = assert(io.open(path, "wb"))
    fh:write("a,b\n")
    local blocks = 4200 -- about 160 MB, 16.8e6 rows
    for _ = 1, blocks do fh:write(block) end
    fh:write(last)
    fh:close()
    return path, blocks * 4000
  end

  it("names the right line for an error near the end of a big file (pages read again)", function()
    local path, rows = big_file("late-error", "1,\"open\n")
    zs.set_threads(2)
    local f, err = zs.read_csv(path)
    assert.is_nil(f)
    assert.equals(string.format("%s:%d:3: unterminated quoted field", path, rows + 2), err)
  end)

  it("reads a column that turns to text near the end of a big file (second pass)", function()
    local path, rows = big_file("late-text", "x,y\n")
    zs.set_threads(2)
    local f = assert(zs.read_csv(path))
    assert.equals("str", f:types()[1])
    assert.equals(rows + 1, f:nrow())
    assert.equals("1", f:get("a", 1))
    assert.equals("4000", f:get("a", rows))
    assert.equals("x", f:get("a", rows + 1))
    assert.equals("row12", f:get("b", 12))
  end)
end)

describe("read_json of hostile files", function()
  local dir
  local function json(name, text)
    dir = dir or fresh("json")
    return write(dir .. "/" .. name, text)
  end

  it("returns nil, message for a folder", function()
    local d = fresh("jfolder")
    assert.same({ nil, d .. ": Is a directory" }, { zs.read_json(d) })
  end)

  it("returns nil, message for a FIFO without a writer, at once", function()
    local fifo = fresh("jfifo") .. "/p"
    assert(os.execute("mkfifo " .. q(fifo)))
    local out = child("print(select(2, zs.read_json(" .. string.format("%q", fifo) .. ")))", { timeout = 20 })
    assert.equals(fifo .. ":1:1: Expected value but found T_END at character 1\n", out)
  end)

  it("returns nil, message for a missing file", function()
    local path = fresh("jmissing") .. "/none.json"
    assert.same({ nil, path .. ": No such file or directory" }, { zs.read_json(path) })
  end)

  it("names the line and column of invalid JSON", function()
    local path = json("bad.json", '[{"a": 1},\n {"a": }]')
    assert.same({ nil, path .. ":2:8: Expected value but found T_OBJ_END at character 19" }, { zs.read_json(path) })
  end)

  it("refuses a top level that is not an array or an object", function()
    for _, text in ipairs({ "5", '"x"', "null", "true" }) do
      local path = json("top.json", text)
      assert.same({ nil, path .. ": expected an array of objects or an object of arrays" }, { zs.read_json(path) })
    end
  end)

  it("refuses 100000 nested arrays without a crash", function()
    local path = json("deep.json", string.rep("[", 100000) .. string.rep("]", 100000))
    local f, err = zs.read_json(path)
    assert.is_nil(f)
    assert.matches("too many nested data structures", err, 1, true)
  end)

  it("refuses a nested value in a cell, naming its element and key", function()
    local path = json("nested.json", '[{"a": 1}, {"a": {"b": 2}}]')
    assert.same({ nil, path .. ": element 2, key 'a': nested arrays and objects are not supported" },
      { zs.read_json(path) })
  end)

  it("refuses an array whose elements are not objects", function()
    local path = json("scalars.json", "[1, 2]")
    assert.same({ nil, path .. ": element 1 is not an object" }, { zs.read_json(path) })
  end)

  it("refuses columns of different lengths", function()
    local path = json("ragged.json", '{"a": [1, 2], "b": [1]}')
    assert.same({ nil, path .. ": member 'b' has 1 elements, expected 2 (as member 'a')" }, { zs.read_json(path) })
  end)

  it("refuses a column that mixes numbers and strings, naming it", function()
    local path = json("mixed.json", '[{"a": 1}, {"a": "x"}]')
    assert.same({ nil, path .. ": column 'a' mixes numbers (value #1) and strings (value #2)" }, { zs.read_json(path) })
  end)

  it("keeps NUL (\\u0000) and the bytes of invalid UTF-8 in strings", function()
    local path = json("bytes.json", '[{"a": "x\\u0000y"}, {"a": "\255"}]')
    local f = assert(zs.read_json(path))
    assert.equals("x\0y", f:get("a", 1))
    assert.equals("\255", f:get("a", 2))
  end)

  it("reads a number beyond the doubles as an infinity", function()
    local f = assert(zs.read_json(json("inf.json", '[{"a": 1e400}]')))
    assert.equals(math.huge, f:get("a", 1))
  end)
end)

describe("read_sqlite of hostile files", function()
  it("returns nil, message for a file that is not a database", function()
    local path = write(fresh("notdb") .. "/x.db", "hello, this is not SQLite\n")
    assert.same({ nil, path .. ": not a SQLite database" }, { zs.read_sqlite(path, "t") })
  end)

  it("returns nil, message for a truncated database", function()
    local dir = fresh("truncdb")
    assert(small:write_sqlite(dir .. "/whole.db", "t"))
    local whole = read(dir .. "/whole.db")
    local path = write(dir .. "/cut.db", whole:sub(1, 2000))
    assert.same({ nil, path .. ": database disk image is malformed" }, { zs.read_sqlite(path, "t") })
  end)

  it("returns nil, message for a folder", function()
    local d = fresh("dbfolder")
    assert.same({ nil, d .. ": is a directory" }, { zs.read_sqlite(d, "t") })
  end)

  it("reads an empty file as a database without tables", function()
    local path = write(fresh("emptydb") .. "/e.db", "")
    assert.same({ nil, path .. ": no table or view named 't'" }, { zs.read_sqlite(path, "t") })
  end)
end)

describe("write_csv to hostile targets", function()
  it("returns nil, message on /dev/full", function()
    assert.same({ nil, "/dev/full: No space left on device" }, { small:write_csv("/dev/full") })
  end)

  it("returns nil, message for a folder, and leaves it as it was", function()
    local dir = fresh("wfolder")
    assert.same({ nil, dir .. ": Is a directory" }, { small:write_csv(dir) })
    assert.same({}, ls(dir))
  end)

  it("returns nil, message for a missing folder", function()
    local path = fresh("wmissing") .. "/no/such/x.csv"
    assert.same({ nil, path .. ": No such file or directory" }, { small:write_csv(path) })
  end)

  nobody_it("returns nil, message for a read-only folder, and leaves nothing", function()
    local dir = fresh("readonly")
    write(dir .. "/x.csv", "old\n")
    assert(os.execute("chmod 0555 " .. q(dir) .. " && chmod 0644 " .. q(dir .. "/x.csv")))
    local out = child(string.format("print(select(2, zs.frame({a = {1}}):write_csv(%q)))", dir .. "/x.csv"),
      { nobody = true })
    assert.equals(dir .. "/x.csv: Permission denied\n", out)
    assert.equals("old\n", read(dir .. "/x.csv"))
    assert.same({ "x.csv" }, ls(dir))
  end)

  it("returns nil, message for a FIFO that no process reads, at once", function()
    local fifo = fresh("wfifo") .. "/p"
    assert(os.execute("mkfifo " .. q(fifo)))
    local out = child(string.format("print(select(2, zs.frame({a = {1}}):write_csv(%q)))", fifo), { timeout = 20 })
    assert.equals(fifo .. ": a FIFO that no process reads\n", out)
  end)

  it("writes into a FIFO that a process reads", function()
    local dir = fresh("wfifo2")
    local fifo = dir .. "/p"
    assert(os.execute("mkfifo " .. q(fifo)))
    local out = util.run("(timeout 20 cat " .. q(fifo) .. " > " .. q(dir .. "/got") .. " &) ; sleep 0.3; cd " .. q(ROOT)
      .. " && timeout 20 lua5.4 -e " .. q("package.path = 'lua/?.lua;' .. package.path package.cpath = 'build/?.so;' "
        .. ".. package.cpath print(require('zonestat').frame({a = {1, 2}}):write_csv(" .. string.format("%q", fifo)
        .. "))") .. "; sleep 0.3")
    assert.equals("true\n", out)
    assert.equals("a\n1\n2\n", read(dir .. "/got"))
  end)

  it("writes a path with a newline in it", function()
    local path = fresh("wnewline") .. "/a\nb.csv"
    assert.is_true(small:write_csv(path))
    util.assert_frames_equal(small, assert(zs.read_csv(path)))
  end)

  it("replaces the file a symbolic link points to, and keeps the link", function()
    local dir = fresh("symlink")
    write(dir .. "/real.csv", "old\n")
    assert(os.execute("ln -s real.csv " .. q(dir .. "/link.csv")))
    assert.is_true(small:write_csv(dir .. "/link.csv"))
    assert.equals("link", (core.path_info(dir .. "/link.csv") and util.run("stat -c %F " .. q(dir .. "/link.csv"))
      :match("symbolic (link)")))
    util.assert_frames_equal(small, assert(zs.read_csv(dir .. "/real.csv")))
    assert.same({ "link.csv", "real.csv" }, ls(dir))
  end)

  it("keeps the permissions of the file it replaces", function()
    local path = write(fresh("mode") .. "/private.csv", "old\n")
    assert(os.execute("chmod 0600 " .. q(path)))
    assert.is_true(small:write_csv(path))
    assert.equals("600\n", util.run("stat -c %a " .. q(path)))
  end)

  it("refuses an na token that a value prints as, naming the option, the column and the value", function()
    local cases = {
      { zs.frame({ x = { 0, zs.NA } }), "0", "x", 1 },
      { zs.frame({ y = { 2.5, zs.NA, 1.5 } }), "1.5", "y", 3 },
      { zs.frame({ b = { false, true, zs.NA } }), "true", "b", 2 },
      { zs.frame({ d = { "2020-01-01", zs.NA } }):cast { d = "date" }, "2020-01-01", "d", 1 },
    }
    for _, c in ipairs(cases) do
      local f, na, name, row = c[1], c[2], c[3], c[4]
      local msg = string.format("write_csv: option 'na' (\"%s\") is how column '%s' writes its value in row %d: NA and "
        .. "that value would read back alike (choose a token that no value prints as)", na, name, row)
      assert.has_error(function() f:write_csv(fresh("na") .. "/x.csv", { na = na }) end, msg)
    end
    -- text equal to the token is quoted, and reads back as text: no collision
    local s = zs.frame({ s = { "0", zs.NA } })
    local back = assert(zs.parse_csv(s:to_csv({ na = "0" }), { na = "0" }))
    assert.same({ "0", nil }, { back:get("s", 1), back:get("s", 2) })
    -- a token no value prints as is fine, and NA stays NA
    local n = zs.frame({ x = { 0, zs.NA } })
    back = assert(zs.parse_csv(n:to_csv({ na = "-" }), { na = "-" }))
    assert.same({ 0, nil }, { back:get("x", 1), back:get("x", 2) })
  end)

  it("refuses dates beyond the years 0000-9999, naming the column and the row", function()
    local dir = fresh("dates")
    for _, days in ipairs({ 2932897, -719529, 2147483647, -2147483647 }) do
      local f = zs.frame({ ok = { 1, 2 }, d = { 0, days } }, { "ok", "d" }):cast { d = "date" }
      local shown = zs.frame({ d = { days } }):cast { d = "date" }:cast { d = "str" }:get("d", 1)
      local ok, err = f:write_csv(dir .. "/d.csv")
      assert.is_nil(ok)
      assert.equals(dir .. "/d.csv: column 'd' row 2: the date " .. shown .. " is outside the years 0000 to 9999 that "
        .. "ISO yyyy-mm-dd holds, and would read back as text (cast the column to str to write it as text)", err)
      assert.has_error(function() f:to_csv() end)
    end
    assert.same({}, ls(dir))
    -- the first and last days of the range are written and read back as dates
    local edge = zs.frame({ d = { "0000-01-01", "9999-12-31" } }):cast { d = "date" }
    util.assert_frames_equal(edge, assert(zs.parse_csv(edge:to_csv())))
  end)

  it("writes NUL bytes and invalid UTF-8 as they are, and reads them back", function()
    local f = zs.frame({ s = { "a\0b", "\255\254", "ok" } })
    local path = fresh("bytes") .. "/b.csv"
    assert.is_true(f:write_csv(path))
    util.assert_frames_equal(f, assert(zs.read_csv(path)))
  end)

  it("writes a 10 MB value and reads it back", function()
    local v = string.rep("ab,\"\n", 2 * 1024 * 1024)
    local f = zs.frame({ s = { v, "x" } })
    local path = fresh("bigvalue") .. "/v.csv"
    assert.is_true(f:write_csv(path))
    util.assert_frames_equal(f, assert(zs.read_csv(path)))
  end)
end)

describe("write_json to hostile targets", function()
  it("returns nil, message on /dev/full", function()
    assert.same({ nil, "/dev/full: No space left on device" }, { small:write_json("/dev/full") })
  end)

  it("refuses text that is not UTF-8, naming the column and the row", function()
    local dir = fresh("jutf8")
    local f = zs.frame({ s = { "ệ", "b\255" } })
    assert.same({ nil, dir .. "/x.json: column 's' row 2: the text is not valid UTF-8, which JSON text must be" },
      { f:write_json(dir .. "/x.json") })
    assert.same({}, ls(dir))
    assert.has_error(function() f:to_json() end,
      "to_json: column 's' row 2: the text is not valid UTF-8, which JSON text must be")
    -- NUL is escaped, and reads back
    local n = zs.frame({ s = { "a\0b" } })
    assert.is_true(n:write_json(dir .. "/n.json"))
    assert.equals("a\0b", assert(zs.read_json(dir .. "/n.json")):get("s", 1))
  end)

  it("refuses dates beyond year 9999", function()
    local f = zs.frame({ d = { 2932897 } }):cast { d = "date" }
    local ok, err = f:write_json(fresh("jdate") .. "/d.json")
    assert.is_nil(ok)
    assert.matches("column 'd' row 1: the date 10000%-01%-01 is outside the years 0000 to 9999", err)
  end)
end)

describe("write_xlsx to hostile targets", function()
  it("returns nil, message on /dev/full (a workbook goes to files only)", function()
    assert.same({ nil, "/dev/full: not a regular file" }, { small:write_xlsx("/dev/full") })
  end)

  it("returns nil, message for a folder", function()
    local dir = fresh("xfolder")
    assert.same({ nil, dir .. ": Is a directory" }, { small:write_xlsx(dir) })
    assert.same({}, ls(dir))
  end)

  nobody_it("returns nil, message for a read-only folder, and leaves nothing", function()
    local dir = fresh("xreadonly")
    assert(os.execute("chmod 0555 " .. q(dir)))
    local out = child(string.format("print(select(2, zs.frame({a = {1}}):write_xlsx(%q)))", dir .. "/x.xlsx"),
      { nobody = true })
    assert.equals(dir .. "/x.xlsx: Permission denied\n", out)
    assert.same({}, ls(dir))
  end)

  it("writes NUL in text (escaped) and reads it back; refuses it in a name", function()
    local dir = fresh("xnul")
    local f = zs.frame({ s = { "a\0b", "x" } })
    assert.is_true(f:write_xlsx(dir .. "/n.xlsx"))
    assert.equals("a\0b", assert(zs.read_xlsx(dir .. "/n.xlsx")):get("s", 1))
    local named = zs.frame({ ["a\0b"] = { 1 } })
    assert.same({ nil, dir .. "/m.xlsx: sheet 'Sheet1': column 1: the name contains a NUL character, which a cell "
      .. "cannot hold" }, { named:write_xlsx(dir .. "/m.xlsx") })
    assert.same({ "n.xlsx" }, ls(dir))
  end)
end)

describe("write_sqlite to hostile targets", function()
  it("returns nil, message for a file that is not a database, and leaves it as it was", function()
    local path = write(fresh("snotdb") .. "/x.db", "precious text\n")
    assert.same({ nil, path .. ": not a SQLite database" }, { small:write_sqlite(path, "t") })
    assert.equals("precious text\n", read(path))
  end)

  it("returns nil, message for a folder", function()
    local dir = fresh("sfolder")
    local ok, err = small:write_sqlite(dir, "t")
    assert.is_nil(ok)
    assert.matches("^" .. dir:gsub("%p", "%%%0") .. ": unable to open database file", err)
    assert.same({}, ls(dir))
  end)

  nobody_it("returns nil, message for a read-only folder, and leaves nothing", function()
    local dir = fresh("sreadonly")
    assert(os.execute("chmod 0555 " .. q(dir)))
    local out = child(string.format("print(select(2, zs.frame({a = {1}}):write_sqlite(%q, 't')))", dir .. "/x.db"),
      { nobody = true })
    assert.equals(dir .. "/x.db: Permission denied\n", out)
    assert.same({}, ls(dir))
  end)

  it("leaves no database and no temporary when a new one is refused", function()
    local dir = fresh("srefused")
    local f = zs.frame({ d = { 0, 2932897 } }):cast { d = "date" }
    local ok, err = f:write_sqlite(dir .. "/x.db", "t")
    assert.is_nil(ok)
    assert.matches("row 2: column 'd': the date 10000%-01%-01 has no ISO form", err)
    assert.same({}, ls(dir))
  end)
end)

describe("folders and text written by the zone layer, to hostile targets", function()
  local model = { locale = "en", as_of = "2024-06-30", title = "T", profiles = {}, texts = { sources = "Sources" },
    sources = { list = { { id = "s1", citation = "c", url = "https://x.vn" } } },
    blocks = { { kind = "table", title = "A", columns = { "x" }, rows = { { "a" } } } } }

  it("export.csv_dir refuses a file as its folder", function()
    local path = write(fresh("dirfile") .. "/f", "x")
    local ok, err = export.csv_dir(model, path)
    assert.is_nil(ok)
    assert.matches(path:gsub("%p", "%%%0"), err)
    assert.equals("x", read(path))
  end)

  nobody_it("export.csv_dir into a read-only folder returns nil, message and leaves nothing", function()
    local dir = fresh("dirro")
    assert(os.execute("chmod 0555 " .. q(dir)))
    local out = child(string.format([[
local export = require "zonestat.export"
local model = { locale = "en", as_of = "2024-06-30", title = "T", profiles = {}, texts = { sources = "Sources" },
  sources = { list = { { id = "s1", citation = "c", url = "https://x.vn" } } },
  blocks = { { kind = "table", title = "A", columns = { "x" }, rows = { { "a" } } } } }
print(select(2, export.csv_dir(model, %q)))]], dir .. "/out"), { nobody = true })
    assert.equals(dir .. "/out: Permission denied\n", out)
    assert.same({}, ls(dir))
  end)

  it("export.csv_dir replaces a folder in one step and leaves nothing beside it", function()
    local parent = fresh("dirswap")
    local dir = parent .. "/out"
    assert(core.make_dir(dir))
    write(dir .. "/stale.csv", "old")
    local ok, files = export.csv_dir(model, dir, { force = true })
    assert.is_true(ok)
    table.sort(files)
    assert.same(files, ls(dir))
    assert.same({ "out" }, ls(parent))
  end)

  it("render.write returns nil, message for a folder and for /dev/full", function()
    local dir = fresh("rfolder")
    assert.same({ nil, dir .. ": Is a directory" }, { render.write(dir, "<p>x</p>") })
    assert.same({ nil, "/dev/full: No space left on device" }, { render.write("/dev/full", "<p>x</p>") })
  end)
end)

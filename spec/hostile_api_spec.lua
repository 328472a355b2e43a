-- Hostile use of the frame API, the printing and text helpers, the thread
-- setting and the command line (issue 13: items 3, 5, 13, 18, 23): every
-- misuse raises naming the function and the argument, nothing crashes or
-- hangs, settings belong to one Lua state.
local zs = require "zonestat"
local util = require "spec_util"

local NA = zs.NA

local function contains(text, s) return tostring(text):find(s, 1, true) ~= nil end

-- the error of fn(...), which must raise
local function raises(fn, ...)
  local ok, err = pcall(fn, ...)
  assert(not ok, "expected an error")
  return tostring(err)
end

-- the frame {k, v, x} of three rows
local function sample()
  return zs.frame({ k = { "a", "b", "a" }, v = { 1, 2, 3 }, x = { 1.5, NA, -0.0 } }, { "k", "v", "x" })
end

-- run a Lua chunk in a child lua5.4 with the repository's paths; output and exit status
local function child(code)
  local path = util.tmpfile("hostile-child.lua", string.format("package.path = %q; package.cpath = %q\n",
    package.path, package.cpath) .. code)
  return util.run("lua5.4 " .. path)
end

local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

describe("protected metatables", function()
  it("a frame's metatable is not reachable: getmetatable gives its name", function()
    local f = sample()
    assert.equals("zonestat.Frame", getmetatable(f))
    assert.equals("zonestat.NA", getmetatable(NA))
  end)

  it("a column's metatable is not reachable either", function()
    assert.equals("zonestat.Column", getmetatable(sample():column("k")))
  end)

  it("a frame whose column was finalized early raises instead of reading freed memory", function()
    local out, code = child([[
      local zs = require "zonestat"
      local f = zs.frame({a = {1, 2, 3}, s = {"x", "y", "z"}})
      local c = f:column("s")
      debug.getmetatable(c).__gc(c)
      collectgarbage()
      local ok, err = pcall(f.get, f, "s", 1)
      print(ok, err)
      print(pcall(tostring, f))
      print(pcall(f.select, f, "a"))
      print("alive")
    ]])
    assert.equals(0, code, out)
    assert.is_true(contains(out, "false"), out)
    assert.is_true(contains(out, "frame used after its columns were finalized"), out)
    assert.is_true(contains(out, "alive"), out)
  end)

  it("a user's finalizer that uses a frame collected in the same cycle raises, no crash", function()
    local out, code = child([[
      local zs = require "zonestat"
      do
        local u = setmetatable({}, {__gc = function(u)
          print("gc", pcall(function() return u.f:get("s", 2) end))
        end})
        u.f = zs.frame({s = {"p", "q"}, v = {1.5, 2}})
      end
      collectgarbage(); collectgarbage()
      keep = setmetatable({}, {__gc = function(u) print("close", pcall(function() return #u.f, u.f:get("s", 1) end)) end})
      keep.f = zs.frame({s = {"p", "q"}})
      print("end")
    ]])
    assert.equals(0, code, out)
    assert.is_true(contains(out, "gc\tfalse"), out)
    assert.is_true(contains(out, "close\tfalse"), out)
    assert.is_true(contains(out, "finalized"), out)
  end)
end)

describe("sparse Lua arrays", function()
  it("zs.column refuses {[2^40] = 1} at once, naming the largest index", function()
    local t0 = os.clock()
    local err = raises(zs.column, { [1 << 40] = 1 })
    assert.is_true(os.clock() - t0 < 1)
    assert.is_true(contains(err, "column: "), err)
    assert.is_true(contains(err, "1 value but its largest index is 1099511627776"), err)
  end)

  it("zs.frame refuses such a column, naming it", function()
    local err = raises(zs.frame, { a = { [1 << 40] = 1 } })
    assert.is_true(contains(err, "frame: column 'a' has 1 value"), err)
  end)

  it("holes within the bound are NA", function()
    local c = zs.column({ [1000] = 1 })
    assert.equals(1000, #c)
    assert.equals(999, c:na_count())
    assert.equals(1, c[1000])
  end)

  it("from_rows refuses rows with holes or non-array keys", function()
    local err = raises(zs.from_rows, { [1] = { a = 1 }, [3] = { a = 2 } })
    assert.is_true(contains(err, "from_rows: argument 'rows' must be an array without holes: rows[2] is nil"), err)
    err = raises(zs.from_rows, { [1 << 40] = {} })
    assert.is_true(contains(err, "rows[1] is nil but rows[1099511627776] is not"), err)
    err = raises(zs.from_rows, { x = { a = 1 } })
    assert.is_true(contains(err, "has the key x"), err)
  end)
end)

describe("slice, head and tail bounds", function()
  local f = zs.frame({ a = { 1, 2, 3 } })

  it("slice clamps extreme bounds", function()
    assert.equals(1, f:slice(-math.maxinteger, 1):nrow())
    assert.equals(3, f:slice(math.mininteger, math.maxinteger):nrow())
    assert.equals(2, f:slice(math.mininteger, 2):nrow())
    assert.equals(2, f:slice(2, math.maxinteger):get("a", 1))
  end)

  it("empty slices keep the columns", function()
    for _, ij in ipairs({ { math.maxinteger, math.maxinteger }, { 2, 1 }, { 0, 0 }, { math.mininteger, math.mininteger },
      { 4, 10 } }) do
      local g = f:slice(ij[1], ij[2])
      assert.equals(0, g:nrow())
      assert.same({ "a" }, g:names())
    end
  end)

  it("head and tail take huge counts whole and refuse negative ones", function()
    assert.equals(3, f:head(math.maxinteger):nrow())
    assert.equals(3, f:tail(math.maxinteger):nrow())
    assert.equals(0, f:tail(0):nrow())
    assert.is_true(contains(raises(f.head, f, -1), "head: argument 'n' must be a non-negative integer"))
    assert.is_true(contains(raises(f.tail, f, math.mininteger), "tail: argument 'n'"))
    assert.is_true(contains(raises(f.head, f, 2.5), "head: argument 'n'"))
  end)

  it("slice names a non-integer bound", function()
    assert.is_true(contains(raises(f.slice, f, 1.5), "slice: argument 'i' must be an integer"))
    assert.is_true(contains(raises(f.slice, f, 1, "3"), "slice: argument 'j' must be an integer"))
    assert.is_true(contains(raises(f.slice, f, 0 / 0), "slice: argument 'i'"))
  end)
end)

describe("verbs called on something that is not a frame", function()
  local f = sample()
  for _, verb in ipairs({ "select", "rename", "head", "tail", "slice", "cast", "fill_na", "distinct", "nfc", "rows",
    "totable", "describe", "sort", "top" }) do
    it(verb .. " names itself and 'self'", function()
      for _, bad in ipairs({ 5, "k", {}, NA }) do
        local err = raises(f[verb], bad, "k", 1)
        assert.is_true(contains(err, verb .. ": argument 'self' must be a frame"), err)
      end
    end)
  end
end)

describe("argument errors name the function and the argument", function()
  local f = sample()

  it("select(nil) and select() raise; select({}) keeps the rows and no column", function()
    assert.is_true(contains(raises(f.select, f, nil), "select: argument #1 must be a column name, got nil"))
    assert.is_true(contains(raises(f.select, f), "select: argument #1 must name a column"))
    assert.is_true(contains(raises(f.select, f, "k", "k"), "select: column 'k' named twice"))
    local g = f:select({})
    assert.equals(3, g:nrow())
    assert.equals(0, g:ncol())
  end)

  it("distinct names distinct", function()
    assert.is_true(contains(raises(f.distinct, f, "zz"), "distinct: no column named 'zz'"))
    assert.is_true(contains(raises(f.distinct, f, nil), "distinct: argument #1"))
  end)

  it("zs.column names a bad type argument", function()
    local err = raises(zs.column, { 1 }, "integer")
    assert.equals("column: argument 'ctype' must be bool, int, float, date or str, got 'integer'",
      err:gsub("^[^:]*:%d+: ", ""))
    assert.is_true(contains(raises(zs.column, { 1 }, true), "argument 'ctype'"))
    assert.is_true(contains(raises(zs.column, 5), "column: argument 'values' must be an array"))
  end)

  it("cast names the column and lists the types", function()
    local err = raises(f.cast, f, { v = "integer" })
    assert.is_true(contains(err, "cast: type for 'v' must be bool, int, float, date or str, got 'integer'"), err)
    assert.is_true(contains(raises(f.cast, f, { v = 5 }), "type for 'v' must be"))
    assert.is_true(contains(raises(f.cast, f, { [1] = "int" }), "cast: no column named '1'"))
    assert.is_false(contains(raises(f.cast, f, { v = "x" }), "zonestat.core"))
  end)

  it("fill_na refuses NA and NaN as the fill value", function()
    assert.is_true(contains(raises(f.fill_na, f, { x = NA }), "fill_na: fill value for 'x' must not be NA"))
    assert.is_true(contains(raises(f.fill_na, f, { x = 0 / 0 }), "fill_na: fill value for 'x' must not be NA"))
    assert.equals(0.0, f:fill_na({ x = 0.0 }):get("x", 2))
  end)

  it("rename names the map", function()
    assert.is_true(contains(raises(f.rename, f, nil), "rename: argument #1 must be a table"))
    assert.is_true(contains(raises(f.rename, f, { k = "v" }), "rename: two columns would be named 'v'"))
    assert.is_true(contains(raises(f.rename, f, { k = "" }), "new name for 'k' must be a non-empty string"))
  end)

  it("concat needs frames, and at least one", function()
    assert.is_true(contains(raises(zs.concat), "concat: argument #1 must be a frame (concat needs at least one)"))
    assert.is_true(contains(raises(zs.concat, f, 5), "concat: argument #2 must be a frame, got number"))
    assert.is_true(contains(raises(zs.concat, f, nil), "concat: argument #2 must be a frame, got nil"))
  end)

  it("sort takes an options table only after a column name", function()
    local err = raises(f.sort, f, "v", { desc = true }, { desc = false })
    assert.is_true(contains(err, "sort: argument #3 must be a column name or an options table after one"), err)
    assert.is_true(contains(raises(f.sort, f, { desc = true }), "sort: argument #1"))
    assert.is_true(contains(raises(f.sort, f, "v", { desc = 1 }), "sort: option 'desc' must be a boolean"))
    assert.is_true(contains(raises(f.sort, f), "sort: no column given"))
  end)

  it("top names its arguments", function()
    assert.is_true(contains(raises(f.top, f, nil, 3), "top: argument 'col' must be a column name, got nil"))
    assert.is_true(contains(raises(f.top, f, "v", -1), "top: argument 'n' must be a non-negative integer"))
    assert.equals(3, f:top("v", math.maxinteger):nrow())
  end)

  it("frame and from_rows name what is wrong", function()
    assert.is_true(contains(raises(zs.frame, 5), "frame: argument 'columns' must be a table"))
    assert.is_true(contains(raises(zs.frame, { a = true }), "frame: column 'a' must be an array or a Column"))
    assert.is_true(contains(raises(zs.frame, { a = { 1 } }, { "a", "a" }), "frame: column 'a' appears twice"))
    assert.is_true(contains(raises(zs.from_rows, { 5 }), "from_rows: row 1 is not a table"))
    assert.is_true(contains(raises(zs.from_rows, { { [1] = 5 } }), "from_rows: column names must be strings"))
  end)
end)

describe("printing and text helpers", function()
  local f = sample()

  it("format_frame takes its options second or third", function()
    local a, b = zs.format_frame(f, { all = true }), zs.format_frame(f, nil, { all = true })
    assert.equals(b, a)
    assert.equals(zs.format_frame(f, 40), zs.format_frame(f, { width = 40 }))
    assert.is_true(contains(a, "# 3 rows × 3 columns"))
  end)

  it("format_frame names a bad width or option", function()
    for _, w in ipairs({ 0, -3, 1.5, 0 / 0, math.huge, "80", true }) do
      local err = raises(zs.format_frame, f, w)
      assert.is_true(contains(err, "format_frame: argument 'width' must be a positive integer"), err)
    end
    assert.is_true(contains(raises(zs.format_frame, f, { bad = 1 }), "format_frame: unknown option 'bad'"))
    assert.is_true(contains(raises(zs.format_frame, f, nil, { all = 1 }), "option 'all' must be a boolean"))
    assert.is_true(contains(raises(zs.format_frame, f, 80, 5), "format_frame: options must be a table"))
  end)

  it("format_frame and format_markdown need a frame", function()
    assert.is_true(contains(raises(zs.format_frame, nil), "format_frame: argument 'f' must be a frame, got nil"))
    assert.is_true(contains(raises(zs.format_markdown, {}), "format_markdown: argument 'f' must be a frame"))
  end)

  it("prints int64 extremes, Inf and NaN-as-NA", function()
    local g = zs.frame({ a = { math.maxinteger, math.mininteger + 1, NA }, b = { math.huge, -math.huge, 0 / 0 } },
      { "a", "b" })
    local s = tostring(g)
    assert.is_true(contains(s, "9223372036854775807"))
    assert.is_true(contains(s, "-9223372036854775807"))
    assert.is_true(contains(s, "-Inf"))
    local md = zs.format_markdown(g)
    assert.is_true(contains(md, "| 9223372036854775807 | Inf |"), md)
    assert.is_true(contains(md, "|  |  |"), md)
  end)

  it("the text helpers name a wrong argument", function()
    for _, fn in ipairs({ "display_width", "nfc", "fold", "format_number" }) do
      local err = raises(zs[fn], nil)
      assert.is_true(err:find("bad argument #1 to '[%w.]*" .. fn .. "'") ~= nil, err)
    end
    assert.is_true(contains(raises(zs.display_width, {}), "string expected, got table"))
  end)

  it("invalid UTF-8 is bad data: nil and a message", function()
    local s, err = zs.nfc("\xffabc\xc3")
    assert.is_nil(s)
    assert.is_true(contains(err, "Invalid UTF-8"))
    s, err = zs.fold("\xff")
    assert.is_nil(s)
    assert.is_string(err)
    assert.equals(2, zs.display_width("\xff\xfe")) -- each bad byte shows as one replacement character
  end)
end)

describe("0-row and 0-column frames through the verbs", function()
  local f = sample()
  local r0, c0 = f:head(0), zs.frame({})

  it("a 0-row frame keeps its columns and types through every verb", function()
    local types = f:types()
    for _, g in ipairs({ r0:select("k", "v", "x"), r0:rename({ k = "kk" }), r0:tail(2), r0:slice(1, 5),
      r0:cast({ v = "float" }), r0:fill_na({ x = 1.0 }), r0:distinct(), r0:sort("v"), r0:top("v", 3),
      zs.concat(r0, r0) }) do
      assert.equals(0, g:nrow())
      assert.equals(3, g:ncol())
    end
    assert.same(types, r0:sort("k"):types())
    assert.equals(3, r0:describe():nrow())
    assert.same({ k = {}, v = {}, x = {} }, r0:totable())
    assert.is_true(contains(tostring(r0), "# 0 rows × 3 columns"))
  end)

  it("a 0-column frame keeps its row count", function()
    local g = f:select({})
    assert.equals(3, g:nrow())
    assert.equals(3, g:head(5):nrow())
    assert.equals(2, g:slice(2, 3):nrow())
    assert.equals(0, c0:nrow())
    assert.equals(0, c0:describe():nrow())
    assert.equals(2, zs.from_rows({ { a = 1 }, { a = 2 } }, {}):nrow())
    assert.is_true(contains(raises(c0.sort, c0, "v"), "sort: no column named 'v'"))
  end)
end)

describe("NaN, -0.0 and int64 extremes", function()
  it("sort puts NaN (NA) last and -0.0 with 0.0", function()
    local g = zs.frame({ x = { 0 / 0, 1, -math.huge, math.huge, -0.0, 0.0 } }):sort("x")
    assert.equals(-math.huge, g:get("x", 1))
    assert.equals(math.huge, g:get("x", 5))
    assert.is_nil(g:get("x", 6))
  end)

  it("distinct counts NaN once and -0.0 as 0.0", function()
    assert.equals(2, zs.frame({ x = { 0 / 0, 0 / 0, -0.0, 0.0 } }):distinct():nrow())
  end)

  it("sort and top keep int64 extremes exact", function()
    local g = zs.frame({ a = { 0, math.maxinteger, math.mininteger + 1, NA, -1 } })
    assert.same({ math.mininteger + 1, -1, 0, math.maxinteger }, { g:sort("a"):get("a", 1), g:sort("a"):get("a", 2),
      g:sort("a"):get("a", 3), g:sort("a"):get("a", 4) })
    assert.equals(math.maxinteger, g:top("a", 1):get("a", 1))
    assert.equals(4, g:top("a", math.maxinteger):nrow())
  end)

  it("describe shows Inf as the printer does, and exact int extremes", function()
    local d = zs.frame({ a = { math.maxinteger, math.mininteger + 1 }, b = { math.huge, -math.huge } }, { "a", "b" })
      :describe()
    assert.equals("-9223372036854775807", d:get("min", 1))
    assert.equals("9223372036854775807", d:get("max", 1))
    assert.equals("-Inf", d:get("min", 2))
    assert.equals("Inf", d:get("max", 2))
  end)
end)

describe("set_threads and get_threads", function()
  it("refuse counts out of 0..1024 and non-integers, naming set_threads", function()
    for _, n in ipairs({ -1, 1025, math.maxinteger, math.mininteger, 1.5, 0 / 0, "x", {} }) do
      local err = raises(zs.set_threads, n)
      assert.is_true(err:find("bad argument #1 to '[%w.]*set_threads'") ~= nil, err)
    end
  end)

  it("return the previous count; 0 means one per core", function()
    local old = zs.set_threads(3)
    assert.equals(3, zs.set_threads(1))
    assert.equals(1, zs.get_threads())
    zs.set_threads(0)
    assert.is_true(zs.get_threads() >= 1)
    zs.set_threads(old)
    assert.equals(old, zs.get_threads())
  end)

  it("belong to the Lua state: two states in one process (spec/two_states.c)", function()
    -- under `make sanitize` the core is the ASan + UBSan build, which only
    -- a host built with the same runtime can load
    local san = os.getenv("ZS_SAN_CORE")
    local exe = san and "build/two_states_san" or "build/two_states"
    local cc = san and "clang -g -fsanitize=address,undefined" or "cc"
    local _, ccode = util.run(cc .. " -O1 -std=gnu11 -o " .. exe .. " spec/two_states.c $(pkg-config --cflags --libs lua5.4)"
      .. " -lpthread")
    assert.equals(0, ccode, "cannot compile spec/two_states.c")
    local so = assert(package.searchpath("zonestat.core", package.cpath))
    local cpath = so:gsub("zonestat/core%.so$", "?.so")
    local out, code = util.run((san and "ASAN_OPTIONS=detect_leaks=0:exitcode=86 " or "") .. exe .. " "
      .. shell_quote("lua/?.lua;lua/?/init.lua") .. " " .. shell_quote(cpath))
    assert.equals(0, code, out)
    assert.is_true(contains(out, "pass A keeps 3 threads after B's luaopen"), out)
    assert.is_true(contains(out, "pass A keeps 3 threads after B's set_threads"), out)
    assert.is_true(contains(out, "pass thread 1: state with 1 thread, concurrent work"), out)
    assert.is_true(contains(out, "pass thread 2: state with 3 threads, concurrent work"), out)
    assert.is_true(contains(out, "\nok\n"), out)
  end)
end)

describe("indicators: argument checks", function()
  local ds = assert(zs.dataset.load())

  it("rank and streaks need a frame and its columns", function()
    assert.is_true(contains(raises(zs.indicators.rank, 5), "rank: argument 'f' must be a frame"))
    local f = zs.frame({ entity = { "a" }, year = { 2020 }, value = { 1 } })
    assert.is_true(contains(raises(zs.indicators.rank, f, { value = "zz" }), "rank: no column named 'zz'"))
    assert.is_true(contains(raises(zs.indicators.rank, f, { bad = 1 }), "rank: unknown option 'bad'"))
    assert.is_true(contains(raises(zs.indicators.streaks, f, { top = 0 }), "streaks: option 'top' must be"))
  end)

  it("compare refuses an entity named twice", function()
    local err = raises(zs.indicators.compare, ds, { "hp", "hp" })
    assert.is_true(contains(err, "compare: argument 'entities' names hp twice (#1 and #2)"), err)
    err = raises(zs.indicators.compare, ds, { "hp", "Hải Phòng" })
    assert.is_true(contains(err, "names hp twice"), err)
    assert.is_true(contains(raises(zs.indicators.compare, ds, { "hp", 5 }), "compare: argument 'entities[2]'"))
  end)

  it("reconcile names a missing entity or indicator", function()
    assert.is_true(contains(raises(zs.indicators.reconcile, ds, nil, nil), "reconcile: argument 'entity'"))
    assert.is_true(contains(raises(zs.indicators.reconcile, ds, "hp", nil), "reconcile: argument 'indicator'"))
    assert.is_true(contains(raises(zs.indicators.reconcile, ds, "hp", "x", { tolerance = -1 }), "option 'tolerance'"))
  end)

  it("growth of a NaN or infinite value is bad data: nil and a message", function()
    for _, args in ipairs({ { 0 / 0, 5, 2 }, { 1, math.huge, 2 }, { 1, 2, 0 / 0 } }) do
      local m, err = zs.indicators.growth(table.unpack(args))
      assert.is_nil(m)
      assert.is_true(contains(err, "growth: needs finite values"), err)
    end
    assert.is_true(contains(raises(zs.indicators.implied, 0 / 0, 5), "implied:"))
  end)
end)

describe("command line: a user's mistake is one line in the locale, never an internal error", function()
  local csv = util.tmpfile("hostile-small.csv", "a,b\n1,2\n")
  local function zonestat(args)
    return util.run("lua5.4 bin/zonestat " .. args)
  end
  local function said(out)
    local t = {}
    for l in out:gmatch("[^\n]+") do
      if not l:match("^zonestat: cảnh báo: ") and not l:match("^zonestat: warning: ") and not l:match("đã đọc ")
        and not l:match("^zonestat: read ") then
        t[#t + 1] = l
      end
    end
    return t
  end

  for _, case in ipairs({
    { "agg " .. csv .. " --count --sep ab", "--sep 'ab': hãy nêu một ký tự" },
    { "--locale en agg " .. csv .. " --count --sep ab", "--sep 'ab': give one character" },
    { "agg " .. csv .. " --count --sep , --decimal ,", "--sep ',' cũng là dấu thập phân (--decimal)" },
    { "agg " .. csv .. " --count --decimal , --thousands ,", "--decimal và --thousands đều là ','" },
    { "agg " .. csv .. " --by a,a --count", "--by a được nêu hai lần" },
    { "agg " .. csv .. " --count --table t", "--table: chỉ dùng với tệp SQLite" },
    { "--locale en agg " .. csv .. " --count --sheet 2", "--sheet: only for .xlsx files" },
    { "compare hp hp", "'hp' và 'hp' là cùng một tỉnh (hp)" },
    { "--locale en compare hp 'Hải Phòng'", "'hp' and 'Hải Phòng' are the same province (hp)" },
    { "--locale en compare hp nowhere", "'nowhere': no province or zone of the data has this name" },
    { "report --province nowhere", "'nowhere': không có tỉnh nào mang tên này" },
    { "--locale en profile --zone nowhere", "'nowhere': no zone of the data has this name" },
    { "report --as-of 2024-13-45", "--as-of: '2024-13-45' không phải là ngày" },
  }) do
    it(case[1], function()
      local out, code = zonestat(case[1])
      assert.equals(1, code, out)
      assert.is_false(contains(out, "internal error"), out)
      assert.is_false(contains(out, "lỗi nội bộ"), out)
      local lines = said(out)
      assert.equals(1, #lines, out)
      assert.is_true(contains(lines[1], case[2]), out)
    end)
  end
end)

-- Hostile input to expressions, comparisons, joins and reshaping (issue 13):
-- deep and cyclic trees, int64 extremes, int/float exactness, NaN/Inf, NA
-- everywhere, 0-row and 0-column frames, and the messages of misuse.
local zs = require "zonestat.engine"
local NA = zs.NA
local col = zs.col
local MAX = math.maxinteger

-- the error message of fn (fails when fn does not raise)
local function err_of(fn)
  local ok, e = pcall(fn)
  assert.is_false(ok, "expected an error")
  return tostring(e)
end

local function has(msg, ...)
  for i = 1, select("#", ...) do
    local part = select(i, ...)
    assert.is_truthy(msg:find(part, 1, true), "'" .. part .. "' not in: " .. msg)
  end
end

local function values(f, name) return f:column(name):totable() end

local one = zs.frame({ a = { 1, 2, 3 } })

describe("deep and cyclic expressions", function()
  it("raise 'expression too deep' naming the limit, for 30000 chained +", function()
    local e = col("a")
    for _ = 1, 30000 do e = e + 1 end
    has(err_of(function() return one:mutate { c = e } end), "mutate 'c'", "expression too deep", "1000")
  end)

  it("evaluate up to the limit (1000 nodes on a path)", function()
    local e = col("a")
    for _ = 1, 999 do e = e + 1 end
    assert.equals(1000, one:mutate { c = e }:get("c", 1))
    e = e + 1
    has(err_of(function() return one:mutate { c = e } end), "expression too deep")
  end)

  it("limit the depth on the right side and through unary operators too", function()
    local e = col("a")
    for _ = 1, 2000 do e = 1 + e end
    has(err_of(function() return one:filter(e:gt(0)) end), "filter", "expression too deep")
    local b = zs.frame({ b = { true } })
    local n = col("b")
    for _ = 1, 2000 do n = ~n end
    has(err_of(function() return b:mutate { c = n } end), "expression too deep")
  end)

  it("raise 'expression is cyclic' for e.b = e", function()
    local e = col("a") + 1
    e.b = e
    has(err_of(function() return one:mutate { c = e } end), "mutate 'c'", "expression is cyclic")
  end)

  it("raise 'expression is cyclic' for a long cycle", function()
    local top = col("a") + 1
    local e = top
    for _ = 1, 50 do e = e * 2 end
    top.a = e
    has(err_of(function() return one:filter(e:gt(1)) end), "expression is cyclic")
  end)

  it("compute a shared subexpression once (e = e + e sixty times is no hang)", function()
    local e = col("a")
    for _ = 1, 60 do e = e + e end
    assert.same({ 2 ^ 60 | 0, 2 ^ 61 | 0, 3 * (2 ^ 60 | 0) }, values(one:mutate { c = e }, "c"))
    local x = col("a") * 2
    assert.same({ 6, 28, 66 }, values(one:mutate { c = (x + x) * (x - 1) + x }, "c"))
  end)

  it("print bounded: a cycle as <cycle>, a huge tree cut with …", function()
    local e = col("a") + 1
    e.b = e
    assert.equals("(a + <cycle>)", tostring(e))
    local d = col("a")
    for _ = 1, 60 do d = d + d end
    local s = tostring(d)
    assert.is_true(#s < 5000)
    assert.equals("…", s:sub(-#"…"))
    local deep = col("a")
    for _ = 1, 30000 do deep = -deep end
    assert.is_true(#tostring(deep) < 5000)
    assert.equals("a:round(-2)", tostring(col("a"):round(-2)))
  end)

  it("raise a clear error for hand-made malformed nodes", function()
    local mt = getmetatable(col("a"))
    has(err_of(function() return one:mutate { c = setmetatable({ op = 5 }, mt) } end), "malformed expression")
    has(err_of(function() return one:mutate { c = setmetatable({ op = "add", a = col("a") }, mt) } end),
      "no 'b' operand")
    has(err_of(function() return one:mutate { c = setmetatable({ op = "zz", a = col("a") }, mt) } end),
      "unknown expression operator 'zz'")
  end)
end)

describe("int compared with float", function()
  local f = zs.frame({ a = { MAX, MAX - 1, -MAX, 0 } })

  it("is exact at 2^63 (maxinteger < 2^63, as in Lua)", function()
    assert.equals(0, f:filter(col("a"):eq(2 ^ 63)):nrow())
    assert.equals(4, f:filter(col("a"):lt(2 ^ 63)):nrow())
    assert.equals(4, f:filter(col("a"):gt(-2 ^ 63)):nrow())
    assert.equals(4, f:filter(col("a"):ne(2 ^ 63)):nrow())
    assert.equals(MAX < 2 ^ 63, f:mutate { t = col("a"):lt(2 ^ 63) }:get("t", 1))
  end)

  it("is exact at 2^53 + 1 and with fractions", function()
    local g = zs.frame({ a = { (2 ^ 53 | 0) + 1, 3 } })
    assert.same({ false, false }, values(g:mutate { t = col("a"):eq(2.0 ^ 53) }, "t"))
    assert.same({ true, false }, values(g:mutate { t = col("a"):gt(2.0 ^ 53) }, "t"))
    assert.same({ false, true }, values(g:mutate { t = col("a"):lt(3.5) }, "t"))
    assert.same({ false, false }, values(g:mutate { t = col("a"):le(2.5) }, "t"))
    -- float on the left, int on the right
    local h = zs.frame({ x = { 2.0 ^ 53, 3.0 }, a = { (2 ^ 53 | 0) + 1, 3 } })
    assert.same({ false, true }, values(h:mutate { t = col("x"):eq(col("a")) }, "t"))
    assert.same({ true, false }, values(h:mutate { t = col("x"):lt(col("a")) }, "t"))
  end)

  it("handles Inf, -Inf and NaN (NaN is NA)", function()
    assert.same({ true, true, true, true }, values(f:mutate { t = col("a"):lt(math.huge) }, "t"))
    assert.same({ true, true, true, true }, values(f:mutate { t = col("a"):gt(-math.huge) }, "t"))
    assert.same({ NA, NA, NA, NA }, values(f:mutate { t = col("a"):eq(0 / 0) }, "t"))
  end)

  it("is exact in isin", function()
    assert.same({ true, false, false, true }, values(f:mutate { t = col("a"):isin { MAX, 2 ^ 63, 0.0 } }, "t"))
    local g = zs.frame({ a = { (2 ^ 53 | 0) + 1 }, x = { 2.0 ^ 53 } })
    assert.same({ false }, values(g:mutate { t = col("a"):isin { 2.0 ^ 53 } }, "t"))
    assert.same({ false }, values(g:mutate { t = col("x"):isin { (2 ^ 53 | 0) + 1 } }, "t"))
    assert.same({ true }, values(g:mutate { t = col("x"):isin { 2 ^ 53 | 0 } }, "t"))
  end)

  it("is exact in joins: int keys match float keys only by exact value", function()
    local ints = zs.frame({ k = { MAX, -MAX, 0, (2 ^ 53 | 0) + 1, 2 ^ 53 | 0, NA }, v = { 1, 2, 3, 4, 5, 6 } })
    local floats = zs.frame({ k = { 2 ^ 63, -2 ^ 63, -0.0, 2.0 ^ 53, math.huge, 0 / 0, 0.5 }, w = { 1, 2, 3, 4, 5, 6, 7 } })
    local j = ints:join(floats, { on = "k" })
    assert.same({ 3, 5 }, values(j, "v"))
    assert.same({ 3, 4 }, values(j, "w"))
    assert.same({ 3, 4 }, values(floats:join(ints, { on = "k", how = "semi" }), "w"))
    assert.same({ 1, 2, 4, 6 }, values(ints:join(floats, { on = "k", how = "anti" }), "v"))
  end)

  it("keeps an exact int key column in a full join when every key is an integer", function()
    local j = zs.frame({ k = { MAX, 3 } }):join(zs.frame({ k = { 3.0, 4.0 } }), { on = "k", how = "full" })
    assert.equals("int", j:column("k"):type())
    assert.same({ MAX, 3, 4 }, values(j, "k"))
    local g = zs.frame({ k = { 1, 3 } }):join(zs.frame({ k = { 3.0, 4.5 } }), { on = "k", how = "full" })
    assert.equals("float", g:column("k"):type())
    assert.same({ 1.0, 3.0, 4.5 }, values(g, "k"))
  end)
end)

describe("float keys in joins", function()
  it("match Inf with Inf and 0 with -0; NaN never matches", function()
    local l = zs.frame({ k = { math.huge, -math.huge, 0 / 0, -0.0, 1.5 }, i = { 1, 2, 3, 4, 5 } })
    local r = zs.frame({ k = { math.huge, 0.0, 0 / 0 }, v = { 10, 20, 30 } })
    assert.same({ 1, 4 }, values(l:join(r, { on = "k" }), "i"))
    assert.equals(5 + 1, l:join(r, { on = "k", how = "full" }):nrow())
  end)
end)

describe(":round(d)", function()
  it("rounds int columns to tens and hundreds, half away from zero, exactly", function()
    local r = zs.frame({ a = { 1234, 1250, -1250, 1249, NA } }):mutate { c = col("a"):round(-2) }
    assert.equals("int", r:column("c"):type())
    assert.same({ 1200, 1300, -1300, 1200, NA }, values(r, "c"))
  end)

  it("raises integer overflow where the rounded int does not fit, 0 beyond 10^19", function()
    local f = zs.frame({ a = { MAX, -MAX, 4 } })
    assert.same({ 9 * 10 ^ 18 | 0, -(9 * 10 ^ 18 | 0), 0 }, values(f:mutate { c = col("a"):round(-18) }, "c"))
    has(err_of(function() return f:mutate { c = col("a"):round(-19) } end), "integer overflow", "round", "row 1")
    assert.same({ 0, 0, 0 }, values(f:mutate { c = col("a"):round(-20) }, "c"))
    assert.same({ 0, 0, 0 }, values(f:mutate { c = col("a"):round(math.mininteger) }, "c"))
    assert.same({ MAX, -MAX, 4 }, values(f:mutate { c = col("a"):round(MAX) }, "c"))
  end)

  it("rounds floats for any d: beyond 308 unchanged, below -308 zero, never -0", function()
    local f = zs.frame({ x = { 1.5, 1e300, -0.4, 1234.0, math.huge } })
    assert.same({ 0.0, 0.0, 0.0, 0.0, math.huge }, values(f:mutate { c = col("x"):round(-400) }, "c"))
    assert.same({ 1.5, 1e300, -0.4, 1234.0, math.huge }, values(f:mutate { c = col("x"):round(2 ^ 40 | 0) }, "c"))
    assert.same({ 1.5, 1e300, -0.4, 1234.0, math.huge }, values(f:mutate { c = col("x"):round(309) }, "c"))
    local c = f:mutate { c = col("x"):round(-2) }
    assert.same({ 0.0, 1e300, 0.0, 1200.0, math.huge }, values(c, "c"))
    assert.equals("0.0", string.format("%.1f", c:get("c", 3))) -- not -0.0
    assert.equals(1 / 0, 1 / f:mutate { c = col("x"):round(0) }:get("c", 3))
  end)

  it("refuses a non-integer d, naming it; an integral float is accepted", function()
    has(err_of(function() return col("x"):round(2.5) end), "round", "digits")
    has(err_of(function() return col("x"):round("2") end), "round", "digits")
    assert.equals(1200, zs.frame({ a = { 1234 } }):mutate { c = col("a"):round(-2.0) }:get("c", 1))
  end)
end)

describe("unary minus and literals", function()
  it("refuses unary minus on bool, as + does", function()
    local f = zs.frame({ b = { true, false } })
    has(err_of(function() return f:mutate { c = -col("b") } end), "'unary -' is not defined for bool")
    has(err_of(function() return f:mutate { c = col("b") + 1 } end), "not defined")
    has(err_of(function() return zs.frame({ s = { "x" } }):mutate { c = -col("s") } end), "not defined for str")
  end)

  it("negates int and float, keeps NA", function()
    local f = zs.frame({ a = { MAX, -MAX, NA }, x = { 0.0, -math.huge, 0 / 0 } })
    local g = f:mutate { c = -col("a"), d = -col("x") }
    assert.same({ -MAX, MAX, NA }, values(g, "c"))
    assert.same({ -0.0, math.huge, NA }, values(g, "d"))
    assert.equals(-1 / 0, 1 / g:get("d", 1))
  end)

  it("refuses math.mininteger as a literal, naming the int range", function()
    has(err_of(function() return zs.lit(math.mininteger) end), "lit", "reserved for NA", "2^63 - 1")
    has(err_of(function() return col("a") + math.mininteger end), "reserved for NA")
    has(err_of(function() return col("a"):gt(math.mininteger) end), "reserved for NA")
    has(err_of(function() return one:mutate { c = math.mininteger } end), "mutate 'c'", "reserved for NA")
    has(err_of(function() return col("a"):fill_na(math.mininteger) end), "fill_na", "reserved for NA")
    local mt = getmetatable(col("a"))
    has(err_of(function() return one:mutate { c = setmetatable({ op = "lit", value = math.mininteger }, mt) } end),
      "reserved for NA")
  end)

  it("takes NA literals in arithmetic, comparisons and date parts", function()
    local f = zs.frame({ d = zs.column({ "2020-01-01" }, "date"), a = { 1 } })
    local g = f:mutate { p = col("d") + NA, q = zs.lit(NA) + NA, r = col("a"):eq(NA), y = zs.lit(NA):year(),
      n = -zs.lit(NA), s = zs.lit(NA):abs() }
    assert.equals("date", g:column("p"):type())
    assert.same({ NA }, values(g, "p"))
    assert.same({ NA }, values(g, "q"))
    assert.same({ NA }, values(g, "r"))
    assert.equals("int", g:column("y"):type())
    assert.same({ NA }, values(g, "n"))
    assert.same({ NA }, values(g, "s"))
  end)
end)

describe("int64 extremes in arithmetic", function()
  local f = zs.frame({ a = { MAX, -MAX, 0, NA } })

  it("raise integer overflow naming the operator and the row", function()
    has(err_of(function() return f:mutate { c = col("a") + 1 } end), "integer overflow in '+' at row 1")
    has(err_of(function() return f:mutate { c = col("a") - 1 } end), "integer overflow in '-' at row 2")
    has(err_of(function() return f:mutate { c = col("a") * 2 } end), "integer overflow in '*' at row 1")
    has(err_of(function() return f:mutate { c = -col("a") - 2 } end), "integer overflow")
  end)

  it("never produce the NA sentinel from arithmetic", function()
    -- -MAX - 1 would be INT64_MIN, the int NA: it raises instead
    has(err_of(function() return f:mutate { c = col("a") - 1 } end), "integer overflow")
    assert.same({ 0, 0, 0, NA }, values(f:mutate { c = col("a") % -1 }, "c"))
    assert.same({ NA, NA, NA, NA }, values(f:mutate { c = col("a") % 0 }, "c"))
    assert.same({ MAX, MAX, 0, NA }, values(f:mutate { c = col("a"):abs() }, "c"))
  end)

  it("keep dates in range: date + maxinteger raises, naming the row", function()
    local d = zs.frame({ d = zs.column({ "2020-01-01" }, "date") })
    has(err_of(function() return d:mutate { c = col("d") + MAX } end), "date out of range", "row 1")
    has(err_of(function() return d:mutate { c = col("d") - (-MAX) } end), "date out of range")
  end)
end)

describe("NaN and Inf in comparisons", function()
  it("compare Inf as a number and NaN as NA", function()
    local f = zs.frame({ x = { math.huge, -math.huge, 0 / 0, 1.5 } })
    assert.same({ true, false, NA, true }, values(f:mutate { t = col("x"):gt(0) }, "t"))
    assert.same({ true, false, NA, false }, values(f:mutate { t = col("x"):eq(math.huge) }, "t"))
    assert.same({ true, false, NA, true }, values(f:mutate { t = col("x"):isin { math.huge, 0 / 0, 1.5 } }, "t"))
    assert.equals(2, f:filter(col("x"):ge(1.5)):nrow())
    -- Inf - Inf is NaN, so NA
    assert.same({ NA, NA, NA, 0.0 }, values(f:mutate { t = col("x") - col("x") }, "t"))
  end)
end)

describe("isin", function()
  it("refuses non-arrays, sparse tables and tables as values", function()
    has(err_of(function() return col("a"):isin(5) end), "isin")
    has(err_of(function() return col("a"):isin { [1e9] = 1 } end), "isin", "sparse")
    has(err_of(function() return col("a"):isin { x = 1 } end), "isin")
    has(err_of(function() return col("a"):isin { {} } end), "isin", "value #1")
  end)

  it("raises on a value that is not a date for a date column", function()
    local f = zs.frame({ d = zs.column({ "2020-01-01" }, "date") })
    assert.same({ true }, values(f:mutate { t = col("d"):isin { "2020-01-01" } }, "t"))
    has(err_of(function() return f:mutate { t = col("d"):isin { "x" } } end), "isin", "'x' is not a date")
  end)

  it("is fast on long lists (sorted, not a scan per row)", function()
    local rows, set = {}, {}
    for i = 1, 100000 do rows[i], set[i] = i, i + 100000.5 end -- no row is in the set: no early exit
    set[#set + 1] = 7
    local g = zs.frame({ a = rows })
    local c0 = os.clock()
    assert.equals(1, g:filter(col("a"):isin(set)):nrow())
    assert.is_true(os.clock() - c0 < 2)
  end)
end)

describe("filter and mutate misuse", function()
  local f = zs.frame({ k = { "a", "b" }, v = { 1, 2 } }, { "k", "v" })

  it("filter: a row function returning nil raises, naming filter and the row", function()
    has(err_of(function() return f:filter(function() return nil end) end),
      "filter", "row function", "nil", "row 1")
    has(err_of(function() return f:filter(function(r) return r.v == 2 and 1 or false end) end),
      "filter", "a number", "row 2")
    assert.equals(1, f:filter(function(r) return r.v == 2 end):nrow())
    assert.equals(0, f:filter(function() return NA end):nrow())
  end)

  it("filter: refuses a Lua boolean (from == on an expression) and zs.NA", function()
    ---@diagnostic disable-next-line: undefined-field
    has(err_of(function() return f:filter(col("v") == 1) end), "filter", "argument #1", ":eq()")
    has(err_of(function() return f:filter(NA) end), "filter", "argument #1")
  end)

  it("mutate(name, nil) raises naming the argument", function()
    has(err_of(function() return f:mutate("x", nil) end), "mutate", "argument #2")
  end)

  it("mutate: messages quote the column once", function()
    local m = err_of(function() return f:mutate { x = function(r) return r.v == 1 and 1 or "s" end } end)
    has(m, "mutate 'x'", "a number for row 1", "a string for row 2")
    assert.is_nil(m:find("'mutate", 1, true))
    has(err_of(function() return f:mutate { x = function() return {} end } end), "mutate 'x'", "a table for row 1")
    has(err_of(function() return f:mutate { x = function() return math.mininteger end } end), "reserved for NA")
    has(err_of(function() return f:mutate { x = col("zz") } end), "mutate 'x': no column named 'zz'")
  end)

  it("cast and fill_na name the operand's column, and check their argument up front", function()
    local g = zs.frame({ s = { "x", "1" }, a = { 1, 2 } })
    has(err_of(function() return g:mutate { c = col("s"):cast("int") } end), "column 's'", "row 1")
    has(err_of(function() return col("s"):cast("zz") end), "cast", "bool, int, float, date or str")
    has(err_of(function() return g:mutate { c = col("a"):fill_na("x") } end), "fill_na", "int column 'a'", "string")
    has(err_of(function() return col("a"):fill_na({}) end), "fill_na")
  end)

  it("mutate{c = zs.NA} is a column of NA", function()
    assert.same({ NA, NA }, values(f:mutate { c = NA }, "c"))
  end)

  it("Lua's < and // on expressions say what to use", function()
    has(err_of(function() return col("a") < 1 end), ":lt()")
    has(err_of(function() return col("a") // 2 end), "floor")
  end)

  it("rank checks its options", function()
    has(err_of(function() return col("a"):rank { by = 5 } end), "rank", "by")
    has(err_of(function() return col("a"):rank { bye = "k" } end), "rank", "unknown option 'bye'")
    has(err_of(function() return col("a"):dense_rank { by = { 5 } } end), "dense_rank", "by")
  end)
end)

describe("0-row and 0-column frames", function()
  local empty = zs.frame({ k = { "a" }, c = { "x" }, v = { 1 }, x = { 1.5 } }):filter(col("v"):gt(5))
  local nocols = zs.frame({})

  it("go through mutate and filter", function()
    local m = empty:mutate { a = col("v") + 1, b = col("k"):eq("a"), r = col("v"):rank { by = "k" },
      i = col("v"):isin { 1 }, n = -col("x") }
    assert.equals(0, m:nrow())
    assert.equals("int", m:column("a"):type())
    assert.equals("bool", m:column("b"):type())
    assert.equals(0, empty:filter(col("v"):gt(0)):nrow())
    assert.equals(0, empty:filter(function() return true end):nrow())
    assert.equals(0, nocols:mutate { x = 1 }:nrow())
    assert.equals(0, nocols:filter(zs.lit(true)):ncol())
  end)

  it("go through joins of every kind", function()
    local full = zs.frame({ k = { "a", "b" }, w = { 1, 2 } })
    for _, how in ipairs { "inner", "left", "full", "semi", "anti" } do
      local n = empty:join(full, { on = "k", how = how }):nrow()
      assert.equals(how == "full" and 2 or 0, n)
    end
    assert.equals(2, full:join(empty, { on = "k", how = "left" }):nrow())
    assert.equals(0, empty:join(empty, { on = "k", how = "full" }):nrow())
  end)

  it("go through pivot and unpivot (int with float stacks as float with no rows too)", function()
    local p = empty:pivot { rows = "k", cols = "c", values = "v" }
    assert.same({ "k" }, p:names())
    assert.equals(0, p:nrow())
    local t = empty:pivot { rows = "k", cols = "c", agg = "count", totals = true }
    assert.same({ "Total" }, values(t, "k"))
    assert.same({ 0 }, values(t, "Total"))
    local u = empty:unpivot { cols = { "v", "x" } }
    assert.equals(0, u:nrow())
    assert.equals("float", u:column("value"):type())
    has(err_of(function() return nocols:pivot { rows = "a", cols = "b" } end), "pivot", "no column named 'a'")
    has(err_of(function() return nocols:unpivot { cols = { "a" } } end), "unpivot", "no column named 'a'")
  end)
end)

describe("NA everywhere", function()
  local f = zs.frame({ k = { NA, NA }, c = { NA, NA }, w = zs.column({ NA, NA }, "int"),
    b = zs.column({ NA, NA }, "bool") })

  it("propagates through arithmetic, comparisons and logic", function()
    local g = f:mutate { x = col("w") + 1, y = col("w"):gt(1.5), z = col("b") & false, o = col("b") | true,
      n = ~col("b") }
    assert.same({ NA, NA }, values(g, "x"))
    assert.same({ NA, NA }, values(g, "y"))
    assert.same({ false, false }, values(g, "z"))
    assert.same({ true, true }, values(g, "o"))
    assert.same({ NA, NA }, values(g, "n"))
    assert.equals(0, f:filter(col("w"):gt(0)):nrow())
    assert.equals(2, f:filter(col("w"):is_na()):nrow())
  end)

  it("never matches in joins", function()
    assert.equals(0, f:join(f, { on = "w" }):nrow())
    assert.equals(4, f:join(f, { on = "w", how = "full" }):nrow())
  end)

  it("pivots into an NA row and an NA column", function()
    local p = f:pivot { rows = "k", cols = "c", agg = "count", totals = true }
    assert.same({ "k", "NA", "Total" }, p:names())
    assert.same({ 2, 2 }, values(p, "NA"))
  end)
end)

describe("join misuse", function()
  local f = zs.frame({ k = { "a", "b" }, v = { 1, 2 } })

  it("refuses an 'on' that mixes an array with a map", function()
    has(err_of(function() return f:join(f, { on = { "k", k = "zz" } }) end), "join", "'on' mixes")
    has(err_of(function() return f:join(f, { on = { "k", v = "v" } }) end), "join", "'on' mixes")
  end)

  it("refuses a right column named twice in 'on'", function()
    has(err_of(function() return f:join(f, { on = { k = "v", v = "v" } }) end), "join", "'v' appears twice")
  end)
end)

describe("pivot", function()
  local M = math.maxinteger
  local f = zs.frame({ k = { "a", "b", "a" }, c = { "x", "y", "y" }, v = { M, 1, 1 },
    d = zs.column({ "2020-01-01", "2021-05-05", "2019-01-01" }, "date") })

  it("does not compute totals it does not output (no overflow from an unseen total)", function()
    local p = f:pivot { rows = "k", cols = "c", values = "v" }
    assert.same({ M, NA }, values(p, "x"))
    has(err_of(function() return f:pivot { rows = "k", cols = "c", values = "v", totals = true } end),
      "pivot", "integer overflow")
  end)

  it("builds the Total row of date cells as dates", function()
    local p = f:pivot { rows = "k", cols = "c", values = "d", agg = "min", totals = true }
    assert.equals("date", p:column("x"):type())
    assert.same({ "2020-01-01", NA, "2020-01-01" }, values(p, "x"))
    assert.same({ "2019-01-01", "2021-05-05", "2019-01-01" }, values(p, "Total"))
    assert.equals("Total", p:get("k", 3))
  end)

  it("names 'fill' when it has the wrong type", function()
    has(err_of(function() return f:pivot { rows = "k", cols = "c", values = "v", fill = "x" } end),
      "pivot", "'fill'", "int")
    has(err_of(function() return f:pivot { rows = "k", cols = "c", values = "v", fill = 0.5 } end), "'fill'")
    assert.same({ 0, 1 }, values(f:pivot { rows = "c", cols = "k", values = "v", agg = "count", fill = 0 }, "b"))
  end)

  it("works when a key is named 'value', and refuses labels that clash with names", function()
    local g = zs.frame({ value = { "a", "b" }, c = { "x", "y" }, v = { 1, 2 } })
    local p = g:pivot { rows = "value", cols = "c", values = "v", totals = true }
    assert.same({ "value", "x", "y", "Total" }, p:names())
    assert.same({ 1, 2, 3 }, values(p, "Total"))
    local t = zs.frame({ k = { "a", "b" }, c = { "x", "Total" }, v = { 1, 2 } })
    has(err_of(function() return t:pivot { rows = "k", cols = "c", values = "v", totals = true } end),
      "pivot", "'Total'")
    has(err_of(function() return zs.frame({ k = { "a" }, c = { "k" }, v = { 1 } }):pivot { rows = "k", cols = "c",
      values = "v" } end), "pivot", "'rows' column")
  end)

  it("names its misused options", function()
    has(err_of(function() return f:pivot { rows = "k", cols = "k", values = "v" } end), "pivot", "both")
    has(err_of(function() return f:pivot { rows = { 5 }, cols = "c", values = "v" } end), "pivot", "'rows'")
    has(err_of(function() return f:pivot { rows = "k", cols = "c", values = "v", total = true } end),
      "unknown option 'total'")
    has(err_of(function() return f:pivot { rows = "k", cols = "c", values = "v", totals = 1 } end), "'totals'")
  end)
end)

describe("unpivot misuse", function()
  local f = zs.frame({ k = { "a", "b" }, v = { 1, 2 }, w = { 1.5, NA } })

  it("names the argument", function()
    has(err_of(function() return f:unpivot { cols = { "v" }, id = 5 } end), "unpivot", "'id'")
    has(err_of(function() return f:unpivot { cols = "v" } end), "unpivot", "'cols'")
    has(err_of(function() return f:unpivot { cols = { 5 } } end), "unpivot", "cols[1]")
    has(err_of(function() return f:unpivot { cols = { "v" }, names_to = 3 } end), "unpivot", "'names_to'")
    has(err_of(function() return f:unpivot { cols = { "v", "v" } } end), "unpivot", "twice")
    has(err_of(function() return f:unpivot { cols = { "v" }, id = { "k", "k" } } end), "unpivot", "twice")
    has(err_of(function() return f:unpivot { cols = { "v" }, id = { "k" }, names_to = "k" } end), "names_to")
    has(err_of(function() return f:unpivot { cols = { "v" }, zz = 1 } end), "unknown option 'zz'")
  end)
end)

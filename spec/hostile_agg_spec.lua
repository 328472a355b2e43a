-- Hostile inputs to aggregates, Column statistics, top-k and cubes (issue 13,
-- items 4, 6-10 and part of 18): 0-row frames, all-NA groups, NaN and
-- infinite values and keys, int64 extremes, huge k, wrong-shaped JSON, and
-- results that must not depend on the number of threads.
local zs = require "zonestat.engine"
local NA = zs.NA
local MAX = math.maxinteger
local INF = math.huge

local function get(f, name, i) return f:get(name, i or 1) end

-- one value of a whole-frame aggregate
local function agg1(values, spec, name)
  local f = zs.frame({ v = values })
  return f:agg(spec):get(name or spec.name, 1)
end

-- every float of a frame, bit for bit, and every other value
local function bits(f)
  local out = {}
  for _, name in ipairs(f:names()) do
    for _, v in ipairs(f:column(name):totable()) do
      out[#out + 1] = math.type(v) == "float" and string.format("%a", v) or tostring(v)
    end
  end
  return table.concat(out, ",")
end

local function threads(n)
  local before = zs.get_threads()
  zs.set_threads(n)
  return before
end

describe("hostile aggregates: 0-row frames", function()
  local e = zs.frame({ a = { 1 }, s = { "x" }, f = { 1.5 }, b = { true } }):head(0)

  it("aggregates a 0-row frame into one row: count 0, everything else NA", function()
    local r = e:agg(zs.count(), zs.count("a"), zs.sum("a"), zs.sum("f"), zs.mean("f"), zs.var("a"), zs.sd("f"),
      zs.median("a"), zs.quantile("f", 0.3), zs.nunique("s"), zs.min("s"), zs.max("a"), zs.first("f"),
      zs.last("s"), zs.corr("a", "f"), zs.share("f"))
    assert.equals(1, r:nrow())
    assert.equals(0, get(r, "n"))
    assert.equals(0, get(r, "a_count"))
    assert.equals(0, get(r, "s_nunique"))
    for _, name in ipairs({ "a_sum", "f_sum", "f_mean", "a_var", "f_sd", "a_median", "f_quantile", "s_min", "a_max",
      "f_first", "s_last", "a_f_corr", "f_share" }) do
      assert.is_nil(get(r, name), name)
    end
  end)

  it("groups a 0-row frame into 0 groups with the columns' types", function()
    for _, key in ipairs({ "s", "a", "f", "b" }) do
      local r = e:group_by(key):agg(zs.count(), zs.sum("a"), zs.min("s"), zs.nunique("s"), zs.var("f"), zs.median("f"))
      assert.equals(0, r:nrow())
      assert.same({ key, "n", "a_sum", "s_min", "s_nunique", "f_var", "f_median" }, r:names())
      assert.same({ e:column(key):type(), "int", "int", "str", "int", "float", "float" }, r:types())
    end
  end)

  it("gives no rows for top k over a 0-row frame, grouped or not", function()
    assert.equals(0, e:agg(zs.top("a", 3)):nrow())
    assert.equals(0, e:group_by("s"):agg(zs.top("f", MAX)):nrow())
  end)

  it("gives nil for the statistics of an empty Column", function()
    for _, m in ipairs({ "sum", "mean", "var", "sd", "min", "max" }) do
      assert.is_nil(e:column("f")[m](e:column("f")), m)
      assert.is_nil(e:column("a")[m](e:column("a")), m)
    end
  end)

  it("rolls a 0-row cube up to a total of 0 rows and NA states", function()
    local t = zs.cube(e, { "s" }, { "a" }):rollup():frame()
    assert.equals(1, t:nrow())
    assert.equals(0, get(t, "rows"))
    assert.equals(0, get(t, "a_count"))
    assert.is_nil(get(t, "a_sum"))
    assert.is_nil(get(t, "a_var"))
  end)
end)

describe("hostile aggregates: top k", function()
  local f = zs.frame({ a = { 1, 2, 3, NA, 5, 2 }, s = { "x", "y", "x", "x", "y", "x" } })

  it("gives whole groups, largest first, for k = math.maxinteger", function()
    local r = f:group_by("s"):agg(zs.top("a", MAX))
    assert.same({ "x", "x", "x", "y", "y" }, r:column("s"):totable())
    assert.same({ 3, 2, 1, 5, 2 }, r:column("a_top"):totable())
    assert.same({ 5, 3, 2, 2, 1 }, f:agg(zs.top("a", MAX)):column("a_top"):totable())
  end)

  it("gives the same rows through the sorting path (large k) as through the lists (small k)", function()
    math.randomseed(13)
    local n, k, v = 5000, {}, {}
    for i = 1, n do
      k[i] = math.random(1, 40)
      v[i] = math.random() < 0.1 and NA or math.random(1, 30) -- many ties
    end
    local g = zs.frame({ k = k, v = v, row = (function() local r = {} for i = 1, n do r[i] = i end return r end)() })
    local small = g:group_by("k"):agg(zs.top("row", 1)) -- sanity: the path runs
    assert.equals(40, small:nrow())
    -- top 16 (lists) is the first 16 of each group of top 500 (sorting)
    local lists = g:group_by("k"):agg(zs.top("v", 16))
    local sorted = g:group_by("k"):agg(zs.top("v", 500))
    local seen, want = {}, {}
    for i = 1, sorted:nrow() do
      local key = sorted:get("k", i)
      seen[key] = (seen[key] or 0) + 1
      if seen[key] <= 16 then want[#want + 1] = key .. ":" .. sorted:get("v_top", i) end
    end
    local got = {}
    for i = 1, lists:nrow() do got[i] = lists:get("k", i) .. ":" .. lists:get("v_top", i) end
    assert.same(want, got)
  end)

  it("keeps ties in row order in both paths", function()
    local t = zs.frame({ v = { 2, 1, 2, 2, 1 }, id = { "a", "b", "c", "d", "e" } })
    local lists = t:group_by("v"):agg(zs.top("v", 2)) -- the top column itself
    assert.same({ 1, 1, 2, 2 }, lists:column("v_top"):totable())
    -- ties of the value: the earlier row first, so ids come in row order
    local r = zs.frame({ k = { 1, 1, 1, 1 }, v = { 5, 7, 5, 7 }, id = { 1, 2, 3, 4 } })
    local function ids(k)
      local res = r:group_by("k"):agg(zs.top("v", k))
      return res:column("v_top"):totable()
    end
    assert.same({ 7, 7, 5 }, ids(3))
    assert.same({ 7, 7, 5, 5 }, ids(17))
  end)

  it("refuses a k that is no positive integer, naming top and k", function()
    for _, k in ipairs({ 0, -1, 1.5, "3" }) do
      assert.has_error(function() zs.top("a", k) end, "top: argument 'k' must be an integer of at least 1")
    end
    assert.has_error(function() zs.top(nil, 3) end, "top: argument 'col' must be a column name, got nil")
  end)

  it("names top and its argument for f:top(nil, 3)", function()
    assert.has_error(function() f:top(nil, 3) end, "top: argument 'col' must be a column name, got nil")
  end)
end)

describe("hostile aggregates: infinities and float overflow", function()
  it("sums {1.5, Inf} to Inf, grouped and whole", function()
    local f = zs.frame({ k = { 1, 1 }, w = { 1.5, INF } })
    local r = f:group_by("k"):agg(zs.sum("w"), zs.mean("w"))
    assert.equals(INF, get(r, "w_sum"))
    assert.equals(INF, get(r, "w_mean"))
    assert.equals(INF, agg1({ 1.5, INF }, zs.sum("v")))
    assert.equals(-INF, agg1({ -INF, 2.5, 1.0 }, zs.mean("v")))
  end)

  it("gives NA for {Inf, -Inf} (NaN)", function()
    assert.is_nil(agg1({ INF, -INF }, zs.sum("v")))
    assert.is_nil(agg1({ INF, 1.0, -INF }, zs.mean("v")))
    assert.is_nil(zs.column({ INF, -INF }):sum())
  end)

  it("gives Column:sum and :mean the IEEE values, not NaN", function()
    assert.equals(INF, zs.column({ 1.5, INF }):sum())
    assert.equals(INF, zs.column({ 1e308, 1e308 }):sum())
    assert.equals(1e308, zs.column({ 1e308, 1e308 }):mean())
    assert.equals(-1e308, zs.column({ -1e308, -1e308, -1e308 }):mean())
  end)

  it("overflows a float sum only when the total is beyond the double range", function()
    assert.equals(1e308, agg1({ 1e308, 1e308, -1e308 }, zs.sum("v")))
    assert.equals(1e308, zs.column({ 1e308, 1e308, -1e308 }):sum())
    assert.equals(-INF, agg1({ 1e308, 1e308, -INF }, zs.sum("v")))
    local r = zs.frame({ k = { 1, 1, 1, 2, 2 }, v = { 1e308, 1e308, -1e308, 1.0, 2.0 } }):group_by("k"):agg(zs.sum("v"))
    assert.same({ 1e308, 3.0 }, r:column("v_sum"):totable())
  end)

  it("gives var and sd NA for a group with an infinite value, 0 for equal huge values", function()
    assert.is_nil(agg1({ 1.5, INF, 2.0 }, zs.var("v")))
    assert.is_nil(agg1({ INF, INF }, zs.sd("v")))
    assert.equals(0, agg1({ 1e308, 1e308, 1e308 }, zs.var("v")))
    assert.equals(INF, agg1({ 1e200, -1e200 }, zs.var("v"))) -- 2e400 is beyond the double range
  end)

  it("shares an infinite total as IEEE division does, and an overflowing total by scaling", function()
    local r = zs.frame({ k = { 1, 2 }, a = { 1.0, INF } }):group_by("k"):agg(zs.share("a"))
    assert.same({ 0.0, NA }, r:column("a_share"):totable())
    local o = zs.frame({ k = { 1, 2 }, a = { 1e308, 1e308 } }):group_by("k"):agg(zs.share("a"))
    assert.same({ 0.5, 0.5 }, o:column("a_share"):totable())
  end)

  it("keeps an infinite value in a cube's roll-up (sum Inf, var NA, never dropped)", function()
    local c = zs.cube(zs.frame({ k = { "a", "b", "c" }, w = { 1.5, 2.5, INF } }), { "k" }, { "w" })
    local t = c:rollup():frame()
    assert.equals(INF, get(t, "w_sum"))
    assert.equals(INF, get(t, "w_mean"))
    assert.equals(3, get(t, "w_count"))
    assert.is_nil(get(t, "w_var"))
  end)

  it("sums with infinities over many rows (parts) as over few", function()
    local n, k, v = 300000, {}, {}
    for i = 1, n do k[i], v[i] = i % 3, (i % 7) * 0.5 end
    v[150001] = INF
    local r = zs.frame({ k = k, v = v }):group_by("k"):agg(zs.sum("v"), zs.mean("v"))
    local g = 150001 % 3 + 1
    for i = 1, 3 do
      if i == g then assert.equals(INF, r:get("v_sum", i)) else assert.is_true(r:get("v_sum", i) < INF) end
    end
  end)

  it("takes quantiles between infinite or huge neighbours without NaN", function()
    assert.equals(-INF, agg1({ -INF, 1.0 }, zs.quantile("v", 0.5)))
    assert.equals(INF, agg1({ INF, INF }, zs.quantile("v", 0.25)))
    assert.equals(INF, agg1({ 1.0, INF }, zs.median("v")))
    assert.near(-8.5e307, agg1({ -1.7e308, 1.7e308 }, zs.quantile("v", 0.25)), 8.5e307 * 1e-15)
    assert.is_nil(agg1({ -INF, INF }, zs.median("v"))) -- NaN: NA
  end)
end)

describe("hostile aggregates: corr and var with the promised correction", function()
  it("gives r = 1 for two points that differ in the last bit", function()
    local f = zs.frame({ a = { 0.30000000000000004, 0.3 }, b = { 1.0, 0.0 } })
    assert.equals(1, get(f:agg(zs.corr("a", "b")), "a_b_corr"))
  end)

  it("gives NA for a constant column, float or int", function()
    local f = zs.frame({ a = { 0.1, 0.1, 0.1 }, i = { 7, 7, 7 }, b = { 1.0, 2.0, 4.0 } })
    local r = f:agg(zs.corr("a", "b"), zs.corr("b", "a"), zs.corr("i", "b"))
    assert.is_nil(get(r, "a_b_corr"))
    assert.is_nil(get(r, "b_a_corr"))
    assert.is_nil(get(r, "i_b_corr"))
    assert.equals(0, agg1({ 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 }, zs.var("v")))
  end)

  it("gives exactly ±1 on a line, floats, ints and mixed", function()
    local f = zs.frame({ x = { 0.1, 0.2, 0.3, 0.7 }, i = { 1, 2, 3, 7 }, y = { 1.3, 1.6, 1.9, 3.1 } })
    local r = f:agg(zs.corr("i", "y"), zs.corr("x", "i"))
    assert.near(1, get(r, "i_y_corr"), 1e-15)
    assert.near(1, get(r, "x_i_corr"), 1e-15)
    local g = zs.frame({ a = { 1, 2, 3 }, b = { 3, 2, 1 } })
    assert.equals(-1, get(g:agg(zs.corr("a", "b")), "a_b_corr"))
  end)

  it("gives NA for corr with an infinite value", function()
    local f = zs.frame({ a = { 1.0, 2.0, INF }, b = { 1.0, 2.0, 3.0 } })
    assert.is_nil(get(f:agg(zs.corr("a", "b")), "a_b_corr"))
  end)
end)

describe("hostile aggregates: int columns beyond 2^31", function()
  local b = 1 << 62

  it("gives var 1 and sd 1 for {2^62, 2^62+1, 2^62+2}, grouped, whole and Column", function()
    local f = zs.frame({ k = { 1, 1, 1 }, a = { b, b + 1, b + 2 } })
    assert.equals(1, get(f:agg(zs.var("a")), "a_var"))
    assert.equals(1, get(f:group_by("k"):agg(zs.sd("a")), "a_sd"))
    assert.equals(1, f:column("a"):var())
    assert.equals(1, f:column("a"):sd())
  end)

  it("gives corr 1 of large ints with floats and with large ints", function()
    local f = zs.frame({ a = { b, b + 1, b + 2 }, x = { 1.0, 2.0, 3.0 }, c = { -b, -b - 2, -b - 4 } })
    local r = f:agg(zs.corr("a", "x"), zs.corr("a", "c"))
    assert.equals(1, get(r, "a_x_corr"))
    assert.equals(-1, get(r, "a_c_corr"))
  end)

  it("gives the variance of shifted values exactly as of the offsets", function()
    math.randomseed(62)
    local off, big, k = {}, {}, {}
    for i = 1, 2000 do
      off[i] = math.random(-1000, 1000)
      big[i] = (1 << 60) + off[i]
      k[i] = i % 5
    end
    local f = zs.frame({ k = k, off = off, big = big })
    local r = f:group_by("k"):agg(zs.var("off"), zs.var("big"), zs.corr("off", "big"))
    for i = 1, 5 do
      assert.near(r:get("off_var", i), r:get("big_var", i), r:get("off_var", i) * 1e-15)
      assert.equals(1, r:get("off_big_corr", i))
    end
  end)

  it("gives a finite variance at the ends of the int range", function()
    local v = agg1({ MAX, -MAX }, zs.var("v"))
    assert.near(2.0 * MAX * MAX, v, 2.0 * MAX * MAX * 1e-15)
    assert.equals(0, agg1({ MAX, MAX, MAX }, zs.var("v")))
    assert.equals(2.0 ^ 63 - 1.5, agg1({ MAX, MAX - 1 }, zs.median("v")) + 0.0 - 0.0)
  end)

  -- found by fuzz/group_fuzz: the exact path squared -(2^63 - 1) in 64 bits
  -- (signed overflow) before it left the group to the floating-point path
  it("groups with values at the ends of the int range leave the exact path before any product", function()
    local f = zs.frame({ k = { 1, 1, 2, 2 }, x = { -MAX, -MAX, 1, 2 } })
    local r = f:group_by("k"):agg(zs.var("x"), zs.corr("x", "x"))
    assert.same({ 0.0, 0.5 }, r:column("x_var"):totable())
    assert.same({ NA, 1.0 }, { r:get("x_x_corr", 1) or NA, r:get("x_x_corr", 2) })
  end)
end)

describe("hostile aggregates: one implementation of Column sums", function()
  it("sums {maxinteger, 1, -2} to maxinteger - 1 as f:agg does", function()
    assert.equals(MAX - 1, zs.column({ MAX, 1, -2 }):sum())
    assert.equals(MAX - 1, agg1({ MAX, 1, -2 }, zs.sum("v")))
    assert.equals(-MAX + 1, zs.column({ -MAX, -1, 2 }):sum())
  end)

  it("raises integer overflow only when the total does not fit", function()
    assert.has_error(function() zs.column({ MAX, 1 }):sum() end, "integer overflow: the sum does not fit in int64")
    -- the int range is ±(2^63 − 1): INT64_MIN is NA
    assert.has_error(function() zs.column({ -MAX, -1 }):sum() end, "integer overflow: the sum does not fit in int64")
    assert.has_error(function() zs.frame({ v = { MAX, MAX } }):agg(zs.sum("v")) end,
      "agg: integer overflow: the sum does not fit in int64")
  end)

  it("gives Column statistics bit for bit equal to f:agg's on random data", function()
    math.randomseed(9)
    local n, i, x, bo = 100000, {}, {}, {}
    for r = 1, n do
      i[r] = math.random() < 0.1 and NA or math.random(-10 ^ 9, 10 ^ 9)
      x[r] = math.random() < 0.1 and NA or (math.random() - 0.5) * 10 ^ math.random(-5, 5)
      bo[r] = math.random() < 0.1 and NA or math.random() < 0.5
    end
    local f = zs.frame({ i = i, x = x, bo = bo })
    for _, name in ipairs({ "i", "x", "bo" }) do
      local c = f:column(name)
      local r = f:agg(zs.sum(name), zs.mean(name), zs.var(name), zs.sd(name))
      assert.equals(string.format("%a", r:get(name .. "_sum", 1) + 0.0), string.format("%a", c:sum() + 0.0))
      for _, op in ipairs({ "mean", "var", "sd" }) do
        assert.equals(string.format("%a", r:get(name .. "_" .. op, 1)), string.format("%a", c[op](c)), name .. " " .. op)
      end
    end
    assert.equals("integer", math.type(f:column("bo"):sum()))
  end)

  it("says a str column has no sum, naming the aggregate", function()
    assert.has_error(function() zs.column({ "a" }):sum() end, "sum is not defined for a str column")
    assert.has_error(function() zs.column({ "a" }):var() end, "var is not defined for a str column")
  end)
end)

describe("hostile aggregates: cubes with NA dimensions and empty measures", function()
  local f = zs.frame({ k = { "a", "a", NA, NA }, v = { 1, 3, 4, 6 } })

  it("keeps var and sd of a cell whose dimension is NA through zs.merge", function()
    local half1 = zs.cube(f:filter(zs.col("v"):isin({ 1, 4 })), { "k" }, { "v" })
    local half2 = zs.cube(f:filter(zs.col("v"):isin({ 3, 6 })), { "k" }, { "v" })
    local m = zs.merge(half1, half2):frame()
    assert.same({ "a", NA }, m:column("k"):totable())
    assert.same({ 2.0, 2.0 }, m:column("v_var"):totable())
    assert.equals(math.sqrt(2), m:get("v_sd", 2))
  end)

  it("rolls up over a dimension with NA values like a direct cube", function()
    local g = zs.frame({ k = { "a", NA, "a", NA, "b" }, j = { 1, 1, 2, 2, NA }, v = { 1.0, 4.0, 3.0, 6.0, 2.0 } })
    local c = zs.cube(g, { "k", "j" }, { "v" })
    local up = c:rollup("k"):frame()
    local direct = zs.cube(g, { "k" }, { "v" }):frame()
    assert.equals(bits(direct), bits(up))
    local up_j = c:rollup("j"):frame()
    assert.equals(bits(zs.cube(g, { "j" }, { "v" }):frame()), bits(up_j))
  end)

  it("rolls up a measure without a value (all NA) to NA states and a count of 0", function()
    local na = zs.frame({ k = { "a", "a" }, v = { NA, NA } }):cast({ v = "int" })
    local t = zs.cube(na, { "k" }, { "v" }):rollup():frame()
    assert.equals(2, get(t, "rows"))
    assert.equals(0, get(t, "v_count"))
    assert.is_nil(get(t, "v_sum"))
    assert.is_nil(get(t, "v_var"))
  end)

  it("rolls up and merges random cubes to what a direct cube gives", function()
    math.randomseed(21)
    local n, a, b, v = 3000, {}, {}, {}
    for i = 1, n do
      a[i] = math.random() < 0.1 and NA or ("p" .. math.random(1, 6))
      b[i] = math.random() < 0.1 and NA or math.random(2019, 2024)
      v[i] = math.random() < 0.1 and NA or math.random() * 1000
    end
    local g = zs.frame({ a = a, b = b, v = v })
    local c = zs.cube(g, { "a", "b" }, { "v" })
    local up, direct = c:rollup("a"):frame(), zs.cube(g, { "a" }, { "v" }):frame()
    assert.same(direct:column("a"):totable(), up:column("a"):totable())
    assert.same(direct:column("v_count"):totable(), up:column("v_count"):totable())
    for i = 1, direct:nrow() do
      assert.near(direct:get("v_var", i), up:get("v_var", i), direct:get("v_var", i) * 1e-12)
    end
    local m = zs.merge(zs.cube(g:slice(1, 1000), { "a", "b" }, { "v" }), zs.cube(g:slice(1001, 3000), { "a", "b" }, { "v" }))
    local mf, cf = m:frame(), c:frame()
    assert.equals(cf:nrow(), mf:nrow())
    for i = 1, cf:nrow() do
      local want = cf:get("v_var", i)
      if want == nil then assert.is_nil(mf:get("v_var", i)) else assert.near(want, mf:get("v_var", i), want * 1e-12 + 1e-12) end
    end
  end)

  it("slices the cells whose dimension is NA with zs.NA, alone or in a list", function()
    local c = zs.cube(f, { "k" }, { "v" })
    assert.same({ NA }, c:slice({ k = NA }).cells:column("k"):totable())
    assert.same({ "a", NA }, c:slice({ k = { "a", NA } }).cells:column("k"):totable())
    assert.same({ "a" }, c:slice({ k = { "a" } }).cells:column("k"):totable())
  end)

  it("refuses dimensions given twice and names that clash, naming cube", function()
    assert.has_error(function() zs.cube(f, { "k", "k" }, { "v" }) end, "cube: argument 'dims' names 'k' twice")
    local g = zs.frame({ rows = { 1 }, v = { 1 } })
    assert.has_error(function() zs.cube(g, { "rows" }, { "v" }) end,
      "cube: the row count would make a second column named 'rows'")
    assert.has_error(function() zs.cube(zs.frame({ s = { "x" } }), {}, { "s" }) end,
      "cube: measure 's' is str (a measure must be int, float or bool)")
  end)

  it("refuses a roll-up to a name that is no dimension, or given twice", function()
    local c = zs.cube(f, { "k" }, { "v" })
    assert.has_error(function() c:rollup("zz") end, "rollup: 'zz' is not a dimension of the cube")
    assert.has_error(function() c:rollup("k", "k") end, "rollup: 'k' is given twice")
    assert.has_error(function() c:rollup(5) end, "rollup: argument #1 must be a dimension name, got number")
  end)
end)

describe("hostile aggregates: cube_from_json and cube_from_table", function()
  local good = zs.cube(zs.frame({ k = { "a", "b" }, v = { 1.5, 2.5 } }), { "k" }, { "v" })

  local function bad(text, pattern)
    local ok, c, err = pcall(zs.cube_from_json, text)
    assert.is_true(ok, tostring(c))
    assert.is_nil(c)
    assert.is_string(err)
    assert.truthy(err:find("^cube_from_json: "), err)
    if pattern then assert.truthy(err:find(pattern, 1, true), err) end
  end

  it("returns nil, message for JSON that is no object", function()
    for _, t in ipairs({ "null", "5", "[]", "{}", '"x"', "true" }) do bad(t) end
    bad("{", "cube_from_json: ")
  end)

  it("returns nil, message when dims, measures or columns are no arrays of names", function()
    bad('{"dims":5,"measures":[],"columns":[],"cells":{}}', "'dims' must be an array of names")
    bad('{"dims":[],"measures":[1],"columns":[],"cells":{}}', "'measures' must be an array of names")
    bad('{"dims":[],"measures":[],"columns":5,"cells":{}}', "'columns' must be an array of names")
    bad('{"dims":[],"measures":[],"columns":{"a":1},"cells":{}}', "'columns' must be an array of names")
  end)

  it("returns nil, message for cells that are no arrays or of different lengths", function()
    bad('{"dims":[],"measures":[],"columns":["rows"],"cells":{"rows":5},"types":["int"]}',
      "cells of column 'rows' must be an array")
    bad('{"dims":["k"],"measures":[],"columns":["k","rows"],"cells":{"k":["a"],"rows":[1,2]},"types":["str","int"]}',
      "column 'rows' has 2 cells but column 'k' has 1")
    bad('{"dims":[],"measures":[],"columns":["rows"],"cells":[],"types":["int"]}', "cells of column 'rows'")
  end)

  it("returns nil, message for an int cell of 1.5, naming the column and the cell", function()
    bad('{"dims":["k"],"measures":[],"columns":["k","rows"],"cells":{"k":["a"],"rows":[1.5]},"types":["str","int"]}',
      "column 'rows' cell 1 (1.5) is not an integer")
    bad('{"dims":[],"measures":[],"columns":["rows"],"cells":{"rows":["x"]},"types":["int"]}', "is not an integer")
    bad('{"dims":[],"measures":[],"columns":["rows"],"cells":{"rows":[-1]},"types":["int"]}', "is a negative count")
  end)

  it("returns nil, message for dims or measures without their columns, and for unknown columns", function()
    bad('{"dims":["zz"],"measures":["v"],"columns":["rows"],"cells":{"rows":[1]},"types":["int"]}',
      "no column 'zz' (the cube needs it)")
    bad('{"dims":[],"measures":[],"columns":["rows","x"],"cells":{"rows":[1],"x":[1]},"types":["int","int"]}',
      "column 'x' is neither a dimension, 'rows', nor a state of a measure")
  end)

  it("returns nil, message for types that are no types or do not fit", function()
    bad('{"dims":[],"measures":[],"columns":["rows"],"cells":{"rows":[1]},"types":["int","int"]}',
      "'types' must be an array with one type per column")
    bad('{"dims":[],"measures":[],"columns":["rows"],"cells":{"rows":[1]},"types":["integer"]}',
      "'types' entry 1 is not a type")
    bad('{"dims":[],"measures":[],"columns":["rows"],"cells":{"rows":["a"]},"types":["str"]}',
      "column 'rows' is str, which does not fit its part of the cube")
  end)

  it("raises naming the argument when the text is no string", function()
    assert.has_error(function() zs.cube_from_json(5) end, "cube_from_json: argument 'text' must be a string, got number")
    assert.has_error(function() zs.cube_from_json() end, "cube_from_json: argument 'text' must be a string, got nil")
  end)

  it("reads back its own JSON: NA, infinities, an all-NA state and 0 cells", function()
    local c = zs.cube(zs.frame({ k = { "a", "b", "c" }, v = { 1.5, INF, NA } }), { "k" }, { "v" })
    local back = assert(zs.cube_from_json(c:to_json()))
    assert.equals(bits(c:frame()), bits(back:frame()))
    assert.same(c.cells:types(), back.cells:types())
    local e = zs.cube(zs.frame({ k = { "a" }, v = { 1 } }):head(0), { "k" }, { "v" })
    local eb = assert(zs.cube_from_json(e:to_json()))
    assert.equals(0, eb.cells:nrow())
    assert.same(e.cells:types(), eb.cells:types())
    assert.truthy(c:to_json():find("Infinity", 1, true))
  end)

  it("raises from cube_from_table for a table of the wrong shape, and round-trips totable", function()
    assert.has_error(function() zs.cube_from_table(5) end,
      "cube_from_table: argument 't' must be a table (from cube:totable()), got number")
    assert.has_error(function() zs.cube_from_table({}) end, "cube_from_table: 'dims' must be an array of names")
    local na = zs.cube(zs.frame({ k = { "a" }, v = { NA } }):cast({ v = "float" }), { "k" }, { "v" })
    local back = zs.cube_from_table(na:totable())
    assert.same(na.cells:types(), back.cells:types())
    assert.equals(bits(good:frame()), bits(zs.cube_from_table(good:totable()):frame()))
  end)
end)

describe("hostile aggregates: keys, extremes and misuse", function()
  it("groups NaN keys with NA (last) and -0.0 with 0.0", function()
    local f = zs.frame({ k = { 1.0, 0 / 0, 2.0, NA, -0.0, 0.0 }, v = { 1, 2, 3, 4, 5, 6 } })
    local r = f:group_by("k"):agg(zs.count(), zs.sum("v"))
    assert.same({ 0.0, 1.0, 2.0, NA }, r:column("k"):totable())
    assert.same({ 2, 1, 1, 2 }, r:column("n"):totable())
    assert.same({ 11, 1, 3, 6 }, r:column("v_sum"):totable())
  end)

  it("groups infinite keys and int64 extremes in order", function()
    local f = zs.frame({ k = { INF, -INF, INF, 3.0 }, i = { MAX, -MAX, MAX, 0 }, v = { 1, 2, 3, 4 } })
    local r = f:group_by("k"):agg(zs.sum("v"))
    assert.same({ -INF, 3.0, INF }, r:column("k"):totable())
    assert.same({ 2, 4, 4 }, r:column("v_sum"):totable())
    local s = f:group_by("i"):agg(zs.count(), zs.min("i"), zs.max("i"), zs.mean("i"))
    assert.same({ -MAX, 0, MAX }, s:column("i"):totable())
    assert.same({ -MAX, 0, MAX }, s:column("i_max"):totable())
    assert.same({ -MAX + 0.0, 0.0, MAX + 0.0 }, s:column("i_mean"):totable())
  end)

  it("gives an all-NA group count 0 and NA for every other aggregate", function()
    local f = zs.frame({ k = { 1, 1, 2 }, v = { NA, NA, 1.5 }, s = { NA, NA, "x" } })
    local r = f:group_by("k"):agg(zs.count("v"), zs.sum("v"), zs.mean("v"), zs.var("v"), zs.median("v"),
      zs.nunique("s"), zs.first("s"), zs.min("s"), zs.share("v"), zs.corr("v", "v"))
    assert.equals(0, r:get("v_count", 1))
    assert.equals(0, r:get("s_nunique", 1))
    for _, name in ipairs({ "v_sum", "v_mean", "v_var", "v_median", "s_first", "s_min", "v_share", "v_v_corr" }) do
      assert.is_nil(r:get(name, 1), name)
    end
    assert.equals(1.0, r:get("v_share", 2))
    assert.same({ 2 }, f:group_by("k"):agg(zs.top("v", 3)):column("k"):totable()) -- no row for the all-NA group
  end)

  it("refuses quantile p outside [0, 1] or NaN, and types other than 7 and 1", function()
    for _, p in ipairs({ -0.1, 1.5, 0 / 0, INF }) do
      assert.has_error(function() zs.quantile("v", p) end, "quantile: argument 'p' must be a number in [0, 1]")
    end
    assert.has_error(function() zs.quantile("v", 0.5, 2) end, "quantile: argument 'type' must be 7 or 1")
    assert.equals(1.0, agg1({ 3.0, 1.0, 2.0 }, zs.quantile("v", 0)))
    assert.equals(3.0, agg1({ 3.0, 1.0, 2.0 }, zs.quantile("v", 1)))
  end)

  it("refuses a key given twice, naming group_by", function()
    local f = zs.frame({ s = { "x" }, v = { 1 } })
    assert.has_error(function() f:group_by("s", "s") end, "group_by: key 's' is given twice")
  end)

  it("protects the metatables of aggregates, groupings and cubes", function()
    local f = zs.frame({ s = { "x" }, v = { 1 } })
    assert.equals("zonestat.Spec", getmetatable(zs.sum("v")))
    assert.equals("zonestat.Grouped", getmetatable(f:group_by("s")))
    assert.equals("zonestat.Cube", getmetatable(zs.cube(f, { "s" }, { "v" })))
    assert.has_error(function() setmetatable(zs.sum("v"), {}) end)
    assert.has_error(function() f:agg({ op = "sum", col = "v", name = "x" }) end,
      "agg: argument #1 is not an aggregate (zs.sum, zs.count, ...)")
  end)
end)

describe("hostile aggregates: threads", function()
  it("gives bit-identical results on 1, 2 and 3 threads (NA, Inf, big ints, many parts)", function()
    math.randomseed(1313)
    local n, k, s, a, f, x = 300000, {}, {}, {}, {}, {}
    for i = 1, n do
      k[i] = math.random() < 0.05 and NA or math.random(1, 500)
      s[i] = math.random() < 0.05 and NA or ("g" .. math.random(1, 30))
      a[i] = math.random() < 0.05 and NA or (math.random(-2 ^ 40, 2 ^ 40) * 4096)
      f[i] = math.random() < 0.05 and NA or (math.random() - 0.5) * 10 ^ math.random(-3, 6)
      x[i] = math.random() < 0.0005 and INF or math.random() * 3
    end
    local fr = zs.frame({ k = k, s = s, a = a, f = f, x = x })
    local specs = { zs.count(), zs.sum("a"), zs.sum("f"), zs.sum("x"), zs.mean("f"), zs.var("f"), zs.sd("a"),
      zs.var("x"), zs.corr("a", "f"), zs.corr("f", "x"), zs.share("f"), zs.median("f"), zs.nunique("s") }
    local before = zs.get_threads()
    local res = {}
    for _, t in ipairs({ 1, 2, 3 }) do
      threads(t)
      res[t] = bits(fr:group_by("k"):agg(table.unpack(specs))) .. "|" .. bits(fr:agg(table.unpack(specs)))
        .. "|" .. bits(fr:group_by("s"):agg(zs.top("f", 3))) .. "|" .. bits(fr:group_by("s"):agg(zs.top("a", 100)))
        .. "|" .. tostring(fr:column("f"):sum()) .. tostring(fr:column("a"):var())
    end
    zs.set_threads(before)
    assert.equals(res[1], res[2])
    assert.equals(res[1], res[3])
  end)
end)

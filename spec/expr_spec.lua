local zs = require "zonestat.engine"
local NA = zs.NA
local col = zs.col

local function sample()
  return zs.frame({
    zone = { "Đình Vũ", "Tràng Duệ", "VSIP", NA, "Dung Quất", "VSIP" },
    capital = { 3.0, 8.19, 2.5, NA, 1.25, 4.0 },
    projects = { 53, 70, 60, 1, NA, 9 },
    since = zs.column({ "1997-06-01", "2007-11-13", "2010-01-05", NA, "1996-04-11", "2013-02-02" }, "date"),
    eco = { true, false, NA, false, true, false },
  }, { "zone", "capital", "projects", "since", "eco" })
end

describe("expressions", function()
  it("does arithmetic with NA propagation and int/float rules", function()
    local f = sample():mutate { a = col("projects") + 1, b = col("projects") * 2 - col("capital"),
      c = col("projects") / 2, d = col("projects") % 7, e = -col("capital"), p = col("projects") ^ 2 }
    assert.same({ 54, 71, 61, 2, NA, 10 }, f:column("a"):totable())
    assert.equals("int", f:column("a"):type())
    assert.same({ 103.0, 131.81, 117.5, NA, NA, 14.0 }, f:column("b"):totable())
    assert.same({ 26.5, 35.0, 30.0, 0.5, NA, 4.5 }, f:column("c"):totable())
    assert.same({ 4, 0, 4, 1, NA, 2 }, f:column("d"):totable())
    assert.same({ -3.0, -8.19, -2.5, NA, -1.25, -4.0 }, f:column("e"):totable())
    assert.equals(2809.0, f:get("p", 1))
    assert.equals("float", f:column("p"):type())
  end)

  it("raises on integer overflow and divides by zero as IEEE does", function()
    local f = zs.frame({ x = { math.maxinteger, 1 }, y = { 1, 0 } })
    assert.has_error(function() f:mutate { z = col("x") + col("y") } end)
    local g = f:mutate { q = col("y") / col("y"), r = col("x") % col("y") }
    assert.is_nil(g:get("q", 2))
    assert.is_nil(g:get("r", 2))
    assert.equals(math.huge, f:mutate { z = col("y") / 0 }:get("z", 1))
  end)

  it("compares numbers, strings and dates; NA stays NA", function()
    local f = sample()
    assert.same({ true, true, true, false, NA, false },
      f:mutate { t = col("projects"):gt(50) }:column("t"):totable())
    assert.same({ false, false, true, NA, false, true }, f:mutate { t = col("zone"):eq("VSIP") }:column("t"):totable())
    -- strings compare by bytes: "Đ" (C4 90) sorts after "V"
    assert.same({ false, true, false, NA, true, false }, f:mutate { t = col("zone"):lt("V") }:column("t"):totable())
    assert.same({ false, true, true, NA, false, true },
      f:mutate { t = col("since"):ge("2000-01-01") }:column("t"):totable())
    assert.same({ true, false, false, NA, NA, false },
      f:mutate { t = col("capital"):eq(col("projects") / 17.666666666666668) }:column("t"):totable())
  end)

  it("uses three-valued logic for & | ~", function()
    local f = zs.frame({ a = { true, true, true, false, false, false, NA, NA, NA },
      b = { true, false, NA, true, false, NA, true, false, NA } })
    local g = f:mutate { And = col("a") & col("b"), Or = col("a") | col("b"), Not = ~col("a") }
    assert.same({ true, false, NA, false, false, false, NA, false, NA }, g:column("And"):totable())
    assert.same({ true, true, true, true, false, NA, true, NA, NA }, g:column("Or"):totable())
    assert.same({ false, false, false, true, true, true, NA, NA, NA }, g:column("Not"):totable())
    assert.has_error(function() f:mutate { x = col("a") & 1 } end)
  end)

  it("filters on a condition, keeping rows where it is true", function()
    local f = sample()
    local g = f:filter(col("capital"):gt(2) & col("zone"):ne("VSIP"))
    assert.same({ "Đình Vũ", "Tràng Duệ" }, g:column("zone"):totable())
    assert.equals(6, f:nrow()) -- input unchanged
    assert.equals(2, f:filter(col("zone"):isin { "VSIP", "nowhere" }):nrow())
    assert.equals(1, f:filter(col("zone"):is_na()):nrow())
    assert.equals(2, f:filter(col("eco")):nrow())
    assert.has_error(function() f:filter(col("capital")) end, "filter: the condition is float, not bool")
    assert.has_error(function() f:filter(col("nope"):gt(1)) end)
  end)

  it("accepts a Lua function of a row as the slow path", function()
    local f = sample()
    local g = f:filter(function(row) return row.capital ~= nil and row.capital > 2 end)
    assert.equals(4, g:nrow())
    local h = f:mutate("label", function(row) return (row.zone or "?") .. "!" end)
    assert.equals("VSIP!", h:get("label", 3))
    assert.equals("?!", h:get("label", 4))
  end)

  it("adds new columns in sorted name order and replaces existing ones", function()
    local f = sample():mutate { z = 1, a = col("capital"):fill_na(0.0), capital = col("capital") * 2 }
    assert.same({ "zone", "capital", "projects", "since", "eco", "a", "z" }, f:names())
    assert.equals(6.0, f:get("capital", 1))
    assert.equals(0.0, f:get("a", 4))
    assert.equals(1, f:get("z", 6))
    assert.equals(4, sample():mutate("n", col("projects") + 0):column("n"):count() - 1)
  end)

  it("takes date parts, fills NA and casts", function()
    local f = sample():mutate { y = col("since"):year(), m = col("since"):month(), d = col("since"):day(),
      p = col("projects"):fill_na(0), z = col("zone"):fill_na(col("zone"):is_na():cast("str")),
      r = col("capital"):round(1), sq = col("projects"):cast("float"):sqrt() }
    assert.same({ 1997, 2007, 2010, NA, 1996, 2013 }, f:column("y"):totable())
    assert.same({ 6, 11, 1, NA, 4, 2 }, f:column("m"):totable())
    assert.same({ 1, 13, 5, NA, 11, 2 }, f:column("d"):totable())
    assert.same({ 53, 70, 60, 1, 0, 9 }, f:column("p"):totable())
    assert.equals("true", f:get("z", 4))
    assert.equals(8.2, f:get("r", 2))
    assert.equals(3.0, f:get("sq", 6))
  end)

  it("ranks over the frame and within groups", function()
    local f = zs.frame({ g = { "a", "a", "b", "a", "b", "b" }, v = { 10, 30, 5, 30, NA, 7 } })
    local r = f:mutate { r = col("v"):rank(), rd = col("v"):rank { desc = true }, dr = col("v"):dense_rank { desc = true },
      rg = col("v"):rank { by = "g", desc = true } }
    assert.same({ 3, 4, 1, 4, NA, 2 }, r:column("r"):totable())
    assert.same({ 3, 1, 5, 1, NA, 4 }, r:column("rd"):totable())
    assert.same({ 2, 1, 4, 1, NA, 3 }, r:column("dr"):totable())
    assert.same({ 3, 1, 2, 1, NA, 1 }, r:column("rg"):totable())
  end)

  it("prints expressions", function()
    assert.equals("((capital / 1000000.0) + 1)", tostring(col("capital") / 1e6 + 1))
  end)
end)

describe("sort and top", function()
  it("sorts stably by several keys, NA last either way", function()
    local f = zs.frame({ k = { "b", "a", NA, "b", "a" }, v = { 1, 2, 3, NA, 2 }, id = { 1, 2, 3, 4, 5 } })
    assert.same({ 2, 5, 1, 4, 3 }, f:sort("k"):column("id"):totable())
    assert.same({ 1, 4, 2, 5, 3 }, f:sort("k", { desc = true }):column("id"):totable())
    assert.same({ 2, 5, 1, 4, 3 }, f:sort("k", "v", { desc = true }):column("id"):totable())
    assert.same({ 3, 2, 5, 1, 4 }, f:sort("v", { desc = true }):column("id"):totable())
    assert.has_error(function() f:sort("nope") end)
    assert.has_error(function() f:sort({ desc = true }) end)
  end)

  it("sorts floats, dates and big integers correctly", function()
    local vals = { 0.5, -0.0, -1e300, 1e-300, 0.0, -0.5, math.huge, -math.huge, NA, 3 }
    local sorted = zs.frame({ x = vals }):sort("x"):column("x"):totable()
    assert.same({ -math.huge, -1e300, -0.5, -0.0, 0.0, 1e-300, 0.5, 3.0, math.huge, NA }, sorted)
    local ints = zs.frame({ x = { math.maxinteger, -5, math.mininteger + 1, 0 } }):sort("x"):column("x"):totable()
    assert.same({ math.mininteger + 1, -5, 0, math.maxinteger }, ints)
  end)

  it("takes the n largest rows", function()
    local f = zs.frame({ v = { 5, NA, 9, 1, 9, 7 }, id = { 1, 2, 3, 4, 5, 6 } })
    assert.same({ 3, 5, 6 }, f:top("v", 3):column("id"):totable())
    assert.equals(5, f:top("v", 10):nrow())
    assert.equals(0, f:top("v", 0):nrow())
  end)
end)

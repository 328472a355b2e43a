-- Pivot and cube results against plain group-by.
local zs = require "zonestat.engine"
local util = require "spec_util"
local NA = zs.NA
local random = math.random

local function data(n, seed)
  math.randomseed(seed)
  local t = { prov = {}, zone = {}, origin = {}, year = {}, cap = {}, emp = {} }
  for r = 1, n do
    t.prov[r] = random() < 0.5 and "hp" or "qn"
    t.zone[r] = "z" .. random(1, 6)
    t.origin[r] = random() < 0.6 and "FDI" or "domestic"
    t.year[r] = random(2019, 2023)
    t.cap[r] = random() < 0.1 and NA or random() * 1e6
    t.emp[r] = random() < 0.1 and NA or random(0, 500)
  end
  return zs.frame(t)
end

local function near(a, b)
  if a == b then return true end
  if type(a) ~= "number" or type(b) ~= "number" then return false end
  return math.abs(a - b) <= 1e-9 * math.max(1, math.abs(a), math.abs(b))
end

describe("pivot", function()
  local f = data(500, 5)

  it("puts group-by cells in a cross-tab with totals", function()
    local wide = f:pivot { rows = { "prov", "zone" }, cols = "year", values = "cap", agg = "sum", totals = true }
    local long = f:group_by("prov", "zone", "year"):agg(zs.sum("cap"):as("v"))
    for i = 1, long:nrow() do
      local prov, zone, year = long:get("prov", i), long:get("zone", i), long:get("year", i)
      local row
      for r = 1, wide:nrow() do
        if wide:get("prov", r) == prov and wide:get("zone", r) == zone then row = r end
      end
      assert.is_true(near(long:get("v", i), wide:get(tostring(year), row)))
    end
    local by_row = f:group_by("prov", "zone"):agg(zs.sum("cap"):as("v"))
    for r = 1, by_row:nrow() do assert.is_true(near(by_row:get("v", r), wide:get("Total", r))) end
    local last = wide:nrow()
    assert.equals("Total", wide:get("prov", last))
    local by_year = f:group_by("year"):agg(zs.sum("cap"):as("v"))
    for r = 1, by_year:nrow() do
      assert.is_true(near(by_year:get("v", r), wide:get(tostring(by_year:get("year", r)), last)))
    end
    assert.is_true(near(f:column("cap"):sum(), wide:get("Total", last)))
  end)

  it("aggregates totals from rows, not from cells (mean)", function()
    local wide = f:pivot { rows = "prov", cols = "origin", values = "emp", agg = "mean", totals = true }
    assert.is_true(near(f:column("emp"):mean(), wide:get("Total", wide:nrow())))
  end)

  it("counts rows and fills empty cells", function()
    local g = zs.frame({ a = { "x", "x", "y" }, b = { 1, 2, 1 } })
    local wide = g:pivot { rows = "a", cols = "b", agg = "count", fill = 0 }
    assert.same({ "a", "1", "2" }, wide:names())
    assert.same({ 1, 1 }, wide:column("1"):totable())
    assert.same({ 1, 0 }, wide:column("2"):totable())
  end)

  it("unpivots wide to long and back", function()
    local wide = f:pivot { rows = "zone", cols = "origin", values = "emp", agg = "sum" }
    local long = wide:unpivot { id = { "zone" }, cols = { "FDI", "domestic" }, names_to = "origin", values_to = "emp" }
    assert.equals(wide:nrow() * 2, long:nrow())
    assert.same({ "zone", "origin", "emp" }, long:names())
    local again = long:pivot { rows = "zone", cols = "origin", values = "emp", agg = "sum" }
    util.assert_frames_equal(wide:select("zone", "domestic", "FDI"), again:select("zone", "domestic", "FDI"))
    assert.has_error(function() wide:unpivot { cols = { "zone", "FDI" } } end)
  end)
end)

describe("pivot: empty cells", function()
  -- x has rows in quarters 1 and 2, y only in quarter 4: four cells have no rows
  local g = zs.frame({ a = { "x", "x", "x", "y" },
    d = zs.column({ "2024-01-05", "2024-03-31", "2024-05-01", "2024-11-30" }, "date"), v = { 1.5, 2, 4, 3 } })
    :mutate({ q = zs.col("d"):quarter() })

  it("count the non-NA values when values is given", function()
    local h = zs.frame({ k = { "a", "a", "b" }, c = { "x", "x", "y" }, v = { 1, zs.NA, 2 } })
    local rows = h:pivot { rows = "k", cols = "c", agg = "count" }
    local vals = h:pivot { rows = "k", cols = "c", values = "v", agg = "count" }
    assert.equals(2, rows:get("x", 1))
    assert.equals(1, vals:get("x", 1))
    assert.equals(0, vals:get("y", 1))
  end)

  it("are 0 in a count", function()
    local wide = g:pivot { rows = "a", cols = "q", agg = "count" }
    assert.same({ "a", "1", "2", "4" }, wide:names())
    assert.same({ 2, 0 }, wide:column("1"):totable())
    assert.same({ 1, 0 }, wide:column("2"):totable())
    assert.same({ 0, 1 }, wide:column("4"):totable())
    assert.equals("int", wide:column("2"):type())
    assert.equals(0, wide:column("2"):na_count())
  end)

  it("are 0 in a count with totals, which count rows", function()
    local wide = g:pivot { rows = "a", cols = "q", agg = "count", totals = true }
    assert.same({ "a", "1", "2", "4", "Total" }, wide:names())
    assert.same({ 0, 1, 1 }, wide:column("4"):totable())
    assert.same({ 3, 1, 4 }, wide:column("Total"):totable())
  end)

  it("are NA in a sum and the other aggregates", function()
    local wide = g:pivot { rows = "a", cols = "q", values = "v", agg = "sum" }
    assert.same({ 3.5, NA }, wide:column("1"):totable())
    assert.same({ NA, 3.0 }, wide:column("4"):totable())
    for _, how in ipairs({ "mean", "min", "max", "nunique", "first" }) do
      local w = g:pivot { rows = "a", cols = "q", values = "v", agg = how }
      assert.equals(1, w:column("4"):na_count(), how)
      assert.is_nil(w:get("4", 1), how)
    end
  end)

  it("take `fill` when given, for a count and a sum", function()
    local count = g:pivot { rows = "a", cols = "q", agg = "count", fill = -1 }
    assert.same({ 2, -1 }, count:column("1"):totable())
    assert.same({ -1, 1 }, count:column("4"):totable())
    local sum = g:pivot { rows = "a", cols = "q", values = "v", agg = "sum", fill = 0 }
    assert.same({ 3.5, 0.0 }, sum:column("1"):totable())
    assert.same({ 0.0, 3.0 }, sum:column("4"):totable())
  end)

  it("name the columns of an int key without a decimal point", function()
    assert.equals("int", g:column("q"):type())
    local wide = g:pivot { rows = "a", cols = "q", values = "v", agg = "sum" }
    assert.same({ "a", "1", "2", "4" }, wide:names())
    local by_half = g:mutate({ h = zs.col("d"):half() }):pivot { rows = "a", cols = "h", agg = "count" }
    assert.same({ "a", "1", "2" }, by_half:names())
  end)
end)

describe("cube", function()
  local f = data(800, 9)
  local dims, measures = { "prov", "zone", "origin", "year" }, { "cap", "emp" }
  local cube = zs.cube(f, dims, measures)

  local function same_as_group_by(c, keep)
    local got = c:frame()
    local specs = { zs.count():as("rows") }
    for _, m in ipairs(measures) do
      for _, s in ipairs({ zs.count(m):as(m .. "_count"), zs.sum(m):as(m .. "_sum"), zs.mean(m):as(m .. "_mean"),
        zs.min(m):as(m .. "_min"), zs.max(m):as(m .. "_max"), zs.var(m):as(m .. "_var"), zs.sd(m):as(m .. "_sd") }) do
        specs[#specs + 1] = s
      end
    end
    local want = #keep > 0 and f:group_by(table.unpack(keep)):agg(table.unpack(specs)) or f:agg(table.unpack(specs))
    assert.same(want:names(), got:names())
    assert.equals(want:nrow(), got:nrow())
    for _, name in ipairs(want:names()) do
      for i = 1, want:nrow() do
        assert.is_true(near(want:get(name, i), got:get(name, i)),
          string.format("%s row %d: %s vs %s", name, i, tostring(want:get(name, i)), tostring(got:get(name, i))))
      end
    end
  end

  it("equals group-by on all its dimensions", function() same_as_group_by(cube, dims) end)
  it("rolls up without rescanning rows", function()
    same_as_group_by(cube:rollup("prov", "origin"), { "prov", "origin" })
    same_as_group_by(cube:rollup("year"), { "year" })
    same_as_group_by(cube:rollup(), {})
    assert.has_error(function() cube:rollup("nope") end)
  end)

  it("slices", function()
    local s = cube:slice { prov = "hp", year = { 2020, 2021 } }
    local want = f:filter(zs.col("prov"):eq("hp") & zs.col("year"):isin { 2020, 2021 })
    assert.equals(want:nrow(), s:frame():column("rows"):sum())
  end)

  it("merges cubes built from separate parts", function()
    local a = zs.cube(f:slice(1, 300), dims, measures)
    local b = zs.cube(f:slice(301, 800), dims, measures)
    local merged = zs.merge(a, b)
    same_as_group_by(merged, dims)
    same_as_group_by(merged:rollup("zone"), { "zone" })
  end)

  it("serializes to tables and JSON without losing precision", function()
    local t = cube:totable()
    util.assert_frames_equal(cube:frame(), zs.cube_from_table(t):frame())
    local back = assert(zs.cube_from_json(cube:to_json()))
    util.assert_frames_equal(cube:frame(), back:frame())
  end)
end)

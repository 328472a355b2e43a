--- Cubes: aggregates precomputed over several dimensions, whose measures
-- are mergeable states, so roll-ups, slices and merges of cubes built from
-- separate files never rescan rows.
--
-- A cell holds, for each measure m: `m.n` (values), `m.sum`, `m.min`,
-- `m.max` and `m.m2` (sum of squared deviations from the cell mean), plus
-- the cell's row count.  Merging states: n and sum add, min and max take
-- the extreme, and m2 combines by Chan et al.'s parallel formula
-- m2 = Σ m2ᵢ + Σ nᵢ (meanᵢ − mean)².  Means, variances (sample, n − 1) and
-- standard deviations are derived from the states.
-- @module zonestat.cube

local core = require "zonestat.core"
local check = require "zonestat.check"
local agg = require "zonestat.agg"
local build = require "zonestat.build"
local expr = require "zonestat.expr"
require "zonestat.frame"

local col = expr.col
local NA = core.NA
local M = {}

local Cube = {}
Cube.__index = Cube

local function state_names(m)
  return { n = m .. ".n", sum = m .. ".sum", min = m .. ".min", max = m .. ".max", m2 = m .. ".m2" }
end


local function new(dims, measures, cells)
  return setmetatable({ dims = dims, measures = measures, cells = cells }, Cube)
end

local function dimension_list(f, names, what)
  if type(names) == "string" then names = { names } end
  return check.columns("cube", f, names, what, 1)
end

--- Build a cube.
-- @tparam Frame f
-- @tparam {string,...} dims dimension columns
-- @tparam {string,...} measures numeric columns
-- @return Cube
-- @usage c = zs.cube(projects, {"province", "zone_id", "origin", "year"}, {"capital_usd", "employees"})
function M.cube(f, dims, measures)
  check.frame("cube", f, "f")
  dims = dimension_list(f, dims, "dims")
  measures = dimension_list(f, measures, "measures")
  local specs = { agg.count():as("rows") }
  for _, m in ipairs(measures) do
    local t = f:column(m):type()
    if t ~= "int" and t ~= "float" and t ~= "bool" then check.fail("cube", "measure '" .. m .. "' is " .. t) end
    local s = state_names(m)
    specs[#specs + 1] = agg.count(m):as(s.n)
    specs[#specs + 1] = agg.sum(m):as(s.sum)
    specs[#specs + 1] = agg.min(m):as(s.min)
    specs[#specs + 1] = agg.max(m):as(s.max)
    specs[#specs + 1] = setmetatable({ op = "m2", col = m, name = s.m2 }, getmetatable(agg.sum(m)))
  end
  local cells
  if #dims == 0 then cells = f:agg(table.unpack(specs))
  else cells = f:group_by(table.unpack(dims)):agg(table.unpack(specs)) end
  return new(dims, measures, cells)
end

--- Merge the cells of a cube over the dimensions `keep` (pure state merges).
local function merge_cells(cells, keep, measures)
  local grouped = #keep > 0 and cells:group_by(table.unpack(keep)) or nil
  local specs = { agg.sum("rows"):as("rows") }
  for _, m in ipairs(measures) do
    local s = state_names(m)
    specs[#specs + 1] = agg.sum(s.n):as(s.n)
    specs[#specs + 1] = agg.sum(s.sum):as(s.sum)
    specs[#specs + 1] = agg.min(s.min):as(s.min)
    specs[#specs + 1] = agg.max(s.max):as(s.max)
  end
  local merged = grouped and grouped:agg(table.unpack(specs)) or cells:agg(table.unpack(specs))
  -- m2: Σ m2ᵢ + Σ nᵢ (meanᵢ − mean)², with the merged mean joined back
  local joined
  if #keep > 0 then
    local means_frame = merged
    for _, m in ipairs(measures) do
      local s = state_names(m)
      means_frame = means_frame:mutate(m .. ".mean_all", col(s.sum) / col(s.n))
    end
    local sel = {}
    for _, k in ipairs(keep) do sel[#sel + 1] = k end
    for _, m in ipairs(measures) do sel[#sel + 1] = m .. ".mean_all" end
    joined = cells:join(means_frame:select(sel), { on = keep, how = "left" })
  else
    joined = cells
    for _, m in ipairs(measures) do
      local s = state_names(m)
      local n, sum = merged:get(s.n, 1), merged:get(s.sum, 1)
      joined = joined:mutate(m .. ".mean_all", (n and n > 0) and expr.lit(sum / n) or expr.lit(NA))
    end
  end
  local contrib = {}
  for _, m in ipairs(measures) do
    local s = state_names(m)
    local d = col(s.sum) / col(s.n) - col(m .. ".mean_all")
    contrib[m .. ".contrib"] = col(s.m2) + col(s.n) * d * d
  end
  joined = joined:mutate(contrib)
  local m2specs = {}
  for _, m in ipairs(measures) do
    m2specs[#m2specs + 1] = agg.sum(m .. ".contrib"):as(state_names(m).m2)
  end
  local m2 = #keep > 0 and joined:group_by(table.unpack(keep)):agg(table.unpack(m2specs))
    or joined:agg(table.unpack(m2specs))
  -- both are in key order: put the m2 columns after each measure's states
  local names, cols = {}, {}
  for _, k in ipairs(keep) do names[#names + 1], cols[#cols + 1] = k, merged:column(k) end
  names[#names + 1], cols[#cols + 1] = "rows", merged:column("rows")
  for _, m in ipairs(measures) do
    local s = state_names(m)
    for _, part in ipairs({ s.n, s.sum, s.min, s.max }) do
      names[#names + 1], cols[#cols + 1] = part, merged:column(part)
    end
    names[#names + 1], cols[#cols + 1] = s.m2, m2:column(s.m2)
  end
  return core.frame_from(names, cols, merged:nrow())
end

--- Keep the named dimensions and aggregate the others away.
-- @param ... dimension names to keep (none: the grand total)
-- @return Cube
function Cube:rollup(...)
  local keep = { ... }
  local known = {}
  for _, d in ipairs(self.dims) do known[d] = true end
  for _, d in ipairs(keep) do
    if not known[d] then check.fail("rollup", "'" .. tostring(d) .. "' is not a dimension of the cube") end
  end
  return new(keep, self.measures, merge_cells(self.cells, keep, self.measures))
end

--- The cells where each named dimension has the given value (a value or
-- an array of values).
-- @tparam table where dimension → value
-- @return Cube
function Cube:slice(where)
  if type(where) ~= "table" then check.fail("slice", "expected {dimension = value}") end
  local cond
  local known = {}
  for _, d in ipairs(self.dims) do known[d] = true end
  for d, v in pairs(where) do
    if not known[d] then check.fail("slice", "'" .. tostring(d) .. "' is not a dimension of the cube") end
    local c = type(v) == "table" and col(d):isin(v) or col(d):eq(v)
    cond = cond and (cond & c) or c
  end
  local cells = cond and self.cells:filter(cond) or self.cells
  return new(self.dims, self.measures, cells)
end

--- The cube as a frame: dimensions, rows, then per measure its count, sum,
-- mean, min, max, var and sd (sample).
function Cube:frame()
  local names, cols = {}, {}
  for _, d in ipairs(self.dims) do names[#names + 1], cols[#cols + 1] = d, self.cells:column(d) end
  names[#names + 1], cols[#cols + 1] = "rows", self.cells:column("rows")
  local derived = {}
  for _, m in ipairs(self.measures) do
    local s = state_names(m)
    derived[m .. "_mean"] = col(s.sum) / col(s.n)
    derived[m .. "_var"] = col(s.m2) / (col(s.n) - 1)
  end
  local d = self.cells:mutate(derived) -- n = 1 gives 0 / 0: NA, as it should
  for _, m in ipairs(self.measures) do
    local s = state_names(m)
    for _, part in ipairs({ { m .. "_count", s.n }, { m .. "_sum", s.sum }, { m .. "_mean", m .. "_mean" },
      { m .. "_min", s.min }, { m .. "_max", s.max }, { m .. "_var", m .. "_var" } }) do
      names[#names + 1], cols[#cols + 1] = part[1], d:column(part[2])
    end
    names[#names + 1], cols[#cols + 1] = m .. "_sd", core.eval(d, col(m .. "_var"):sqrt())
  end
  return core.frame_from(names, cols, self.cells:nrow())
end

--- The cube as plain Lua tables: {dims, measures, cells = name → array}
-- (NA as zs.NA), which zs.cube_from_table turns back into the same cube.
function Cube:totable()
  return { dims = self.dims, measures = self.measures, columns = self.cells:names(), cells = self.cells:totable() }
end

--- The cube as JSON text; numbers keep every digit (shortest round trip).
function Cube:to_json()
  local cjson = require "cjson"
  local function num(v)
    if v == NA then return "null" end
    if type(v) == "number" then return core.format_number(v) end
    return cjson.encode(v)
  end
  local out = { '{"dims":', cjson.encode(self.dims), ',"measures":', cjson.encode(self.measures), ',"columns":[' }
  local names = self.cells:names()
  for i, n in ipairs(names) do out[#out + 1] = (i > 1 and "," or "") .. cjson.encode(n) end
  out[#out + 1] = '],"types":['
  for i, t in ipairs(self.cells:types()) do out[#out + 1] = (i > 1 and "," or "") .. cjson.encode(t) end
  out[#out + 1] = '],"cells":{'
  for i, n in ipairs(names) do
    local vals = {}
    for k, v in ipairs(self.cells:column(n):totable()) do vals[k] = num(v) end
    out[#out + 1] = (i > 1 and "," or "") .. cjson.encode(n) .. ":[" .. table.concat(vals, ",") .. "]"
  end
  out[#out + 1] = "}}"
  return table.concat(out)
end

--- A cube from Cube:totable()'s result.
function M.cube_from_table(t)
  if type(t) ~= "table" or type(t.cells) ~= "table" then check.fail("cube_from_table", "not a cube table") end
  return new(t.dims, t.measures, build.frame(t.cells, t.columns))
end

--- A cube from Cube:to_json()'s text.
function M.cube_from_json(text)
  local cjson = require "cjson.safe"
  local t, err = cjson.decode(text)
  if not t then return nil, "cube_from_json: " .. tostring(err) end
  local cells = {}
  for i, name in ipairs(t.columns) do
    local arr, ctype = t.cells[name], t.types[i]
    for k, v in ipairs(arr) do
      if v == cjson.null then arr[k] = NA
      elseif ctype == "int" then arr[k] = math.tointeger(v) end
    end
    cells[name] = build.column(arr, ctype)
  end
  return new(t.dims, t.measures, build.frame(cells, t.columns))
end

--- Combine cubes over the same dimensions and measures (for example built
-- from separate files).
-- @param ... cubes
-- @return Cube
function M.merge(...)
  local cubes = { ... }
  if #cubes == 0 then check.fail("merge", "no cube given") end
  local first = cubes[1]
  local parts = {}
  for i, c in ipairs(cubes) do
    if getmetatable(c) ~= Cube then check.arg(false, "merge", i, "is not a cube") end
    if table.concat(c.dims, "\0") ~= table.concat(first.dims, "\0")
      or table.concat(c.measures, "\0") ~= table.concat(first.measures, "\0") then
      check.fail("merge", "the cubes have different dimensions or measures")
    end
    parts[i] = c.cells
  end
  local all = build.concat(table.unpack(parts))
  return new(first.dims, first.measures, merge_cells(all, first.dims, first.measures))
end

function Cube.__tostring(c)
  return string.format("cube: %d cells over (%s), measures %s", c.cells:nrow(), table.concat(c.dims, ", "),
    table.concat(c.measures, ", "))
end

M.Cube = Cube

return M

--- Cubes: aggregates precomputed over several dimensions, whose measures
-- are mergeable states, so roll-ups, slices and merges of cubes built from
-- separate files never rescan rows.
--
-- A cell holds, for each measure m: `m.n` (values), `m.sum`, `m.min`,
-- `m.max` and `m.m2` (sum of squared deviations from the cell mean), plus
-- the cell's row count.  Merging states: n and sum add, min and max take
-- the extreme, and m2 combines by Chan et al.'s parallel formula
-- m2 = Σ m2ᵢ + Σ nᵢ (meanᵢ − mean)².  Means, variances (sample, n − 1) and
-- standard deviations are derived from the states.  Cells are grouped by
-- their dimension values (NA is a value of its own, as in group_by), so a
-- cell whose dimension is NA merges like any other.
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

local Cube = check.class("zonestat.Cube")
Cube.__index = Cube

local STATES = { "n", "sum", "min", "max", "m2" }

local function state_names(m)
  return { n = m .. ".n", sum = m .. ".sum", min = m .. ".min", max = m .. ".max", m2 = m .. ".m2" }
end

local function new(dims, measures, cells)
  return setmetatable({ dims = dims, measures = measures, cells = cells }, Cube)
end

local function copy(t)
  local r = {}
  for i, v in ipairs(t) do r[i] = v end
  return r
end

-- the names of a cube's cells frame, in order, or raise naming the clash
local function cell_names(fname, dims, measures, depth)
  local names, seen = {}, {}
  local function add(name, what)
    if seen[name] then
      check.fail(fname, what .. " would make a second column named '" .. name .. "'", depth + 1)
    end
    seen[name] = true
    names[#names + 1] = name
  end
  for _, d in ipairs(dims) do add(d, "dimension '" .. d .. "'") end
  add("rows", "the row count")
  for _, m in ipairs(measures) do
    local s = state_names(m)
    for _, part in ipairs(STATES) do add(s[part], "measure '" .. m .. "'") end
  end
  return names
end

local function name_list(fname, f, names, what)
  if type(names) == "string" then names = { names } end
  names = copy(check.columns(fname, f, names, what, 2))
  local seen = {}
  for _, n in ipairs(names) do
    if seen[n] then check.fail(fname, "argument '" .. what .. "' names '" .. n .. "' twice", 2) end
    seen[n] = true
  end
  return names
end

--- Build a cube.
-- @tparam Frame f
-- @tparam {string,...} dims dimension columns (a name, or an array; `{}` for none)
-- @tparam {string,...} measures numeric columns (int, float or bool)
-- @return Cube
-- @usage c = zs.cube(projects, {"province", "zone_id", "origin", "year"}, {"capital_usd", "employees"})
function M.cube(f, dims, measures)
  check.frame("cube", f, "f")
  dims = name_list("cube", f, dims, "dims")
  measures = name_list("cube", f, measures, "measures")
  cell_names("cube", dims, measures, 1)
  local specs = { agg.count():as("rows") }
  for _, m in ipairs(measures) do
    local t = f:column(m):type()
    if t ~= "int" and t ~= "float" and t ~= "bool" then
      check.fail("cube", "measure '" .. m .. "' is " .. t .. " (a measure must be int, float or bool)")
    end
    local s = state_names(m)
    specs[#specs + 1] = agg.count(m):as(s.n)
    specs[#specs + 1] = agg.sum(m):as(s.sum)
    specs[#specs + 1] = agg.min(m):as(s.min)
    specs[#specs + 1] = agg.max(m):as(s.max)
    specs[#specs + 1] = setmetatable({ op = "m2", col = m, name = s.m2 }, agg.Spec)
  end
  return new(dims, measures, check.call("cube", core.group_agg, f, dims, true, specs))
end

--- Merge the cells of a cube over the dimensions `keep` (pure state
-- merges, one group-by over the cells: NA dimension values group like any
-- other).  Counts of no cell are 0, as in a cube built from no rows.
local function merge_cells(fname, cells, keep, measures)
  local specs = { agg.sum("rows"):as("rows") }
  for _, m in ipairs(measures) do
    local s = state_names(m)
    specs[#specs + 1] = agg.sum(s.n):as(s.n)
    specs[#specs + 1] = agg.sum(s.sum):as(s.sum)
    specs[#specs + 1] = agg.min(s.min):as(s.min)
    specs[#specs + 1] = agg.max(s.max):as(s.max)
    specs[#specs + 1] = setmetatable({ op = "m2merge", col = s.n, col2 = s.sum, col3 = s.m2, name = s.m2 }, agg.Spec)
  end
  local merged = check.call_from(1, fname, core.group_agg, cells, keep, true, specs)
  -- a sum of counts over no cell is NA; a count over no row is 0
  local counts = { rows = true }
  for _, m in ipairs(measures) do counts[m .. ".n"] = true end
  local names, cols = merged:names(), {}
  for i, name in ipairs(names) do
    local c = merged:column(name)
    if counts[name] and c:na_count() > 0 then c = core.eval(merged, col(name):fill_na(0)) end
    cols[i] = c
  end
  return core.frame_from(names, cols, merged:nrow())
end

--- Keep the named dimensions and aggregate the others away.
-- @param ... dimension names to keep (none: the grand total)
-- @return Cube
function Cube:rollup(...)
  check.arg(check.is(self, Cube), "rollup", "self", "must be a cube (call it as c:rollup(...))")
  local keep, seen, known = {}, {}, {}
  for _, d in ipairs(self.dims) do known[d] = true end
  for i = 1, select("#", ...) do
    local d = select(i, ...)
    check.arg(type(d) == "string", "rollup", i, "must be a dimension name, got " .. type(d))
    if not known[d] then check.fail("rollup", "'" .. d .. "' is not a dimension of the cube") end
    if seen[d] then check.fail("rollup", "'" .. d .. "' is given twice") end
    seen[d] = true
    keep[#keep + 1] = d
  end
  return new(keep, copy(self.measures), merge_cells("rollup", self.cells, keep, self.measures))
end

--- The cells where each named dimension has the given value (a value or
-- an array of values; `zs.NA` selects the cells whose dimension is NA).
-- @tparam table where dimension → value
-- @return Cube
function Cube:slice(where)
  check.arg(check.is(self, Cube), "slice", "self", "must be a cube (call it as c:slice{...})")
  check.arg(type(where) == "table", "slice", "where", "must be a table {dimension = value}")
  local cond
  local known = {}
  for _, d in ipairs(self.dims) do known[d] = true end
  for d, v in pairs(where) do
    if type(d) ~= "string" or not known[d] then
      check.fail("slice", "'" .. tostring(d) .. "' is not a dimension of the cube")
    end
    local c
    if v == NA then
      c = col(d):is_na()
    elseif type(v) == "table" then
      local values, na = {}, false
      for _, x in ipairs(v) do
        if x == NA then na = true else values[#values + 1] = x end
      end
      c = col(d):isin(values)
      if na then c = c | col(d):is_na() end
    else
      c = col(d):eq(v)
    end
    cond = cond and (cond & c) or c
  end
  local cells = self.cells
  if cond then cells = check.call("slice", self.cells.filter, self.cells, cond) end
  return new(copy(self.dims), copy(self.measures), cells)
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

--- The cube as plain Lua tables: `{dims, measures, columns, types, cells =
-- name → array}` (NA as zs.NA), which zs.cube_from_table turns back into the
-- same cube.
function Cube:totable()
  return { dims = copy(self.dims), measures = copy(self.measures), columns = self.cells:names(),
    types = self.cells:types(), cells = self.cells:totable() }
end

--- The cube as JSON text; numbers keep every digit (shortest round trip),
-- NA is `null`, infinities are `Infinity` and `-Infinity` (as Python's json
-- module writes them; lua-cjson reads them back).
function Cube:to_json()
  local cjson = require "cjson"
  local function num(v)
    if v == NA then return "null" end
    if v == math.huge then return "Infinity" end
    if v == -math.huge then return "-Infinity" end
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

-- ---- reading a cube back: every part checked, a message for the first fault

local TYPES = { int = true, float = true, bool = true, str = true, date = true }

-- the length of an array (keys 1..n), or nil
local function array_len(t)
  if type(t) ~= "table" then return nil end
  local n, count = 0, 0
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 then return nil end
    count = count + 1
    if k > n then n = k end
  end
  return n == count and n or nil
end

local function string_array(t, what)
  local n = array_len(t)
  if not n then return nil, "'" .. what .. "' must be an array of names" end
  local seen = {}
  for i = 1, n do
    if type(t[i]) ~= "string" then return nil, "'" .. what .. "' must be an array of names (entry " .. i .. " is not)" end
    if seen[t[i]] then return nil, "'" .. what .. "' names '" .. t[i] .. "' twice" end
    seen[t[i]] = true
  end
  return n
end

-- the type each cells column must have (nil: any), and whether its values must be numbers
local function expected_types(dims, measures)
  local want = { rows = "int" }
  for _, d in ipairs(dims) do want[d] = false end
  for _, m in ipairs(measures) do
    local s = state_names(m)
    want[s.n] = "int"
    want[s.sum] = "number"
    want[s.min] = "measure"
    want[s.max] = "measure"
    want[s.m2] = "number"
  end
  return want
end

local function type_fits(want, t)
  if want == false then return true end
  if want == "number" then return t == "int" or t == "float" end
  if want == "measure" then return t == "int" or t == "float" or t == "bool" end
  return t == want
end

-- value v of a column of type t (NA given as `null_value`): the value to
-- store, or nil and what is wrong
local function cell_value(v, t, null_value)
  if v == null_value or v == NA then return NA end
  if t == "int" then
    local i = math.type(v) and math.tointeger(v)
    if i == nil then return nil, "is not an integer" end
    if i == math.mininteger then return nil, "is out of the int range" end
    return i
  elseif t == "float" then
    if type(v) ~= "number" then return nil, "is not a number" end
    return v + 0.0
  elseif t == "bool" then
    if type(v) ~= "boolean" then return nil, "is not a boolean" end
    return v
  elseif t == "str" or t == "date" then
    if type(v) ~= "string" then return nil, "is not a string" end
    return v
  end
  if type(v) == "number" or type(v) == "string" or type(v) == "boolean" then return v end
  return nil, "is not a value"
end

-- a cube from a table shaped as Cube:totable() gives (types optional);
-- returns the cube or nil, message
local function from_parts(t, null_value)
  if type(t) ~= "table" then return nil, "a cube is an object with dims, measures, columns and cells" end
  local nd, err = string_array(t.dims, "dims")
  if not nd then return nil, err end
  local nm
  nm, err = string_array(t.measures, "measures")
  if not nm then return nil, err end
  local nc
  nc, err = string_array(t.columns, "columns")
  if not nc then return nil, err end
  if type(t.cells) ~= "table" then return nil, "'cells' must be an object of column name → array of values" end
  local types = t.types
  if types ~= nil and types ~= null_value then
    if array_len(types) ~= nc then return nil, "'types' must be an array with one type per column" end
    for i = 1, nc do
      if not TYPES[types[i]] then return nil, "'types' entry " .. i .. " is not a type (int, float, bool, str, date)" end
    end
  else
    types = {}
  end
  local dims, measures = copy(t.dims), copy(t.measures)
  local ok, names = pcall(cell_names, "cube", dims, measures, 0)
  if not ok then return nil, (tostring(names):gsub("^.-cube: ", "")) end
  local want, present = expected_types(dims, measures), {}
  for i = 1, nc do
    local name = t.columns[i]
    if want[name] == nil then
      return nil, "column '" .. name .. "' is neither a dimension, 'rows', nor a state of a measure"
    end
    present[name] = i
  end
  for _, name in ipairs(names) do
    if not present[name] then return nil, "no column '" .. name .. "' (the cube needs it)" end
  end
  local nrow
  local columns = {}
  for i = 1, nc do
    local name, ctype = t.columns[i], types[i]
    local arr = t.cells[name]
    local len = array_len(arr)
    if not len then return nil, "cells of column '" .. name .. "' must be an array" end
    if nrow and len ~= nrow then
      return nil, "column '" .. name .. "' has " .. len .. " cells but column '" .. t.columns[1] .. "' has " .. nrow
    end
    nrow = len
    if ctype == nil then -- no types given: a column without a value takes the type of its part
      local any = false
      for k = 1, len do any = any or (arr[k] ~= null_value and arr[k] ~= NA) end
      if not any then ctype = want[name] == "int" and "int" or want[name] and "float" or nil end
    end
    local values = {}
    for k = 1, len do
      local v, why = cell_value(arr[k], ctype, null_value)
      if v == nil then return nil, "column '" .. name .. "' cell " .. k .. " (" .. tostring(arr[k]) .. ") " .. why end
      if want[name] == "int" and math.type(v) and v < 0 then -- a count
        return nil, "column '" .. name .. "' cell " .. k .. " (" .. tostring(v) .. ") is a negative count"
      end
      values[k] = v
    end
    local okc, c = pcall(build.column_named, values, name, ctype)
    if not okc then return nil, (tostring(c):gsub("^[^\n]-zonestat/[%w_]+%.lua:%d+: ", "")) end
    if not type_fits(want[name], c:type()) then
      return nil, "column '" .. name .. "' is " .. c:type() .. ", which does not fit its part of the cube"
    end
    columns[name] = c
  end
  local okf, cells = pcall(build.frame, columns, names)
  if not okf then return nil, (tostring(cells):gsub("^[^\n]-zonestat/[%w_]+%.lua:%d+: ", "")) end
  return new(dims, measures, cells)
end

--- A cube from Cube:totable()'s result (a table of another shape raises,
-- naming what is wrong).
-- @tparam table t
-- @return Cube
function M.cube_from_table(t)
  check.arg(type(t) == "table", "cube_from_table", "t", "must be a table (from cube:totable()), got " .. type(t))
  local c, err = from_parts(t, nil)
  if not c then check.fail("cube_from_table", err) end
  return c
end

--- A cube from Cube:to_json()'s text.  Text that is no JSON, or JSON that
-- is no cube, returns nil and a message.
-- @tparam string text
-- @return Cube, or nil and a message
function M.cube_from_json(text)
  check.arg(type(text) == "string", "cube_from_json", "text", "must be a string, got " .. type(text))
  local cjson = require "cjson.safe"
  local t, err = cjson.decode(text)
  if t == nil then return nil, "cube_from_json: " .. tostring(err) end
  local c
  c, err = from_parts(t, cjson.null)
  if not c then return nil, "cube_from_json: " .. err end
  return c
end

--- Combine cubes over the same dimensions and measures (for example built
-- from separate files).
-- @param ... cubes
-- @return Cube
function M.merge(...)
  local n = select("#", ...)
  if n == 0 then check.fail("merge", "no cube given") end
  local cubes = { ... }
  local first = cubes[1]
  local parts = {}
  for i = 1, n do
    local c = cubes[i]
    if not check.is(c, Cube) then check.arg(false, "merge", i, "is not a cube, got " .. type(c)) end
    if table.concat(c.dims, "\0") ~= table.concat(first.dims, "\0")
      or table.concat(c.measures, "\0") ~= table.concat(first.measures, "\0") then
      check.fail("merge", "the cubes have different dimensions or measures")
    end
    parts[i] = c.cells
  end
  local all = check.call("merge", core.concat_raw, table.unpack(parts))
  return new(copy(first.dims), copy(first.measures), merge_cells("merge", all, first.dims, first.measures))
end

function Cube.__tostring(c)
  return string.format("cube: %d cells over (%s), measures %s", c.cells:nrow(), table.concat(c.dims, ", "),
    table.concat(c.measures, ", "))
end

M.Cube = Cube

return M

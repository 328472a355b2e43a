--- Building frames and columns from Lua values: `zs.frame`, `zs.from_rows`,
-- `zs.column` and `zs.concat`.
-- @module zonestat.build

local core = require "zonestat.core"
local check = require "zonestat.check"
require "zonestat.frame"

local NA = core.NA
local M = {}

local TYPES = { bool = true, int = true, float = true, date = true, str = true }

-- the number of elements of an array of rows, raising unless its keys are 1..n
local function array_length(fname, what, t)
  local n, count = 0, 0
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 then
      check.fail(fname, "argument '" .. what .. "' must be an array, but has the key " .. tostring(k), 1)
    end
    count = count + 1
    if k > n then n = k end
  end
  if n ~= count then
    local hole = 1
    while t[hole] ~= nil do hole = hole + 1 end
    check.fail(fname, "argument '" .. what .. "' must be an array without holes: " .. what .. "[" .. hole
      .. "] is nil but " .. what .. "[" .. n .. "] is not", 1)
  end
  return n
end

--- Sorted list of the string keys of a table.
local function sorted_keys(fname, t, depth)
  local keys = {}
  for k in pairs(t) do
    if type(k) ~= "string" then check.fail(fname, "column names must be strings, got a " .. type(k), depth + 1) end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  return keys
end

--- A Column from a Lua array, with `name` in error messages (an internal
-- helper of the modules that build columns from Lua values).
-- @tparam table values
-- @tparam string name
-- @tparam[opt] string ctype
-- @treturn Column
function M.column_named(values, name, ctype)
  local n, count = 0, 0
  for k in pairs(values) do
    if math.type(k) ~= "integer" or k < 1 then
      error("column '" .. name .. "' has a non-array key " .. tostring(k), 0)
    end
    if k > n then n = k end
    count = count + 1
  end
  if n > M.SPARSE_FREE and n > M.SPARSE_RATIO * count then
    error(string.format("column '%s' has %d value%s but its largest index is %d: an array with holes that large "
      .. "is refused (write zs.NA for missing values)", name, count, count == 1 and "" or "s", n), 0)
  end
  return core.column_raw(values, ctype, n, name)
end

--- A Lua array given as values may have holes (nil: NA) but not absurdly
-- many: its largest index may be at most `SPARSE_RATIO` times its number of
-- values, unless it is at most `SPARSE_FREE` (so `{[2^40] = 1}` is refused
-- at once instead of building 2^40 values).
M.SPARSE_FREE, M.SPARSE_RATIO = 1 << 20, 8

-- The frame of `columns` in `order` for the API function `fname` (this is
-- called one level below it); nrow matters only when there are no columns.
local function make(fname, columns, order, nrow)
  local names = order or sorted_keys(fname, columns, 2)
  local seen, cols = {}, {}
  for i, name in ipairs(names) do
    if type(name) ~= "string" then check.fail(fname, "order[" .. i .. "] is not a name", 1) end
    if seen[name] then check.fail(fname, "column '" .. name .. "' appears twice in order", 1) end
    seen[name] = true
    local values = columns[name]
    if values == nil then check.fail(fname, "order names '" .. name .. "' but there is no such column", 1) end
    if core.type(values) == "column" then
      cols[i] = values
    elseif type(values) == "table" then
      cols[i] = check.call_from(1, fname, M.column_named, values, name)
    else
      check.fail(fname, "column '" .. name .. "' must be an array or a Column, got " .. type(values), 1)
    end
  end
  for name in pairs(columns) do
    if not seen[name] then check.fail(fname, "column '" .. tostring(name) .. "' is missing from order", 1) end
  end
  return check.call_from(1, fname, core.frame_from, names, cols, nrow)
end

--- Build a frame.
-- @tparam table columns name → Lua array (use `zs.NA` for missing values) or Column
-- @tparam[opt] {string,...} order column names in order (default: sorted by name)
-- @treturn Frame
-- @usage local f = zs.frame({zone = {"a", "b"}, capital = {1.5, zs.NA}}, {"zone", "capital"})
function M.frame(columns, order)
  check.arg(type(columns) == "table", "frame", "columns", "must be a table of name = values")
  check.arg(order == nil or type(order) == "table", "frame", "order", "must be an array of names")
  return make("frame", columns, order)
end

--- Build a frame from an array of row tables.
-- @tparam {table,...} rows each row maps column name → value (absent or `zs.NA`: missing)
-- @tparam[opt] {string,...} names column names in order (default: every key seen, sorted)
-- @treturn Frame
function M.from_rows(rows, names)
  check.arg(type(rows) == "table", "from_rows", "rows", "must be an array of tables")
  check.arg(names == nil or type(names) == "table", "from_rows", "names", "must be an array of names")
  local nrow = array_length("from_rows", "rows", rows)
  if names == nil then
    local seen = {}
    for i, row in ipairs(rows) do
      if type(row) ~= "table" then check.fail("from_rows", "row " .. i .. " is not a table") end
      for k in pairs(row) do seen[k] = true end
    end
    names = sorted_keys("from_rows", seen, 1)
  end
  local columns = {}
  for _, name in ipairs(names) do columns[name] = {} end
  for i, row in ipairs(rows) do
    if type(row) ~= "table" then check.fail("from_rows", "row " .. i .. " is not a table") end
    for _, name in ipairs(names) do
      local v = row[name]
      if v == nil then v = NA end
      columns[name][i] = v
    end
  end
  return make("from_rows", columns, names, nrow)
end

--- A column from a Lua array (or a Column, returned as it is).
-- @tparam table values the values, `zs.NA` for missing ones
-- @tparam[opt] string ctype "bool", "int", "float", "date" or "str" (default: inferred)
-- @treturn Column
function M.column(values, ctype)
  if core.type(values) == "column" then return values end
  check.arg(type(values) == "table", "column", "values", "must be an array")
  check.arg(ctype == nil or TYPES[ctype], "column", "ctype", "must be bool, int, float, date or str, got "
    .. (type(ctype) == "string" and ("'" .. ctype .. "'") or type(ctype)))
  return check.call("column", M.column_named, values, "column", ctype)
end

--- Rows of several frames, matching columns by name (missing ones: NA).
-- @param ... frames
-- @treturn Frame
function M.concat(...)
  check.arg(select("#", ...) > 0, "concat", 1, "must be a frame (concat needs at least one)")
  for i = 1, select("#", ...) do check.frame("concat", (select(i, ...)), i) end
  return check.call("concat", core.concat_raw, ...)
end

return M

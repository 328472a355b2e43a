--- Reshaping: `f:pivot{...}` (a cross-tab) and `f:unpivot{...}` (wide to
-- long).  Both stand on group-by and concat from the C core.
-- @module zonestat.reshape

local core = require "zonestat.core"
local check = require "zonestat.check"
local agg = require "zonestat.agg"
local build = require "zonestat.build"
local expr = require "zonestat.expr"
require "zonestat.frame"

local NA = core.NA
local M = {}


local aggregators = { count = true, sum = true, mean = true, min = true, max = true, median = true,
  sd = true, var = true, nunique = true, first = true, last = true }

local function as_list(x, what)
  if type(x) == "string" then return { x } end
  if type(x) ~= "table" or #x == 0 then check.fail("pivot", "'" .. what .. "' must name one or more columns", 1) end
  return x
end

local function label(v)
  if v == nil then return "NA" end
  if math.type(v) == "float" then return core.format_number(v) end
  return tostring(v)
end

--- A cross-tab: one row per combination of `rows`, one column per value
-- of `cols` (in ascending order, NA last), cells `agg(values)`.
-- @tparam table spec
--   `rows` (name or names), `cols` (one name), `values` (a name; not
--   needed for agg = "count", which then counts rows, and with it counts
--   the non-NA values), `agg` ("sum" by default; also count, mean,
--   min, max, median, sd, var, nunique, first, last), `totals` (true adds a
--   "Total" column and a "Total" row, each aggregated from the rows, not
--   from the cells), `fill` (value for cells without rows; default 0 for
--   agg = "count", NA for the others)
-- @treturn Frame
-- @usage p:pivot{rows = "zone_id", cols = "origin", values = "capital_usd", agg = "sum", totals = true}
function M.pivot(f, spec)
  if type(spec) ~= "table" then check.fail("pivot", "expected a table {rows = ..., cols = ..., values = ...}") end
  local rows = as_list(spec.rows, "rows")
  local cols = spec.cols
  if type(cols) ~= "string" then check.fail("pivot", "'cols' must name one column") end
  local how = spec.agg or "sum"
  if not aggregators[how] then check.fail("pivot", "unknown agg '" .. tostring(how) .. "'") end
  local values = spec.values
  if how ~= "count" and type(values) ~= "string" then check.fail("pivot", "'values' must name a column") end
  for _, name in ipairs(rows) do
    if not f:has(name) then check.fail("pivot", "no column named '" .. tostring(name) .. "'") end
  end
  if not f:has(cols) then check.fail("pivot", "no column named '" .. cols .. "'") end
  if values and not f:has(values) then check.fail("pivot", "no column named '" .. values .. "'") end
  -- count: the rows of a cell, or its non-NA values when `values` is given
  local function cell()
    if how == "count" then return (values and agg.count(values) or agg.count()):as("value") end
    return agg[how](values):as("value")
  end

  local keys = {}
  for i, name in ipairs(rows) do keys[i] = name end
  keys[#keys + 1] = cols
  local long = check.call("pivot", function() return f:group_by(table.unpack(keys)):agg(cell()) end)
  local row_keys = f:group_by(table.unpack(rows)):agg(cell())
  local col_values = f:group_by(cols):agg(cell())

  -- index of each row combination
  local function row_id(frame, i)
    local parts = {}
    for k, name in ipairs(rows) do parts[k] = label(frame:get(name, i)) .. "\0" .. type(frame:get(name, i)) end
    return table.concat(parts, "\1")
  end
  local nrow = row_keys:nrow()
  local position = {}
  for i = 1, nrow do position[row_id(row_keys, i)] = i end

  local names, columns = {}, {}
  for k, name in ipairs(rows) do names[k], columns[k] = name, row_keys:column(name) end
  -- an empty cell: `fill`, else 0 for a count (no rows is zero rows), else NA
  local empty = spec.fill
  if empty == nil then empty = how == "count" and 0 or NA end
  local by_label, labels = {}, {}
  for j = 1, col_values:nrow() do
    local lab = label(col_values:get(cols, j))
    if by_label[lab] then check.fail("pivot", "two values of '" .. cols .. "' print as '" .. lab .. "'") end
    local arr = {}
    for i = 1, nrow do arr[i] = empty end
    by_label[lab], labels[j] = arr, lab
  end
  for i = 1, long:nrow() do
    local v = long:get("value", i)
    if v ~= nil then by_label[label(long:get(cols, i))][position[row_id(long, i)]] = v end
  end
  for _, lab in ipairs(labels) do
    names[#names + 1] = lab
    columns[#columns + 1] = build.column(by_label[lab], long:column("value"):type())
  end
  if spec.totals then
    names[#names + 1] = "Total"
    columns[#columns + 1] = row_keys:column("value")
  end
  local wide = check.call("pivot", core.frame_from, names, columns, nrow)
  if spec.totals then
    -- the Total row: each column's aggregate over its rows, and the grand total
    local total = {}
    for k, name in ipairs(rows) do
      total[name] = (k == 1 and wide:column(name):type() == "str") and "Total" or NA
    end
    for j, lab in ipairs(labels) do total[lab] = col_values:get("value", j) end
    total.Total = f:agg(cell()):get("value", 1)
    for k, v in pairs(total) do if v == nil then total[k] = NA end end
    local row = build.from_rows({ total }, names)
    wide = check.call("pivot", build.concat, wide, row)
  end
  return wide
end

--- Wide to long: one row per (row, value column).
-- @tparam table spec
--   `cols` (the columns to stack), `id` (columns repeated on every row;
--   default: all the others), `names_to` (default "name"), `values_to`
--   (default "value").  Stacked columns must share a type (int and float
--   give float).
-- @treturn Frame ids, then names_to, then values_to; grouped by column
function M.unpivot(f, spec)
  if type(spec) ~= "table" or type(spec.cols) ~= "table" or #spec.cols == 0 then
    check.fail("unpivot", "expected {cols = {...}, id = {...}}")
  end
  local names_to, values_to = spec.names_to or "name", spec.values_to or "value"
  local stacked, numeric, kinds = {}, { int = true, float = true }, {}
  for _, c in ipairs(spec.cols) do
    if not f:has(c) then check.fail("unpivot", "no column named '" .. tostring(c) .. "'") end
    stacked[c] = true
    local t = f:column(c):type()
    kinds[numeric[t] and "number" or t] = c
  end
  if next(kinds, next(kinds)) then
    local list = {}
    for _, c in ipairs(spec.cols) do list[#list + 1] = c .. " <" .. f:column(c):type() .. ">" end
    check.fail("unpivot", "the stacked columns do not share a type: " .. table.concat(list, ", "))
  end
  local id = spec.id
  check.arg(id == nil or type(id) == "table", "unpivot", "id", "must be an array of column names")
  if id == nil then
    id = {}
    for _, name in ipairs(f:names()) do if not stacked[name] then id[#id + 1] = name end end
  end
  for _, c in ipairs(id) do
    if not f:has(c) then check.fail("unpivot", "no column named '" .. tostring(c) .. "'") end
    if stacked[c] then check.fail("unpivot", "'" .. c .. "' is both an id and a stacked column") end
  end
  local parts = {}
  for i, c in ipairs(spec.cols) do
    local names, cols = {}, {}
    for k, name in ipairs(id) do names[k], cols[k] = name, f:column(name) end
    names[#names + 1] = names_to
    cols[#cols + 1] = core.eval(f, expr.lit(c))
    names[#names + 1] = values_to
    cols[#cols + 1] = f:column(c)
    parts[i] = check.call("unpivot", core.frame_from, names, cols, f:nrow())
  end
  return check.call("unpivot", build.concat, table.unpack(parts))
end

return M

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
--   from the cells, and each cell of the Total row of its column's type; the
--   Total row is the last, with "Total" in the first `rows` column when it
--   is str, else NA in every key; totals are computed only when asked for,
--   so a total that would overflow fails only `totals = true`), `fill` (value
--   for cells without rows, of the cells' type: an int for an int count or
--   sum, a number for float cells, a `yyyy-mm-dd` string for dates; default
--   0 for agg = "count", NA for the others)
-- @treturn Frame
-- @usage p:pivot{rows = "zone_id", cols = "origin", values = "capital_usd", agg = "sum", totals = true}
function M.pivot(f, spec)
  if type(spec) ~= "table" then check.fail("pivot", "expected a table {rows = ..., cols = ..., values = ...}") end
  for k in pairs(spec) do
    if not (k == "rows" or k == "cols" or k == "values" or k == "agg" or k == "totals" or k == "fill") then
      check.fail("pivot", "unknown option '" .. tostring(k) .. "'")
    end
  end
  local rows = as_list(spec.rows, "rows")
  for i, name in ipairs(rows) do
    if type(name) ~= "string" then check.fail("pivot", "'rows' [" .. i .. "] must be a column name, got " .. type(name)) end
    if not f:has(name) then check.fail("pivot", "no column named '" .. name .. "'") end
  end
  local cols = spec.cols
  if type(cols) ~= "string" then check.fail("pivot", "'cols' must name one column") end
  local how = spec.agg or "sum"
  if not aggregators[how] then check.fail("pivot", "unknown agg '" .. tostring(how) .. "'") end
  local values = spec.values
  if how ~= "count" and type(values) ~= "string" then check.fail("pivot", "'values' must name a column") end
  if values ~= nil and type(values) ~= "string" then check.fail("pivot", "'values' must name a column") end
  if not f:has(cols) then check.fail("pivot", "no column named '" .. cols .. "'") end
  if values and not f:has(values) then check.fail("pivot", "no column named '" .. values .. "'") end
  if spec.totals ~= nil and type(spec.totals) ~= "boolean" then check.fail("pivot", "'totals' must be a boolean") end
  local keys, is_key = {}, {}
  for i, name in ipairs(rows) do
    if is_key[name] then check.fail("pivot", "'" .. name .. "' appears twice in 'rows'") end
    keys[i], is_key[name] = name, true
  end
  if is_key[cols] then check.fail("pivot", "'" .. cols .. "' is both in 'rows' and 'cols'") end
  keys[#keys + 1] = cols
  -- the aggregate's column: a name that is none of the keys
  local vname = "value"
  while is_key[vname] or vname == cols do vname = vname .. "_" end
  -- count: the rows of a cell, or its non-NA values when `values` is given
  local function cell()
    if how == "count" then return (values and agg.count(values) or agg.count()):as(vname) end
    return agg[how](values):as(vname)
  end
  local long = check.call("pivot", function() return f:group_by(table.unpack(keys)):agg(cell()) end)
  -- the row and column totals are computed only when they are output (a
  -- total that overflows must not fail a pivot that does not show it)
  local totals = spec.totals
  local row_keys = check.call("pivot", function()
    return f:group_by(table.unpack(rows)):agg(totals and cell() or agg.count():as(vname))
  end)
  local col_values = check.call("pivot", function()
    return f:group_by(cols):agg(totals and cell() or agg.count():as(vname))
  end)
  local ctype = long:column(vname):type()

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
  if empty ~= NA then
    local ok = pcall(build.column, { empty }, ctype)
    if not ok then
      check.fail("pivot", "option 'fill' must be a value of the cells' type (" .. ctype .. "), got "
        .. (math.type(empty) or type(empty)) .. " " .. tostring(empty))
    end
  end
  local by_label, labels = {}, {}
  for j = 1, col_values:nrow() do
    local lab = label(col_values:get(cols, j))
    if by_label[lab] then check.fail("pivot", "two values of '" .. cols .. "' print as '" .. lab .. "'") end
    if is_key[lab] then
      check.fail("pivot", "a value of '" .. cols .. "' prints as '" .. lab .. "', the name of a 'rows' column")
    end
    if totals and lab == "Total" then
      check.fail("pivot", "a value of '" .. cols .. "' prints as 'Total', the name of the totals column")
    end
    local arr = {}
    for i = 1, nrow do arr[i] = empty end
    by_label[lab], labels[j] = arr, lab
  end
  for i = 1, long:nrow() do
    local v = long:get(vname, i)
    if v ~= nil then by_label[label(long:get(cols, i))][position[row_id(long, i)]] = v end
  end
  for _, lab in ipairs(labels) do
    names[#names + 1] = lab
    columns[#columns + 1] = check.call("pivot", build.column, by_label[lab], ctype)
  end
  if totals then
    names[#names + 1] = "Total"
    columns[#columns + 1] = row_keys:column(vname)
  end
  local wide = check.call("pivot", core.frame_from, names, columns, nrow)
  if totals then
    -- the Total row: each column's aggregate over its rows, and the grand
    -- total; every cell built with its column's type (dates stay dates)
    local total = {}
    for k, name in ipairs(rows) do
      total[name] = (k == 1 and wide:column(name):type() == "str") and "Total" or NA
    end
    for j, lab in ipairs(labels) do total[lab] = col_values:get(vname, j) end
    total.Total = check.call("pivot", function() return f:agg(cell()):get(vname, 1) end)
    local row = {}
    for k, name in ipairs(names) do
      local v = total[name]
      if v == nil then v = NA end
      row[k] = check.call("pivot", build.column, { v }, wide:column(name):type())
    end
    wide = check.call("pivot", build.concat, wide, check.call("pivot", core.frame_from, names, row, 1))
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
  if type(spec) ~= "table" then check.fail("unpivot", "expected {cols = {...}, id = {...}}") end
  for k in pairs(spec) do
    if not (k == "cols" or k == "id" or k == "names_to" or k == "values_to") then
      check.fail("unpivot", "unknown option '" .. tostring(k) .. "'")
    end
  end
  check.arg(type(spec.cols) == "table" and #spec.cols > 0, "unpivot", "cols", "must be a non-empty array of column names")
  local names_to, values_to = spec.names_to or "name", spec.values_to or "value"
  check.arg(type(names_to) == "string" and names_to ~= "", "unpivot", "names_to", "must be a non-empty string")
  check.arg(type(values_to) == "string" and values_to ~= "", "unpivot", "values_to", "must be a non-empty string")
  if names_to == values_to then check.fail("unpivot", "names_to and values_to are both '" .. names_to .. "'") end
  local stacked, numeric, kinds = {}, { int = true, float = true }, {}
  for i, c in ipairs(spec.cols) do
    check.arg(type(c) == "string", "unpivot", "cols[" .. i .. "]", "must be a column name, got " .. type(c))
    if not f:has(c) then check.fail("unpivot", "no column named '" .. c .. "'") end
    if stacked[c] then check.fail("unpivot", "'" .. c .. "' appears twice in 'cols'") end
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
  local seen_id = {}
  for i, c in ipairs(id) do
    check.arg(type(c) == "string", "unpivot", "id[" .. i .. "]", "must be a column name, got " .. type(c))
    if seen_id[c] then check.fail("unpivot", "'" .. c .. "' appears twice in 'id'") end
    seen_id[c] = true
    if not f:has(c) then check.fail("unpivot", "no column named '" .. c .. "'") end
    if stacked[c] then check.fail("unpivot", "'" .. c .. "' is both an id and a stacked column") end
    if c == names_to or c == values_to then
      check.fail("unpivot", "the id column '" .. c .. "' has the name given to " .. (c == names_to and "names_to" or "values_to"))
    end
  end
  -- int with float stacks as float, also when there are no rows
  local any_float = false
  for _, c in ipairs(spec.cols) do any_float = any_float or f:column(c):type() == "float" end
  local parts = {}
  for i, c in ipairs(spec.cols) do
    local names, cols = {}, {}
    for k, name in ipairs(id) do names[k], cols[k] = name, f:column(name) end
    names[#names + 1] = names_to
    cols[#cols + 1] = core.eval(f, expr.lit(c))
    names[#names + 1] = values_to
    local values = f:column(c)
    if any_float and values:type() == "int" then values = core.eval(f, expr.col(c):cast("float")) end
    cols[#cols + 1] = values
    parts[i] = check.call("unpivot", core.frame_from, names, cols, f:nrow())
  end
  return check.call("unpivot", build.concat, table.unpack(parts))
end

return M

--- Frame verbs that pick, rename, convert or summarize columns and rows:
-- `select`, `rename`, `head`, `tail`, `slice`, `cast`, `fill_na`,
-- `distinct`, `nfc`, `rows`, `totable`, `describe`.  Each returns a new frame
-- and leaves its input unchanged; unchanged columns are shared, not copied.
-- They are frame methods (`f:select(...)`, see zonestat.frame).
-- @module zonestat.verbs

local core = require "zonestat.core"
local check = require "zonestat.check"
local build = require "zonestat.build"
require "zonestat.frame"

local NA = core.NA
local M = {}

local TYPES = { bool = true, int = true, float = true, date = true, str = true }

-- the frame a verb is called on (f:verb(...); f.verb(x) with x not a frame raises)
local function self(fname, f) return check.frame(fname, f, "self", 1) end

--- Column names given as varargs or as one array, each checked: an array
-- of names and a count (so that a nil among them is caught).
local function name_list(fname, f, ...)
  local n, names = select("#", ...), { ... }
  if n == 1 and type(names[1]) == "table" then names = names[1]; n = #names end
  for i = 1, n do
    local name = names[i]
    check.arg(type(name) == "string", fname, i, "must be a column name, got " .. type(name), 1)
    if not f:has(name) then check.fail(fname, "no column named '" .. name .. "'", 1) end
  end
  return names, n
end

--- Keep some columns, in the order given.
-- @param ... column names (or one array of names)
-- @treturn Frame
function M.select(f, ...)
  self("select", f)
  check.arg(select("#", ...) > 0, "select", 1, "must name a column (or be an array of names)")
  local names = name_list("select", f, ...)
  local cols, seen = {}, {}
  for i, name in ipairs(names) do
    if seen[name] then check.fail("select", "column '" .. name .. "' named twice") end
    seen[name] = true
    cols[i] = f:column(name)
  end
  return core.frame_from(names, cols, f:nrow())
end

--- Rename columns.
-- @tparam table map old name → new name
-- @treturn Frame
function M.rename(f, map)
  self("rename", f)
  check.arg(type(map) == "table", "rename", 1, "must be a table of old = new names")
  for old, new in pairs(map) do
    if not f:has(old) then check.fail("rename", "no column named '" .. tostring(old) .. "'") end
    if type(new) ~= "string" or new == "" then
      check.fail("rename", "new name for '" .. old .. "' must be a non-empty string")
    end
  end
  local names, cols, seen = {}, core.columns(f), {}
  for i, name in ipairs(f:names()) do
    local new = map[name] or name
    if seen[new] then check.fail("rename", "two columns would be named '" .. new .. "'") end
    seen[new] = true
    names[i] = new
  end
  return core.frame_from(names, cols, f:nrow())
end

--- The first n rows (default 6).
-- @tparam[opt] integer n
function M.head(f, n)
  self("head", f)
  n = n or 6
  check.integer("head", n, "n")
  return core.slice(f, 1, n)
end

--- The last n rows (default 6).
-- @tparam[opt] integer n
function M.tail(f, n)
  self("tail", f)
  n = n or 6
  check.integer("tail", n, "n")
  local from = f:nrow() - n + 1
  if from < 1 then from = 1 end
  return core.slice(f, from, f:nrow() - from + 1)
end

--- Rows i..j (1-based, inclusive; clamped to the frame).
-- @tparam integer i
-- @tparam[opt] integer j (default: the last row)
function M.slice(f, i, j)
  self("slice", f)
  check.arg(math.type(i) == "integer", "slice", "i", "must be an integer")
  local n = f:nrow()
  if j == nil then j = n end
  check.arg(math.type(j) == "integer", "slice", "j", "must be an integer")
  -- clamp first, so that j - i + 1 cannot overflow
  if i < 1 then i = 1 end
  if j > n then j = n end
  if j < i then return core.slice(f, 1, 0) end
  return core.slice(f, i, j - i + 1)
end

--- Convert columns to other types.
-- @tparam table spec column name → type name ("bool", "int", "float", "date", "str")
-- @treturn Frame
function M.cast(f, spec)
  self("cast", f)
  check.arg(type(spec) == "table", "cast", 1, "must be a table of column = type")
  for name, t in pairs(spec) do
    if type(name) ~= "string" or not f:has(name) then check.fail("cast", "no column named '" .. tostring(name) .. "'") end
    if not TYPES[t] then
      check.fail("cast", "type for '" .. name .. "' must be bool, int, float, date or str, got "
        .. (type(t) == "string" and ("'" .. t .. "'") or type(t)))
    end
  end
  local names, cols = f:names(), core.columns(f)
  for i, name in ipairs(names) do
    if spec[name] then cols[i] = check.call("cast", core.cast, cols[i], spec[name], name) end
  end
  return core.frame_from(names, cols, f:nrow())
end

--- Replace NA values.
-- @tparam table spec column name → value of the column's type
-- @treturn Frame
function M.fill_na(f, spec)
  self("fill_na", f)
  check.arg(type(spec) == "table", "fill_na", 1, "must be a table of column = value")
  for name, v in pairs(spec) do
    if type(name) ~= "string" or not f:has(name) then
      check.fail("fill_na", "no column named '" .. tostring(name) .. "'")
    end
    if core.is_na(v) then check.fail("fill_na", "fill value for '" .. name .. "' must not be NA (or NaN)") end
  end
  local names, cols = f:names(), core.columns(f)
  for i, name in ipairs(names) do
    if spec[name] ~= nil then cols[i] = check.call("fill_na", core.fill_na, cols[i], spec[name], name) end
  end
  return core.frame_from(names, cols, f:nrow())
end

--- Distinct rows, in order of first appearance.
-- With column names, only those columns are kept (as dplyr's distinct).
-- @param ... column names (none: all columns)
-- @treturn Frame
function M.distinct(f, ...)
  self("distinct", f)
  local names, n = name_list("distinct", f, ...)
  local g = f
  if n > 0 then g = M.select(f, names) end
  local pos = {}
  for j = 1, g:ncol() do pos[j] = j end
  return core.take(g, core.distinct_rows(g, pos))
end

--- Every str column (or the named ones) in Unicode NFC, so that text typed
-- with combining marks and precomposed text compare equal.
-- @tparam[opt] {string,...} names the columns (default: every str column)
-- @return[1] Frame
-- @return[2] nil
-- @treturn[2] string "column 'name': row N: invalid UTF-8"
-- @treturn[2] string the column's name
-- @treturn[2] integer the row
function M.nfc(f, names)
  self("nfc", f)
  check.arg(names == nil or type(names) == "table", "nfc", 1, "must be an array of column names")
  local want
  if names then
    want = {}
    for _, name in ipairs(check.columns("nfc", f, names)) do want[name] = true end
  end
  local cols, list = core.columns(f), f:names()
  for j, name in ipairs(list) do
    if (want == nil or want[name]) and cols[j]:type() == "str" then
      local nc, row, msg = core.nfc_column(cols[j])
      if not nc then return nil, string.format("column '%s': row %d: %s", name, row, msg), name, row end
      cols[j] = nc
    elseif want and want[name] then
      check.fail("nfc", "column '" .. name .. "' is " .. cols[j]:type() .. ", not str")
    end
  end
  return core.frame_from(list, cols, f:nrow())
end

--- Iterate over rows as tables (name → value; NA values are absent).
-- @usage for row in f:rows() do print(row.zone, row.capital) end
function M.rows(f)
  self("rows", f)
  local i, n = 0, f:nrow()
  return function()
    i = i + 1
    if i <= n then return core.row(f, i) end
  end
end

--- The frame as a table name → array of values (`zs.NA` for missing),
-- which `zs.frame(t, f:names())` turns back into the same frame.
function M.totable(f)
  self("totable", f)
  local t, cols = {}, core.columns(f)
  for i, name in ipairs(f:names()) do t[name] = cols[i]:totable() end
  return t
end

-- a min or max as describe shows it: numbers as the printer and writers do
-- (Inf, -Inf; integers exact), text and dates as they are
local function text_of(v)
  if type(v) == "number" then return core.format_number(v) end
  return tostring(v)
end

--- Summary statistics: one row per column with its type, count of values
-- and of NA, distinct values, min, max, mean and sd (sample) where they apply.
-- @treturn Frame
function M.describe(f)
  self("describe", f)
  local rows = {}
  local cols = core.columns(f)
  for i, name in ipairs(f:names()) do
    local c = cols[i]
    local t = c:type()
    local numeric = t == "int" or t == "float"
    local row = {
      column = name, type = t, count = c:count(), na = c:na_count(),
      distinct = core.distinct_rows(core.frame_from({ "x" }, { c }), { 1 }):count()
        - (c:na_count() > 0 and 1 or 0),
    }
    if t ~= "bool" then
      local mn, mx = c:min(), c:max()
      row.min = mn ~= nil and text_of(mn) or NA
      row.max = mx ~= nil and text_of(mx) or NA
    else
      row.min, row.max = NA, NA
    end
    row.mean = numeric and c:mean() or NA
    row.sd = numeric and c:sd() or NA
    if row.mean == nil then row.mean = NA end
    if row.sd == nil then row.sd = NA end
    rows[i] = row
  end
  return build.from_rows(rows, { "column", "type", "count", "na", "distinct", "min", "max", "mean", "sd" })
end

return M

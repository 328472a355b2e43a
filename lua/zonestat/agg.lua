--- Aggregation specs and group-by: `zs.sum("v")`, `f:group_by(...):agg(...)`,
-- `f:agg(...)`.  The work happens in the C core (group.c, agg.c); this
-- module checks arguments and names outputs.
-- @module zonestat.agg

local core = require "zonestat.core"
local check = require "zonestat.check"
require "zonestat.frame"

local M = {}

local Spec = check.class("zonestat.Spec")
Spec.__index = Spec

--- Name the output column of an aggregate.
-- @tparam string name
function Spec:as(name)
  check.arg(check.is(self, Spec), "as", "self", "must be an aggregate (zs.sum(...):as(name))")
  check.arg(type(name) == "string" and name ~= "", "as", "name", "must be a non-empty string")
  local s = setmetatable({}, Spec)
  for k, v in pairs(self) do s[k] = v end
  s.name = name
  return s
end

local function is_spec(x) return check.is(x, Spec) end

local function unary(op)
  return function(col)
    check.name(op, col)
    return setmetatable({ op = op, col = col, name = col .. "_" .. op }, Spec)
  end
end

--- Rows (`zs.count()`, named `n`) or non-NA values of a column.
function M.count(col)
  if col == nil then return setmetatable({ op = "count", name = "n" }, Spec) end
  check.name("count", col)
  return setmetatable({ op = "count", col = col, name = col .. "_count" }, Spec)
end

--- Sum: exact int64 for int columns (an error on overflow), compensated for floats.
M.sum = unary("sum")
--- Mean.
M.mean = unary("mean")
M.min = unary("min")
M.max = unary("max")
--- Sample variance and standard deviation (divisor n − 1).
M.var = unary("var")
M.sd = unary("sd")
--- Exact median (mean of the two middle values for an even count).
M.median = unary("median")
M.nunique = unary("nunique")
--- First / last non-NA value in row order.
M.first = unary("first")
M.last = unary("last")
--- Group sum over the total sum.
M.share = unary("share")

--- Exact quantile: Hyndman–Fan type 7 (default, as R, numpy, pandas and
-- DuckDB's quantile_cont) or type 1 (an observed value).
-- @tparam string col
-- @tparam number p in [0, 1]
-- @tparam[opt] number qtype 7 or 1
function M.quantile(col, p, qtype)
  check.name("quantile", col)
  check.arg(type(p) == "number" and p >= 0 and p <= 1, "quantile", "p", "must be a number in [0, 1]")
  check.arg(qtype == nil or qtype == 7 or qtype == 1, "quantile", "type", "must be 7 or 1")
  return setmetatable({ op = "quantile", col = col, p = p, type = qtype or 7, name = col .. "_quantile" }, Spec)
end

--- Pearson correlation over the rows where both values are present.
function M.corr(a, b)
  check.name("corr", a, "a")
  check.name("corr", b, "b")
  return setmetatable({ op = "corr", col = a, col2 = b, name = a .. "_" .. b .. "_corr" }, Spec)
end

--- The k largest values of each group, largest first, one row each (long
-- format; ties in row order).  A k beyond a group's size gives the whole
-- group (`math.maxinteger` for all of them, sorted).
-- @tparam string col
-- @tparam integer k at least 1
function M.top(col, k)
  check.name("top", col)
  check.integer("top", k, "k", 1)
  return setmetatable({ op = "top", col = col, k = k, name = col .. "_top" }, Spec)
end

M.is_spec = is_spec

local function collect_specs(keys, ...)
  local specs, seen = {}, {}
  for _, key in ipairs(keys) do seen[key] = true end
  for i = 1, select("#", ...) do
    local s = select(i, ...)
    if not is_spec(s) then check.arg(false, "agg", i, "is not an aggregate (zs.sum, zs.count, ...)", 1) end
    if seen[s.name] then
      check.fail("agg", "two output columns would be named '" .. s.name .. "'; rename one with :as()", 1)
    end
    seen[s.name] = true
    specs[i] = s
  end
  if #specs == 0 then check.fail("agg", "no aggregate given", 1) end
  return specs
end

local Grouped = check.class("zonestat.Grouped")
Grouped.__index = Grouped

--- Group rows by key columns.
-- Groups come out sorted by key, ascending, NA last; `{sort = false}` as
-- the last argument keeps the order of first appearance.  NA keys form a
-- group of their own.
-- @param ... key column names, optionally followed by an options table
-- @treturn Grouped with `:agg(spec, ...)`
function M.group_by(f, ...)
  local keys, sort = {}, true
  for i = 1, select("#", ...) do
    local a = select(i, ...)
    if type(a) == "table" and i == select("#", ...) then
      check.options("group_by", a, { sort = { function(v) return type(v) == "boolean" end, "a boolean" } })
      if a.sort == false then sort = false end
    else
      check.arg(type(a) == "string", "group_by", i, "must be a column name, got " .. type(a))
      keys[#keys + 1] = a
    end
  end
  if #keys == 0 then check.fail("group_by", "no key column given") end
  local seen = {}
  for _, key in ipairs(keys) do
    if seen[key] then check.fail("group_by", "key '" .. key .. "' is given twice") end
    seen[key] = true
  end
  check.columns("group_by", f, keys, "keys")
  return setmetatable({ frame = f, keys = keys, sort = sort }, Grouped)
end

--- Aggregate each group: the keys, then one column per spec, in order.
function Grouped:agg(...)
  check.arg(check.is(self, Grouped), "agg", "self", "must be a grouped frame (f:group_by(...):agg(...))")
  local specs = collect_specs(self.keys, ...)
  return check.call("agg", core.group_agg, self.frame, self.keys, self.sort, specs)
end

function Grouped.__tostring(g)
  return "grouped frame (" .. table.concat(g.keys, ", ") .. "), " .. g.frame:nrow() .. " rows"
end

--- Aggregate the whole frame into one row.
function M.agg(f, ...)
  local specs = collect_specs({}, ...)
  return check.call("agg", core.group_agg, f, {}, true, specs)
end

M.Spec = Spec

return M

--- Column expressions: `zs.col("x") * 2 + zs.col("y")`, comparisons by
-- method (`:eq :ne :lt :le :gt :ge :isin :is_na`), `&` (and), `|` (or),
-- `~` (not), date parts, `fill_na`, ranks and a few functions.  An
-- expression is a plain tree of tables; `f:filter` and `f:mutate` hand it to
-- the C core, which evaluates it over whole columns.
--
-- NA propagates through arithmetic and comparisons; `&` and `|` use
-- three-valued logic (false & NA is false, true | NA is true); `filter`
-- keeps the rows where the condition is true.
--
-- The frame verbs that evaluate expressions live here too: `f:filter` and
-- `f:mutate` (methods through zonestat.frame).
-- @module zonestat.expr

local core = require "zonestat.core"
local check = require "zonestat.check"
local build = require "zonestat.build"
require "zonestat.frame"

local NA = core.NA
local M = {}

local Expr = {}
Expr.__index = Expr

local function is_expr(x) return getmetatable(x) == Expr end

local function node(t) return setmetatable(t, Expr) end

--- Wrap a Lua value as a literal (numbers, strings, booleans, zs.NA).
local function lift(x)
  if is_expr(x) then return x end
  local t = type(x)
  if t == "number" or t == "string" or t == "boolean" or x == NA then return node { op = "lit", value = x } end
  error("expression operand must be an expression, a number, a string or a boolean, got " .. t, 3)
end

local function binary(op) return function(a, b) return node { op = op, a = lift(a), b = lift(b) } end end

--- A reference to a column.
-- @tparam string name
-- @usage zs.col("capital") / 1e6
function M.col(name)
  check.arg(type(name) == "string", "col", "name", "must be a string")
  return node { op = "col", name = name }
end

--- A literal value as an expression.
-- @param value a number, string, boolean or `zs.NA`
function M.lit(value) return lift(value) end

--- Is `x` an expression?
function M.is_expr(x) return is_expr(x) end

Expr.__add = binary("add")
Expr.__sub = binary("sub")
Expr.__mul = binary("mul")
Expr.__div = binary("div")
Expr.__mod = binary("mod")
Expr.__pow = binary("pow")
Expr.__band = binary("and")
Expr.__bor = binary("or")
Expr.__unm = function(a) return node { op = "neg", a = a } end
Expr.__bnot = function(a) return node { op = "not", a = a } end

for _, op in ipairs({ "eq", "ne", "lt", "le", "gt", "ge" }) do
  Expr[op] = function(a, b) return node { op = op, a = a, b = lift(b) } end
end

--- True where the value is one of `values` (NA stays NA).
function Expr:isin(values)
  if type(values) ~= "table" then error("isin: expected an array of values", 2) end
  return node { op = "isin", a = self, values = values }
end

function Expr:is_na() return node { op = "is_na", a = self } end
function Expr:year() return node { op = "year", a = self } end
function Expr:month() return node { op = "month", a = self } end
function Expr:day() return node { op = "day", a = self } end

--- The quarter of a date: 1 (January–March) to 4 (October–December).
-- An int column; NA where the date is NA; an error naming `quarter` when the
-- operand is not a date.
-- @treturn Expr
-- @usage p:mutate{q = zs.col("license_date"):quarter()}
function Expr:quarter() return node { op = "quarter", a = self } end

--- The half-year of a date: 1 (January–June) or 2 (July–December).
-- An int column; NA where the date is NA; an error naming `half` when the
-- operand is not a date.
-- @treturn Expr
function Expr:half() return node { op = "half", a = self } end

--- The ISO 8601 week number of a date, 1 to 53. Weeks start on Monday and
-- week 1 is the week with the year's first Thursday, so 29–31 December can
-- be week 1 of the next year and 1–3 January week 52 or 53 of the previous
-- one: pair it with `:iso_year()`, not `:year()`. An int column; NA where the
-- date is NA; an error naming `week` when the operand is not a date.
-- @treturn Expr
-- @usage f:mutate{wy = zs.col("d"):iso_year(), wk = zs.col("d"):week()}  -- 2021-01-03: 2020, 53
function Expr:week() return node { op = "week", a = self } end

--- The ISO 8601 week-numbering year of a date (the year of the Thursday of
-- its week), the year that goes with `:week()`. An int column; NA where the
-- date is NA; an error naming `iso_year` when the operand is not a date.
-- @treturn Expr
-- @usage zs.col("d"):iso_year()  -- 2024-12-30 gives 2025
function Expr:iso_year() return node { op = "iso_year", a = self } end

--- The value, or `v` where it is NA (`v` a value or another expression).
function Expr:fill_na(v)
  if v == nil or v == NA then error("fill_na: the fill value must not be NA", 2) end
  if is_expr(v) then return node { op = "coalesce", a = self, b = v } end
  return node { op = "fill_na", a = self, value = v }
end

--- Convert to another type ("int", "float", "str", "date", "bool").
function Expr:cast(t) return node { op = "cast", a = self, type = t } end

for _, fn in ipairs({ "abs", "floor", "ceil", "sqrt", "log", "exp" }) do
  Expr[fn] = function(a) return node { op = fn, a = a } end
end

--- Round half away from zero to `digits` decimals (default 0).
function Expr:round(digits)
  if digits ~= nil and math.type(digits) ~= "integer" then error("round: digits must be an integer", 2) end
  return node { op = "round", a = self, digits = digits or 0 }
end

local function rank_node(self, opts, dense)
  opts = opts or {}
  if type(opts) ~= "table" then error("rank: options must be a table", 3) end
  local by = opts.by
  if type(by) == "string" then by = { by } end
  return node { op = "rank", a = self, desc = opts.desc and true or false, dense = dense, by = by }
end

--- Rank (1 = smallest; `{desc = true}`: 1 = largest), ties sharing the
-- lowest rank as SQL's RANK; `{by = {...}}` ranks within groups.
function Expr:rank(opts) return rank_node(self, opts, false) end

--- Dense rank: ties share a rank and ranks have no gaps (SQL DENSE_RANK).
function Expr:dense_rank(opts) return rank_node(self, opts, true) end

local symbols = { add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^", ["and"] = "&", ["or"] = "|" }

function Expr.__tostring(e)
  if e.op == "col" then return e.name end
  if e.op == "lit" then return type(e.value) == "string" and string.format("%q", e.value) or tostring(e.value) end
  if symbols[e.op] then return "(" .. tostring(e.a) .. " " .. symbols[e.op] .. " " .. tostring(e.b) .. ")" end
  if e.op == "neg" then return "-" .. tostring(e.a) end
  if e.op == "not" then return "~" .. tostring(e.a) end
  if e.b then return tostring(e.a) .. ":" .. e.op .. "(" .. tostring(e.b) .. ")" end
  return tostring(e.a) .. ":" .. e.op .. "()"
end

M.Expr = Expr

-- ---- the verbs ---------------------------------------------------------------

--- Evaluate an expression, a Lua function of a row, a Column or a constant
-- into a column of f's length, for the API function `fname` (this is called
-- one level below it).
function M.evaluate(f, e, fname)
  if is_expr(e) then
    return check.call_from(1, fname, core.eval, f, e)
  elseif core.type(e) == "column" then
    if #e ~= f:nrow() then check.fail(fname, "the column has " .. #e .. " values for " .. f:nrow() .. " rows", 1) end
    return e
  elseif type(e) == "function" then
    local values, n, row = {}, f:nrow(), {}
    for i = 1, n do
      for k in pairs(row) do row[k] = nil end
      local v = e(core.row(f, i, row), i)
      if v == nil then v = NA end
      values[i] = v
    end
    return check.call_from(1, fname, build.column_named, values, "result")
  elseif type(e) == "number" or type(e) == "string" or type(e) == "boolean" then
    return check.call_from(1, fname, core.eval, f, lift(e))
  end
  check.fail(fname, "expected an expression, a function of a row, a Column or a value, got " .. type(e), 1)
end

--- Keep the rows where the condition is true.
-- @param cond an expression, a Lua function of a row table (slow path) or a bool Column
-- @treturn Frame
-- @usage ops = p:filter(zs.col("status"):eq("operating") & zs.col("capital"):gt(1e6))
function M.filter(f, cond)
  check.arg(cond ~= nil, "filter", 1, "must be a condition, got nil")
  local c = M.evaluate(f, cond, "filter")
  if c:type() ~= "bool" then check.fail("filter", "the condition is " .. c:type() .. ", not bool") end
  return core.filter_rows(f, c)
end

--- Add or replace columns.
-- `f:mutate{name = expr, ...}` (new columns in sorted name order; every
-- expression sees the input frame) or `f:mutate(name, expr)`.
-- @treturn Frame
function M.mutate(f, spec, e)
  if type(spec) == "string" then
    check.arg(e ~= nil, "mutate", 2, "must be an expression or a value, got nil")
    spec = { [spec] = e }
  end
  if type(spec) ~= "table" or is_expr(spec) then
    check.fail("mutate", "expected {name = expression, ...} or (name, expression)")
  end
  local new = {}
  for name, ex in pairs(spec) do
    if type(name) ~= "string" or name == "" then check.fail("mutate", "column names must be non-empty strings") end
    new[name] = M.evaluate(f, ex, "mutate '" .. name .. "'")
  end
  local names, cols = f:names(), core.columns(f)
  local added = {}
  for name in pairs(new) do
    if not f:has(name) then added[#added + 1] = name end
  end
  table.sort(added)
  for i, name in ipairs(names) do
    if new[name] then cols[i] = new[name] end
  end
  for _, name in ipairs(added) do
    names[#names + 1] = name
    cols[#cols + 1] = new[name]
  end
  return core.frame_from(names, cols, f:nrow())
end

return M

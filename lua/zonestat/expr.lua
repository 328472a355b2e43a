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

-- the deepest expression the core evaluates (nodes on the longest path)
local MAX_DEPTH = core.expr_max_depth
local MINT_MSG = "math.mininteger is reserved for NA: the int range is -(2^63 - 1) to 2^63 - 1"

--- Wrap a Lua value as a literal (numbers, strings, booleans, zs.NA).
-- `level` is the error level of the API function's caller (default 3).
local function lift(x, level)
  if is_expr(x) then return x end
  local t = type(x)
  if x == math.mininteger and math.type(x) == "integer" then error("literal " .. MINT_MSG, level or 3) end
  if t == "number" or t == "string" or t == "boolean" or x == NA then return node { op = "lit", value = x } end
  error("expression operand must be an expression, a number, a string or a boolean, got " .. t, level or 3)
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
-- `math.mininteger` raises: it is the int NA, so the int range is ±(2^63 − 1).
-- @param value a number, string, boolean or `zs.NA`
-- @treturn Expr
function M.lit(value)
  local t = type(value)
  if not (t == "number" or t == "string" or t == "boolean" or value == NA or is_expr(value)) then
    error("lit: argument #1 must be a number, a string, a boolean or zs.NA, got " .. t, 2)
  end
  if value == math.mininteger and math.type(value) == "integer" then error("lit: " .. MINT_MSG, 2) end
  return lift(value, 3)
end

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

-- Lua's < <= // cannot build expressions (Lua turns the result of < into a
-- boolean): say what to use instead of "attempt to compare two table values"
Expr.__lt = function() error("expressions compare with :lt(), :le(), :gt(), :ge(), :eq() and :ne(), not with < or <=", 2) end
Expr.__le = Expr.__lt
Expr.__idiv = function() error("expressions have no //: use (a / b):floor()", 2) end

for _, op in ipairs({ "eq", "ne", "lt", "le", "gt", "ge" }) do
  Expr[op] = function(a, b)
    if b == nil then error(op .. ": argument #1 must be a value or an expression, got nil (use :is_na() for NA)", 2) end
    return node { op = op, a = lift(a), b = lift(b) }
  end
end

--- True where the value is one of `values` (NA stays NA). Numbers compare
-- exactly (an int matches a float only when the float is that integer);
-- a date column takes `yyyy-mm-dd` strings; a value of another type than the
-- column matches nothing.
-- @tparam table values an array
-- @treturn Expr
function Expr:isin(values)
  if type(values) ~= "table" then error("isin: expected an array of values", 2) end
  local n, count = 0, 0
  for k in pairs(values) do
    if math.type(k) ~= "integer" or k < 1 then error("isin: expected an array of values, got the key " .. tostring(k), 2) end
    if k > n then n = k end
    count = count + 1
  end
  if n > 2 * count + 16 then
    error("isin: expected an array of values, got a sparse table (largest index " .. n .. ", " .. count .. " values)", 2)
  end
  local copy = {}
  for i = 1, n do
    local v = values[i]
    local t = type(v)
    if not (t == "number" or t == "string" or t == "boolean" or v == NA or v == nil) then
      error("isin: value #" .. i .. " must be a number, a string or a boolean, got " .. t, 2)
    end
    copy[i] = v == nil and NA or v
  end
  return node { op = "isin", a = self, values = copy }
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
  local t = type(v)
  if not (t == "number" or t == "string" or t == "boolean") then
    error("fill_na: the fill value must be a number, a string, a boolean or an expression, got " .. t, 2)
  end
  if v == math.mininteger and math.type(v) == "integer" then error("fill_na: " .. MINT_MSG, 2) end
  return node { op = "fill_na", a = self, value = v }
end

local types = { bool = true, int = true, float = true, date = true, str = true }

--- Convert to another type ("int", "float", "str", "date", "bool").
function Expr:cast(t)
  if not types[t] then error("cast: argument #1 must be bool, int, float, date or str, got " .. tostring(t), 2) end
  return node { op = "cast", a = self, type = t }
end

for _, fn in ipairs({ "abs", "floor", "ceil", "sqrt", "log", "exp" }) do
  Expr[fn] = function(a) return node { op = fn, a = a } end
end

--- Round half away from zero to `digits` decimals (default 0; an integer,
-- or a float with an integer value). Negative `digits` round to tens,
-- hundreds, ...: int columns stay int and exact (1250 → 1300 for −2),
-- raising `integer overflow` when the result does not fit. For floats, a
-- `digits` above 308 leaves the value unchanged (as does any digit beyond
-- the 52 bits of the value's fraction); below −308 it gives 0; the result
-- is never −0; a rounding beyond the double range is ±Inf. `digits` beyond
-- ±400 acts as ±400 (nothing changes beyond).
-- @tparam[opt] integer digits
-- @treturn Expr
function Expr:round(digits)
  if digits ~= nil then
    local d = type(digits) == "number" and math.tointeger(digits) or nil
    if d == nil then error("round: argument #1 (digits) must be an integer, got " .. tostring(digits), 2) end
    digits = d
  end
  return node { op = "round", a = self, digits = digits or 0 }
end

local function rank_node(fname, self, opts, dense)
  opts = opts or {}
  if type(opts) ~= "table" then error(fname .. ": options must be a table", 3) end
  for k in pairs(opts) do
    if k ~= "by" and k ~= "desc" then error(fname .. ": unknown option '" .. tostring(k) .. "'", 3) end
  end
  local by = opts.by
  if type(by) == "string" then by = { by } end
  if by ~= nil then
    if type(by) ~= "table" then error(fname .. ": option 'by' must be a column name or an array of names", 3) end
    for i, name in ipairs(by) do
      if type(name) ~= "string" then
        error(fname .. ": option 'by' [" .. i .. "] must be a column name, got " .. type(name), 3)
      end
    end
  end
  return node { op = "rank", a = self, desc = opts.desc and true or false, dense = dense, by = by }
end

--- Rank (1 = smallest; `{desc = true}`: 1 = largest), ties sharing the
-- lowest rank as SQL's RANK; `{by = {...}}` ranks within groups.
function Expr:rank(opts) return rank_node("rank", self, opts, false) end

--- Dense rank: ties share a rank and ranks have no gaps (SQL DENSE_RANK).
function Expr:dense_rank(opts) return rank_node("dense_rank", self, opts, true) end

local symbols = { add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^", ["and"] = "&", ["or"] = "|" }

local MAX_TEXT = 4000

--- The expression as text, such as `((a + 1) * b)`. Bounded: beyond
-- MAX_TEXT bytes, or deeper than the evaluator's limit, it ends in `…`; a
-- node that is its own operand prints as `<cycle>`.
function Expr.__tostring(e)
  local out, len, onpath, cut = {}, 0, {}, false
  local function put(s)
    if len >= MAX_TEXT then cut = true return end
    out[#out + 1] = s
    len = len + #s
  end
  local function walk(x, depth)
    if len >= MAX_TEXT then cut = true return end
    if not is_expr(x) then
      if type(x) == "string" then put(string.format("%q", x)) else put(tostring(x)) end
      return
    end
    if onpath[x] then put("<cycle>") return end
    if depth > MAX_DEPTH then put("…") return end
    onpath[x] = true
    local op = x.op
    if op == "col" then put(tostring(x.name))
    elseif op == "lit" then walk(x.value == nil and NA or x.value, depth + 1)
    elseif symbols[op] then
      put("(") walk(x.a, depth + 1) put(" " .. symbols[op] .. " ") walk(x.b, depth + 1) put(")")
    elseif op == "neg" then put("-") walk(x.a, depth + 1)
    elseif op == "not" then put("~") walk(x.a, depth + 1)
    else
      walk(x.a, depth + 1)
      put(":" .. (op == "coalesce" and "fill_na" or tostring(op)) .. "(")
      if x.b ~= nil then walk(x.b, depth + 1)
      elseif op == "round" and x.digits ~= 0 then put(tostring(x.digits))
      elseif op == "cast" then put(string.format("%q", tostring(x.type)))
      elseif op == "fill_na" then walk(x.value, depth + 1)
      elseif op == "isin" and type(x.values) == "table" then
        put("{")
        for i, v in ipairs(x.values) do
          if i > 1 then put(", ") end
          if len >= MAX_TEXT then cut = true break end
          walk(v, depth + 1)
        end
        put("}")
      end
      put(")")
    end
    onpath[x] = nil
  end
  walk(e, 1)
  if cut then out[#out + 1] = "…" end
  return table.concat(out)
end

M.Expr = Expr

-- ---- the verbs ---------------------------------------------------------------

local kinds = { number = "a number", string = "a string", boolean = "a boolean" }

-- the values of a row function over f, checked: for filter true, false or
-- NA; otherwise a number, string, boolean or NA (nil: NA), of one kind
local function row_values(f, fn, fname, for_filter)
  local values, n, row = {}, f:nrow(), {}
  local first_kind, first_row
  for i = 1, n do
    for k in pairs(row) do row[k] = nil end
    local v = fn(core.row(f, i, row), i)
    local t = type(v)
    if for_filter then
      if t ~= "boolean" and v ~= NA then
        check.fail(fname, "the row function returned " .. (v == nil and "nil" or (kinds[t] or ("a " .. t)))
          .. " for row " .. i .. " (it must return true, false or zs.NA"
          .. (v == nil and "; a missing return gives nil, and `x and x > 2` is nil where x is NA" or "") .. ")", 2)
      end
    elseif v == nil or v == NA or (t == "number" and v ~= v) then
      v = NA
    else
      if not kinds[t] then
        check.fail(fname, "the row function returned a " .. t .. " for row " .. i
          .. " (it must return a number, a string, a boolean, nil or zs.NA)", 2)
      end
      if v == math.mininteger and math.type(v) == "integer" then
        check.fail(fname, "the row function returned math.mininteger for row " .. i .. ": " .. MINT_MSG, 2)
      end
      if not first_kind then
        first_kind, first_row = t, i
      elseif t ~= first_kind then
        check.fail(fname, "the row function returned " .. kinds[first_kind] .. " for row " .. first_row .. " but "
          .. kinds[t] .. " for row " .. i .. " (a column has one type)", 2)
      end
    end
    values[i] = v
  end
  return values
end

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
    local values = row_values(f, e, fname, fname == "filter")
    return check.call_from(1, fname, build.column_named, values, "result", fname == "filter" and "bool" or nil)
  elseif type(e) == "number" or type(e) == "string" or type(e) == "boolean" or e == NA then
    if e == math.mininteger and math.type(e) == "integer" then check.fail(fname, "literal " .. MINT_MSG, 1) end
    return check.call_from(1, fname, core.eval, f, lift(e))
  end
  check.fail(fname, "expected an expression, a function of a row, a Column or a value, got " .. type(e), 1)
end

--- Keep the rows where the condition is true (false and NA drop the row).
-- @param cond an expression, a Lua function of a row table (slow path;
--   it must return true, false or zs.NA: nil raises, naming the row) or a
--   bool Column. A plain Lua boolean or zs.NA is refused: a boolean usually
--   comes from `==` on an expression, which Lua evaluates itself (use
--   `:eq()`, `:lt()`, ...).
-- @treturn Frame
-- @usage ops = p:filter(zs.col("status"):eq("operating") & zs.col("capital"):gt(1e6))
function M.filter(f, cond)
  check.arg(cond ~= nil, "filter", 1, "must be a condition, got nil")
  check.arg(type(cond) ~= "boolean", "filter", 1, "must be an expression, a function or a bool Column, got the Lua "
    .. "boolean " .. tostring(cond) .. " (expressions compare with :eq(), :lt(), ...; Lua's == compares tables)")
  check.arg(cond ~= NA, "filter", 1, "must be an expression, a function or a bool Column, got zs.NA")
  local c = M.evaluate(f, cond, "filter")
  if c:type() ~= "bool" then check.fail("filter", "the condition is " .. c:type() .. ", not bool") end
  return core.filter_rows(f, c)
end

--- Add or replace columns.
-- `f:mutate{name = expr, ...}` (new columns in sorted name order; every
-- expression sees the input frame) or `f:mutate(name, expr)`. A value is an
-- expression, a Column of f's length, a constant (zs.NA gives a column of
-- NA), or a Lua function of a row (slow path) returning a number, string,
-- boolean, nil or zs.NA (nil and NaN are NA), the same kind on every row.
-- Errors are raised as `mutate 'name': message`.
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

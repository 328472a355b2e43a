--- Column expressions: `zs.col("x") * 2 + zs.col("y")`, comparisons by
-- method (`:eq :ne :lt :le :gt :ge :isin :is_na`), `&` (and), `|` (or),
-- `~` (not), date parts, `fill_na`, ranks and a few functions.  An
-- expression is a plain tree of tables; `f:filter` and `f:mutate` hand it to
-- the C core, which evaluates it over whole columns.
--
-- NA propagates through arithmetic and comparisons; `&` and `|` use
-- three-valued logic (false & NA is false, true | NA is true); `filter`
-- keeps the rows where the condition is true.
-- @module zonestat.expr

local Expr = {}
Expr.__index = Expr

local function is_expr(x) return getmetatable(x) == Expr end

local function node(t) return setmetatable(t, Expr) end

--- Wrap a Lua value as a literal (numbers, strings, booleans, zs.NA).
local function lift(x, NA)
  if is_expr(x) then return x end
  local t = type(x)
  if t == "number" or t == "string" or t == "boolean" or x == NA then return node { op = "lit", value = x } end
  error("expression operand must be an expression, a number, a string or a boolean, got " .. t, 3)
end

return function(zs)
  local NA = zs.NA
  local function wrap(x) return lift(x, NA) end
  local function binary(op) return function(a, b) return node { op = op, a = wrap(a), b = wrap(b) } end end

  --- A reference to a column.
  -- @tparam string name
  -- @usage zs.col("capital") / 1e6
  function zs.col(name)
    if type(name) ~= "string" then error("col: the column name must be a string", 2) end
    return node { op = "col", name = name }
  end

  --- A literal value as an expression.
  function zs.lit(value) return lift(value, NA) end

  --- Is `x` an expression?
  function zs.is_expr(x) return is_expr(x) end

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
    Expr[op] = function(a, b) return node { op = op, a = a, b = wrap(b) } end
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

  return Expr
end

--- Aggregation specs, group-by, filter, mutate, sort and top.
-- The work happens in the C core (group.c, agg.c, expr.c, sort.c); this
-- module checks arguments and names outputs.
-- @module zonestat.agg

local Spec = {}
Spec.__index = Spec

--- Name the output column of an aggregate.
-- @tparam string name
function Spec:as(name)
  if type(name) ~= "string" or name == "" then error("as: the name must be a non-empty string", 2) end
  local s = setmetatable({}, Spec)
  for k, v in pairs(self) do s[k] = v end
  s.name = name
  return s
end

local function is_spec(x) return getmetatable(x) == Spec end

local function check_col(name, what)
  if type(name) ~= "string" then error(what .. ": expected a column name", 3) end
end

return function(zs)
  local core = zs
  local methods = zs.frame_methods

  local function unary(op)
    return function(col)
      check_col(col, op)
      return setmetatable({ op = op, col = col, name = col .. "_" .. op }, Spec)
    end
  end

  --- Rows (`zs.count()`, named `n`) or non-NA values of a column.
  function zs.count(col)
    if col == nil then return setmetatable({ op = "count", name = "n" }, Spec) end
    check_col(col, "count")
    return setmetatable({ op = "count", col = col, name = col .. "_count" }, Spec)
  end

  --- Sum: exact int64 for int columns (an error on overflow), compensated for floats.
  zs.sum = unary("sum")
  --- Mean.
  zs.mean = unary("mean")
  zs.min = unary("min")
  zs.max = unary("max")
  --- Sample variance and standard deviation (divisor n − 1).
  zs.var = unary("var")
  zs.sd = unary("sd")
  --- Exact median (mean of the two middle values for an even count).
  zs.median = unary("median")
  zs.nunique = unary("nunique")
  --- First / last non-NA value in row order.
  zs.first = unary("first")
  zs.last = unary("last")
  --- Group sum over the total sum.
  zs.share = unary("share")

  --- Exact quantile: Hyndman–Fan type 7 (default, as R, numpy, pandas and
  -- DuckDB's quantile_cont) or type 1 (an observed value).
  -- @tparam string col
  -- @tparam number p in [0, 1]
  -- @tparam[opt] number qtype 7 or 1
  function zs.quantile(col, p, qtype)
    check_col(col, "quantile")
    if type(p) ~= "number" or p < 0 or p > 1 then error("quantile: p must be a number in [0, 1]", 2) end
    if qtype ~= nil and qtype ~= 7 and qtype ~= 1 then error("quantile: type must be 7 or 1", 2) end
    return setmetatable({ op = "quantile", col = col, p = p, type = qtype or 7, name = col .. "_quantile" }, Spec)
  end

  --- Pearson correlation over the rows where both values are present.
  function zs.corr(a, b)
    check_col(a, "corr")
    check_col(b, "corr")
    return setmetatable({ op = "corr", col = a, col2 = b, name = a .. "_" .. b .. "_corr" }, Spec)
  end

  --- The k largest values of each group, largest first, one row each (long format).
  function zs.top(col, k)
    check_col(col, "top")
    if math.type(k) ~= "integer" or k < 1 then error("top: k must be a positive integer", 2) end
    return setmetatable({ op = "top", col = col, k = k, name = col .. "_top" }, Spec)
  end

  zs.is_spec = is_spec

  local function collect_specs(keys, ...)
    local specs, seen = {}, {}
    for _, key in ipairs(keys) do seen[key] = true end
    for i = 1, select("#", ...) do
      local s = select(i, ...)
      if not is_spec(s) then error("agg: argument #" .. i .. " is not an aggregate (zs.sum, zs.count, ...)", 3) end
      if seen[s.name] then
        error("agg: two output columns would be named '" .. s.name .. "'; rename one with :as()", 3)
      end
      seen[s.name] = true
      specs[i] = s
    end
    if #specs == 0 then error("agg: no aggregate given", 3) end
    return specs
  end

  local function check_names(f, names, what)
    for _, name in ipairs(names) do
      if type(name) ~= "string" then error(what .. ": column names must be strings", 3) end
      if not f:has(name) then error(what .. ": no column named '" .. name .. "'", 3) end
    end
  end

  local Grouped = {}
  Grouped.__index = Grouped

  --- Group rows by key columns.
  -- Groups come out sorted by key, ascending, NA last; `{sort = false}` as
  -- the last argument keeps the order of first appearance.  NA keys form a
  -- group of their own.
  -- @param ... key column names, optionally followed by an options table
  -- @treturn Grouped with `:agg(spec, ...)`
  function methods.group_by(f, ...)
    local keys, sort = {}, true
    for i = 1, select("#", ...) do
      local a = select(i, ...)
      if type(a) == "table" and i == select("#", ...) then
        if a.sort == false then sort = false end
      else
        keys[#keys + 1] = a
      end
    end
    if #keys == 0 then error("group_by: no key column given", 2) end
    check_names(f, keys, "group_by")
    return setmetatable({ frame = f, keys = keys, sort = sort }, Grouped)
  end

  --- Aggregate each group: the keys, then one column per spec, in order.
  function Grouped:agg(...)
    local specs = collect_specs(self.keys, ...)
    local ok, r = pcall(core.group_agg, self.frame, self.keys, self.sort, specs)
    if not ok then error("agg: " .. tostring(r), 2) end
    return r
  end

  function Grouped.__tostring(g)
    return "grouped frame (" .. table.concat(g.keys, ", ") .. "), " .. g.frame:nrow() .. " rows"
  end

  --- Aggregate the whole frame into one row.
  function methods.agg(f, ...)
    local specs = collect_specs({}, ...)
    local ok, r = pcall(core.group_agg, f, {}, true, specs)
    if not ok then error("agg: " .. tostring(r), 2) end
    return r
  end

  --- Evaluate an expression, a Lua function of a row, a Column or a
  -- constant into a column of f's length.
  local function evaluate(f, e, what)
    if zs.is_expr(e) then
      local ok, c = pcall(core.eval, f, e)
      if not ok then error(what .. ": " .. tostring(c), 3) end
      return c
    elseif core.type(e) == "column" then
      if #e ~= f:nrow() then error(what .. ": the column has " .. #e .. " values for " .. f:nrow() .. " rows", 3) end
      return e
    elseif type(e) == "function" then
      local values, n, row = {}, f:nrow(), {}
      for i = 1, n do
        for k in pairs(row) do row[k] = nil end
        local v = e(core.row(f, i, row), i)
        if v == nil then v = zs.NA end
        values[i] = v
      end
      local ok, c = pcall(core.column_named, values, what)
      if not ok then error(what .. ": " .. tostring(c), 3) end
      return c
    elseif type(e) == "number" or type(e) == "string" or type(e) == "boolean" then
      local ok, c = pcall(core.eval, f, zs.lit(e))
      if not ok then error(what .. ": " .. tostring(c), 3) end
      return c
    end
    error(what .. ": expected an expression, a function of a row, a Column or a value", 3)
  end

  --- Keep the rows where the condition is true.
  -- @param cond an expression, a Lua function of a row table (slow path) or a bool Column
  -- @treturn Frame
  -- @usage ops = p:filter(zs.col("status"):eq("operating") & zs.col("capital"):gt(1e6))
  function methods.filter(f, cond)
    local c = evaluate(f, cond, "filter")
    if c:type() ~= "bool" then error("filter: the condition is " .. c:type() .. ", not bool", 2) end
    return core.filter_rows(f, c)
  end

  --- Add or replace columns.
  -- `f:mutate{name = expr, ...}` (new columns in sorted name order; every
  -- expression sees the input frame) or `f:mutate(name, expr)`.
  -- @treturn Frame
  function methods.mutate(f, spec, e)
    if type(spec) == "string" then spec = { [spec] = e } end
    if type(spec) ~= "table" or zs.is_expr(spec) then
      error("mutate: expected {name = expression, ...} or (name, expression)", 2)
    end
    local new = {}
    for name, ex in pairs(spec) do
      if type(name) ~= "string" or name == "" then error("mutate: column names must be non-empty strings", 2) end
      new[name] = evaluate(f, ex, "mutate '" .. name .. "'")
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

  --- Sort rows by columns, stably, NA last.
  -- @param ... column names, each optionally followed by `{desc = true}`
  -- @usage f:sort("province", "capital", {desc = true})
  function methods.sort(f, ...)
    local names, desc = {}, {}
    for i = 1, select("#", ...) do
      local a = select(i, ...)
      if type(a) == "string" then
        names[#names + 1] = a
        desc[#names] = false
      elseif type(a) == "table" and #names > 0 then
        desc[#names] = a.desc and true or false
      else
        error("sort: argument #" .. i .. " must be a column name or an options table after one", 2)
      end
    end
    if #names == 0 then error("sort: no column given", 2) end
    check_names(f, names, "sort")
    return core.take(f, core.order(f, names, desc))
  end

  --- The n rows with the largest values of a column, largest first (NA never).
  function methods.top(f, col, n)
    check_names(f, { col }, "top")
    if math.type(n) ~= "integer" or n < 0 then error("top: n must be a non-negative integer", 2) end
    return core.take(f, core.top_rows(f:column(col), n))
  end
end

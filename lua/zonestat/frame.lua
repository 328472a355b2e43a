--- Frame construction and the frame verbs written in Lua on top of the C
-- core (select, rename, head, tail, slice, cast, fill_na, distinct, rows,
-- totable, describe, concat).  Every verb returns a new frame and leaves
-- its input unchanged; unchanged columns are shared, not copied.
-- @module zonestat.frame

local NA

local Frame = {}

--- Sorted list of the string keys of a table.
local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do
    if type(k) ~= "string" then
      error("column names must be strings, got a " .. type(k), 3)
    end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  return keys
end

local function check_frame(core, f, level)
  if core.type(f) ~= "frame" then
    error("expected a frame, got " .. (core.type(f) or type(f)), (level or 2) + 1)
  end
end

--- Names given as varargs or as one array.
local function name_list(...)
  local first = ...
  if type(first) == "table" and select("#", ...) == 1 then return first end
  return { ... }
end

return function(zs)
  NA = zs.NA
  local core = zs
  local methods = zs.frame_methods

  --- Build a frame.
  -- @tparam table columns name → Lua array (use `zs.NA` for missing values) or Column
  -- @tparam[opt] {string,...} order column names in order (default: sorted by name)
  -- @treturn Frame
  -- @usage local f = zs.frame({zone = {"a", "b"}, capital = {1.5, zs.NA}}, {"zone", "capital"})
  function zs.frame(columns, order)
    if type(columns) ~= "table" then error("frame: columns must be a table of name = values", 2) end
    if order ~= nil and type(order) ~= "table" then error("frame: order must be an array of names", 2) end
    local names = order or sorted_keys(columns)
    local seen, cols = {}, {}
    for i, name in ipairs(names) do
      if type(name) ~= "string" then error("frame: order[" .. i .. "] is not a name", 2) end
      if seen[name] then error("frame: column '" .. name .. "' appears twice in order", 2) end
      seen[name] = true
      local values = columns[name]
      if values == nil then error("frame: order names '" .. name .. "' but there is no such column", 2) end
      if core.type(values) == "column" then
        cols[i] = values
      elseif type(values) == "table" then
        local ok, c = pcall(core.column_named, values, name)
        if not ok then error("frame: " .. tostring(c), 2) end
        cols[i] = c
      else
        error("frame: column '" .. name .. "' must be an array or a Column, got " .. type(values), 2)
      end
    end
    for name in pairs(columns) do
      if not seen[name] then error("frame: column '" .. tostring(name) .. "' is missing from order", 2) end
    end
    local ok, f = pcall(core.frame_from, names, cols)
    if not ok then error("frame: " .. tostring(f), 2) end
    return f
  end

  --- Build a frame from an array of row tables.
  -- @tparam {table,...} rows each row maps column name → value (absent or `zs.NA`: missing)
  -- @tparam[opt] {string,...} names column names in order (default: every key seen, sorted)
  -- @treturn Frame
  function zs.from_rows(rows, names)
    if type(rows) ~= "table" then error("from_rows: rows must be an array of tables", 2) end
    if names == nil then
      local seen = {}
      for i, row in ipairs(rows) do
        if type(row) ~= "table" then error("from_rows: row " .. i .. " is not a table", 2) end
        for k in pairs(row) do seen[k] = true end
      end
      names = sorted_keys(seen)
    end
    local columns = {}
    for _, name in ipairs(names) do columns[name] = {} end
    for i, row in ipairs(rows) do
      if type(row) ~= "table" then error("from_rows: row " .. i .. " is not a table", 2) end
      for _, name in ipairs(names) do
        local v = row[name]
        if v == nil then v = NA end
        columns[name][i] = v
      end
    end
    local ok, f = pcall(zs.frame, columns, names)
    if not ok then error("from_rows: " .. tostring(f):gsub("^frame: ", ""), 2) end
    return f
  end

  --- Column from a Lua array, with the column's name in error messages.
  function core.column_named(values, name, ctype)
    local n = 0
    for k in pairs(values) do
      if math.type(k) ~= "integer" or k < 1 then
        error("column '" .. name .. "' has a non-array key " .. tostring(k))
      end
      if k > n then n = k end
    end
    local ok, c = pcall(core.column_raw, values, ctype, n, name)
    if not ok then error(c, 0) end
    return c
  end

  --- A column from a Lua array (or a Column, returned as it is).
  -- @tparam table values the values, `zs.NA` for missing ones
  -- @tparam[opt] string ctype "bool", "int", "float", "date" or "str" (default: inferred)
  -- @treturn Column
  function zs.column(values, ctype)
    if core.type(values) == "column" then return values end
    if type(values) ~= "table" then error("column: values must be an array", 2) end
    local ok, c = pcall(core.column_named, values, "column", ctype)
    if not ok then error("column: " .. tostring(c), 2) end
    return c
  end

  --- Columns of `f` with the given names, checking each exists.
  local function positions(f, names, what, level)
    local pos = {}
    for i, name in ipairs(names) do
      if type(name) ~= "string" then error(what .. ": argument #" .. i .. " is not a column name", level + 1) end
      if not f:has(name) then error(what .. ": no column named '" .. name .. "'", level + 1) end
      pos[i] = name
    end
    return pos
  end

  local function rebuild(names, cols, nrow)
    return core.frame_from(names, cols, nrow)
  end

  --- Keep some columns, in the order given.
  -- @param ... column names (or one array of names)
  -- @treturn Frame
  function methods.select(f, ...)
    local names = positions(f, name_list(...), "select", 2)
    local cols, seen = {}, {}
    for i, name in ipairs(names) do
      if seen[name] then error("select: column '" .. name .. "' named twice", 2) end
      seen[name] = true
      cols[i] = f:column(name)
    end
    return rebuild(names, cols, f:nrow())
  end

  --- Rename columns.
  -- @tparam table map old name → new name
  -- @treturn Frame
  function methods.rename(f, map)
    if type(map) ~= "table" then error("rename: expected a table of old = new names", 2) end
    for old, new in pairs(map) do
      if not f:has(old) then error("rename: no column named '" .. tostring(old) .. "'", 2) end
      if type(new) ~= "string" or new == "" then
        error("rename: new name for '" .. old .. "' must be a non-empty string", 2)
      end
    end
    local names, cols, seen = {}, core.columns(f), {}
    for i, name in ipairs(f:names()) do
      local new = map[name] or name
      if seen[new] then error("rename: two columns would be named '" .. new .. "'", 2) end
      seen[new] = true
      names[i] = new
    end
    return rebuild(names, cols, f:nrow())
  end

  local function check_count(n, what)
    if math.type(n) ~= "integer" or n < 0 then error(what .. ": n must be a non-negative integer", 3) end
  end

  --- The first n rows (default 6).
  function methods.head(f, n)
    n = n or 6
    check_count(n, "head")
    return core.slice(f, 1, n)
  end

  --- The last n rows (default 6).
  function methods.tail(f, n)
    n = n or 6
    check_count(n, "tail")
    local from = f:nrow() - n + 1
    if from < 1 then from = 1 end
    return core.slice(f, from, f:nrow() - from + 1)
  end

  --- Rows i..j (1-based, inclusive; clamped to the frame).
  function methods.slice(f, i, j)
    if math.type(i) ~= "integer" then error("slice: i must be an integer", 2) end
    j = j or f:nrow()
    if math.type(j) ~= "integer" then error("slice: j must be an integer", 2) end
    if j < i then return core.slice(f, 1, 0) end
    return core.slice(f, i, j - i + 1)
  end

  --- Convert columns to other types.
  -- @tparam table spec column name → type name ("bool", "int", "float", "date", "str")
  -- @treturn Frame
  function methods.cast(f, spec)
    if type(spec) ~= "table" then error("cast: expected a table of column = type", 2) end
    for name, t in pairs(spec) do
      if not f:has(name) then error("cast: no column named '" .. tostring(name) .. "'", 2) end
      if type(t) ~= "string" then error("cast: type for '" .. name .. "' must be a type name", 2) end
    end
    local names, cols = f:names(), core.columns(f)
    for i, name in ipairs(names) do
      if spec[name] then
        local ok, c = pcall(core.cast, cols[i], spec[name], name)
        if not ok then error("cast: " .. tostring(c), 2) end
        cols[i] = c
      end
    end
    return rebuild(names, cols, f:nrow())
  end

  --- Replace NA values.
  -- @tparam table spec column name → value of the column's type
  -- @treturn Frame
  function methods.fill_na(f, spec)
    if type(spec) ~= "table" then error("fill_na: expected a table of column = value", 2) end
    for name in pairs(spec) do
      if not f:has(name) then error("fill_na: no column named '" .. tostring(name) .. "'", 2) end
    end
    local names, cols = f:names(), core.columns(f)
    for i, name in ipairs(names) do
      if spec[name] ~= nil then
        local ok, c = pcall(core.fill_na, cols[i], spec[name], name)
        if not ok then error("fill_na: " .. tostring(c), 2) end
        cols[i] = c
      end
    end
    return rebuild(names, cols, f:nrow())
  end

  --- Distinct rows, in order of first appearance.
  -- With column names, only those columns are kept (as dplyr's distinct).
  -- @param ... column names (none: all columns)
  -- @treturn Frame
  function methods.distinct(f, ...)
    local names = name_list(...)
    local g = f
    if #names > 0 then g = methods.select(f, names) end
    local pos = {}
    for j = 1, g:ncol() do pos[j] = j end
    return core.take(g, core.distinct_rows(g, pos))
  end

  --- Iterate over rows as tables (name → value; NA values are absent).
  -- @usage for row in f:rows() do print(row.zone, row.capital) end
  function methods.rows(f)
    local i, n = 0, f:nrow()
    return function()
      i = i + 1
      if i <= n then return core.row(f, i) end
    end
  end

  --- The frame as a table name → array of values (`zs.NA` for missing),
  -- which `zs.frame(t, f:names())` turns back into the same frame.
  function methods.totable(f)
    local t = {}
    for i, name in ipairs(f:names()) do
      t[name] = core.columns(f)[i]:totable()
    end
    return t
  end

  --- Summary statistics: one row per column with its type, count of values
  -- and of NA, distinct values, min, max, mean and sd (sample) where they apply.
  -- @treturn Frame
  function methods.describe(f)
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
        row.min = mn ~= nil and tostring(mn) or NA
        row.max = mx ~= nil and tostring(mx) or NA
      else
        row.min, row.max = NA, NA
      end
      row.mean = numeric and c:mean() or NA
      row.sd = numeric and c:sd() or NA
      if row.mean == nil then row.mean = NA end
      if row.sd == nil then row.sd = NA end
      rows[i] = row
    end
    return zs.from_rows(rows, { "column", "type", "count", "na", "distinct", "min", "max", "mean", "sd" })
  end

  --- The frame as CSV text (options as write_csv's).
  function methods.to_csv(f, opts)
    local text, err = methods.to_csv_raw(f, nil, opts)
    if not text then error("to_csv: " .. tostring(err), 2) end
    return text
  end

  --- The frame as JSON text (options as write_json's).
  function methods.to_json(f, opts)
    local text, err = methods.to_json_raw(f, nil, opts)
    if not text then error("to_json: " .. tostring(err), 2) end
    return text
  end

  --- Rows of several frames, matching columns by name (missing ones: NA).
  -- @param ... frames
  -- @treturn Frame
  function zs.concat(...)
    for i = 1, select("#", ...) do
      local f = select(i, ...)
      if core.type(f) ~= "frame" then error("concat: argument #" .. i .. " is not a frame", 2) end
    end
    local ok, r = pcall(core.concat_raw, ...)
    if not ok then error(r, 2) end
    return r
  end

  Frame.check = check_frame
  return Frame
end

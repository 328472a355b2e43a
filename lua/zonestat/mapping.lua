--- A board's own registry in the project's terms: the names of its tables
-- (files, sheets), its column headers (with units) and its category values.
--
-- A mapping has four kinds of entries:
--
-- * `table`: a file, sheet or SQLite table name → one of the dataset's
--   tables (`Dự án` → `projects`);
-- * `column`: a header → `table.column` (`Vốn đăng ký` → `projects.capital`);
--   the unit of a header (`Vốn đăng ký (triệu USD)`, `Vốn đăng ký / tỷ
--   đồng`, `Diện tích, m2`) is split off and looked up among the units;
-- * `value`: a category value → `table.column=value` (`Trong nước` →
--   `projects.origin=domestic`);
-- * `unit`: a unit → `dimension*scale` (`triệu USD` → `USD*1e6`,
--   `m2` → `ha*1e-4`); dimensions are `USD`, `VND`, `ha` and `count`.
--
-- Names, headers, values and units match with or without diacritics, in
-- any letter case and Unicode form, with any spacing and punctuation.
-- The built-in Vietnamese mapping (`data/mapping/vi.csv`) is always there;
-- a board's own entries (a Lua table through the API, or a file: JSON read
-- with lua-cjson or CSV `kind,from,to`, never executed) come on top of it.
--
-- In JSON or Lua: `{tables = {["Dự án"] = "projects"}, columns = {projects =
-- {["Vốn đăng ký"] = "capital"}}, values = {["projects.origin"] =
-- {["Trong nước"] = "domestic"}}, units = {["triệu USD"] = "USD*1e6"}}`.
-- @module zonestat.mapping

local engine = require "zonestat.engine"
local datadir = require "zonestat.datadir"

local M = {}

--- The dataset's tables and their columns that a mapping may name.
M.TABLES = {
  projects = { "id", "name", "license_no", "zone_id", "zone", "province", "investor", "country", "origin", "sector",
    "capital", "currency", "disbursed", "license_date", "status", "employees", "land_ha", "industrial_production",
    "synthetic" },
  zones = { "id", "name", "name_ascii", "kind", "parent_id", "parent", "province", "natural_area_ha",
    "industrial_land_ha", "leased_land_ha", "year_established", "status", "eco_status", "developer",
    "deep_water_port", "confidence", "source_url", "note", "synthetic" },
  events = { "id", "project_id", "kind", "date", "amount", "currency", "synthetic", "note" },
  provinces = {}, figures = {}, fx = {}, groups = {}, fdi_rank = {}, land = {}, sources = {}, indicators = {},
  sectors = {}, countries = {},
}

--- The dimension of each column that takes a unit.
M.DIMENSIONS = {
  ["projects.capital"] = "money", ["projects.disbursed"] = "money", ["events.amount"] = "money", ["projects.land_ha"] = "ha",
  ["projects.employees"] = "count", ["zones.natural_area_ha"] = "ha", ["zones.industrial_land_ha"] = "ha",
  ["zones.leased_land_ha"] = "ha",
}

local DIMENSION_OF_UNIT = { USD = "money", VND = "money", ha = "ha", count = "count" }

--- The key under which a name, header, value or unit is matched: NFC,
-- lower case, without diacritics, punctuation as single spaces.
-- @tparam string s
-- @treturn string
function M.key(s)
  local k = engine.fold(s) or s:lower()
  return (k:gsub("[%p%s]+", " "):gsub("^ ", ""):gsub(" $", ""))
end

local Mapping = {}
Mapping.__index = Mapping

local function empty()
  local m = setmetatable({ tables = {}, columns = {}, values = {}, units = {} }, Mapping)
  for t in pairs(M.TABLES) do m.columns[t] = {} end
  return m
end

local function known_column(t, c)
  for _, name in ipairs(M.TABLES[t] or {}) do if name == c then return true end end
  return false
end

-- "USD*1e6" -> {dimension = "USD", power = 6}
local function parse_unit(spec)
  if type(spec) ~= "string" then return nil end
  local dim, scale = spec:match("^%s*(%a+)%s*%*%s*([%d.e+-]+)%s*$")
  if not dim then dim, scale = spec:match("^%s*(%a+)%s*$"), "1" end
  if not dim or not DIMENSION_OF_UNIT[dim] then return nil end
  local v = tonumber(scale)
  if not v or v <= 0 then return nil end
  local power = math.log(v, 10)
  local rounded = math.floor(power + 0.5)
  if math.abs(power - rounded) > 1e-9 or rounded < -12 or rounded > 12 then return nil end
  return { dimension = dim, power = rounded }
end

-- add one entry; returns nil or a message
local function add(m, kind, from, to)
  if type(from) ~= "string" or from:find("^%s*$") then return "the name to map must be non-empty text" end
  if type(to) ~= "string" then return "the target of '" .. tostring(from) .. "' must be text" end
  local key = M.key(from)
  if kind == "table" then
    if not M.TABLES[to] then return "unknown table '" .. to .. "'" end
    m.tables[key] = to
  elseif kind == "column" then
    local t, c = to:match("^([%w_]+)%.([%w_]+)$")
    if not t or not M.TABLES[t] then return "'" .. to .. "' must be table.column with a known table" end
    if not known_column(t, c) then return "table " .. t .. " has no column '" .. c .. "'" end
    m.columns[t][key] = c
  elseif kind == "value" then
    local t, c, v = to:match("^([%w_]+)%.([%w_]+)=(.+)$")
    if not t or not M.TABLES[t] or not known_column(t, c) then
      return "'" .. to .. "' must be table.column=value with a known column"
    end
    local tc = t .. "." .. c
    m.values[tc] = m.values[tc] or {}
    m.values[tc][key] = v
  elseif kind == "unit" then
    local u = parse_unit(to)
    if not u then return "'" .. to .. "' must be USD, VND, ha or count, with *1e6 and the like" end
    m.units[key] = u
  else
    return "unknown kind '" .. tostring(kind) .. "' (table, column, value or unit)"
  end
end

-- entries of a CSV mapping frame, with problems as "source:line: message"
local function from_csv(m, f, source, problems)
  for _, name in ipairs({ "kind", "from", "to" }) do
    if not f:has(name) then
      problems[#problems + 1] = source .. ": a mapping needs the columns kind, from and to"
      return
    end
  end
  for i = 1, f:nrow() do
    local err = add(m, f:get("kind", i), f:get("from", i), f:get("to", i))
    if err then problems[#problems + 1] = string.format("%s:%d: %s", source, i + 1, err) end
  end
end

-- entries of a JSON object or Lua table
local function from_table(m, t, source, problems)
  local function fail(msg) problems[#problems + 1] = source .. ": " .. msg end
  if type(t) ~= "table" then return fail("a mapping must be an object (tables, columns, values, units)") end
  for k, v in pairs(t) do
    if k ~= "tables" and k ~= "columns" and k ~= "values" and k ~= "units" then
      fail("unknown part '" .. tostring(k) .. "' (tables, columns, values or units)")
    elseif type(v) ~= "table" then
      fail("'" .. k .. "' must be an object")
    end
  end
  local function each(part, fn)
    if type(t[part]) ~= "table" then return end
    local keys = {}
    for k in pairs(t[part]) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    for _, k in ipairs(keys) do fn(k, t[part][k]) end
  end
  each("tables", function(k, v)
    local err = add(m, "table", k, v)
    if err then fail("tables: " .. err) end
  end)
  each("columns", function(tname, cols)
    if type(cols) ~= "table" then return fail("columns." .. tname .. " must be an object") end
    for from, to in pairs(cols) do
      local err = add(m, "column", from, type(to) == "string" and tname .. "." .. to or to)
      if err then fail("columns." .. tname .. ": " .. err) end
    end
  end)
  each("values", function(tc, vals)
    if type(vals) ~= "table" then return fail("values." .. tc .. " must be an object") end
    for from, to in pairs(vals) do
      local err = add(m, "value", from, type(to) == "string" and tc .. "=" .. to or to)
      if err then fail("values." .. tc .. ": " .. err) end
    end
  end)
  each("units", function(k, v)
    local err = add(m, "unit", k, v)
    if err then fail("units: " .. err) end
  end)
end

local function read_file(path)
  local fh, err = io.open(path, "rb")
  if not fh then return nil, err end
  local text, rerr = fh:read("a")
  fh:close()
  if not text then return nil, path .. ": " .. tostring(rerr) end
  return text
end

-- the built-in mapping, read once
local builtin
local function default_mapping()
  if builtin then return builtin end
  local path = datadir.mapping()
  local f, err = engine.read_csv(path, { infer = false })
  if not f then error("zonestat: the built-in mapping cannot be read: " .. tostring(err)) end
  local m, problems = empty(), {}
  from_csv(m, f, path, problems)
  if #problems > 0 then error("zonestat: the built-in mapping is wrong: " .. problems[1]) end
  builtin = m
  return m
end

--- A mapping: the built-in Vietnamese one with a board's entries on top.
-- @param[opt] spec a table (as JSON's shape), or the path of a JSON or CSV file
-- @return[1] the mapping
-- @return[2] nil
-- @treturn[2] {string,...} every problem, "file:line: message"
function M.load(spec)
  local base = default_mapping()
  local m = empty()
  for part in pairs({ tables = 1, units = 1 }) do
    for k, v in pairs(base[part]) do m[part][k] = v end
  end
  for t, cols in pairs(base.columns) do
    for k, v in pairs(cols) do m.columns[t][k] = v end
  end
  for tc, vals in pairs(base.values) do
    m.values[tc] = {}
    for k, v in pairs(vals) do m.values[tc][k] = v end
  end
  if spec == nil then return m end
  local problems = {}
  if type(spec) == "table" then
    from_table(m, spec, "mapping", problems)
  elseif type(spec) == "string" then
    local text, err = read_file(spec)
    if not text then return nil, { err } end
    if text:find("^%s*[{%[]") then
      local t, jerr = require("cjson.safe").decode(text)
      if t == nil then return nil, { spec .. ": " .. tostring(jerr) } end
      from_table(m, t, spec, problems)
    else
      local f, cerr = engine.parse_csv(text, { infer = false, source = spec, sniff = true })
      if not f then return nil, { cerr } end
      from_csv(m, f, spec, problems)
    end
  else
    error("mapping: expected a table or the path of a JSON or CSV file, got " .. type(spec), 3)
  end
  if #problems > 0 then return nil, problems end
  return m
end

--- The dataset table a file, sheet or SQLite table name stands for.
-- @tparam string name e.g. "Dự án" or "projects.csv" (the extension is ignored)
-- @treturn ?string "projects", "zones", ... or nil
function Mapping:table_for(name)
  local base = name:gsub("%.[Cc][Ss][Vv]$", "")
  if M.TABLES[base] then return base end
  return self.tables[M.key(base)]
end

-- a header's base text and unit text: "Vốn (triệu USD)", "Vốn / triệu USD", "Vốn, triệu USD"
local function split_unit(header)
  local base, unit = header:match("^(.-)%s*%(([^()]*)%)%s*$")
  if base and base ~= "" then return base, unit end
  base, unit = header:match("^(.*%S)%s+/%s+(.-)%s*$")
  if base then return base, unit end
  base, unit = header:match("^(.-),%s*(.-)%s*$")
  if base and base ~= "" then return base, unit end
  return header, nil
end

--- The column a header stands for in a table, and its unit.
-- @tparam string tname the dataset table
-- @tparam string header
-- @treturn ?string the column, or nil when the header means nothing to the dataset
-- @treturn ?table the unit {dimension, power}, or nil
-- @treturn ?string the unit as written, when the header has one the mapping does not know
function Mapping:column_for(tname, header)
  if known_column(tname, header) then return header end
  local cols = self.columns[tname] or {}
  local whole = cols[M.key(header)]
  if whole then return whole end
  local base, unit = split_unit(header)
  local col = known_column(tname, base) and base or cols[M.key(base)]
  if not col then return nil end
  if not unit or unit == "" then return col end
  local u = self.units[M.key(unit)]
  if u then return col, u end
  return col, nil, unit
end

--- The project's value for a category value of a column.
-- @tparam string tc "table.column"
-- @tparam string text the value as written
-- @treturn ?string the project's value, or nil when the mapping has none
function Mapping:value_for(tc, text)
  local vals = self.values[tc]
  return vals and vals[M.key(text)] or nil
end

--- Does a unit fit a column?
-- @tparam string tc "table.column"
-- @tparam table unit {dimension, power}
-- @treturn boolean
function M.unit_fits(tc, unit)
  return M.DIMENSIONS[tc] ~= nil and M.DIMENSIONS[tc] == DIMENSION_OF_UNIT[unit.dimension]
end

M.Mapping = Mapping

return M

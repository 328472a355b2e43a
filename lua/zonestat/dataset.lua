--- The zone data model: zones, projects, published figures, exchange rates
-- and provinces, loaded from a folder of CSV files and checked.
--
-- `zs.dataset.load([dir])` reads `dir` (default: the bundled `data/vn`),
-- checks every row against the schema below and returns a Dataset, or
-- `nil` and the list of every problem found ("file:line: message").  Text
-- is NFC-normalized on load.  Derived columns: `province_id` and `year` on
-- projects, `capital_usd` (USD amounts as they are; VND converted at the
-- license year's average rate, NA where the series has no rate for that
-- year: such projects are listed in `ds.warnings`).
-- @module zonestat.dataset

local engine = require "zonestat.engine"
local datadir = require "zonestat.datadir"

local M = {}

-- ---- the schema ---------------------------------------------------------------------

-- column kinds: str (required unless opt), enum, ref, num, int, date, yesno
local SCHEMA = {
  zones = {
    file = "zones.csv", required = true, key = "id",
    columns = {
      { "id", "str" }, { "name", "str" }, { "name_ascii", "str", opt = true },
      { "kind", "enum", values = { "KKT", "KCN", "KCX", "KCNC", "CCN" } },
      { "parent_id", "ref", table = "zones", opt = true },
      { "province", "province" },
      { "natural_area_ha", "num", min = 0, opt = true }, { "industrial_land_ha", "num", min = 0, opt = true },
      { "leased_land_ha", "num", min = 0, opt = true }, { "year_established", "int", min = 1900, max = 2100, opt = true },
      { "status", "enum", values = { "planned", "established", "operating" } },
      { "eco_status", "enum", values = { "none", "proposed", "pilot", "certified" }, opt = true },
      { "developer", "str", opt = true }, { "deep_water_port", "yesno", opt = true },
      { "confidence", "enum", values = { "H", "M", "L" }, opt = true },
      { "source_url", "str", opt = true }, { "note", "str", opt = true },
    },
  },
  projects = {
    file = "projects.csv", required = true, key = "id",
    columns = {
      { "id", "str" }, { "zone_id", "ref", table = "zones" }, { "investor", "str", opt = true },
      { "country", "str", opt = true }, { "origin", "enum", values = { "FDI", "domestic" } },
      { "sector", "str", opt = true }, { "capital", "num", min = 0 },
      { "currency", "enum", values = { "USD", "VND" } }, { "disbursed", "num", min = 0, opt = true },
      { "license_date", "date" },
      { "status", "enum", values = { "licensed", "construction", "operating", "suspended", "terminated" } },
      { "employees", "int", min = 0, opt = true }, { "land_ha", "num", min = 0, opt = true },
      { "industrial_production", "yesno", opt = true }, { "synthetic", "yesno", opt = true },
    },
  },
  figures = {
    file = "figures.csv",
    columns = {
      { "entity", "entity" }, { "indicator", "str" }, { "value", "num" }, { "unit", "str" },
      { "as_of", "date", opt = true }, { "period", "str", opt = true }, { "definition", "str", opt = true },
      { "source_url", "str", opt = true }, { "confidence", "enum", values = { "H", "M", "L" }, opt = true },
      { "note", "str", opt = true },
    },
  },
  fx = {
    file = "fx.csv", key = "year",
    columns = {
      { "year", "int", min = 1900, max = 2100 }, { "vnd_per_usd", "num", min = 1 },
      { "kind", "enum", values = { "official_average", "derived" } },
      { "source_url", "str", opt = true }, { "note", "str", opt = true },
    },
  },
  provinces = {
    file = "provinces.csv", key = "id",
    columns = {
      { "id", "str" }, { "name", "str" }, { "name_ascii", "str", opt = true }, { "aliases", "str", opt = true },
      { "region", "str", opt = true },
    },
  },
  groups = {
    file = "groups.csv", key = "id",
    columns = {
      { "id", "str" }, { "name", "str" }, { "province", "province" }, { "members", "str" },
      { "source_url", "str", opt = true }, { "note", "str", opt = true },
    },
  },
  fdi_rank = {
    file = "fdi_rank.csv",
    columns = {
      { "province_id", "province" }, { "year", "int", min = 1900, max = 2100 }, { "fdi_usd", "num", min = 0, opt = true },
      { "rank", "int", min = 1, opt = true }, { "synthetic", "yesno" },
      { "source_url", "str", opt = true }, { "note", "str", opt = true },
    },
  },
  sources = {
    file = "sources.csv", key = "id",
    columns = { { "id", "str" }, { "citation", "str" } },
  },
  land = {
    file = "zones_synthetic_land.csv", key = "zone_id",
    columns = {
      { "zone_id", "ref", table = "zones" }, { "industrial_land_ha", "num", min = 0 },
      { "leased_land_ha", "num", min = 0 }, { "synthetic", "yesno" }, { "method", "str", opt = true },
    },
  },
}

local ORDER = { "provinces", "zones", "projects", "figures", "fx", "groups", "fdi_rank", "land", "sources" }

local TYPE_OF = { str = "str", enum = "str", ref = "str", province = "str", entity = "str", yesno = "str",
  num = "float", int = "int", date = "date" }

local NA = engine.NA

local Dataset = {}
Dataset.__index = Dataset

--- The folder of the bundled data: $ZONESTAT_DATA, else data/vn next to
-- the module's checkout or installed tree.
M.default_dir = datadir.default

--- Key used to find a name: folded (no diacritics, lower case), with
-- punctuation as spaces and administrative prefixes dropped.
local PREFIXES = { "thanh pho", "tp", "tinh", "province", "city", "khu cong nghiep", "khu kinh te", "kcn", "kkt" }
local function name_key(s)
  local k = engine.fold(s) or s:lower()
  k = " " .. k:gsub("[%p%s]+", " ") .. " "
  for _, p in ipairs(PREFIXES) do k = k:gsub("^ " .. p .. " ", " ") end
  for _, p in ipairs({ "province", "city" }) do k = k:gsub(" " .. p .. " $", " ") end
  return (k:gsub("^%s+", ""):gsub("%s+$", ""))
end
M.name_key = name_key

-- physical line of each data row: 1 + header + line breaks inside fields
local function row_lines(frame, header)
  local lines, line = {}, header and 2 or 1
  local texts = {}
  for _, name in ipairs(frame:names()) do texts[#texts + 1] = frame:column(name) end
  for i = 1, frame:nrow() do
    lines[i] = line
    local extra = 0
    for _, c in ipairs(texts) do
      local v = c[i]
      if v then
        local _, k = v:gsub("\r?\n", "")
        local _, cr = v:gsub("\r[^\n]", "")
        extra = extra + k + cr
      end
    end
    line = line + 1 + extra
  end
  return lines
end

local function read_table(dir, spec, problems)
  local path = dir .. "/" .. spec.file
  local fh = io.open(path)
  if not fh then
    if spec.required then problems[#problems + 1] = path .. ": No such file or directory" end
    return nil
  end
  fh:close()
  local f, err = engine.read_csv(path, { infer = false })
  if not f then problems[#problems + 1] = err return nil end
  for _, col in ipairs(spec.columns) do
    if not f:has(col[1]) then problems[#problems + 1] = path .. ": missing column '" .. col[1] .. "'" end
  end
  -- NFC for every text column
  local lines = row_lines(f, true)
  local nf, _, name, row = f:nfc()
  if not nf then
    problems[#problems + 1] = string.format("%s:%d: invalid UTF-8 in column '%s'", path, lines[row], name)
    return nil
  end
  return nf, path, lines
end

local function check_value(kind, col, v, ctx)
  if v == nil then
    if col.opt then return true end
    return false, "missing " .. col[1]
  end
  if kind == "num" or kind == "int" then
    local x = tonumber(v)
    if not x or x ~= x then return false, string.format("%s '%s' is not a number", col[1], v) end
    if kind == "int" and math.type(x) ~= "integer" then
      return false, string.format("%s '%s' is not an integer", col[1], v)
    end
    if col.min and x < col.min then
      return false, string.format("%s %s is below %s", col[1], v, tostring(col.min))
    end
    if col.max and x > col.max then
      return false, string.format("%s %s is above %s", col[1], v, tostring(col.max))
    end
  elseif kind == "date" then
    local okd = pcall(engine.column, { v }, "date")
    if not okd then return false, string.format("%s '%s' is not a date (yyyy-mm-dd)", col[1], v) end
  elseif kind == "enum" then
    local okv = false
    for _, e in ipairs(col.values) do if e == v then okv = true end end
    if not okv then
      return false, string.format("unknown %s '%s' (expected %s)", col[1], v, table.concat(col.values, ", "))
    end
  elseif kind == "yesno" then
    if v ~= "yes" and v ~= "no" then return false, string.format("%s '%s' must be yes or no", col[1], v) end
  elseif kind == "ref" then
    if not ctx.ids[col.table][v] then return false, string.format("unknown %s '%s'", col[1], v) end
  elseif kind == "province" then
    if not ctx.find_province(v) then return false, string.format("unknown province '%s'", v) end
  elseif kind == "entity" then
    if not (ctx.ids.zones[v] or ctx.ids.provinces[v] or ctx.ids.groups[v] or v == "vn") then
      return false, string.format("unknown entity '%s'", v)
    end
  end
  return true
end

local function check_table(name, f, path, lines, ctx, problems)
  local spec = SCHEMA[name]
  local seen = {}
  for i = 1, f:nrow() do
    for _, col in ipairs(spec.columns) do
      if f:has(col[1]) then
        local ok, msg = check_value(col[2], col, f:get(col[1], i), ctx)
        if not ok then problems[#problems + 1] = string.format("%s:%d: %s", path, lines[i], msg) end
      end
    end
    if spec.key and f:has(spec.key) then
      local k = f:get(spec.key, i)
      if k and seen[k] then
        problems[#problems + 1] = string.format("%s:%d: duplicate %s '%s' (first on line %d)", path, lines[i],
          spec.key, k, lines[seen[k]])
      elseif k then
        seen[k] = i
      end
    end
  end
  -- cross-row checks
  if name == "zones" and f:has("leased_land_ha") and f:has("industrial_land_ha") then
    for i = 1, f:nrow() do
      local leased, ind = tonumber(f:get("leased_land_ha", i) or ""), tonumber(f:get("industrial_land_ha", i) or "")
      if leased and ind and leased > ind then
        problems[#problems + 1] = string.format("%s:%d: leased land %s ha exceeds industrial land %s ha", path,
          lines[i], f:get("leased_land_ha", i), f:get("industrial_land_ha", i))
      end
    end
  end
end

--- Typed frame from a checked text frame: numbers, dates as their types.
local function typed(name, f)
  local spec, casts = SCHEMA[name], {}
  for _, col in ipairs(spec.columns) do
    if f:has(col[1]) and TYPE_OF[col[2]] ~= "str" then casts[col[1]] = TYPE_OF[col[2]] end
  end
  return f:cast(casts)
end

--- Load and check a dataset folder.
-- @tparam[opt] string dir folder with zones.csv, projects.csv, ... (default: the bundled data)
-- @return Dataset, or nil and an array of problems ("file:line: message")
-- @usage local ds = assert(zs.dataset.load())
function M.load(dir)
  if dir ~= nil and type(dir) ~= "string" then error("dataset.load: dir must be a folder name", 2) end
  dir = dir or M.default_dir()
  local problems, raw = {}, {}
  for _, name in ipairs(ORDER) do
    local f, path, lines = read_table(dir, SCHEMA[name], problems)
    if f then raw[name] = { frame = f, path = path, lines = lines } end
  end
  if not raw.zones or not raw.projects then return nil, problems end

  -- ids for references, and province lookup
  local ids = { zones = {}, provinces = {}, groups = {} }
  for _, t in ipairs({ "zones", "provinces", "groups" }) do
    if raw[t] then
      local f = raw[t].frame
      for i = 1, f:nrow() do
        local id = f:get("id", i)
        if id then ids[t][id] = true end
      end
    end
  end
  local by_key = {}
  local provinces = raw.provinces and raw.provinces.frame
  if provinces then
    for row in provinces:rows() do
      for _, n in ipairs({ row.id, row.name, row.name_ascii }) do by_key[name_key(n)] = row.id end
      for alias in (row.aliases or ""):gmatch("[^|]+") do by_key[name_key(alias)] = row.id end
    end
  end
  local function find_province(q)
    if provinces == nil then return q end -- without provinces.csv every name is its own province
    return by_key[name_key(q)]
  end
  local ctx = { ids = ids, find_province = find_province }
  for _, name in ipairs(ORDER) do
    if raw[name] then check_table(name, raw[name].frame, raw[name].path, raw[name].lines, ctx, problems) end
  end
  if #problems > 0 then return nil, problems end

  local ds = setmetatable({ dir = dir, warnings = {}, by_key = by_key }, Dataset)
  for _, name in ipairs(ORDER) do
    if raw[name] then ds[name] = typed(name, raw[name].frame) end
  end
  ds.rates = {}
  if ds.fx then
    for row in ds.fx:rows() do ds.rates[row.year] = row.vnd_per_usd end
  end
  -- zones: the province id; synthetic land fills unknown industrial and leased land
  local zprov = {}
  for i = 1, ds.zones:nrow() do zprov[i] = find_province(ds.zones:get("province", i)) end
  ds.zones = ds.zones:mutate { province_id = engine.column(zprov, "str") }
  ds.zone_index = {}
  for i = 1, ds.zones:nrow() do ds.zone_index[ds.zones:get("id", i)] = i end
  -- projects: province, year, capital in USD
  local pprov, usd = {}, {}
  local projects = ds.projects
  for i = 1, projects:nrow() do
    local z = ds.zone_index[projects:get("zone_id", i)]
    pprov[i] = zprov[z] or NA
    local cap, cur = projects:get("capital", i), projects:get("currency", i)
    if cur == "USD" then
      usd[i] = cap
    else
      local year = tonumber(projects:get("license_date", i):sub(1, 4))
      local rate = ds.rates[year]
      if rate then
        usd[i] = cap / rate
      else
        usd[i] = NA
        ds.warnings[#ds.warnings + 1] = string.format("%s:%d: no USD/VND rate for %d; capital_usd is NA",
          raw.projects.path, raw.projects.lines[i], year)
      end
    end
  end
  ds.projects = projects:mutate { province_id = engine.column(pprov, "str"), capital_usd = engine.column(usd, "float"),
    year = engine.col("license_date"):year() }
  return ds
end

--- Find a province by id or name, with or without diacritics, in any
-- normal form ("Hải Phòng", "Hai Phong", "TP. Hải Phòng", "hp").
-- @treturn string|nil the province id, or nil and a message
function Dataset:province(q)
  if type(q) ~= "string" then error("province: expected a name", 2) end
  local id = self.by_key[name_key(q)]
  if id then return id end
  return nil, "no province named '" .. q .. "'"
end

--- Find a zone by id or name, with or without diacritics.  Tried in
-- turn: the whole name; a name starting with the words given; a name
-- containing them ("Đình Vũ" finds "KCN Đình Vũ (DEEP C Hải Phòng I)").
-- A leading "KCN" or "KKT" also restricts the kind.
-- @treturn string|nil the zone id, or nil and a message (none, or ambiguous)
function Dataset:zone(q)
  if type(q) ~= "string" then error("zone: expected a name", 2) end
  if self.zone_index[q] then return q end
  local key, folded = name_key(q), " " .. (engine.fold(q) or q):gsub("[%p%s]+", " ") .. " "
  local kind = (folded:find("^ kcn ") or folded:find("^ khu cong nghiep ")) and "KCN"
    or (folded:find("^ kkt ") or folded:find("^ khu kinh te ")) and "KKT" or nil
  local tiers = { {}, {}, {} }
  for i = 1, self.zones:nrow() do
    local id = self.zones:get("id", i)
    if not kind or self.zones:get("kind", i) == kind then
      for _, n in ipairs({ self.zones:get("name", i), self.zones:get("name_ascii", i) }) do
        local k = " " .. name_key(n) .. " "
        if k == " " .. key .. " " then tiers[1][id] = true
        elseif k:sub(1, #key + 2) == " " .. key .. " " then tiers[2][id] = true
        elseif k:find(" " .. key .. " ", 1, true) then tiers[3][id] = true end
      end
    end
  end
  for _, set in ipairs(tiers) do
    local found = {}
    for id in pairs(set) do found[#found + 1] = id end
    table.sort(found)
    if #found == 1 then return found[1] end
    if #found > 1 then return nil, "zone name '" .. q .. "' is ambiguous: " .. table.concat(found, ", ") end
  end
  return nil, "no zone named '" .. q .. "'"
end

--- How to cite a source: its citation from sources.csv for ids that are
-- not web addresses, else the address itself.
function Dataset:citation(url)
  if self.sources then
    for row in self.sources:rows() do if row.id == url then return row.citation end end
  end
  return url
end

--- The display name of a province id.
function Dataset:province_name(id)
  if self.provinces then
    for row in self.provinces:rows() do if row.id == id then return row.name end end
  end
  return id
end

M.Dataset = Dataset
M.SCHEMA = SCHEMA

return M

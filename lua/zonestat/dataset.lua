--- The zone data model: zones, projects, published figures, exchange rates
-- and provinces, loaded from a registry and checked.
--
-- `zs.dataset.load([path [, opts]])` reads the bundled `data/vn`, or a
-- board's registry: a folder of CSV files, one `.xlsx` workbook (a sheet per
-- table), a SQLite database or a single CSV file (the projects), in the
-- board's own headers and values through a mapping (zonestat.mapping; the
-- Vietnamese one is built in).  It checks every cell and returns a Dataset,
-- or `nil` and the list of every problem found, each naming its place
-- ("file:line: column 'Tên cột': message", "file: sheet 'X': cell C12: ...").
--
-- Only the columns the computations need are required (data/vn/README.md
-- says which and why); the others are optional and NA when absent, or
-- derived: a project's id (its row), its origin (from its country), its
-- currency (from the unit of its capital's header); a zone's id (from its
-- name), its kind (from its name: "KCN ...", "Khu kinh tế ..."), its
-- province (from its projects); and, when a registry has no zones table,
-- the zones themselves from the projects' zone names (areas NA).  The
-- reference tables (provinces, exchange rates) fall back to the bundled
-- ones; published figures never do.  Text is NFC.  Derived columns:
-- `province_id` and `year` on projects, `capital_usd` (USD amounts as they
-- are; VND converted at the license year's average rate, NA where the
-- series has no rate for that year: such projects are listed in
-- `ds.warnings`).
-- @module zonestat.dataset

local engine = require "zonestat.engine"
local cells = require "zonestat.cells"
local datadir = require "zonestat.datadir"
local mapping = require "zonestat.mapping"
local registry = require "zonestat.registry"
local capital = require "zonestat.capital"

local NA = engine.NA
local M = {}

-- ---- the schema ---------------------------------------------------------------------

-- column kinds: str, enum, ref, province, entity, yesno (text); num, int; date.
-- `opt`: the column may be absent (NA) and its cells empty; `need`: the
-- column must be there (possibly derived) but a cell may be empty.
local SCHEMA = {
  zones = {
    file = "zones.csv", key = "id", mapped = true,
    columns = {
      { "id", "str" }, { "name", "str" }, { "name_ascii", "str", opt = true },
      { "kind", "enum", values = { "KKT", "KCN", "KCX", "KCNC", "CCN" } },
      { "parent_id", "ref", table = "zones", opt = true },
      { "province", "province" },
      { "natural_area_ha", "num", min = 0, opt = true }, { "industrial_land_ha", "num", min = 0, opt = true },
      { "leased_land_ha", "num", min = 0, opt = true }, { "year_established", "int", min = 1900, max = 2100, opt = true },
      { "status", "enum", values = { "planned", "established", "operating" }, opt = true },
      { "eco_status", "enum", values = { "none", "proposed", "pilot", "certified" }, opt = true },
      { "developer", "str", opt = true }, { "deep_water_port", "yesno", opt = true },
      { "confidence", "enum", values = { "H", "M", "L" }, opt = true },
      { "source_url", "str", opt = true }, { "note", "str", opt = true },
    },
    helpers = { { "parent", "str" } },
  },
  projects = {
    file = "projects.csv", required = true, key = "id", mapped = true,
    columns = {
      { "id", "str" }, { "name", "str", opt = true }, { "license_no", "str", opt = true },
      { "zone_id", "ref", table = "zones" }, { "investor", "str", opt = true },
      { "country", "str", opt = true }, { "origin", "enum", values = { "FDI", "domestic" } },
      { "sector", "str", opt = true }, { "capital", "num", min = 0, need = true },
      { "currency", "enum", values = { "USD", "VND" }, need = true }, { "disbursed", "num", min = 0, opt = true },
      { "license_date", "date" },
      { "status", "enum", values = { "licensed", "construction", "operating", "suspended", "terminated" }, opt = true },
      { "employees", "int", min = 0, opt = true }, { "land_ha", "num", min = 0, opt = true },
      { "industrial_production", "yesno", opt = true }, { "synthetic", "yesno", opt = true },
    },
    helpers = { { "zone", "str" }, { "province", "str" } },
  },
  events = {
    file = "events.csv", key = "id", mapped = true,
    columns = {
      { "id", "str" }, { "project_id", "ref", table = "projects" },
      { "kind", "enum", values = { "new_licence", "capital_increase", "capital_decrease", "share_purchase",
        "termination" } },
      { "date", "date" }, { "amount", "num", min = 0, opt = true }, { "currency", "enum", values = { "USD", "VND" }, opt = true },
      { "synthetic", "yesno", opt = true }, { "note", "str", opt = true },
    },
  },
  figures = {
    file = "figures.csv",
    columns = {
      { "entity", "entity" }, { "indicator", "str" }, { "value", "num" },
      { "qualifier", "enum", values = { "nearly", "about", "over", "at_least", "at_most" }, opt = true },
      { "qualifier_text", "str", opt = true },
      { "provenance", "enum", values = { "published", "derived" }, opt = true }, { "unit", "str" },
      { "as_of", "date", opt = true }, { "period", "str", opt = true }, { "definition", "str", opt = true },
      { "source_url", "str", opt = true }, { "confidence", "enum", values = { "H", "M", "L" }, opt = true },
      { "note", "str", opt = true },
    },
  },
  fx = {
    file = "fx.csv", key = "year", reference = true,
    columns = {
      { "year", "int", min = 1900, max = 2100 }, { "vnd_per_usd", "num", min = 1 },
      { "kind", "enum", values = { "official_average", "sbv_central", "derived" } },
      { "source_url", "str", opt = true }, { "note", "str", opt = true },
    },
  },
  provinces = {
    file = "provinces.csv", reference = true, key = { "id", "valid_from" },
    columns = {
      { "id", "str" }, { "code", "str", opt = true }, { "name", "str" }, { "name_ascii", "str", opt = true },
      { "aliases", "str", opt = true }, { "region", "str", opt = true },
      { "kind", "enum", values = { "tinh", "thanh_pho" }, opt = true },
      { "valid_from", "date", opt = true }, { "valid_to", "date", opt = true },
      { "successor", "str", opt = true }, { "source_url", "str", opt = true },
      { "confidence", "enum", values = { "H", "M", "L", "unverified" }, opt = true }, { "note", "str", opt = true },
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
  indicators = {
    file = "indicators.csv", key = "indicator", reference = true,
    columns = { { "indicator", "str" }, { "name_vi", "str" }, { "name_en", "str" } },
  },
  sectors = {
    file = "sectors.csv", key = "sector", reference = true,
    columns = {
      { "sector", "str" }, { "name_vi", "str" }, { "name_en", "str" }, { "vsic_code", "str", opt = true },
      { "vsic_level", "str", opt = true }, { "vsic_label_vi", "str", opt = true }, { "vsic_label_en", "str", opt = true },
      { "label_status", "enum", values = { "verified", "label not verified" } }, { "source_url", "str", opt = true },
      { "confidence", "str", opt = true }, { "note", "str", opt = true },
    },
  },
  countries = {
    file = "countries.csv", key = "country", reference = true,
    columns = {
      { "country", "str" }, { "iso2", "str", opt = true }, { "name_vi", "str" }, { "name_en", "str" },
      { "source_url", "str", opt = true }, { "cldr_version", "str", opt = true }, { "note", "str", opt = true },
    },
  },
  sources = {
    file = "sources.csv", key = "id",
    columns = { { "id", "str" }, { "citation", "str" }, { "url", "str", opt = true } },
  },
  land = {
    file = "zones_synthetic_land.csv", key = "zone_id",
    columns = {
      { "zone_id", "ref", table = "zones" }, { "industrial_land_ha", "num", min = 0 },
      { "leased_land_ha", "num", min = 0 }, { "synthetic", "yesno" }, { "method", "str", opt = true },
    },
  },
}

local ORDER = { "provinces", "zones", "projects", "events", "figures", "fx", "groups", "fdi_rank", "land", "sources",
  "indicators", "sectors", "countries" }

local TYPE_OF = { str = "str", enum = "str", ref = "str", province = "str", entity = "str", yesno = "str",
  num = "float", int = "int", date = "date" }

--- The folder of the bundled data: $ZONESTAT_DATA, else data/vn next to
-- the module's checkout or installed tree.
M.default_dir = datadir.default

--- Key used to find a name: folded (no diacritics, lower case), with
-- punctuation as spaces and administrative prefixes dropped.
local PREFIXES = { "thanh pho", "tp", "tinh", "province", "city", "khu cong nghiep", "khu kinh te", "kcn", "kkt" }
local function name_key(s)
  local k = " " .. mapping.key(s) .. " "
  for _, p in ipairs(PREFIXES) do k = k:gsub("^ " .. p .. " ", " ") end
  for _, p in ipairs({ "province", "city" }) do k = k:gsub(" " .. p .. " $", " ") end
  return (k:gsub("^%s+", ""):gsub("%s+$", ""))
end
M.name_key = name_key

-- ---- reading a table's cells --------------------------------------------------------

-- a cell that could not be read (already reported): neither a value nor missing
local BAD = setmetatable({}, { __tostring = function() return "(unreadable)" end })

local function spec_of(tname, column)
  for _, c in ipairs(SCHEMA[tname].columns) do if c[1] == column then return c end end
  for _, c in ipairs(SCHEMA[tname].helpers or {}) do if c[1] == column then return c end end
end

-- the source columns of each dataset column: {header, unit} lists
local function source_columns(tname, src, map, problems, notes)
  local by, f = {}, src.frame
  for _, header in ipairs(f:names()) do
    local col, unit, unknown
    if SCHEMA[tname].mapped then
      col, unit, unknown = map:column_for(tname, header)
    elseif spec_of(tname, header) then
      col = header
    end
    local tc = tname .. "." .. tostring(col)
    if not col or not spec_of(tname, col) then
      if SCHEMA[tname].mapped then
        notes[#notes + 1] = string.format("%s: column '%s' is not used (a mapping can name it: column,%s,%s.<column>)",
          src.label, header, header, tname)
      end
    elseif unknown and mapping.DIMENSIONS[tc] then
      problems[#problems + 1] = string.format("%s: column '%s': unknown unit '%s' (a mapping can name it: " ..
        "unit,%s,USD*1e6 or the like)", src.label, header, unknown, unknown)
    elseif unit and not mapping.unit_fits(tc, unit) then
      problems[#problems + 1] = string.format("%s: column '%s': a unit in %s does not fit %s", src.label, header,
        unit.dimension, col)
    else
      by[col] = by[col] or {}
      table.insert(by[col], { header = header, unit = unit })
      local money = mapping.DIMENSIONS[tc] == "money"
      if #by[col] > 1 and not money then
        problems[#problems + 1] = string.format("%s: columns '%s' and '%s' both give %s (rename or drop one)",
          src.label, by[col][1].header, header, tc)
      end
    end
  end
  return by
end

-- one cell as the dataset's value; nil and a message when it cannot be read
local function cell(map, tname, spec, text, conv, unit)
  local kind = spec[2]
  local tc = tname .. "." .. spec[1]
  if kind == "num" or kind == "int" then
    local v, err = cells.number(text, conv, unit and unit.power or 0)
    if v == nil then return nil, err end
    if kind == "int" and math.type(v) ~= "integer" then return nil, string.format("'%s' is not an integer", text) end
    if spec.min and v < spec.min then return nil, string.format("%s is below %s", text, tostring(spec.min)) end
    if spec.max and v > spec.max then return nil, string.format("%s is above %s", text, tostring(spec.max)) end
    return v
  elseif kind == "date" then
    local d = cells.date(text, conv.date_format)
    if not d then
      return nil, string.format("'%s' is not a date (%s)", text,
        (conv.date_format and conv.date_format ~= "%Y-%m-%d") and conv.date_format .. " or yyyy-mm-dd" or "yyyy-mm-dd")
    end
    return d
  elseif kind == "enum" then
    return cells.category(map, tc, text, spec.values)
  elseif kind == "yesno" then
    return cells.yesno(map, tc, text)
  end
  return text
end

-- The dataset columns of a source table: { n, cols = {name → values},
-- headers = {name → header}, units = {name → unit of the value's column, per row} }
local function read_columns(tname, src, map, problems, notes)
  local f = src.frame
  local n = f:nrow()
  local by = source_columns(tname, src, map, problems, notes)
  local out = { n = n, cols = {}, headers = {}, header_of = {}, currency_of = {}, where = src.where, row = src.row,
    label = src.label }
  for col, list in pairs(by) do
    local spec = spec_of(tname, col)
    local values, currency, header_of = {}, {}, {}
    out.headers[col] = list[1].header
    local conv = src.conv
    for i = 1, n do
      local v, from, bad
      for _, s in ipairs(list) do
        local text = f:get(s.header, i)
        if text ~= nil and not text:find("^%s*$") then
          local x, err = cell(map, tname, spec, text, conv, s.unit)
          if x == nil then
            bad = true
            problems[#problems + 1] = src.where(i, s.header) .. ": " .. err
          elseif v ~= nil then
            problems[#problems + 1] = string.format("%s: a value in both '%s' and '%s'", src.where(i, s.header),
              from.header, s.header)
          else
            v, from = x, s
          end
        end
      end
      values[i] = v == nil and (bad and BAD or NA) or v
      header_of[i] = from and from.header or list[1].header
      currency[i] = from and from.unit and (from.unit.dimension == "USD" or from.unit.dimension == "VND")
        and from.unit.dimension or nil
    end
    out.cols[col] = values
    out.currency_of[col] = currency
    out.header_of[col] = header_of
  end
  return out
end

-- ---- the registry tables: derived columns --------------------------------------------

local function all_na(n)
  local t = {}
  for i = 1, n do t[i] = NA end
  return t
end

-- money columns: their currency from the header's unit, the currency
-- column, or both (which must agree); the first column's unit sets the
-- currency, the others must agree with it
local function money(t, problems, columns)
  local function known(x) return x ~= NA and x ~= BAD end
  local cur = t.cols.currency
  local have_currency = cur ~= nil
  cur = cur or all_na(t.n)
  for k, col in ipairs(columns) do
    local values, from_unit = t.cols[col], t.currency_of[col]
    if values then
      local without = false
      for i = 1, t.n do
        if known(values[i]) then
          local u, c = from_unit[i], known(cur[i]) and cur[i] or nil
          if u and c and u ~= c then
            problems[#problems + 1] = string.format("%s: %s in %s but the currency column says %s",
              t.where(i, t.header_of[col][i]), col, u, c)
          elseif u and not c then
            if k == 1 then cur[i] = u
            elseif known(cur[i]) and cur[i] ~= u then
              problems[#problems + 1] = string.format("%s: %s in %s but %s in %s",
                t.where(i, t.header_of[col][i]), col, u, columns[1], cur[i])
            end
          elseif not u and not c then
            without = true
          end
        end
      end
      if without and not have_currency then
        problems[#problems + 1] = string.format("%s: column '%s' has no currency: write it in the header ('%s (triệu USD)'"
          .. " or '(tỷ đồng)') or add a column 'Đơn vị tiền tệ'", t.label, t.headers[col], t.headers[col])
      end
    end
  end
  t.cols.currency = cur
end

-- origin from the country when there is no origin column
local function origin_from_country(t, problems, notes)
  if t.cols.origin then return end
  if not t.cols.country then
    problems[#problems + 1] = t.label .. ": no origin column (FDI or domestic): add a column 'Nguồn vốn' " ..
      "(Trong nước / Nước ngoài) or 'Quốc gia'"
    return
  end
  local origin = {}
  for i = 1, t.n do
    local c = t.cols.country[i]
    if c == NA then
      origin[i] = NA
      problems[#problems + 1] = t.where(i, t.headers.country) .. ": no country, so no origin (FDI or domestic)"
    else
      local k = mapping.key(c)
      origin[i] = (k == "viet nam" or k == "vietnam" or k == "vn") and "domestic" or "FDI"
    end
  end
  t.cols.origin = origin
  notes[#notes + 1] = t.label .. ": origin derived from the country (Việt Nam: domestic, other: FDI)"
end

local KIND_PREFIXES = {
  { "khu cong nghiep ", "KCN" }, { "kcn ", "KCN" }, { "khu kinh te ", "KKT" }, { "kkt ", "KKT" },
  { "khu che xuat ", "KCX" }, { "kcx ", "KCX" }, { "khu cong nghe cao ", "KCNC" }, { "kcnc ", "KCNC" },
  { "cum cong nghiep ", "CCN" }, { "ccn ", "CCN" },
}
local function kind_of(name)
  local k = mapping.key(name) .. " "
  for _, p in ipairs(KIND_PREFIXES) do
    if k:sub(1, #p[1]) == p[1] then return p[2] end
  end
end

local function slug(name, taken)
  local base = mapping.key(name):gsub(" ", "-")
  local id, k = base, 2
  while taken[id] do id, k = base .. "-" .. k, k + 1 end
  taken[id] = true
  return id
end

-- zones: ids and kinds from names, parents by name
local function zone_columns(z, problems, notes)
  local names = z.cols.name or z.cols.id
  if not names then
    problems[#problems + 1] = z.label .. ": no zone names (a column 'Tên khu' or 'Tên KCN')"
    return false
  end
  z.cols.name = z.cols.name or z.cols.id
  if not z.cols.id then
    local taken, ids = {}, {}
    for i = 1, z.n do ids[i] = names[i] ~= NA and slug(names[i], taken) or NA end
    z.cols.id = ids
  end
  if not z.cols.kind then
    local kinds, missing = {}, false
    for i = 1, z.n do
      kinds[i] = names[i] ~= NA and kind_of(names[i]) or NA
      if kinds[i] == nil then
        kinds[i] = NA
        missing = true
        problems[#problems + 1] = z.where(i, z.headers.name) .. ": cannot tell the kind of zone '" .. names[i] ..
          "' from its name: add a column 'Loại' (KCN, KKT, ...)"
      end
    end
    z.cols.kind = kinds
    if not missing then notes[#notes + 1] = z.label .. ": zone kinds taken from their names" end
  end
  if z.cols.parent and not z.cols.parent_id then
    local by_name, parents = {}, {}
    for i = 1, z.n do
      if names[i] ~= NA then by_name[name_key(names[i])] = z.cols.id[i] end
    end
    for i = 1, z.n do
      local p = z.cols.parent[i]
      parents[i] = p ~= NA and by_name[name_key(p)] or NA
      if p ~= NA and not by_name[name_key(p)] then
        problems[#problems + 1] = z.where(i, z.headers.parent) .. ": no zone named '" .. p .. "'"
      end
    end
    z.cols.parent_id = parents
  end
  return true
end

-- zones made from the projects' zone names, when the registry has none
local function zones_from_projects(p, opts, problems, notes)
  local names = p.cols.zone
  if not names then
    problems[#problems + 1] = p.label .. ": the registry has no zones table, so its projects need a column " ..
      "'KCN' (the name of their zone)"
    return nil
  end
  local z = { n = 0, cols = { name = {}, province = {} }, headers = { name = p.headers.zone,
    province = p.headers.province },
    label = p.label .. " (zones from its column '" .. p.headers.zone .. "')" }
  local index = {}
  local first_row = {}
  for i = 1, p.n do
    local name = names[i]
    if name ~= NA then
      local k = name_key(name)
      local prov = p.cols.province and p.cols.province[i] ~= NA and p.cols.province[i] or opts.province
      if not index[k] then
        z.n = z.n + 1
        index[k] = z.n
        first_row[z.n] = i
        z.cols.name[z.n] = name
        z.cols.province[z.n] = prov or NA
      elseif prov and z.cols.province[index[k]] == NA then
        z.cols.province[index[k]] = prov
      elseif prov and name_key(prov) ~= name_key(z.cols.province[index[k]]) then
        problems[#problems + 1] = string.format("%s: zone '%s' is in %s here but in %s on an earlier row",
          p.where(i, p.headers.province), name, prov, z.cols.province[index[k]])
      end
    end
  end
  z.where = function(i, header) return p.where(first_row[i], header) end
  z.row = function(i) return p.row(first_row[i]) end
  for i = 1, z.n do
    if z.cols.province[i] == NA then
      problems[#problems + 1] = string.format("%s: zone '%s' has no province: add a column 'Tỉnh' to the projects, " ..
        "or load with {province = ...} (zonestat import --province)", p.where(first_row[i], p.headers.zone),
        z.cols.name[i])
    end
  end
  notes[#notes + 1] = string.format("%s: no zones table; %d zones made from the projects' zone names (areas NA)",
    p.label, z.n)
  return z
end

-- projects: zone ids from zone names, ids from rows
local function project_columns(p, z, problems)
  if not p.cols.id then
    local ids = {}
    for i = 1, p.n do ids[i] = p.cols.license_no and p.cols.license_no[i] ~= NA and p.cols.license_no[i] or "row-" .. i end
    p.cols.id = ids
  end
  if not p.cols.zone_id and p.cols.zone then
    local by = {}
    for i = 1, z.n do
      for _, col in ipairs({ "name", "id" }) do
        local v = z.cols[col] and z.cols[col][i]
        if v and v ~= NA then
          local k = name_key(v)
          if by[k] and by[k] ~= z.cols.id[i] then by[k] = false else by[k] = z.cols.id[i] end
        end
      end
    end
    local ids = {}
    for i = 1, p.n do
      local name = p.cols.zone[i]
      if name == NA then
        ids[i] = NA
      else
        local id = by[name_key(name)]
        if id == false then
          problems[#problems + 1] = p.where(i, p.headers.zone) .. ": zone name '" .. name .. "' fits several zones"
        elseif id == nil then
          problems[#problems + 1] = p.where(i, p.headers.zone) .. ": no zone named '" .. name .. "'"
        end
        ids[i] = id or NA
      end
    end
    p.cols.zone_id = ids
  end
  if not p.cols.zone_id then
    problems[#problems + 1] = p.label .. ": no zone of the projects: add a column 'KCN' (zone name) or zone_id"
  end
end

-- ---- checks across rows and tables --------------------------------------------------

local function check_table(tname, t, ctx, problems)
  local spec = SCHEMA[tname]
  for _, col in ipairs(spec.columns) do
    local name, kind = col[1], col[2]
    local values = t.cols[name]
    if not values then
      if not col.opt then problems[#problems + 1] = t.label .. ": missing column '" .. name .. "'" end
    else
      for i = 1, t.n do
        local v = values[i]
        local where = function() return t.where(i, t.headers[name] or name) end
        if v == BAD then -- luacheck: ignore 542
          -- reported when it was read
        elseif v == NA then
          if not col.opt and not col.need then problems[#problems + 1] = where() .. ": missing " .. name end
        elseif kind == "ref" and not ctx.ids[col.table][v] then
          problems[#problems + 1] = where() .. ": unknown " .. name .. " '" .. v .. "'"
        elseif kind == "province" and not ctx.find_province(v) then
          problems[#problems + 1] = where() .. ": unknown province '" .. v .. "' (see the provinces table: "
            .. "every province and city before and after 2025)"
        elseif kind == "entity" and not (ctx.ids.zones[v] or ctx.ids.provinces[v] or ctx.ids.groups[v] or v == "vn") then
          problems[#problems + 1] = where() .. ": unknown entity '" .. v .. "'"
        end
      end
    end
  end
  -- keys
  if spec.key then
    local keys = type(spec.key) == "table" and spec.key or { spec.key }
    local seen = {}
    for i = 1, t.n do
      local parts, complete = {}, true
      for k, name in ipairs(keys) do
        local v = t.cols[name] and t.cols[name][i]
        if v == nil then complete = false break end
        parts[k] = tostring(v)
      end
      if complete and t.cols[keys[1]][i] ~= NA then
        local k = table.concat(parts, "\0")
        if seen[k] then
          problems[#problems + 1] = string.format("%s: duplicate %s '%s' (first on %s)", t.where(i, t.headers[keys[1]] or
            keys[1]), table.concat(keys, ", "), (table.concat(parts, ", "):gsub(", NA$", "")), t.row(seen[k]))
        else
          seen[k] = i
        end
      end
    end
  end
  if tname == "zones" and t.cols.leased_land_ha and t.cols.industrial_land_ha then
    for i = 1, t.n do
      local leased, ind = t.cols.leased_land_ha[i], t.cols.industrial_land_ha[i]
      if type(leased) == "number" and type(ind) == "number" and leased > ind then
        problems[#problems + 1] = string.format("%s: leased land %s ha exceeds industrial land %s ha",
          t.where(i, t.headers.leased_land_ha), engine.format_number(leased), engine.format_number(ind))
      end
    end
    for i = 1, t.n do
      if t.cols.parent_id and t.cols.parent_id[i] ~= NA and t.cols.parent_id[i] == t.cols.id[i] then
        problems[#problems + 1] = t.where(i, t.headers.parent_id or "parent_id") .. ": zone '" .. t.cols.id[i] ..
          "' is its own parent"
      end
    end
  end
end

--- The typed frame of a checked table: every schema column, NA when absent.
local function typed(tname, t)
  local names, cols = {}, {}
  for _, col in ipairs(SCHEMA[tname].columns) do
    names[#names + 1] = col[1]
    cols[col[1]] = engine.column(t.cols[col[1]] or all_na(t.n), TYPE_OF[col[2]])
  end
  return engine.frame(cols, names)
end

-- ---- load -----------------------------------------------------------------------------

local Dataset = {}
Dataset.__index = Dataset

local LOAD_OPTIONS = {
  mapping = true, read = true, province = true,
}

--- Load and check a registry.
-- @tparam[opt] string path a folder of CSV files, an `.xlsx` workbook, a
--   SQLite database or one CSV file of projects (default: the bundled data)
-- @tparam[opt] table opts `mapping` (a table, or the path of a JSON or CSV
--   mapping file; on top of the built-in Vietnamese one), `read` (reader
--   options: `sep`, `decimal`, `thousands`, `date_format`, `encoding` for
--   CSV; sheet options for workbooks), `province` (the province of zones
--   made from project rows that do not name one)
-- @return[1] Dataset, with `notes` (assumptions made, columns not used) and `warnings`
-- @return[2] nil
-- @treturn[2] {string,...} every problem, each naming its place
-- @usage local ds = assert(zs.dataset.load("dang_ky.xlsx"))
function M.load(path, opts)
  if path ~= nil and type(path) ~= "string" then error("dataset.load: path must be a folder or file name", 2) end
  if opts ~= nil and type(opts) ~= "table" then error("dataset.load: opts must be a table", 2) end
  opts = opts or {}
  for k in pairs(opts) do
    if not LOAD_OPTIONS[k] then error("dataset.load: unknown option '" .. tostring(k) .. "'", 2) end
  end
  if opts.read ~= nil and type(opts.read) ~= "table" then error("dataset.load: option 'read' must be a table", 2) end
  if opts.province ~= nil and type(opts.province) ~= "string" then
    error("dataset.load: option 'province' must be a province name", 2)
  end
  local map, mproblems = mapping.load(opts.mapping)
  if not map then return nil, mproblems end
  path = path or M.default_dir()
  local sources, notes, kind = registry.read(path, map, opts.read)
  if not sources then return nil, notes end
  local problems = {}
  -- reference tables fall back to the bundled ones
  local bundled = M.default_dir()
  local fallback = {}
  for _, tname in ipairs(ORDER) do
    if SCHEMA[tname].reference and not sources[tname] then
      local file = bundled .. "/" .. SCHEMA[tname].file
      local ref = registry.read(file, map)
      if ref then
        sources[tname] = ref.projects
        sources[tname].label = file
        fallback[tname] = true
      end
    end
  end
  if not sources.projects then
    return nil, { path .. ": no projects table (a file projects.csv, a sheet or table 'Dự án', or a mapping "
      .. "that names one)" }
  end
  -- cells
  local t = {}
  for _, tname in ipairs(ORDER) do
    if sources[tname] then t[tname] = read_columns(tname, sources[tname], map, problems, notes) end
  end
  local p = t.projects
  money(p, problems, { "capital", "disbursed" })
  if t.events then money(t.events, problems, { "amount" }) end
  origin_from_country(p, problems, notes)
  if not t.zones then t.zones = zones_from_projects(p, opts, problems, notes) end
  if not t.zones then return nil, problems end
  if not zone_columns(t.zones, problems, notes) then return nil, problems end
  if not t.zones.cols.province and opts.province then
    t.zones.cols.province = {}
    for i = 1, t.zones.n do t.zones.cols.province[i] = opts.province end
  end
  project_columns(p, t.zones, problems)

  -- ids for references, and the province lookup
  local ids = { zones = {}, provinces = {}, groups = {}, projects = {} }
  for _, tname in ipairs({ "zones", "provinces", "groups", "projects" }) do
    if t[tname] and t[tname].cols.id then
      for i = 1, t[tname].n do
        local id = t[tname].cols.id[i]
        if id ~= NA then ids[tname][id] = true end
      end
    end
  end
  local by_key = {}
  local provinces = t.provinces
  if provinces then
    for i = 1, provinces.n do
      local id = provinces.cols.id[i]
      local aliases = provinces.cols.aliases and provinces.cols.aliases[i] or NA
      for _, n in ipairs({ id, provinces.cols.name[i], provinces.cols.name_ascii and provinces.cols.name_ascii[i] or NA,
        provinces.cols.code and provinces.cols.code[i] or NA }) do
        if n ~= NA then by_key[name_key(n)] = id end
      end
      if aliases ~= NA then
        for alias in aliases:gmatch("[^|]+") do by_key[name_key(alias)] = id end
      end
    end
  end
  local function find_province(q)
    if provinces == nil then return q end
    return by_key[name_key(q)]
  end
  local ctx = { ids = ids, find_province = find_province }
  for _, tname in ipairs(ORDER) do
    if t[tname] then check_table(tname, t[tname], ctx, problems) end
  end
  if #problems > 0 then return nil, problems end

  local ds = setmetatable({ dir = path, path = path, kind = kind, warnings = {}, notes = notes, by_key = by_key,
    fallback = fallback, mapping = map }, Dataset)
  for _, tname in ipairs(ORDER) do
    if t[tname] then ds[tname] = typed(tname, t[tname]) end
  end
  ds.rates = {}
  if ds.fx then
    for row in ds.fx:rows() do ds.rates[row.year] = row.vnd_per_usd end
  end
  -- zones: the province id
  local zprov = {}
  for i = 1, ds.zones:nrow() do zprov[i] = find_province(ds.zones:get("province", i)) end
  ds.zones = ds.zones:mutate { province_id = engine.column(zprov, "str") }
  ds.zone_index = {}
  for i = 1, ds.zones:nrow() do ds.zone_index[ds.zones:get("id", i)] = i end
  -- projects: province and year; events (one licence per project when the registry has none)
  local pprov = {}
  local projects = ds.projects
  for i = 1, projects:nrow() do
    local z = ds.zone_index[projects:get("zone_id", i)]
    pprov[i] = zprov[z] or NA
  end
  ds.projects = projects:mutate { province_id = engine.column(pprov, "str"), year = engine.col("license_date"):year() }
  if not ds.events then
    ds.events = capital.derive(ds.projects)
    ds.events_derived = true
    notes[#notes + 1] = p.label .. ": no events table: one new licence per project, on its licence date, for its capital"
  else
    local ev = t.events
    capital.check(ds.projects, ds.events, function(i, column) return ev.where(i, ev.headers[column] or column) end,
      problems)
    if #problems > 0 then return nil, problems end
    local without = ds.projects:join(ds.events:select("project_id"):distinct(), { on = { id = "project_id" },
      how = "anti" })
    if without:nrow() > 0 then
      ds.events = engine.concat(ds.events, capital.derive(without))
      notes[#notes + 1] = string.format("%s: %d project(s) without events: one new licence each, on the licence " ..
        "date, for the capital", ev.label, without:nrow())
    end
  end
  local ledger, gaps = capital.ledger(ds)
  ds.ledger, ds.rate_gaps = ledger, gaps
  for _, g in ipairs(gaps) do ds.warnings[#ds.warnings + 1] = capital.gap_text(g) end
  -- capital in USD and VND after all events
  local totals = capital.totals(ds)
  local usd, vnd = {}, {}
  for i = 1, totals:nrow() do
    local id = totals:get("project_id", i)
    usd[id], vnd[id] = totals:get("usd_at", i) or NA, totals:get("vnd_at", i) or NA
  end
  local cu, cv = {}, {}
  for i = 1, ds.projects:nrow() do
    local id = ds.projects:get("id", i)
    cu[i], cv[i] = usd[id] or NA, vnd[id] or NA
  end
  ds.projects = ds.projects:mutate { capital_usd = engine.column(cu, "float"), capital_vnd = engine.column(cv, "float") }
  return ds
end

--- Write the dataset as a folder that `load` reads back: the registry's
-- tables in the project's columns (CSV, UTF-8, comma-separated), not the
-- bundled reference tables it fell back on.  Atomic: into a temporary
-- folder `dir.tmp-XXXXXX`, which then takes the place of `dir` in one step
-- (a failure or a kill leaves `dir` as it was; the next write sweeps a
-- temporary left by a kill); a non-empty `dir` is refused unless `force`.
-- @tparam string dir
-- @tparam[opt] table opts `force` (replace a non-empty dir)
-- @return true, or nil and a message
function Dataset:write(dir, opts)
  opts = opts or {}
  local info = engine.path_info(dir)
  if info and info.kind ~= "directory" then return nil, dir .. ": exists and is not a folder" end
  local existing = info and engine.list_dir(dir) or {}
  if #existing > 0 and not opts.force then
    return nil, dir .. ": the folder is not empty (use --force to replace it)"
  end
  -- a temporary folder beside it takes its place in one step once complete
  -- (README "Files written"): a failure or a kill leaves the old folder
  local core = engine._core
  local tmp, lock = core.temp_dir(dir, "dataset")
  if not tmp then return nil, lock end
  local written = 0
  for _, tname in ipairs(ORDER) do
    if self[tname] and not self.fallback[tname] then
      local names = {}
      for _, col in ipairs(SCHEMA[tname].columns) do names[#names + 1] = col[1] end
      local wok, werr = self[tname]:select(names):write_csv(tmp .. "/" .. SCHEMA[tname].file)
      if not wok then
        core.remove_temp(lock)
        if werr:sub(1, #tmp) == tmp then werr = dir .. werr:sub(#tmp + 1) end
        return nil, werr
      end
      written = written + 1
      if written == 1 then core.kill_point("dataset", "data") end
    end
  end
  return core.replace_dir(lock, dir, "dataset")
end

--- Find a province by id or name, with or without diacritics, in any
-- normal form ("Hải Phòng", "Hai Phong", "TP. Hải Phòng", "hp", "31").
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
  local key, folded = name_key(q), " " .. mapping.key(q) .. " "
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

--- How to cite a source: for an id of sources.csv its citation and its
-- URL (nil when it was not retrieved), else the address itself.
-- @tparam string id a source_url of the data
-- @treturn string the citation
-- @treturn ?string the URL, or nil when none was retrieved
function Dataset:citation(id)
  if self.sources then
    for row in self.sources:rows() do
      if row.id == id then return row.citation, row.url end
    end
  end
  return id, id:find("^https?://") and id or nil
end

--- The display name of a province id (the latest row of that id).
function Dataset:province_name(id)
  local name
  if self.provinces then
    for row in self.provinces:rows() do if row.id == id then name = row.name end end
  end
  return name or id
end

M.Dataset = Dataset
M.SCHEMA = SCHEMA

return M

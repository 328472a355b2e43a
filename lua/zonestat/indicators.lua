--- Indicators a zone management board reports: a profile of a province or
-- zone, growth multiples and CAGR, year-on-year series, rankings with
-- streaks, side-by-side comparisons and the reconciliation of published
-- figures.  All aggregation goes through the C core (group-by, filter,
-- join); this module only names and combines the results.
--
-- Definitions (also in the `definition` column of each profile row):
--   projects, capital: projects licensed on or before `as_of` in the
--     entity's zones (a KKT includes the KCN inside it); capital is the
--     registered capital in USD (VND at the license year's average rate);
--   fdi_share: FDI capital / all capital;
--   zones: KKT and KCN established (status established or operating, and
--     established by `as_of` when the year is known);
--   occupancy: leased ÷ industrial land over the KCN where both are known,
--     over all established KCN (`occupancy = "all"`, default) or over the
--     operating ones (`"operating"`); the basis is in the row's definition;
--   capital_per_ha, employees_per_ha: of the projects in those KCN, per
--     hectare of their industrial land.
-- @module zonestat.indicators

local engine = require "zonestat.engine"
local check = require "zonestat.check"
local dataset = require "zonestat.dataset"

local col = engine.col
local NA = engine.NA
local M = {}

local function dataset_arg(fname, ds)
  check.arg(getmetatable(ds) == dataset.Dataset, fname, "ds", "must be a dataset (zs.dataset.load())", 1)
end

--- zone ids of an entity: a province id, or a zone id with its children
local function zone_set(ds, entity)
  local ids, z = {}, ds.zones
  for i = 1, z:nrow() do
    local id, parent, prov = z:get("id", i), z:get("parent_id", i), z:get("province_id", i)
    if entity.province and prov == entity.province then ids[#ids + 1] = id end
    if entity.zone and (id == entity.zone or parent == entity.zone) then ids[#ids + 1] = id end
  end
  return ids
end

local function resolve(ds, entity)
  if type(entity) == "string" then
    local p = ds:province(entity)
    if p then return { province = p, name = ds:province_name(p) } end
    local z, err = ds:zone(entity)
    if not z then return nil, err end
    return { zone = z, name = ds.zones:get("name", ds.zone_index[z]) }
  end
  if type(entity) == "table" and entity.province then
    local p, err = ds:province(entity.province)
    if not p then return nil, err end
    return { province = p, name = ds:province_name(p) }
  end
  if type(entity) == "table" and entity.zone then
    local z, err = ds:zone(entity.zone)
    if not z then return nil, err end
    return { zone = z, name = ds.zones:get("name", ds.zone_index[z]) }
  end
  return nil, "expected a province or zone (name, or {province = ...} / {zone = ...})"
end
M.resolve = resolve

--- The last day of the month of a date ("2024-06-27" -> "2024-06-30").
function M.month_end(date)
  local y, m = date:match("^(%d%d%d%d)-(%d%d)")
  y, m = tonumber(y), tonumber(m)
  local days = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
  local d = days[m]
  if m == 2 and (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) then d = 29 end
  return string.format("%04d-%02d-%02d", y, m, d)
end

local function sum_of(f, name)
  local v = f:nrow() > 0 and f:column(name):sum() or nil
  return v or 0
end

--- Profile of a province or zone as of a date.
-- @param ds a Dataset
-- @param entity a province or zone name/id, or {province = ...} / {zone = ...}
-- @tparam[opt] table opts `as_of` ("yyyy-mm-dd", default: the end of the month of the latest
--   license date),
--   `occupancy` ("all" or "operating")
-- @return a table: `entity`, `name`, `as_of`, `synthetic` (project rows are),
--   one field per indicator, and `frame` (indicator, value, unit, definition);
--   or nil and a message
-- @usage local p = zs.indicators.profile(ds, "Hải Phòng", {as_of = "2024-06-30"})
function M.profile(ds, entity, opts)
  dataset_arg("profile", ds)
  opts = opts or {}
  local e, err = resolve(ds, entity)
  if not e then return nil, "profile: " .. err end
  local basis = opts.occupancy or "all"
  if basis ~= "all" and basis ~= "operating" then error("profile: occupancy must be 'all' or 'operating'", 2) end
  local ids = zone_set(ds, e)
  local as_of = opts.as_of or M.month_end(ds.projects:column("license_date"):max())
  local okd = pcall(engine.column, { as_of }, "date")
  if not okd then error("profile: as_of must be a date yyyy-mm-dd", 2) end
  local as_of_year = tonumber(as_of:sub(1, 4))

  local p = ds.projects:filter(col("zone_id"):isin(ids) & col("license_date"):le(as_of))
  local fdi = p:filter(col("origin"):eq("FDI"))
  local dom = p:filter(col("origin"):eq("domestic"))
  local z = ds.zones:filter(col("id"):isin(ids) & col("status"):ne("planned") &
    (col("year_established"):is_na() | col("year_established"):le(as_of_year)))
  local kcn = z:filter(col("kind"):eq("KCN"))
  local land = ds.land and kcn:join(ds.land:rename { industrial_land_ha = "syn_ind", leased_land_ha = "syn_leased" }
    :select("zone_id", "syn_ind", "syn_leased"), { on = { id = "zone_id" }, how = "left" })
    :mutate { industrial_land_ha = col("industrial_land_ha"):fill_na(col("syn_ind")),
      leased_land_ha = col("leased_land_ha"):fill_na(col("syn_leased")) } or kcn
  local land_synthetic = ds.land and land:filter(col("syn_ind"):is_na():eq(false)):nrow() > 0
  local occ_parks = land:filter(col("industrial_land_ha"):gt(0) & col("leased_land_ha"):is_na():eq(false) &
    (basis == "all" and engine.lit(true) or col("status"):eq("operating")))
  local occ_ids = occ_parks:column("id"):totable()
  local in_parks = p:filter(col("zone_id"):isin(occ_ids))

  local capital = sum_of(p, "capital_usd")
  local fdi_capital = sum_of(fdi, "capital_usd")
  local industrial = sum_of(occ_parks, "industrial_land_ha")
  local r = {
    entity = e.province or e.zone, name = e.name, as_of = as_of, occupancy_basis = basis,
    synthetic = p:filter(col("synthetic"):eq("yes")):nrow() > 0, land_synthetic = land_synthetic or false,
    projects = p:nrow(),
    capital_usd = capital,
    fdi_projects = fdi:nrow(), fdi_capital_usd = fdi_capital,
    domestic_projects = dom:nrow(), domestic_capital_usd = sum_of(dom, "capital_usd"),
    fdi_share = capital > 0 and fdi_capital / capital or NA,
    operating_projects = p:filter(col("status"):eq("operating")):nrow(),
    industrial_production_projects = p:filter(col("industrial_production"):eq("yes") &
      col("status"):eq("operating")):nrow(),
    employees = sum_of(p, "employees"),
    projects_without_usd = p:filter(col("capital_usd"):is_na()):nrow(),
    zones_established = z:nrow(),
    zones_operating = z:filter(col("status"):eq("operating")):nrow(),
    kcn_established = kcn:nrow(),
    kcn_operating = kcn:filter(col("status"):eq("operating")):nrow(),
    kcn_natural_area_ha = sum_of(kcn, "natural_area_ha"),
    kcn_without_area = kcn:filter(col("natural_area_ha"):is_na()):nrow(),
    kkt_natural_area_ha = sum_of(z:filter(col("kind"):eq("KKT")), "natural_area_ha"),
    industrial_land_ha = industrial,
    leased_land_ha = sum_of(occ_parks, "leased_land_ha"),
    occupancy_parks = occ_parks:nrow(),
  }
  r.occupancy = industrial > 0 and r.leased_land_ha / industrial or NA
  r.capital_per_ha = industrial > 0 and sum_of(in_parks, "capital_usd") / industrial or NA
  r.employees_per_ha = industrial > 0 and sum_of(in_parks, "employees") / industrial or NA

  local syn = r.synthetic and " [synthetic project rows]" or ""
  local lsyn = r.land_synthetic and " [industrial/leased land partly synthetic]" or ""
  local rows = {
    { "projects", "count", "projects licensed by " .. as_of .. syn },
    { "capital_usd", "USD", "registered capital, VND at the license year's average rate" .. syn },
    { "fdi_projects", "count", "FDI projects" .. syn },
    { "fdi_capital_usd", "USD", "FDI registered capital" .. syn },
    { "domestic_projects", "count", "domestic projects" .. syn },
    { "domestic_capital_usd", "USD", "domestic registered capital" .. syn },
    { "fdi_share", "ratio", "FDI capital / all capital" .. syn },
    { "operating_projects", "count", "projects with status operating" .. syn },
    { "industrial_production_projects", "count", "operating industrial-production projects" .. syn },
    { "employees", "persons", "employees of the projects" .. syn },
    { "projects_without_usd", "count", "projects left out of USD sums (no exchange rate for their year)" },
    { "zones_established", "count", "KKT and KCN established (or operating) by " .. as_of },
    { "zones_operating", "count", "KKT and KCN operating" },
    { "kcn_established", "count", "KCN established (or operating)" },
    { "kcn_operating", "count", "KCN operating" },
    { "kcn_natural_area_ha", "ha", "natural area of those KCN (where known)" },
    { "kcn_without_area", "count", "established KCN whose area no source gives" },
    { "kkt_natural_area_ha", "ha", "natural area of the KKT" },
    { "industrial_land_ha", "ha", "industrial land of the KCN in the occupancy basis (" .. basis .. ")" .. lsyn },
    { "leased_land_ha", "ha", "leased industrial land of those KCN" .. lsyn },
    { "occupancy_parks", "count", "KCN with industrial and leased land known (" .. basis .. ")" },
    { "occupancy", "ratio", "leased / industrial land over " .. basis .. " KCN with both known" .. lsyn },
    { "capital_per_ha", "USD/ha", "capital of projects in those KCN per ha of their industrial land" .. syn .. lsyn },
    { "employees_per_ha", "persons/ha", "employees of projects in those KCN per ha of industrial land" .. syn .. lsyn },
  }
  local frows = {}
  for i, row in ipairs(rows) do
    local v = r[row[1]]
    frows[i] = { indicator = row[1], value = (v == NA or v == nil) and NA or v + 0.0, unit = row[2],
      definition = row[3] }
  end
  r.frame = engine.from_rows(frows, { "indicator", "value", "unit", "definition" })
  return r
end

--- Growth between two values: the multiple and the compound annual rate.
-- @tparam number v0 value in the first year
-- @tparam number v1 value in the last year
-- @tparam number years years between them
-- @treturn number multiple v1 / v0
-- @treturn number CAGR (multiple^(1/years) − 1)
function M.growth(v0, v1, years)
  if type(v0) ~= "number" or type(v1) ~= "number" or type(years) ~= "number" then
    error("growth: expected two values and a number of years", 2)
  end
  if v0 <= 0 or years <= 0 then return nil, "growth: needs a positive first value and years > 0" end
  local m = v1 / v0
  return m, m ^ (1 / years) - 1
end

--- The CAGR a published multiple implies, and the implied base value.
-- The article gives only 121 trillion VND for 2023 and "117 × 2004": the
-- 2004 value is implied (≈ 1.03 trillion VND), not published.
-- @tparam number multiple e.g. 117
-- @tparam number years e.g. 2023 − 2004 = 19
-- @tparam[opt] number final the last year's value, to imply the base value
-- @treturn table {cagr, base (implied, when final is given), implied = true}
function M.implied(multiple, years, final)
  if type(multiple) ~= "number" or multiple <= 0 or type(years) ~= "number" or years <= 0 then
    error("implied: expected a positive multiple and years", 2)
  end
  return { cagr = multiple ^ (1 / years) - 1, base = final and final / multiple or nil, implied = true,
    multiple = multiple, years = years }
end

--- A published yearly series of one entity and indicator (flows with a
-- one-year period), as a frame year, value, unit, source_url, with the
-- change and percentage change from the year before.
-- @return Frame year, value, unit, change, pct, source_url, confidence
function M.series(ds, entity, indicator)
  dataset_arg("series", ds)
  if not ds.figures then return nil, "series: the dataset has no figures.csv" end
  local e, err = resolve(ds, entity)
  if not e then return nil, "series: " .. err end
  local f = ds.figures:filter(col("entity"):eq(e.province or e.zone) & col("indicator"):eq(indicator))
  local rows, seen = {}, {}
  for row in f:rows() do
    local year = row.period and tonumber(row.period:match("^(%d%d%d%d)$"))
    if year and not seen[year] then
      seen[year] = true
      rows[#rows + 1] = { year = year, value = row.value, unit = row.unit, source_url = row.source_url or NA,
        confidence = row.confidence or NA }
    end
  end
  if #rows == 0 then return nil, "series: no yearly values of '" .. indicator .. "' for " .. e.name end
  local s = engine.from_rows(rows, { "year", "value", "unit", "source_url", "confidence" }):sort("year")
  return M.yoy(s, "year", "value")
end

--- Year-on-year change of a series: adds `change` and `pct` (fraction).
-- @tparam Frame f with a year column and a value column, one row per year
function M.yoy(f, year, value)
  local sorted = f:sort(year)
  local change, pct = {}, {}
  for i = 1, sorted:nrow() do
    local v, prev = sorted:get(value, i), i > 1 and sorted:get(value, i - 1) or nil
    local consecutive = i > 1 and sorted:get(year, i) == sorted:get(year, i - 1) + 1
    if v and prev and consecutive then
      change[i], pct[i] = v - prev, prev ~= 0 and (v - prev) / prev or NA
    else
      change[i], pct[i] = NA, NA
    end
  end
  return sorted:mutate { change = engine.column(change, "float"), pct = engine.column(pct, "float") }
end

--- Rank entities per year by a value (1 = largest; ties share the rank).
-- @tparam Frame f long format: entity, year, value columns
-- @tparam table opts `entity`, `year`, `value` column names
-- @treturn Frame f with a `rank` column, sorted by year and rank
function M.rank(f, opts)
  opts = opts or {}
  local year, value = opts.year or "year", opts.value or "value"
  return f:mutate { rank = col(value):rank { desc = true, by = year } }:sort(year, "rank")
end

--- Runs of consecutive years in the top N, per entity.
-- @tparam Frame ranked with entity, year and rank columns
-- @tparam table opts `top` (default 3), `entity`, `year`, `rank` column names
-- @treturn Frame entity, from, to, years (length), current (the run reaches the last year)
--   for every run, longest first
function M.streaks(ranked, opts)
  opts = opts or {}
  local top, ent, year, rank = opts.top or 3, opts.entity or "entity", opts.year or "year", opts.rank or "rank"
  local last_year = ranked:column(year):max()
  local inside = ranked:filter(col(rank):le(top)):sort(ent, year)
  local rows, cur = {}, nil
  for row in inside:rows() do
    if cur and cur.entity == row[ent] and row[year] == cur.to + 1 then
      cur.to = row[year]
    else
      cur = { entity = row[ent], from = row[year], to = row[year] }
      rows[#rows + 1] = cur
    end
  end
  for _, r in ipairs(rows) do
    r.years = r.to - r.from + 1
    r.current = r.to == last_year
  end
  local out = engine.from_rows(rows, { "entity", "from", "to", "years", "current" })
  if out:nrow() == 0 then return out end
  return out:sort("years", { desc = true }, "entity")
end

--- Profiles side by side: one row per indicator, one column per entity,
-- plus normalized indicators (capital per project, FDI share, capital per
-- ha, occupancy) and the ratio of the first entity to the second.
-- @param ds a Dataset
-- @tparam {string,...} entities province or zone names/ids
-- @tparam[opt] table opts as profile's
-- @return Frame, and the profiles; or nil and a message
function M.compare(ds, entities, opts)
  dataset_arg("compare", ds)
  if type(entities) ~= "table" or #entities < 2 then error("compare: give at least two provinces or zones", 2) end
  local profiles, names = {}, { "indicator", "unit" }
  for i, e in ipairs(entities) do
    local p, err = M.profile(ds, e, opts)
    if not p then return nil, err end
    profiles[i] = p
    names[#names + 1] = p.entity
  end
  for _, p in ipairs(profiles) do
    p.capital_per_project = p.projects > 0 and p.capital_usd / p.projects or NA
    p.fdi_capital_per_project = p.fdi_projects > 0 and p.fdi_capital_usd / p.fdi_projects or NA
    p.operating_share = p.projects > 0 and p.operating_projects / p.projects or NA
  end
  local list = {
    { "projects", "count" }, { "capital_usd", "USD" }, { "fdi_projects", "count" }, { "fdi_capital_usd", "USD" },
    { "domestic_projects", "count" }, { "domestic_capital_usd", "USD" }, { "fdi_share", "ratio" },
    { "operating_projects", "count" }, { "operating_share", "ratio" },
    { "industrial_production_projects", "count" }, { "capital_per_project", "USD" },
    { "fdi_capital_per_project", "USD" }, { "zones_established", "count" }, { "kcn_established", "count" },
    { "kcn_operating", "count" }, { "kcn_natural_area_ha", "ha" }, { "kkt_natural_area_ha", "ha" },
    { "occupancy", "ratio" }, { "capital_per_ha", "USD/ha" }, { "employees_per_ha", "persons/ha" },
  }
  local rows = {}
  for i, item in ipairs(list) do
    local row = { indicator = item[1], unit = item[2] }
    for _, p in ipairs(profiles) do
      local v = p[item[1]]
      row[p.entity] = (v == NA or v == nil) and NA or v + 0.0
    end
    local a, b = profiles[1][item[1]], profiles[2][item[1]]
    row.ratio = (type(a) == "number" and type(b) == "number" and b ~= 0) and a / b or NA
    rows[i] = row
  end
  names[#names + 1] = "ratio"
  return engine.from_rows(rows, names), profiles
end

--- The same indicator from different sources or dates, side by side.
-- Each row gets its relative difference from the reference value (the
-- latest; among the latest, the most confident source), a `conflict` flag
-- when two values of the same date differ by more than `tolerance`, and
-- `stock_fell` when a cumulative (stock) value is below an earlier one.
-- @param ds a Dataset
-- @param entity name or id (province, zone or figures entity)
-- @tparam string indicator e.g. "capital_fdi"
-- @tparam[opt] table opts `tolerance` (default 0.005), `unit` (keep one unit),
--   `as_of` (ignore figures after this date)
-- @return Frame as_of, value, unit, rel_diff, conflict, stock_fell, confidence, source_url, definition;
--   or nil and a message
function M.reconcile(ds, entity, indicator, opts)
  dataset_arg("reconcile", ds)
  opts = opts or {}
  local tol = opts.tolerance or 0.005
  local id = entity
  local e = resolve(ds, entity)
  if e then id = e.province or e.zone end
  if not ds.figures then return nil, "reconcile: the dataset has no figures.csv" end
  local cond = col("entity"):eq(id) & col("indicator"):eq(indicator)
  if opts.unit then cond = cond & col("unit"):eq(opts.unit) end
  if opts.as_of then cond = cond & col("as_of"):le(opts.as_of) end
  local f = ds.figures:filter(cond):sort("as_of")
  if f:nrow() == 0 then return nil, "reconcile: no figures of '" .. indicator .. "' for " .. tostring(entity) end
  local conf_rank = { H = 3, M = 2, L = 1 }
  local ref
  for i = 1, f:nrow() do
    local a, c = f:get("as_of", i), conf_rank[f:get("confidence", i) or ""] or 0
    if a and (not ref or a > ref.as_of or (a == ref.as_of and c > ref.conf)) then
      ref = { i = i, as_of = a, conf = c, value = f:get("value", i) }
    end
  end
  ref = ref or { i = f:nrow(), value = f:get("value", f:nrow()) }
  local rows = {}
  for i = 1, f:nrow() do
    local v, a, period = f:get("value", i), f:get("as_of", i), f:get("period", i)
    local conflict, fell = false, false
    for j = 1, f:nrow() do
      local vj, aj = f:get("value", j), f:get("as_of", j)
      if j ~= i and aj and a and aj == a and f:get("unit", j) == f:get("unit", i) and
        math.abs(vj - v) > tol * math.max(math.abs(v), math.abs(vj)) then
        conflict = true
      end
      if not period and not f:get("period", j) and aj and a and aj < a and f:get("unit", j) == f:get("unit", i)
        and v < vj * (1 - tol) then
        fell = true
      end
    end
    rows[i] = {
      as_of = a or NA, value = v, unit = f:get("unit", i),
      rel_diff = (ref.value ~= 0 and f:get("unit", i) == f:get("unit", ref.i)) and (v - ref.value) / ref.value or NA,
      reference = i == ref.i, conflict = conflict, stock_fell = fell,
      confidence = f:get("confidence", i) or NA, source_url = f:get("source_url", i) or NA,
      definition = f:get("definition", i) or NA,
    }
  end
  return engine.from_rows(rows, { "as_of", "value", "unit", "rel_diff", "reference", "conflict", "stock_fell",
    "confidence", "source_url", "definition" }):cast { as_of = "date" }
end


return M

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
local profile = require "zonestat.profile"
local capital = require "zonestat.capital"
local flows = require "zonestat.flows"
local period = require "zonestat.period"

local col = engine.col
local NA = engine.NA
local M = {}

-- an option naming a column
local NAME = { function(v) return type(v) == "string" end, "a column name" }

local function dataset_arg(fname, ds)
  check.arg(getmetatable(ds) == dataset.Dataset, fname, "ds", "must be a dataset (zs.dataset.load())", 1)
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

--- The last day of the month of a date ("2024-06-27" -> "2024-06-30"): `zs.period.month_end`.
M.month_end = period.month_end

--- Profile of a province or zone as of a date.
-- Every indicator is a figure with its provenance, NA where the data do not
-- say (zonestat.profile has the rules).
-- @param ds a Dataset
-- @param entity a province or zone name/id, or {province = ...} / {zone = ...}
-- @tparam[opt] table opts `as_of` ("yyyy-mm-dd", default: the end of the period, else the end of
--   the month of the latest event), `period` (a reporting period: "2024-H1", "9T/2024", ... or a
--   zs.period table; adds `flows`), `occupancy` ("all" or "operating"), `locale` (of the frame's
--   labels and messages; "vi")
-- @return a table: `entity`, `name`, `as_of`, `synthetic` (project rows are), `figures`
--   (indicator → figure), one field per indicator (its value, or `zs.NA`), and `frame`
--   (indicator, label, value, unit, class, qualifier, coverage, reason, definition); with a
--   period also `period`, `previous` (the same period a year earlier) and `flows` (zonestat.flows
--   rows: period, previous, change, cumulative figures); or nil and a message
-- @usage local p = zs.indicators.profile(ds, "Hải Phòng", {as_of = "2024-06-30"})
function M.profile(ds, entity, opts)
  dataset_arg("profile", ds)
  opts = opts or {}
  local e, err = resolve(ds, entity)
  if not e then return nil, "profile: " .. err end
  local basis = opts.occupancy or "all"
  if basis ~= "all" and basis ~= "operating" then error("profile: occupancy must be 'all' or 'operating'", 2) end
  local p, perr = M.period_of(opts)
  if perr then return nil, "profile: " .. perr end
  local as_of = opts.as_of or (p and p.to) or capital.data_end(ds)
  local okd = pcall(engine.column, { as_of }, "date")
  if not okd then error("profile: as_of must be a date yyyy-mm-dd", 2) end
  local figures, info = profile.figures(ds, e, as_of, basis)
  local r = { entity = e.province or e.zone, name = e.name, as_of = as_of, occupancy_basis = basis,
    synthetic = info.synthetic, land_synthetic = info.land_synthetic, figures = figures,
    occupancy_parks = info.occupancy_parks, zone_ids = info.zone_ids }
  for key, f in pairs(figures) do
    if f.value ~= nil then r[key] = f.value else r[key] = NA end
  end
  r.frame = profile.frame(figures, opts.locale or "vi", basis)
  if p then
    r.period, r.previous = p, period.previous_year(p)
    r.flows, r.flows_synthetic = flows.table(ds, info.zone_ids, r.period, r.previous)
  end
  return r
end

--- The period of `opts.period` (text such as "2024-H1" or a table from
-- zs.period), checked against `opts.as_of`: it must end on or before it.
-- @tparam table opts `period`, `as_of`, `locale`
-- @return[1] ?table the period (nil when none is asked for)
-- @return[2] nil
-- @treturn[2] string what is wrong, in the locale
function M.period_of(opts)
  if opts.period == nil then return nil end
  local p, en, vi = period.of(opts.period)
  if not p then return nil, (opts.locale == "vi" and vi or en) end
  if p.kind == "CUM" then
    return nil, opts.locale == "vi" and "kỳ báo cáo phải là một khoảng thời gian (năm, 6 tháng, quý, tháng), " ..
      "không phải lũy kế: dùng --as-of cho lũy kế" or "the period must be a span (year, half, quarter, month), " ..
      "not a cumulative: use --as-of for that"
  end
  if opts.as_of and p.to > opts.as_of then
    local function d(x) return opts.locale == "vi" and x:gsub("^(%d+)-(%d+)-(%d+)$", "%3/%2/%1") or x end
    return nil, string.format(opts.locale == "vi" and "kỳ báo cáo %s kết thúc ngày %s, sau ngày số liệu (as-of) %s: " ..
      "bỏ --as-of hoặc chọn ngày từ %s trở đi" or "the period %s ends on %s, after the as-of date %s: drop --as-of " ..
      "or give a date on or after %s", opts.locale == "vi" and p.label_vi or p.label_en, d(p.to), d(opts.as_of), d(p.to))
  end
  return p
end

local function finite(x) return x == x and x ~= math.huge and x ~= -math.huge end

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
  if not (finite(v0) and finite(v1) and finite(years)) then
    return nil, "growth: needs finite values and years (got " .. tostring(v0) .. ", " .. tostring(v1) .. ", "
      .. tostring(years) .. ")"
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
  if type(multiple) ~= "number" or not finite(multiple) or multiple <= 0 or type(years) ~= "number"
    or not finite(years) or years <= 0 or (final ~= nil and (type(final) ~= "number" or not finite(final))) then
    error("implied: expected a positive multiple and years", 2)
  end
  return { cagr = multiple ^ (1 / years) - 1, base = final and final / multiple or nil, implied = true,
    multiple = multiple, years = years }
end

--- A published yearly series of one entity and indicator (flows with a
-- one-year period), as a frame year, value, unit, source_url, with the
-- change and percentage change from the year before.
-- @tparam[opt] table opts `as_of`: only the figures dated by then (a year
--   not over by `as_of` is left out)
-- @return Frame year, value, unit, change, pct, source_url, confidence, qualifier, qualifier_text
function M.series(ds, entity, indicator, opts)
  dataset_arg("series", ds)
  opts = opts or {}
  if not ds.figures then return nil, "series: the dataset has no figures.csv" end
  local e, err = resolve(ds, entity)
  if not e then return nil, "series: " .. err end
  local cond = col("entity"):eq(e.province or e.zone) & col("indicator"):eq(indicator)
  if opts.as_of then cond = cond & col("as_of"):le(opts.as_of) end
  local f = ds.figures:filter(cond)
  local rows, seen = {}, {}
  for row in f:rows() do
    local year = row.period and tonumber(row.period:match("^(%d%d%d%d)$"))
    if year and not seen[year] then
      seen[year] = true
      rows[#rows + 1] = { year = year, value = row.value, unit = row.unit, source_url = row.source_url or NA,
        confidence = row.confidence or NA, qualifier = row.qualifier or NA, qualifier_text = row.qualifier_text or NA }
    end
  end
  if #rows == 0 then return nil, "series: no yearly values of '" .. indicator .. "' for " .. e.name end
  local s = engine.from_rows(rows, { "year", "value", "unit", "source_url", "confidence", "qualifier",
    "qualifier_text" }):sort("year")
  return M.yoy(s, "year", "value")
end

--- Year-on-year change of a series: adds `change` and `pct` (fraction).
-- @tparam Frame f with a year column and a value column, one row per year
function M.yoy(f, year, value)
  check.frame("yoy", f, "f")
  check.column("yoy", f, year, "year")
  check.column("yoy", f, value, "value")
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
  check.frame("rank", f, "f")
  opts = check.options("rank", opts, { entity = NAME, year = NAME, value = NAME })
  local year, value = opts.year or "year", opts.value or "value"
  check.column("rank", f, year, "opts.year")
  check.column("rank", f, value, "opts.value")
  return f:mutate { rank = col(value):rank { desc = true, by = year } }:sort(year, "rank")
end

--- Runs of consecutive years in the top N, per entity.
-- @tparam Frame ranked with entity, year and rank columns
-- @tparam table opts `top` (default 3), `entity`, `year`, `rank` column names
-- @treturn Frame entity, from, to, years (length), current (the run reaches the last year)
--   for every run, longest first
function M.streaks(ranked, opts)
  check.frame("streaks", ranked, "ranked")
  opts = check.options("streaks", opts, { entity = NAME, year = NAME, rank = NAME,
    top = { function(v) return math.type(v) == "integer" and v >= 1 end, "a positive integer" } })
  local top, ent, year, rank = opts.top or 3, opts.entity or "entity", opts.year or "year", opts.rank or "rank"
  for _, c in ipairs({ { ent, "opts.entity" }, { year, "opts.year" }, { rank, "opts.rank" } }) do
    check.column("streaks", ranked, c[1], c[2])
  end
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
-- and the ratio of the first entity to the second (NA when either is NA).
-- @param ds a Dataset
-- @tparam {string,...} entities province or zone names/ids (two or more)
-- @tparam[opt] table opts as profile's
-- @return Frame (indicator, unit, one value column per entity id, ratio), and the profiles;
--   or nil and a message
function M.compare(ds, entities, opts)
  dataset_arg("compare", ds)
  if type(entities) ~= "table" or #entities < 2 then error("compare: give at least two provinces or zones", 2) end
  for i, e in ipairs(entities) do
    check.arg(type(e) == "string" or type(e) == "table", "compare", "entities[" .. i .. "]",
      "must be a province or zone (name, or {province = ...} / {zone = ...}), got " .. type(e))
  end
  local ids = {}
  for i, e in ipairs(entities) do
    local r = resolve(ds, e)
    local id = r and (r.province or r.zone)
    if id and ids[id] then
      check.arg(false, "compare", "entities", "names " .. id .. " twice (#" .. ids[id] .. " and #" .. i .. ")")
    end
    if id then ids[id] = i end
  end
  local profiles, names, seen = {}, { "indicator", "unit" }, {}
  for i, e in ipairs(entities) do
    local p, err = M.profile(ds, e, opts)
    if not p then return nil, err end
    if seen[p.entity] then
      return nil, "compare: '" .. tostring(e) .. "' is " .. p.entity .. ", named twice"
    end
    seen[p.entity] = true
    profiles[i] = p
    names[#names + 1] = p.entity
  end
  local rows = {}
  for _, item in ipairs(profile.INDICATORS) do
    local key = item[1]
    if profiles[1].figures[key] or profiles[2].figures[key] then
      local row = { indicator = key, unit = item[2] }
      for _, p in ipairs(profiles) do
        local f = p.figures[key]
        row[p.entity] = (f and f.value ~= nil) and f.value + 0.0 or NA
      end
      local a, b = profiles[1].figures[key], profiles[2].figures[key]
      row.ratio = (a and b and a.value and b.value and b.value ~= 0) and a.value / b.value or NA
      rows[#rows + 1] = row
    end
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
  check.arg(type(entity) == "string" or type(entity) == "table", "reconcile", "entity",
    "must be a province, zone or figures entity (a name or id), got " .. type(entity))
  check.arg(type(indicator) == "string", "reconcile", "indicator", "must be an indicator name (\"capital_fdi\"), got "
    .. type(indicator))
  opts = check.options("reconcile", opts, {
    tolerance = { function(v) return type(v) == "number" and v >= 0 and v < math.huge end, "a non-negative number" },
    unit = { function(v) return type(v) == "string" end, "a unit name" },
    as_of = { function(v) return type(v) == "string" end, "a date yyyy-mm-dd" } })
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
    local v, a, span = f:get("value", i), f:get("as_of", i), f:get("period", i)
    local conflict, fell = false, false
    for j = 1, f:nrow() do
      local vj, aj = f:get("value", j), f:get("as_of", j)
      if j ~= i and aj and a and aj == a and f:get("unit", j) == f:get("unit", i) and
        math.abs(vj - v) > tol * math.max(math.abs(v), math.abs(vj)) then
        conflict = true
      end
      if not span and not f:get("period", j) and aj and a and aj < a and f:get("unit", j) == f:get("unit", i)
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

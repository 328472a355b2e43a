--- The profile of a province or zone as of a date: every indicator a
-- figure with its provenance (zonestat.provenance), NA where the data do
-- not say, with the coverage of every total over parks or projects.
--
-- Coverage first: an entity without zones in the data, or whose zones have
-- no project in the registry, has no project figures ("không có số liệu"),
-- never zeros; a total over parks says over how many of them it is made
-- (`9/14 KCN có số liệu diện tích`); a ratio over NA is NA; a figure that
-- does not apply (the KKT area of a KCN) is absent.  Definitions: in
-- zonestat.labels.
-- @module zonestat.profile

local engine = require "zonestat.engine"
local capital = require "zonestat.capital"
local labels = require "zonestat.labels"
local provenance = require "zonestat.provenance"

local col = engine.col
local NA = engine.NA
local figure, none, weakest = provenance.figure, provenance.none, provenance.weakest

local M = {}

--- The order of the indicators of a profile, with their units.
M.INDICATORS = {
  { "projects", "count", noun = "projects" }, { "capital_usd", "USD" }, { "capital_vnd", "VND" },
  { "fdi_projects", "count", noun = "projects" }, { "fdi_capital_usd", "USD" }, { "fdi_capital_vnd", "VND" },
  { "domestic_projects", "count", noun = "projects" }, { "domestic_capital_vnd", "VND" }, { "domestic_capital_usd", "USD" },
  { "fdi_share", "ratio" }, { "disbursed_usd", "USD" }, { "disbursed_vnd", "VND" }, { "disbursement_rate", "ratio" },
  { "fdi_disbursement_rate", "ratio" }, { "domestic_disbursement_rate", "ratio" },
  { "operating_projects", "count", noun = "projects" }, { "operating_share", "ratio" },
  { "industrial_production_projects", "count", noun = "projects" }, { "fdi_industrial_production", "USD" },
  { "employees", "persons" }, { "capital_per_project", "USD" }, { "fdi_capital_per_project", "USD" },
  { "zones_established", "count", noun = "zones" }, { "zones_operating", "count", noun = "zones" },
  { "kcn_established", "count", noun = "KCN" }, { "kcn_operating", "count", noun = "KCN" },
  { "kcn_natural_area_ha", "ha" }, { "kkt_natural_area_ha", "ha" }, { "industrial_land_ha", "ha" },
  { "leased_land_ha", "ha" }, { "occupancy", "ratio" }, { "capital_per_ha", "USD/ha" },
  { "employees_per_ha", "persons/ha" },
}

local UNIT, NOUN = {}, {}
for _, i in ipairs(M.INDICATORS) do UNIT[i[1]], NOUN[i[1]] = i[2], i.noun end

--- the zone ids of an entity: a province's zones, or a zone with its children
function M.zone_ids(ds, entity)
  local ids, z = {}, ds.zones
  for i = 1, z:nrow() do
    local id, parent, prov = z:get("id", i), z:get("parent_id", i), z:get("province_id", i)
    if (entity.province and prov == entity.province) or (entity.zone and (id == entity.zone or parent == entity.zone)) then
      ids[#ids + 1] = id
    end
  end
  return ids
end

local function sum_of(f, name)
  if f:nrow() == 0 then return nil, 0 end
  local c = f:column(name)
  local have = c:count()
  if have == 0 then return nil, 0 end
  return c:sum(), have
end

local function count_where(f, cond) return f:filter(cond):nrow() end

-- capital attracted (new licences and increases) by some projects over a span, in USD
local function attracted_since(ledger, projects, from, to, cls, zones_of)
  local ids = projects:column("id"):totable()
  if #ids == 0 then return figure { value = 0, unit = "USD", class = cls, coverage = zones_of } end
  local e = ledger:filter(col("project_id"):isin(ids) & col("kind"):isin { "new_licence", "capital_increase" } &
    col("date"):ge(from) & col("date"):le(to))
  local v, have = sum_of(e, "usd")
  if e:nrow() == 0 then return figure { value = 0, unit = "USD", class = cls, coverage = zones_of } end
  if v == nil then return none("no_capital", { unit = "USD" }) end
  return figure { value = v, unit = "USD", class = cls,
    coverage = have < e:nrow() and { have = have, of = e:nrow(), what = "usd_events" } or zones_of }
end

-- disbursed capital and the disbursement rate: over the projects whose
-- disbursed capital is known, converted at the same rate as their capital
local function disbursement(r, p, fdi, dom, cls, ok)
  local keys = { "disbursed_usd", "disbursed_vnd", "disbursement_rate", "fdi_disbursement_rate",
    "domestic_disbursement_rate" }
  if not ok then
    for _, k in ipairs(keys) do r[k] = none("disbursed_later", { unit = UNIT[k] }) end
    return
  end
  local function rate(f, column)
    local known = f:filter(col("disbursed"):is_na():eq(false) & col(column):is_na():eq(false) & col("capital"):gt(0))
    if f:nrow() == 0 or known:nrow() == 0 then return nil, known, 0 end
    local d = known:mutate { d = col("disbursed") * col(column) / col("capital") }
    local cov = known:nrow() < f:nrow() and { have = known:nrow(), of = f:nrow(),
      what = column == "capital_vnd" and "disbursed_vnd" or "disbursed_usd" } or nil
    return d, known, cov
  end
  local function amount(key, column, unit)
    local d, _, cov = rate(p, column)
    if not d then r[key] = none(p:nrow() == 0 and "na" or "no_disbursed", { unit = unit }) return end
    r[key] = figure { value = d:column("d"):sum(), unit = unit, class = cls, coverage = cov }
  end
  amount("disbursed_usd", "capital_usd", "USD")
  amount("disbursed_vnd", "capital_vnd", "VND")
  local function ratio(key, f, column)
    local d, _, cov = rate(f, column)
    if not d then r[key] = none(f:nrow() == 0 and "na" or "no_disbursed", { unit = "ratio" }) return end
    local reg = d:column(column):sum()
    r[key] = reg > 0 and figure { value = d:column("d"):sum() / reg, unit = "ratio", class = cls, coverage = cov }
      or none("zero", { unit = "ratio" })
  end
  ratio("disbursement_rate", p, "capital_usd")
  ratio("fdi_disbursement_rate", fdi, "capital_usd")
  ratio("domestic_disbursement_rate", dom, "capital_vnd")
end

-- the figures of the projects of the entity
local function project_figures(r, p, covered, zones_of, cls, start_2021, as_of, ledger, disbursed_ok)
  local n = p:nrow()
  local function counted(key, value, extra)
    r[key] = figure { value = value, unit = "count", noun = NOUN[key], class = cls, coverage = zones_of,
      definition = key }
    for k, v in pairs(extra or {}) do r[key][k] = v end
  end
  counted("projects", n)
  local fdi, dom = p:filter(col("origin"):eq("FDI")), p:filter(col("origin"):eq("domestic"))
  counted("fdi_projects", fdi:nrow())
  counted("domestic_projects", dom:nrow())
  local function money(key, f, column, unit)
    if f:nrow() == 0 then -- none of this origin, in zones the registry covers: a true zero
      r[key] = figure { value = 0, unit = unit, class = cls, coverage = zones_of }
      return
    end
    local v, have = sum_of(f, column)
    if v == nil then
      r[key] = none("no_capital", { unit = unit })
    else
      r[key] = figure { value = v, unit = unit, class = cls, coverage = have < f:nrow() and
        { have = have, of = f:nrow(), what = unit == "USD" and "usd" or "vnd" } or zones_of }
    end
  end
  money("capital_usd", p, "capital_usd", "USD")
  money("fdi_capital_usd", fdi, "capital_usd", "USD")
  money("domestic_capital_usd", dom, "capital_usd", "USD")
  money("capital_vnd", p, "capital_vnd", "VND")
  money("fdi_capital_vnd", fdi, "capital_vnd", "VND")
  money("domestic_capital_vnd", dom, "capital_vnd", "VND")
  disbursement(r, p, fdi, dom, cls, disbursed_ok)
  local total, fdi_cap = r.capital_usd.value, r.fdi_capital_usd.value
  r.fdi_share = (total and fdi_cap and total > 0) and figure { value = fdi_cap / total, unit = "ratio", class = cls,
    coverage = r.capital_usd.coverage } or none(total == 0 and "zero" or "na", { unit = "ratio" })
  local known_status = p:filter(col("status"):is_na():eq(false)):nrow()
  if known_status == 0 then
    r.operating_projects = none("na", { unit = "count" })
    r.industrial_production_projects = none("na", { unit = "count" })
  else
    local status_cov = known_status < n and { have = known_status, of = n, what = "status" } or zones_of
    counted("operating_projects", count_where(p, col("status"):eq("operating")), { coverage = status_cov })
    counted("industrial_production_projects",
      count_where(p, col("industrial_production"):eq("yes") & col("status"):eq("operating")), { coverage = status_cov })
  end
  r.fdi_industrial_production = attracted_since(ledger, p:filter(col("origin"):eq("FDI") &
    col("industrial_production"):eq("yes")), start_2021, as_of, cls, zones_of)
  local emp, emp_have = sum_of(p, "employees")
  r.employees = emp and figure { value = emp, unit = "persons", class = cls,
    coverage = emp_have < n and { have = emp_have, of = n, what = "employees" } or zones_of }
    or none("no_employees", { unit = "persons" })
  local function per(key, a, b, unit)
    r[key] = (a.value and b.value and b.value > 0) and
      figure { value = a.value / b.value, unit = unit, class = weakest(a.class, b.class), coverage = a.coverage }
      or none(b.value == 0 and "zero" or "na", { unit = unit })
  end
  per("capital_per_project", r.capital_usd, r.projects, "USD")
  per("fdi_capital_per_project", r.fdi_capital_usd, r.fdi_projects, "USD")
  if r.operating_projects.value then per("operating_share", r.operating_projects, r.projects, "ratio")
  else r.operating_share = none("na", { unit = "ratio" }) end
  r.projects_without_usd = figure { value = count_where(p, col("capital_usd"):is_na()), unit = "count", class = cls }
  r.covered_zones = covered
end

--- Profile of a province or zone as of a date.
-- @param ds a Dataset
-- @tparam table e the entity: {province = id, name} or {zone = id, name}
-- @tparam string as_of "yyyy-mm-dd"
-- @tparam string basis "all" or "operating" (the KCN of the occupancy)
-- @treturn table the figures by indicator (`figures`), and the facts behind them
function M.figures(ds, e, as_of, basis)
  local ids = M.zone_ids(ds, e)
  local as_of_year = tonumber(as_of:sub(1, 4))
  local r = {}
  local info = { zone_ids = ids, synthetic = false, land_synthetic = false }
  local is_kcn = e.zone and ds.zones:get("kind", ds.zone_index[e.zone]) == "KCN"
  if #ids == 0 then
    for _, i in ipairs(M.INDICATORS) do r[i[1]] = none("no_zones", { unit = i[2] }) end
    if is_kcn then r.kkt_natural_area_ha = nil end
    return r, info
  end
  -- zones
  local z = ds.zones:filter(col("id"):isin(ids) & (col("status"):ne("planned") | col("status"):is_na()) &
    (col("year_established"):is_na() | col("year_established"):le(as_of_year)))
  local kcn = z:filter(col("kind"):eq("KCN"))
  local function zones_count(key, f)
    r[key] = figure { value = f:nrow(), unit = "count", noun = NOUN[key], class = "recomputed" }
  end
  zones_count("zones_established", z)
  zones_count("zones_operating", z:filter(col("status"):eq("operating")))
  zones_count("kcn_established", kcn)
  zones_count("kcn_operating", kcn:filter(col("status"):eq("operating")))
  local area, area_have = sum_of(kcn, "natural_area_ha")
  r.kcn_natural_area_ha = area and figure { value = area, unit = "ha", class = "derived",
    coverage = { have = area_have, of = kcn:nrow(), what = "kcn_area" } } or none("no_area", { unit = "ha" })
  if not is_kcn then
    local kkt = z:filter(col("kind"):eq("KKT"))
    local ka, ka_have = sum_of(kkt, "natural_area_ha")
    r.kkt_natural_area_ha = ka and figure { value = ka, unit = "ha", class = "derived",
      coverage = { have = ka_have, of = kkt:nrow(), what = "kkt_area" } }
      or none(kkt:nrow() == 0 and "no_zones" or "no_area", { unit = "ha" })
  end
  -- land: sourced figures, else the synthetic ones
  local land = kcn
  if ds.land then
    land = kcn:join(ds.land:rename { industrial_land_ha = "syn_ind", leased_land_ha = "syn_leased" }
      :select("zone_id", "syn_ind", "syn_leased"), { on = { id = "zone_id" }, how = "left" })
      :mutate { syn_used = col("industrial_land_ha"):is_na() & col("syn_ind"):is_na():eq(false),
        industrial_land_ha = col("industrial_land_ha"):fill_na(col("syn_ind")),
        leased_land_ha = col("leased_land_ha"):fill_na(col("syn_leased")) }
  end
  local basis_parks = basis == "all" and land or land:filter(col("status"):eq("operating"))
  local occ = basis_parks:filter(col("industrial_land_ha"):gt(0) & col("leased_land_ha"):is_na():eq(false))
  info.land_synthetic = occ:has("syn_used") and occ:filter(col("syn_used")):nrow() > 0
  local land_cls = info.land_synthetic and "synthetic" or "derived"
  local land_cov = { have = occ:nrow(), of = basis_parks:nrow(), what = "land" }
  local ind = sum_of(occ, "industrial_land_ha")
  local leased = sum_of(occ, "leased_land_ha")
  if ind then
    r.industrial_land_ha = figure { value = ind, unit = "ha", class = land_cls, coverage = land_cov }
    r.leased_land_ha = figure { value = leased, unit = "ha", class = land_cls, coverage = land_cov }
    r.occupancy = figure { value = leased / ind, unit = "ratio", class = land_cls, coverage = land_cov }
  else
    r.industrial_land_ha = none("no_land", { unit = "ha" })
    r.leased_land_ha = none("no_land", { unit = "ha" })
    r.occupancy = none("no_land", { unit = "ratio" })
  end
  info.occupancy_parks = occ:nrow()
  -- projects
  local all_p = ds.projects:filter(col("zone_id"):isin(ids))
  local covered = {}
  for row in all_p:distinct("zone_id"):rows() do covered[row.zone_id] = true end
  local expected = z:filter(col("status"):eq("operating"))
  if expected:nrow() == 0 then expected = z end
  local have = 0
  for row in expected:rows() do if covered[row.id] then have = have + 1 end end
  local zones_of = have < expected:nrow() and { have = have, of = expected:nrow(), what = "zones_with_projects" } or nil
  local p = capital.projects_at(ds, as_of):filter(col("zone_id"):isin(ids))
  if next(covered) == nil then
    for _, key in ipairs({ "projects", "capital_usd", "capital_vnd", "fdi_projects", "fdi_capital_usd",
      "fdi_capital_vnd", "domestic_projects", "domestic_capital_usd", "domestic_capital_vnd", "fdi_share",
      "disbursed_usd", "disbursed_vnd", "disbursement_rate", "fdi_disbursement_rate", "domestic_disbursement_rate",
      "operating_projects", "operating_share", "industrial_production_projects",
      "fdi_industrial_production", "employees", "capital_per_project", "fdi_capital_per_project", "capital_per_ha",
      "employees_per_ha" }) do
      r[key] = none("no_projects", { unit = UNIT[key] })
    end
    return r, info
  end
  info.synthetic = p:filter(col("synthetic"):eq("yes")):nrow() > 0
  local cls = info.synthetic and "synthetic" or "recomputed"
  local data_end = capital.data_end(ds)
  project_figures(r, p, covered, zones_of, cls, "2021-01-01", as_of, ds.ledger:filter(col("zone_id"):isin(ids)),
    data_end == nil or as_of >= data_end)
  -- per ha of industrial land: the parks with land figures that have projects
  local tenants = {}
  for row in occ:rows() do if covered[row.id] then tenants[#tenants + 1] = row end end
  if not ind then
    r.capital_per_ha = none("no_land", { unit = "USD/ha" })
    r.employees_per_ha = none("no_land", { unit = "persons/ha" })
  elseif #tenants == 0 then
    r.capital_per_ha = none("no_tenants", { unit = "USD/ha" })
    r.employees_per_ha = none("no_tenants", { unit = "persons/ha" })
  else
    local tids, tland = {}, 0
    for k, row in ipairs(tenants) do tids[k], tland = row.id, tland + row.industrial_land_ha end
    local inp = p:filter(col("zone_id"):isin(tids))
    local cap, emp = sum_of(inp, "capital_usd"), sum_of(inp, "employees")
    local cov = { have = #tenants, of = basis_parks:nrow(), what = "land" }
    local c2 = weakest(cls, land_cls)
    r.capital_per_ha = cap and figure { value = cap / tland, unit = "USD/ha", class = c2, coverage = cov }
      or none("no_capital", { unit = "USD/ha" })
    r.employees_per_ha = emp and figure { value = emp / tland, unit = "persons/ha", class = c2, coverage = cov }
      or none("no_employees", { unit = "persons/ha" })
  end
  return r, info
end

--- The figures of a profile as a frame: indicator, label, value, unit,
-- class, qualifier, coverage, reason, definition.
-- @tparam table figures indicator → figure
-- @tparam string locale
-- @tparam[opt] string basis the occupancy basis ("all", "operating"), said in the land definitions
-- @treturn Frame
function M.frame(figures, locale, basis)
  local rows = {}
  local on = basis and (locale == "en" and (basis == "all" and " (over all KCN established)" or " (over the operating KCN)")
    or (basis == "all" and " (trên mọi KCN đã thành lập)" or " (trên các KCN đang hoạt động)")) or ""
  local LAND = { industrial_land_ha = true, leased_land_ha = true, occupancy = true, capital_per_ha = true,
    employees_per_ha = true }
  for _, i in ipairs(M.INDICATORS) do
    local f = figures[i[1]]
    if f then
      rows[#rows + 1] = {
        indicator = i[1], label = labels.name(i[1], locale), value = f.value ~= nil and f.value + 0.0 or NA,
        unit = f.unit or i[2], class = f.value ~= nil and f.class or NA,
        qualifier = f.qualifier or NA, coverage = provenance.coverage_text(f, locale) or NA,
        reason = f.reason and (provenance.REASONS[locale] or provenance.REASONS.vi)[f.reason] or NA,
        definition = labels.definition(i[1], locale) and labels.definition(i[1], locale) .. (LAND[i[1]] and on or "")
          or NA,
      }
    end
  end
  return engine.from_rows(rows, { "indicator", "label", "value", "unit", "class", "qualifier", "coverage", "reason",
    "definition" })
end

return M

--- Reports a board can sign: `zs.report.build` assembles the content of a
-- report on one province or zone, or on several side by side; `markdown`
-- and `html` render it (zonestat.render).
--
-- Every number of a report is true, sourced or marked: each cell is a
-- figure with its provenance (published with its source number, or
-- recomputed, derived, implied, synthetic: zonestat.provenance), its
-- published qualifier ("gần", "khoảng", "hơn", "trên") and the coverage of
-- a total; missing data is "–" with the reason, never 0.  The report's
-- date bounds every figure, series, ranking and chart.  Claims (a ranking
-- streak) are quoted from their sources, never computed from synthetic
-- ranks.  Texts are Vietnamese (`locale = "vi"`, the default) or English.
-- @module zonestat.report

local engine = require "zonestat.engine"
local capital = require "zonestat.capital"
local chart = require "zonestat.chart"
local dataset = require "zonestat.dataset"
local eco = require "zonestat.eco"
local indicators = require "zonestat.indicators"
local labels = require "zonestat.labels"
local profile = require "zonestat.profile"
local provenance = require "zonestat.provenance"
local render = require "zonestat.render"
local units = require "zonestat.units"

local col = engine.col
local M = {}

local L10N = {
  vi = {
    title_one = "Báo cáo khu kinh tế, khu công nghiệp: %s", title_many = "So sánh khu kinh tế, khu công nghiệp: %s",
    as_of = "Số liệu đến ngày %s.",
    synthetic_note = "Danh sách dự án đi kèm là dữ liệu GIẢ LẬP (synthetic), được hiệu chỉnh để khớp các tổng số đã " ..
      "công bố: mọi số tính từ danh sách này mang dấu GL. Số công bố mang số thứ tự nguồn [n].",
    headline = "Số liệu chính: công bố và tính lại — %s", indicator = "Chỉ tiêu", published = "Công bố",
    indicators = "Các chỉ tiêu — %s", definition = "Cách tính",
    published_date = "Ngày công bố", recomputed = "Tính lại", compare = "So sánh song song", ratio = "Tỷ lệ %s/%s",
    parks = "Các khu — %s", park = "Khu", growth = "Tăng trưởng", ranking = "Xếp hạng thu hút FDI",
    reconcile = "Đối chiếu nguồn", capital_chart = "Vốn đăng ký theo khu và nguồn vốn",
    shares_chart = "Cơ cấu vốn FDI và trong nước", sources = "Nguồn", appendix = "Phụ lục: các số liệu công bố khác",
    top_investors = "Nhà đầu tư lớn nhất — %s", top_countries = "Quốc gia, vùng lãnh thổ đầu tư — %s",
    top_sectors = "Ngành nghề — %s", investor = "Nhà đầu tư", country = "Quốc gia, vùng lãnh thổ", sector = "Ngành",
    projects = "Số dự án", capital = "Vốn đăng ký", entity = "Đơn vị", value = "Giá trị", date = "Ngày",
    vs_latest = "So với số mới nhất", flags = "Ghi chú", fdi = "FDI", domestic = "Trong nước",
    source_line = "Nguồn: %s.", url_missing = "chưa tìm được địa chỉ URL", undated = "không ghi ngày",
    differ = "các nguồn cùng ngày khác nhau", fell = "thấp hơn số trước đó",
    not_recomputable = "không tính lại được từ danh sách dự án",
    sector_unverified = "*: tên ngành của dự án; nhãn VSIC 2018 chưa đối chiếu được với Quyết định 27/2018/QĐ-TTg.",
    sector_source = "Nhãn ngành: Hệ thống ngành kinh tế Việt Nam (VSIC 2018), Quyết định 27/2018/QĐ-TTg.",
    country_source = "Tên quốc gia, vùng lãnh thổ: Unicode CLDR 45.",
    without_usd = "%d dự án chưa quy ra USD được (không có tỷ giá cho năm của một lượt vốn) không có trong cột vốn.",
    low_confidence = "%s: nguồn về khu này có độ tin cậy thấp (mức L).",
    synthetic_chart = "Số liệu từ danh sách dự án giả lập.",
    fdi_ip_note = "Vốn FDI vào sản xuất công nghiệp: số công bố là vốn thu hút từ năm 2021 (cấp mới và tăng vốn); " ..
      "số tính lại là vốn cấp mới và tăng thêm của các dự án FDI sản xuất công nghiệp từ 01/01/2021.",
    period_title = "Thu hút đầu tư %s — %s", same_period = "Cùng kỳ %s", change = "Thay đổi",
    period_note = "Vốn thu hút = vốn cấp mới + vốn tăng thêm + vốn góp vốn, mua cổ phần (góp vốn, mua cổ phần " ..
      "không làm tăng vốn đăng ký). Lũy kế: cùng chỉ tiêu cộng dồn trên mọi lượt của dữ liệu đến cuối kỳ (kể cả dự " ..
      "án đã chấm dứt). Quy đổi USD/VND theo tỷ giá bình quân năm của từng lượt.",
    fx_note = "Tỷ giá USD/VND: %s.", fx_missing = "không có tỷ giá cho năm %s: %d lượt (%s) không quy đổi được và " ..
      "không có trong tổng của đồng tiền kia",
    fx_kinds = { official_average = "bình quân năm chính thức (World Bank WDI PA.NUS.FCRF)",
      sbv_central = "tỷ giá trung tâm bình quân năm (Ngân hàng Nhà nước)", derived = "suy ra (xem fx.csv)" },
  },
  en = {
    title_one = "Economic zones and industrial parks: %s", title_many = "Economic zones and industrial parks compared: %s",
    as_of = "Data as of %s.",
    synthetic_note = "The bundled project list is SYNTHETIC, calibrated to the published totals: every figure " ..
      "computed from it carries the mark S. Published figures carry their source number [n].",
    headline = "Headline figures: published and recomputed — %s", indicator = "Indicator", published = "Published",
    indicators = "Indicators — %s", definition = "Definition",
    published_date = "Published as of", recomputed = "Recomputed", compare = "Side by side", ratio = "Ratio %s/%s",
    parks = "The zones — %s", park = "Zone", growth = "Growth", ranking = "FDI attraction ranking",
    reconcile = "Reconciling sources", capital_chart = "Registered capital by zone and origin",
    shares_chart = "FDI and domestic shares of capital", sources = "Sources", appendix = "Appendix: other published figures",
    top_investors = "Largest investors — %s", top_countries = "Investing countries and territories — %s",
    top_sectors = "Sectors — %s", investor = "Investor", country = "Country or territory", sector = "Sector",
    projects = "Projects", capital = "Registered capital", entity = "Entity", value = "Value", date = "As of",
    vs_latest = "Against the latest", flags = "Flags", fdi = "FDI", domestic = "Domestic",
    source_line = "Source: %s.", url_missing = "URL not retrieved", undated = "undated",
    differ = "sources of the same date differ", fell = "below an earlier figure",
    not_recomputable = "cannot be recomputed from the project list",
    sector_unverified = "*: the project's own sector name; its VSIC 2018 label could not be checked against " ..
      "Decision 27/2018/QĐ-TTg.",
    sector_source = "Sector labels: the Vietnam Standard Industrial Classification (VSIC 2018), Decision " ..
      "27/2018/QĐ-TTg.",
    country_source = "Names of countries and territories: Unicode CLDR 45.",
    without_usd = "%d project(s) without a USD value (no rate for the year of one of their events) are left out " ..
      "of the capital column.",
    low_confidence = "%s: the sources on this zone are of low confidence (level L).",
    synthetic_chart = "Figures from the synthetic project list.",
    fdi_ip_note = "FDI into industrial production: the published figure is the capital attracted since 2021 (new " ..
      "projects and increases); the recomputed one is the capital of new licences and increases of FDI " ..
      "industrial-production projects from 2021-01-01.",
    period_title = "Investment attracted, %s — %s", same_period = "Same period, %s", change = "Change",
    period_note = "Capital attracted = new licences + capital increases + share purchases (share purchases do not " ..
      "add to registered capital). Cumulative: the same indicator summed over every event of the data to the " ..
      "period's end (projects terminated since included). USD/VND at the annual rate of each event's year.",
    fx_note = "USD/VND rates: %s.", fx_missing = "no rate for %s: %d event(s) (%s) not converted and left out of " ..
      "the other currency's totals",
    fx_kinds = { official_average = "official annual average (World Bank WDI PA.NUS.FCRF)",
      sbv_central = "State Bank of Vietnam central rate, annual average", derived = "derived (see fx.csv)" },
  },
}

local function t(locale, key, ...)
  local s = (L10N[locale] or L10N.vi)[key]
  if select("#", ...) > 0 then return string.format(s, ...) end
  return s
end

--- A period of figures.csv in the locale: "2016/2020" → "2016–2020";
-- "2022-01-01/2022-11-30" → "01/01/2022–30/11/2022" (vi); "2023" as it is.
-- @tparam ?string p
-- @tparam string locale
-- @treturn string ("" for none)
function M.period_text(p, locale)
  if not p then return "" end
  local a, b = p:match("^([^/]+)/([^/]+)$")
  if not a then return p end
  return (M.date_text(a, locale) or a) .. "–" .. (M.date_text(b, locale) or b)
end

--- A date in the locale: 30/06/2024 (vi) or 2024-06-30 (en).
function M.date_text(d, locale)
  if not d then return nil end
  if locale == "en" then return d end
  local y, m, dd = d:match("^(%d+)-(%d%d)-(%d%d)$")
  return y and string.format("%s/%s/%s", dd, m, y) or d
end

-- ---- sources ------------------------------------------------------------------------

local Sources = {}
Sources.__index = Sources

local function sources(ds, locale)
  return setmetatable({ list = {}, index = {}, ds = ds, locale = locale }, Sources)
end

--- The number of a source (added on first use), or nil for none.
function Sources:ref(id)
  if id == nil or id == engine.NA then return nil end
  if not self.index[id] then
    local citation, url = self.ds:citation(id)
    self.list[#self.list + 1] = { id = id, citation = citation, url = url }
    self.index[id] = #self.list
  end
  return self.index[id]
end

--- The citations of some sources, for a chart's source line.
function Sources:cite(ids)
  local parts, seen = {}, {}
  for _, id in ipairs(ids) do
    local n = self:ref(id)
    if n and not seen[n] then seen[n] = true parts[#parts + 1] = "[" .. n .. "]" end
  end
  return table.concat(parts, ", ")
end

-- ---- published figures --------------------------------------------------------------

local FIGURE_UNIT = { count = "count", USD = "USD", VND = "VND", ha = "ha", ratio = "ratio", times = "times",
  persons = "persons", years = "years" }

-- a figures.csv row as a figure
local function published_figure(row)
  return provenance.figure {
    value = row.value, unit = FIGURE_UNIT[row.unit] or row.unit, class = row.provenance == "derived" and "derived"
      or "published", qualifier = row.qualifier, qualifier_text = row.qualifier_text, source = row.source_url,
    as_of = row.as_of, indicator = row.indicator, definition = row.definition, entity = row.entity,
  }
end

local CONFIDENCE = { H = 3, M = 2, L = 1 }

-- the latest published figure of an indicator dated by `as_of`, from the most
-- confident source; flows (a period) only when `flow`
local function best_published(ds, entity, indicator, as_of, flow)
  if not ds.figures then return nil end
  local cond = col("entity"):eq(entity) & col("indicator"):eq(indicator) & col("as_of"):le(as_of)
  cond = cond & (flow and col("period"):is_na():eq(false) or col("period"):is_na())
  local best
  for row in ds.figures:filter(cond):rows() do
    if not best or row.as_of > best.as_of or (row.as_of == best.as_of and
      (CONFIDENCE[row.confidence or ""] or 0) > (CONFIDENCE[best.confidence or ""] or 0)) then
      best = row
    end
  end
  return best and published_figure(best) or nil
end

-- ---- cells ----------------------------------------------------------------------------

-- a figure as a cell: text, mark (source number or class), note (coverage or reason)
local function cell(f, locale, src, opts)
  if not f then return { text = "–", class = "na" } end
  if not opts and f.unit == "ratio" then opts = { decimals = 1 } end
  local c = { text = provenance.text(f, locale, opts), value = f.value, unit = f.unit, class = f.value and f.class or "na",
    qualifier = f.qualifier }
  local ref = (f.class == "published" or f.class == "derived") and src:ref(f.source) or nil
  c.mark = provenance.mark(f, locale, ref)
  if f.class == "derived" and ref then c.mark = c.mark .. " [" .. ref .. "]" end
  c.source = ref
  if f.value == nil then
    c.note = f.reason and f.reason ~= "na" and (provenance.REASONS[locale] or provenance.REASONS.vi)[f.reason] or nil
  else
    c.note = provenance.coverage_text(f, locale)
  end
  return c
end

local function text_cell(s) return { text = s } end

-- a cell without its note (when the row's first cell already says why)
local function quiet(c)
  if c.value == nil then c.note = nil end
  return c
end

-- ---- the content ------------------------------------------------------------------

local HEADLINE = {
  { pub = "projects_total", rec = "projects", noun = "projects" },
  { pub = "capital_registered", rec = "capital_usd" },
  { pub = "projects_fdi", rec = "fdi_projects", noun = "projects" },
  { pub = "capital_fdi", rec = "fdi_capital_usd" },
  { pub = "projects_domestic", rec = "domestic_projects", noun = "projects" },
  { pub = "capital_domestic", rec = "domestic_capital_usd" },
  { pub = "projects_operating", rec = "operating_projects", noun = "projects" },
  { pub = "projects_industrial_production", rec = "industrial_production_projects", noun = "projects" },
  { pub = "fdi_industrial_production", rec = "fdi_industrial_production", flow = true, note = "fdi_ip_note" },
  { pub = "kcn_count", rec = "kcn_established", noun = "KCN" },
  { pub = "kcn_operating_count", rec = "kcn_operating", noun = "KCN" },
  { pub = "kcn_area", rec = "kcn_natural_area_ha" },
  { pub = "occupancy", rec = "occupancy" },
  { pub = "workers", rec = "employees" },
  { pub = "area_natural", rec = "kkt_natural_area_ha", on_kkt = true },
  { pub = "years_since_formation", on_kkt = true },
  { pub = "industrial_production_value", flow = true },
  { pub = "growth_multiple", flow = true },
}

local function indicator_name(ds, key, locale)
  local f = ds.indicators and ds.indicators:filter(col("indicator"):eq(key))
  if f and f:nrow() > 0 then
    return locale == "en" and f:get("name_en", 1) or f:get("name_vi", 1)
  end
  return labels.name(key, locale)
end

-- the KKT of an entity (for the published figures stated on it)
local function kkt_of(ds, p)
  for _, id in ipairs(p.zone_ids) do
    if ds.zones:get("kind", ds.zone_index[id]) == "KKT" then return id end
  end
end

local function headline(ds, p, as_of, locale, src)
  local rows, kkt, notes = {}, kkt_of(ds, p), {}
  for _, h in ipairs(HEADLINE) do
    local entity = p.entity
    if h.on_kkt then entity = kkt end -- a KKT's own figures, none for a KCN
    local pub = entity and best_published(ds, entity, h.pub, as_of, h.flow)
    if pub then
      pub.noun = h.noun
      local rec = h.rec and p.figures[h.rec]
      if rec and h.noun then rec.noun = h.noun end
      local rec_cell = rec and cell(rec, locale, src) or
        { text = "–", note = t(locale, "not_recomputable"), class = "na" }
      local name = indicator_name(ds, h.pub, locale)
      if h.on_kkt then name = name .. " " .. ds.zones:get("name", ds.zone_index[kkt]) end
      rows[#rows + 1] = { text_cell(name), cell(pub, locale, src), text_cell(M.date_text(pub.as_of, locale)),
        rec_cell }
      if h.note then notes[#notes + 1] = t(locale, h.note) end
    end
  end
  if #rows == 0 then return nil end
  return { kind = "table", id = "headline_" .. p.entity, title = t(locale, "headline", p.name),
    columns = { t(locale, "indicator"), t(locale, "published"), t(locale, "published_date"), t(locale, "recomputed") },
    align = { "left", "right", "left", "right" }, rows = rows, legend = true, notes = notes }
end

-- every indicator of one entity, with its provenance and coverage
local function indicator_table(p, locale, src)
  local rows = {}
  for _, i in ipairs(profile.INDICATORS) do
    local f = p.figures[i[1]]
    if f then
      rows[#rows + 1] = { text_cell(labels.name(i[1], locale)), cell(f, locale, src),
        text_cell(labels.definition(i[1], locale) or "") }
    end
  end
  return { kind = "table", id = "indicators_" .. p.entity, title = t(locale, "indicators", p.name),
    columns = { t(locale, "indicator"), t(locale, "value"), t(locale, "definition") },
    align = { "left", "right", "left" }, rows = rows, legend = true }
end

local function side_by_side(profiles, locale, src)
  local columns, align = { t(locale, "indicator") }, { "left" }
  for _, p in ipairs(profiles) do columns[#columns + 1], align[#align + 1] = p.name, "right" end
  columns[#columns + 1], align[#align + 1] = t(locale, "ratio", profiles[1].name, profiles[2].name), "right"
  local rows = {}
  for _, i in ipairs(profile.INDICATORS) do
    local key = i[1]
    local present = false
    for _, p in ipairs(profiles) do present = present or p.figures[key] ~= nil end
    if present then
      local row = { text_cell(labels.name(key, locale)) }
      for _, p in ipairs(profiles) do row[#row + 1] = cell(p.figures[key], locale, src) end
      local a, b = profiles[1].figures[key], profiles[2].figures[key]
      local ratio = (a and b and a.value and b.value and b.value ~= 0) and provenance.figure {
        value = a.value / b.value, unit = nil, class = provenance.weakest(a.class, b.class) } or
        provenance.none("na")
      local digits = 2
      if ratio.value and ratio.value ~= 0 and math.abs(ratio.value) < 0.01 then
        digits = math.min(12, 1 - math.floor(math.log(math.abs(ratio.value), 10)))
      end
      local rc = cell(ratio, locale, src, { decimals = digits })
      rc.note = nil
      row[#row + 1] = rc
      rows[#rows + 1] = row
    end
  end
  return { kind = "table", id = "compare", title = t(locale, "compare"), columns = columns, align = align,
    rows = rows, legend = true }
end

-- one row per zone of an entity: areas, land, occupancy, projects, capital, employees, eco status
local function parks(ds, p, as_of, locale, src)
  local z = ds.zones:filter(col("id"):isin(p.zone_ids) & (col("status"):ne("planned") | col("status"):is_na()))
  if z:nrow() == 0 then return nil end
  local land = {}
  if ds.land then
    for row in ds.land:rows() do land[row.zone_id] = row end
  end
  -- the valid projects at as_of: FDI capital in USD, domestic in VND (as boards report them)
  local projects = capital.projects_at(ds, as_of):filter(col("zone_id"):isin(p.zone_ids))
  -- disbursement: disbursed and registered capital in USD over the projects with both (zonestat.profile)
  local disb_ok = as_of >= (capital.data_end(ds) or as_of)
  local with_d = projects:mutate { d_usd = col("disbursed") * col("capital_usd") / col("capital") }
    :mutate { reg_usd = col("capital_usd") * col("d_usd"):is_na():eq(false):cast("int") }
  local per = with_d:group_by("zone_id", "origin"):agg(engine.count():as("n"), engine.sum("capital_usd"):as("usd"),
    engine.sum("capital_vnd"):as("vnd"), engine.sum("employees"):as("emp"), engine.count("capital_usd"):as("with_usd"),
    engine.count("capital_vnd"):as("with_vnd"), engine.count("employees"):as("with_emp"),
    engine.sum("d_usd"):as("d_usd"), engine.sum("reg_usd"):as("reg_usd"), engine.count("d_usd"):as("with_d"))
  local agg = {}
  for row in per:rows() do
    local a = agg[row.zone_id] or { n = 0, emp = 0, fdi = 0, dom = 0, fdi_n = 0, dom_n = 0, with_emp = 0,
      fdi_have = 0, dom_have = 0 }
    a.n, a.emp, a.with_emp = a.n + row.n, a.emp + (row.emp or 0), a.with_emp + row.with_emp
    a.d, a.reg, a.with_d = (a.d or 0) + (row.d_usd or 0), (a.reg or 0) + (row.reg_usd or 0), (a.with_d or 0) + row.with_d
    if row.origin == "FDI" then
      a.fdi, a.fdi_n, a.fdi_have = a.fdi + (row.usd or 0), a.fdi_n + row.n, a.fdi_have + row.with_usd
    else
      a.dom, a.dom_n, a.dom_have = a.dom + (row.vnd or 0), a.dom_n + row.n, a.dom_have + row.with_vnd
    end
    agg[row.zone_id] = a
  end
  local covered = {}
  for row in ds.projects:filter(col("zone_id"):isin(p.zone_ids)):distinct("zone_id"):rows() do covered[row.zone_id] = true end
  local cls = p.synthetic and "synthetic" or "recomputed"
  local rows = {}
  local names = {}
  for row in z:rows() do names[#names + 1] = row end
  local order = engine.frame({ name = (function()
    local t2 = {}
    for k, r in ipairs(names) do t2[k] = r.name end
    return t2
  end)(), k = (function()
    local t2 = {}
    for k in ipairs(names) do t2[k] = k end
    return t2
  end)() }, { "name", "k" }):sort("name", { collate = locale })
  for _, k in ipairs(order:column("k"):totable()) do
    local row = names[k]
    local function pub(v, unit)
      if v == nil then return provenance.none("na", { unit = unit }) end
      return provenance.figure { value = v, unit = unit, class = "published", source = row.source_url }
    end
    local ind, leased = pub(row.industrial_land_ha, "ha"), pub(row.leased_land_ha, "ha")
    local syn = land[row.id]
    if row.kind == "KCN" and ind.value == nil and syn then
      ind = provenance.figure { value = syn.industrial_land_ha, unit = "ha", class = "synthetic" }
      leased = provenance.figure { value = syn.leased_land_ha, unit = "ha", class = "synthetic" }
    end
    local remaining, occupancy = provenance.none("na", { unit = "ha" }), provenance.none("na", { unit = "ratio" })
    if ind.value and leased.value then
      local c = provenance.weakest(ind.class == "published" and "derived" or ind.class,
        leased.class == "published" and "derived" or leased.class)
      remaining = provenance.figure { value = ind.value - leased.value, unit = "ha", class = c }
      if ind.value > 0 then occupancy = provenance.figure { value = leased.value / ind.value, unit = "ratio", class = c } end
    end
    local a = agg[row.id] or { n = 0, emp = 0, fdi = 0, dom = 0, fdi_n = 0, dom_n = 0, with_emp = 0, fdi_have = 0,
      dom_have = 0 }
    -- v over `have` of `of` projects: NA when none has a value, else with its coverage
    local function proj(v, unit, have, of, what)
      if not covered[row.id] then return provenance.none("no_projects", { unit = unit }) end
      if of and of > 0 and have == 0 then return provenance.none("na", { unit = unit }) end
      return provenance.figure { value = v, unit = unit, class = cls,
        coverage = of and have < of and { have = have, of = of, what = what } or nil }
    end
    local eco_word = row.eco_status and (locale == "en" and row.eco_status or
      ({ none = "không", proposed = "đề xuất", pilot = "thí điểm", certified = "đã công nhận" })[row.eco_status]) or "–"
    rows[#rows + 1] = {
      text_cell(row.name), text_cell(row.kind),
      cell(pub(row.natural_area_ha, "ha"), locale, src), cell(ind, locale, src), cell(leased, locale, src),
      cell(remaining, locale, src), cell(occupancy, locale, src),
      cell(proj(a.n, "count"), locale, src),
      quiet(cell(proj(a.fdi, "USD", a.fdi_have, a.fdi_n, "usd"), locale, src)),
      quiet(cell(proj(a.dom, "VND", a.dom_have, a.dom_n, "vnd"), locale, src)),
      quiet(cell(proj(a.emp, "persons", a.with_emp, a.n, "employees"), locale, src)),
      quiet(cell(not disb_ok and provenance.none("disbursed_later", { unit = "ratio" }) or
        ((a.with_d or 0) > 0 and (a.reg or 0) > 0) and proj(a.d / a.reg, "ratio", a.with_d, a.n, "disbursed_usd")
        or proj(nil, "ratio", 0, math.max(a.n, 1)), locale, src, { decimals = 1 })),
      text_cell(eco_word),
    }
  end
  local L = function(k) return labels.name(k, locale) end
  return { kind = "table", id = "parks_" .. p.entity, title = t(locale, "parks", p.name),
    columns = { t(locale, "park"), L("kind"), L("natural_area_ha"), L("industrial_land_ha"), L("leased_land_ha"),
      L("remaining_land_ha"), L("occupancy"), L("projects"), L("fdi_capital_usd"), L("domestic_capital_vnd"),
      L("employees"), L("disbursement_rate"), L("eco_status") },
    align = { "left", "left", "right", "right", "right", "right", "right", "right", "right", "right", "right", "right",
      "left" },
    rows = rows, legend = true }
end

-- the row of a reference table whose `key` column is `value`, or nil
local function row_of(ds, tname, key, value)
  local f = ds[tname] and ds[tname]:filter(col(key):eq(value))
  if f and f:nrow() > 0 then return f:slice(1, 1):rows()() end
end

-- the largest investors, countries and sectors of an entity's projects, by capital
local function tops(ds, p, as_of, locale, src, n)
  local projects = capital.projects_at(ds, as_of):filter(col("zone_id"):isin(p.zone_ids))
  if projects:nrow() == 0 then return {} end
  local cls = p.synthetic and "synthetic" or "recomputed"
  local out = {}
  local function top_table(key, title, label, name, filter)
    local base = filter and projects:filter(filter) or projects
    local g = base:filter(col(key):is_na():eq(false)):group_by(key)
      :agg(engine.count():as("n"), engine.sum("capital_usd"):as("cap"), engine.count("capital_usd"):as("have"))
      :sort("cap", { desc = true }):head(n)
    if g:nrow() == 0 then return end
    local rows, notes = {}, {}
    for row in g:rows() do
      local shown, flag = name(row[key])
      if flag then notes.unverified = true end
      rows[#rows + 1] = { text_cell(shown),
        cell(provenance.figure { value = row.n, unit = "count", class = cls }, locale, src),
        cell(row.cap and provenance.figure { value = row.cap, unit = "USD", class = cls,
          coverage = row.have < row.n and { have = row.have, of = row.n, what = "usd" } or nil }
          or provenance.none("no_capital"), locale, src) }
    end
    local tnotes = {}
    if notes.unverified then tnotes[#tnotes + 1] = t(locale, "sector_unverified") end
    if key == "sector" then tnotes[#tnotes + 1] = t(locale, "sector_source") end
    if key == "country" then tnotes[#tnotes + 1] = t(locale, "country_source") end
    local without = base:filter(col("capital_usd"):is_na()):nrow()
    if without > 0 then tnotes[#tnotes + 1] = t(locale, "without_usd", without) end
    out[#out + 1] = { kind = "table", id = key .. "_" .. p.entity, title = t(locale, title, p.name),
      columns = { t(locale, label), t(locale, "projects"), t(locale, "capital") }, align = { "left", "right", "right" },
      rows = rows, legend = true, notes = tnotes }
  end
  top_table("investor", "top_investors", "investor", function(v) return v end)
  top_table("country", "top_countries", "country", function(v)
    local row = row_of(ds, "countries", "country", v)
    return row and (locale == "en" and row.name_en or row.name_vi) or v
  end, col("origin"):eq("FDI"))
  top_table("sector", "top_sectors", "sector", function(v)
    local row = row_of(ds, "sectors", "sector", v)
    if not row then return v end
    if row.label_status == "verified" and row.vsic_label_vi then
      return (locale == "en" and row.vsic_label_en or row.vsic_label_vi) .. " (VSIC " .. row.vsic_code .. ")"
    end
    return (locale == "en" and row.name_en or row.name_vi) .. "*", true
  end)
  return out
end

local function growth(ds, p, as_of, locale, src)
  local items, charts = {}, {}
  local s = indicators.series(ds, p.entity, "fdi_inflow_year", { as_of = as_of })
  if s and s:nrow() >= 2 then
    local first, last = s:get("year", 1), s:get("year", s:nrow())
    local v0, v1 = s:get("value", 1), s:get("value", s:nrow())
    local m, cagr = indicators.growth(v0, v1, last - first)
    local ids = s:column("source_url"):totable()
    local refs = src:cite(ids)
    local mf = provenance.figure { value = m, unit = "times", class = "derived" }
    local cf = provenance.figure { value = cagr, unit = "ratio", class = "derived" }
    items[#items + 1] = { text = locale == "en" and
      string.format("%s: FDI attracted into the zones in %d was %s that of %d, %s a year on average (derived " ..
        "from the published yearly values %s).", p.name, last, provenance.text(mf, locale), first,
        provenance.text(cf, locale, { decimals = 1 }), refs) or
      string.format("%s: vốn FDI thu hút vào KKT, KCN năm %d gấp %s năm %d, bình quân %s/năm (tính từ các số " ..
        "công bố theo năm %s).", p.name, last, provenance.text(mf, locale), first,
        provenance.text(cf, locale, { decimals = 1 }):gsub("%%$", "%%"), refs) }
    local notes = {}
    for row in ds.figures:filter(col("entity"):eq(p.entity) & col("indicator"):eq("fdi_inflow_share_purchase") &
      col("as_of"):le(as_of)):rows() do
      local f = published_figure(row)
      local n = src:ref(row.source_url)
      notes[#notes + 1] = locale == "en" and
        string.format("%s includes share purchases of %s [%d], which do not add to registered capital.",
          row.period or "", provenance.text(f, locale), n) or
        string.format("Năm %s gồm cả góp vốn, mua cổ phần %s [%d], không cộng vào vốn đăng ký.", row.period or "",
          provenance.text(f, locale), n)
    end
    charts[#charts + 1] = { kind = "chart", title = (locale == "en" and "FDI into the zones per year — " or
      "Vốn FDI vào KKT, KCN theo năm — ") .. p.name, svg = chart.line(s, { x = "year", y = "value", unit = "USD",
        title = (locale == "en" and "FDI into the zones per year — " or "Vốn FDI vào KKT, KCN theo năm — ") .. p.name,
        source = t(locale, "source_line", refs), notes = notes, locale = locale }) }
  end
  local gm = best_published(ds, p.entity, "growth_multiple", as_of, true)
  local pv = best_published(ds, p.entity, "industrial_production_value", as_of, true)
  if gm and pv then
    local gm_row = ds.figures:filter(col("entity"):eq(p.entity) & col("indicator"):eq("growth_multiple") &
      col("as_of"):eq(gm.as_of))
    local definition = gm_row:nrow() > 0 and gm_row:get("definition", 1) or ""
    local base = tonumber(definition:match("/%s*(%d%d%d%d) value"))
    local year = tonumber(pv.as_of:sub(1, 4))
    if base and year and base < year and definition:find("industrial production value", 1, true) then
      local imp = indicators.implied(gm.value, year - base, pv.value)
      local b = provenance.figure { value = imp.base, unit = "VND", class = "implied" }
      local c = provenance.figure { value = imp.cagr, unit = "ratio", class = "implied" }
      local r1, r2 = src:ref(gm.source), src:ref(pv.source)
      items[#items + 1] = { text = locale == "en" and
        string.format("%s: industrial production value in %d was %s [%d], %s that of %d [%d]. Implied, not " ..
          "measured: %d about %s, %s a year on average (I).", p.name, year, provenance.text(pv, locale), r2,
          units.format(gm.value, "times", { locale = locale }), base, r1, base, provenance.text(b, locale),
          provenance.text(c, locale, { decimals = 1 })) or
        string.format("%s: giá trị sản xuất công nghiệp năm %d đạt %s [%d], gấp %s năm %d [%d]. Suy ra (không " ..
          "phải số đo, SR): năm %d khoảng %s, tăng bình quân khoảng %s/năm.", p.name, year, provenance.text(pv, locale),
          r2, units.format(gm.value, "times", { locale = locale }), base, r1, base, provenance.text(b, locale),
          provenance.text(c, locale, { decimals = 1 })) }
    end
  end
  return items, charts
end

local function ranking(ds, p, as_of, locale, src)
  local items = {}
  if not ds.figures then return items end
  local claims = ds.figures:filter(col("entity"):eq(p.entity) & col("indicator"):eq("fdi_rank_top") &
    col("as_of"):le(as_of)):sort("period")
  local years, refs, top = {}, {}, nil
  for row in claims:rows() do
    years[#years + 1] = tonumber(row.period)
    refs[#refs + 1] = row.source_url
    top = math.floor(row.value)
  end
  if #years > 0 then
    local consecutive = true
    for i = 2, #years do consecutive = consecutive and years[i] == years[i - 1] + 1 end
    local span = #years > 1 and string.format("%d–%d", years[1], years[#years]) or tostring(years[1])
    local cite = src:cite(refs)
    if locale == "en" then
      items[#items + 1] = { text = string.format("Published: %s was among the %d leading provinces for FDI " ..
        "attraction %s (%s) %s.", p.name, top, consecutive and #years > 1 and (#years .. " years running") or "in",
        span, cite) }
    else
      items[#items + 1] = { text = string.format("Công bố: %s là 1 trong %d địa phương dẫn đầu cả nước về thu hút " ..
        "FDI %s (%s) %s.", p.name, top, consecutive and #years > 1 and (#years .. " năm liên tiếp") or "năm", span,
        cite) }
    end
  end
  if ds.fdi_rank then
    for row in ds.fdi_rank:filter(col("province_id"):eq(p.entity) & col("synthetic"):eq("no") & col("rank"):is_na():eq(false))
      :sort("year"):rows() do
      if row.year <= tonumber(as_of:sub(1, 4)) and (row.year < tonumber(as_of:sub(1, 4)) or as_of:sub(6) == "12-31") then
        local n = src:ref(row.source_url)
        items[#items + 1] = { text = locale == "en" and
          string.format("Published: %s ranked %d in Vietnam for FDI attraction in %d [%d].", p.name, row.rank, row.year, n)
          or string.format("Công bố: %s xếp hạng %d cả nước về thu hút FDI năm %d [%d].", p.name, row.rank, row.year, n) }
      end
    end
  end
  return items
end

local RECONCILE = { { "capital_fdi", "USD" }, { "capital_registered", "USD" }, { "kcn_area", "ha" } }

local function reconcile(ds, p, as_of, locale, src)
  local blocks = {}
  for _, r in ipairs(RECONCILE) do
    local f = indicators.reconcile(ds, p.entity, r[1], { unit = r[2], as_of = as_of })
    if f and f:nrow() >= 2 then
      local rows = {}
      for row in f:rows() do
        local fig = provenance.figure { value = row.value, unit = r[2], class = "published", source = row.source_url,
          qualifier = row.qualifier, qualifier_text = row.qualifier_text }
        local flags = {}
        if row.conflict then flags[#flags + 1] = t(locale, "differ") end
        if row.stock_fell then flags[#flags + 1] = t(locale, "fell") end
        local diff = row.rel_diff and units.format(row.rel_diff, "ratio", { locale = locale, decimals = 1 }) or "–"
        if row.rel_diff and row.rel_diff > 0 then diff = "+" .. diff end
        local date = row.as_of and text_cell(M.date_text(row.as_of, locale))
          or { text = "–", class = "na", note = t(locale, "undated") }
        rows[#rows + 1] = { date, cell(fig, locale, src),
          { text = diff, value = row.rel_diff, unit = "ratio", class = row.rel_diff and "derived" or "na" },
          text_cell(table.concat(flags, "; ")) }
      end
      blocks[#blocks + 1] = { kind = "table", id = "reconcile_" .. p.entity .. "_" .. r[1],
        title = p.name .. " · " .. indicator_name(ds, r[1], locale),
        columns = { t(locale, "date"), t(locale, "value"), t(locale, "vs_latest"), t(locale, "flags") },
        align = { "left", "right", "right", "left" }, rows = rows }
    end
  end
  return blocks
end

local function capital_chart(ds, profiles, as_of, locale)
  local rows = {}
  local low = {}
  local without = 0
  for _, p in ipairs(profiles) do
    local valid = capital.projects_at(ds, as_of):filter(col("zone_id"):isin(p.zone_ids))
    without = without + valid:filter(col("capital_usd"):is_na()):nrow()
    local per = valid:group_by("zone_id", "origin"):agg(engine.sum("capital_usd"):as("cap"))
    local by, ids = {}, {} -- ids in the (sorted) order of the groups, so that the output is the same every run
    for row in per:rows() do
      if not by[row.zone_id] then ids[#ids + 1] = row.zone_id end
      by[row.zone_id] = by[row.zone_id] or { fdi = 0, dom = 0 }
      if row.origin == "FDI" then by[row.zone_id].fdi = row.cap or 0 else by[row.zone_id].dom = row.cap or 0 end
    end
    for _, id in ipairs(ids) do
      local v = by[id]
      local z = ds.zone_index[id]
      local name = ds.zones:get("name", z)
      if ds.zones:get("confidence", z) == "L" then low[#low + 1] = name end
      rows[#rows + 1] = { zone = name, province = p.name, fdi = v.fdi, domestic = v.dom }
    end
  end
  if #rows == 0 then return nil end
  local f = engine.from_rows(rows, { "zone", "province", "fdi", "domestic" })
  local notes = {}
  for _, name in ipairs(low) do notes[#notes + 1] = t(locale, "low_confidence", name) end
  if without > 0 then notes[#notes + 1] = t(locale, "without_usd", without) end
  local synthetic = false
  for _, p in ipairs(profiles) do synthetic = synthetic or p.synthetic end
  local title = t(locale, "capital_chart")
  return { kind = "chart", title = title, svg = chart.bar(f, { label = "zone", group = #profiles > 1 and "province" or nil,
    parts = { "fdi", "domestic" }, part_names = { t(locale, "fdi"), t(locale, "domestic") }, unit = "USD",
    title = title .. (synthetic and (locale == "en" and " (synthetic projects)" or " (dự án giả lập)") or ""),
    source = synthetic and t(locale, "synthetic_chart") or nil, notes = notes, locale = locale }) }
end

local function shares_chart(profiles, locale)
  local rows = {}
  for _, p in ipairs(profiles) do
    local a, b = p.figures.fdi_capital_usd, p.figures.domestic_capital_usd
    if a and b and a.value and b.value then rows[#rows + 1] = { name = p.name, fdi = a.value, domestic = b.value } end
  end
  if #rows == 0 then return nil end
  local synthetic = false
  for _, p in ipairs(profiles) do synthetic = synthetic or p.synthetic end
  local title = t(locale, "shares_chart")
  return { kind = "chart", title = title, svg = chart.share(engine.from_rows(rows, { "name", "fdi", "domestic" }), {
    label = "name", parts = { "fdi", "domestic" }, part_names = { t(locale, "fdi"), t(locale, "domestic") },
    title = title .. (synthetic and (locale == "en" and " (synthetic projects)" or " (dự án giả lập)") or ""),
    source = synthetic and t(locale, "synthetic_chart") or nil, locale = locale }) }
end

-- published flows of exactly a period, for the period table
local PERIOD_PUBLISHED = { fdi_attracted = "fdi_inflow_year", fdi_share_purchase = "fdi_inflow_share_purchase",
  fdi_projects_new = "fdi_projects_new", domestic_projects_new = "domestic_projects_new", projects_new = "projects_new" }

local function published_in(ds, entity, indicator, p)
  if not ds.figures or not indicator then return nil end
  local span = p.kind == "Y" and tostring(p.year or p.from:sub(1, 4)) or (p.from .. "/" .. p.to)
  local best
  for row in ds.figures:filter(col("entity"):eq(entity) & col("indicator"):eq(indicator) &
    col("period"):isin { span, p.from .. "/" .. p.to }):rows() do
    if not best or (CONFIDENCE[row.confidence or ""] or 0) > (CONFIDENCE[best.confidence or ""] or 0) then best = row end
  end
  return best and published_figure(best) or nil
end

-- the period table of one entity: in the period, the same period a year earlier, the change, cumulative
local function period_block(ds, prof, locale, src)
  local p, prev = prof.period, prof.previous
  local label = function(x) return locale == "en" and x.label_en or x.label_vi end
  local cum = locale == "en" and ("cumulative to " .. M.date_text(p.to, locale))
    or ("Lũy kế đến " .. M.date_text(p.to, locale))
  local pub = {}
  local any_pub = false
  for _, r in ipairs(prof.flows) do
    pub[r.key] = published_in(ds, prof.entity, PERIOD_PUBLISHED[r.key], p)
    any_pub = any_pub or pub[r.key] ~= nil
  end
  local columns = { t(locale, "indicator"), label(p), t(locale, "same_period", label(prev)), t(locale, "change"), cum }
  if any_pub then table.insert(columns, 3, t(locale, "published")) end
  local rows = {}
  for _, r in ipairs(prof.flows) do
    local row = { text_cell(labels.name(r.key, locale)), cell(r.period, locale, src), cell(r.previous, locale, src),
      cell(r.change, locale, src, { decimals = 1 }), cell(r.cumulative, locale, src) }
    if any_pub then table.insert(row, 3, pub[r.key] and cell(pub[r.key], locale, src) or { text = "", class = "empty" }) end
    rows[#rows + 1] = row
  end
  local align = {}
  for i = 1, #columns do align[i] = i == 1 and "left" or "right" end
  return { kind = "table", title = t(locale, "period_title", label(p), prof.name), columns = columns, rows = rows,
    align = align, notes = { t(locale, "period_note") } }
end

-- which rate kinds converted the events, and the years without a rate
local function fx_note(ds, ids, as_of, locale)
  local used = capital.rates_used(ds, ids, as_of)
  if not used then return nil end
  local parts = {}
  for _, k in ipairs(used.kinds) do parts[#parts + 1] = t(locale, "fx_kinds")[k.kind] .. " " .. k.years end
  for _, m in ipairs(used.missing) do
    parts[#parts + 1] = string.format(t(locale, "fx_missing"), m.years, m.events,
      table.concat(m.projects, ", ") .. (m.more and ", …" or ""))
  end
  return t(locale, "fx_note", table.concat(parts, "; "))
end

-- the published figures of the entities (and their zones and groups) dated by as_of, not shown above
local function appendix(ds, profiles, as_of, locale, src, shown)
  if not ds.figures then return nil end
  local ents = {}
  for _, p in ipairs(profiles) do
    ents[#ents + 1] = p.entity
    for _, id in ipairs(p.zone_ids) do ents[#ents + 1] = id end
    if ds.groups then
      for g in ds.groups:rows() do
        for m in (g.members or ""):gmatch("[^|]+") do
          for _, id in ipairs(p.zone_ids) do if id == m then ents[#ents + 1] = g.id end end
        end
      end
    end
  end
  local f = ds.figures:filter(col("entity"):isin(ents) & col("as_of"):le(as_of)):sort("entity", "indicator", "as_of")
  local rows = {}
  for row in f:rows() do
    local key = row.entity .. "|" .. row.indicator .. "|" .. tostring(row.as_of)
    if not shown[key] and row.unit ~= "rank" and row.unit ~= "year" then
      local fig = published_figure(row)
      local name = row.entity
      if ds.zone_index[row.entity] then name = ds.zones:get("name", ds.zone_index[row.entity])
      elseif ds.groups then
        for g in ds.groups:filter(col("id"):eq(row.entity)):rows() do name = g.name end
      end
      for _, p in ipairs(profiles) do if p.entity == row.entity then name = p.name end end
      rows[#rows + 1] = { text_cell(name), text_cell(indicator_name(ds, row.indicator, locale)), cell(fig, locale, src),
        text_cell(M.date_text(row.as_of, locale)), text_cell(M.period_text(row.period, locale)) }
    end
  end
  if #rows == 0 then return nil end
  return { kind = "table", id = "appendix", title = t(locale, "appendix"),
    columns = { t(locale, "entity"), t(locale, "indicator"), t(locale, "value"), t(locale, "date"),
      locale == "en" and "Period" or "Kỳ" },
    align = { "left", "left", "right", "left", "left" }, rows = rows }
end

--- Assemble the report's content.
-- @param ds a Dataset
-- @tparam[opt] table opts `provinces` (names or ids) and `zones` (names or
--   ids): one entity gives its own report, several a comparison (default:
--   every province with projects); `period` (a reporting period, "2024-H1",
--   "9T/2024", ... or a zs.period table: adds, per entity, the flows in the
--   period, the same period a year earlier, the change and the cumulative);
--   `as_of` ("yyyy-mm-dd"; default the period's end, else the end of the
--   month of the latest event); `locale` ("vi" default, or "en"); `top`
--   (rows of the top investors, countries and sectors; 5)
-- @return a report model for `markdown` and `html`, or nil and a message
function M.build(ds, opts)
  if getmetatable(ds) ~= dataset.Dataset then error("report: expected a dataset (zs.dataset.load())", 2) end
  opts = opts or {}
  local locale = opts.locale or "vi"
  if not L10N[locale] then error("report: locale must be 'vi' or 'en'", 2) end
  local top = opts.top or 5
  if math.type(top) ~= "integer" or top < 1 then error("report: top must be a positive integer", 2) end
  local entities = {}
  for _, p in ipairs(opts.provinces or {}) do
    local id, err = ds:province(p)
    if not id then return nil, "report: " .. err end
    entities[#entities + 1] = { province = id }
  end
  for _, z in ipairs(opts.zones or {}) do
    local id, err = ds:zone(z)
    if not id then return nil, "report: " .. err end
    entities[#entities + 1] = { zone = id }
  end
  if #entities == 0 then
    for _, id in ipairs(ds.projects:distinct("province_id"):column("province_id"):totable()) do
      if id ~= engine.NA then entities[#entities + 1] = { province = id } end
    end
  end
  local per, perr = indicators.period_of({ period = opts.period, as_of = opts.as_of, locale = locale })
  if perr then return nil, "report: " .. perr end
  local as_of = opts.as_of or (per and per.to) or capital.data_end(ds)
  local src = sources(ds, locale)
  local profiles, names = {}, {}
  for i, e in ipairs(entities) do
    local p, err = indicators.profile(ds, e, { as_of = as_of, locale = locale, period = per })
    if not p then return nil, "report: " .. err end
    profiles[i], names[i] = p, p.name
  end
  local synthetic = false
  for _, p in ipairs(profiles) do synthetic = synthetic or p.synthetic or p.land_synthetic end
  local model = { locale = locale, as_of = as_of, blocks = {}, sources = src, provinces = {}, profiles = profiles,
    title = #profiles == 1 and t(locale, "title_one", names[1]) or t(locale, "title_many", table.concat(names, ", ")) }
  for _, e in ipairs(entities) do
    if e.province then model.provinces[#model.provinces + 1] = e.province end
  end
  local function add(b) if b then model.blocks[#model.blocks + 1] = b end end
  add { kind = "note", text = t(locale, "as_of", M.date_text(as_of, locale)) ..
    (synthetic and (" " .. t(locale, "synthetic_note")) or "") }
  add { kind = "note", text = provenance.legend(locale), class = "legend" }
  local all_ids = {}
  for _, p in ipairs(profiles) do
    for _, id in ipairs(p.zone_ids or {}) do all_ids[#all_ids + 1] = id end
  end
  local fx = fx_note(ds, all_ids, as_of, locale)
  if fx then add { kind = "note", text = fx, class = "fx" } end
  if per then model.period = per end
  local shown = {}
  for _, p in ipairs(profiles) do
    local h = headline(ds, p, as_of, locale, src)
    add(h)
    if h then
      for _, hd in ipairs(HEADLINE) do
        local entity = p.entity
        if hd.on_kkt then entity = kkt_of(ds, p) end
        local pub = entity and best_published(ds, entity, hd.pub, as_of, hd.flow)
        if pub then shown[entity .. "|" .. hd.pub .. "|" .. tostring(pub.as_of)] = true end
      end
    end
  end
  if per then
    for _, p in ipairs(profiles) do add(period_block(ds, p, locale, src)) end
  end
  if #profiles >= 2 then add(side_by_side(profiles, locale, src))
  else add(indicator_table(profiles[1], locale, src)) end
  for _, p in ipairs(profiles) do add(parks(ds, p, as_of, locale, src)) end
  for _, p in ipairs(profiles) do
    for _, b in ipairs(tops(ds, p, as_of, locale, src, top)) do add(b) end
  end
  local items, charts = {}, {}
  for _, p in ipairs(profiles) do
    local it, ch = growth(ds, p, as_of, locale, src)
    for _, x in ipairs(it) do items[#items + 1] = x end
    for _, x in ipairs(ch) do charts[#charts + 1] = x end
  end
  if #items > 0 then add { kind = "items", title = t(locale, "growth"), items = items } end
  for _, c in ipairs(charts) do add(c) end
  local ranks = {}
  for _, p in ipairs(profiles) do
    for _, x in ipairs(ranking(ds, p, as_of, locale, src)) do ranks[#ranks + 1] = x end
  end
  if #ranks > 0 then add { kind = "items", title = t(locale, "ranking"), items = ranks } end
  local rec = {}
  for _, p in ipairs(profiles) do
    for _, b in ipairs(reconcile(ds, p, as_of, locale, src)) do rec[#rec + 1] = b end
  end
  if #rec > 0 then add { kind = "heading", title = t(locale, "reconcile") } end
  for _, b in ipairs(rec) do b.level = 3 add(b) end
  add(capital_chart(ds, profiles, as_of, locale))
  if #profiles >= 2 then add(shares_chart(profiles, locale)) end
  -- the eco-industrial-park readiness of the report's parks that have evidence
  -- (the status table per park and the chart; `zonestat eco` gives the rest)
  for _, b in ipairs(eco.report_blocks(ds, all_ids, { locale = locale, as_of = as_of, other = false,
    cite = function(url) return src:ref(url) end })) do
    add(b)
  end
  add(appendix(ds, profiles, as_of, locale, src, shown))
  model.texts = { sources = t(locale, "sources"), url_missing = t(locale, "url_missing") }
  return model
end

--- Markdown text of a report.
-- @param model a model from `build`, or a Dataset (built with opts)
-- @tparam[opt] table opts as build's
-- @return string, or nil and a message
function M.markdown(model, opts)
  if getmetatable(model) == dataset.Dataset then
    local m, err = M.build(model, opts)
    if not m then return nil, err end
    model = m
  end
  return render.markdown(model)
end

--- HTML page of a report: one self-contained file (inline CSS and SVG, no
-- script, system fonts).
-- @param model a model from `build`, or a Dataset (built with opts)
-- @tparam[opt] table opts as build's
function M.html(model, opts)
  if getmetatable(model) == dataset.Dataset then
    local m, err = M.build(model, opts)
    if not m then return nil, err end
    model = m
  end
  return render.html(model)
end

--- Text of a value in a unit, in the locale ("–" for NA), as the report writes it.
-- @param v a number or nil
-- @tparam ?string unit
-- @tparam string locale
function M.format_value(v, unit, locale)
  if v == nil or v == engine.NA or v ~= v then return "–" end
  if unit == "count" or unit == "" or unit == nil then unit = nil end
  local ok, s = pcall(units.format, v, unit, { locale = locale })
  if ok then return s end
  return units.format(v, nil, { locale = locale }) .. " " .. tostring(unit)
end

--- Write text to a file atomically (temporary file, then rename).
-- @return true, or nil and "path: message"
function M.write(path, text)
  return render.write(path, text)
end

return M

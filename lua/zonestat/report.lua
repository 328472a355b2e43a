--- Reports comparing provinces' zones: `zs.report.build` assembles the
-- content (headline figures recomputed from project rows beside the
-- published ones, a side-by-side comparison, growth, rankings with streaks,
-- reconciliation of sources, capital by zone and origin); `markdown` and
-- `html` render it.  The HTML page is one self-contained file: inline CSS
-- and SVG, no script, no network, system fonts.  Every published figure
-- carries a numbered source footnote; synthetic rows say so.
-- @module zonestat.report

local engine = require "zonestat.engine"
local dataset = require "zonestat.dataset"
local indicators = require "zonestat.indicators"
local units = require "zonestat.units"
local svg = require "zonestat.svg"

local col = engine.col
local NA = engine.NA
local M = {}


local L10N = {
  vi = {
    title = "So sánh khu kinh tế, khu công nghiệp", as_of = "Số liệu đến", synthetic_note =
      "Các dòng dự án là TỔNG HỢP GIẢ LẬP (synthetic), được hiệu chỉnh để khớp tổng số đã công bố; " ..
      "số liệu công bố có nguồn ở chú thích.",
    headline = "Số liệu chính: tính lại từ danh sách dự án và số đã công bố", recomputed = "Tính lại (dự án giả lập)",
    published = "Công bố", indicator = "Chỉ tiêu", compare = "So sánh song song", growth = "Tăng trưởng",
    ranking = "Xếp hạng thu hút FDI theo năm", reconcile = "Đối chiếu nguồn", capital = "Vốn đăng ký theo khu và nguồn vốn",
    shares = "Cơ cấu vốn FDI và trong nước", sources = "Nguồn", ratio = "Tỷ lệ",
  },
  en = {
    title = "Economic zones and industrial parks compared", as_of = "Data as of", synthetic_note =
      "Project rows are SYNTHETIC, generated and calibrated to the published totals; published figures " ..
      "carry their sources in the footnotes.",
    headline = "Headline figures: recomputed from project rows and as published",
    recomputed = "Recomputed (synthetic rows)", published = "Published", indicator = "Indicator",
    compare = "Side by side", growth = "Growth", ranking = "FDI attraction ranking by year",
    reconcile = "Reconciling sources", capital = "Registered capital by zone and origin",
    shares = "FDI and domestic capital shares", sources = "Sources", ratio = "Ratio",
  },
}

local LABELS = {
  projects = { "Số dự án", "Projects" }, capital_usd = { "Vốn đăng ký", "Registered capital" },
  fdi_projects = { "Dự án FDI", "FDI projects" }, fdi_capital_usd = { "Vốn FDI", "FDI capital" },
  domestic_projects = { "Dự án trong nước", "Domestic projects" },
  domestic_capital_usd = { "Vốn trong nước", "Domestic capital" }, fdi_share = { "Tỷ trọng vốn FDI", "FDI share" },
  operating_projects = { "Dự án đang hoạt động", "Operating projects" },
  operating_share = { "Tỷ lệ dự án hoạt động", "Operating share" },
  industrial_production_projects = { "Dự án sản xuất công nghiệp", "Industrial production projects" },
  capital_per_project = { "Vốn bình quân/dự án", "Capital per project" },
  fdi_capital_per_project = { "Vốn FDI bình quân/dự án", "FDI capital per project" },
  zones_established = { "KKT, KCN đã thành lập", "KKT and KCN established" },
  kcn_established = { "KCN đã thành lập", "KCN established" }, kcn_operating = { "KCN đang hoạt động", "KCN operating" },
  kcn_natural_area_ha = { "Diện tích KCN", "KCN area" }, kkt_natural_area_ha = { "Diện tích KKT", "KKT area" },
  occupancy = { "Tỷ lệ lấp đầy", "Occupancy" }, capital_per_ha = { "Vốn/ha đất công nghiệp", "Capital per ha" },
  employees_per_ha = { "Lao động/ha", "Employees per ha" },
}

local function label(key, locale)
  local l = LABELS[key]
  if not l then return key end
  return locale == "en" and l[2] or l[1]
end

--- Text of a value in a unit, in the locale.
local function fmt(v, unit, locale)
  if v == nil or v == NA or v ~= v then return "–" end
  if unit == "ratio" or unit == "%" then
    local s = string.format("%.1f %%", unit == "%" and v or v * 100)
    return (locale == "vi" and s:gsub("%.", ",") or s)
  end
  if unit == "USD" or unit == "VND" or unit == "ha" then
    return units.format(v, unit, { locale = locale })
  end
  local s
  if math.type(v) == "integer" or (v == math.floor(v) and math.abs(v) < 1e15) then
    s = string.format("%d", math.floor(v)):reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^(-?),", "%1")
    if locale == "vi" then s = s:gsub(",", ".") end
  else
    s = string.format("%.2f", v)
    if locale == "vi" then s = s:gsub("%.", ",") end
  end
  local suffix = { count = "", ["USD/ha"] = " USD/ha", ["persons/ha"] = locale == "vi" and " người/ha" or " persons/ha",
    persons = locale == "vi" and " người" or " persons", times = " ×" }
  return s .. (suffix[unit] or (unit and unit ~= "" and " " .. unit or ""))
end
M.format_value = fmt

-- ---- the content ------------------------------------------------------------------

local flags -- defined with the renderers
local Sources = {}
Sources.__index = Sources
local function sources() return setmetatable({ list = {}, index = {} }, Sources) end
function Sources:ref(url)
  if not url or url == NA then return nil end
  if not self.index[url] then
    self.list[#self.list + 1] = url
    self.index[url] = #self.list
  end
  return self.index[url]
end

--- the published figure (a stock) of an indicator at exactly `as_of`,
-- from the most confident source
local function published(ds, entity, indicator, as_of)
  if not ds.figures then return nil end
  local f = ds.figures:filter(col("entity"):eq(entity) & col("indicator"):eq(indicator) & col("as_of"):eq(as_of)
    & col("period"):is_na())
  if f:nrow() == 0 then return nil end
  local conf = { H = 3, M = 2, L = 1 }
  local best
  for row in f:rows() do
    if not best or row.as_of > best.as_of or (row.as_of == best.as_of and
      (conf[row.confidence or ""] or 0) > (conf[best.confidence or ""] or 0)) then
      best = row
    end
  end
  return best
end

local HEADLINE = {
  { "projects", "projects_total", "count" }, { "capital_usd", "capital_registered", "USD" },
  { "fdi_projects", "projects_fdi", "count" }, { "fdi_capital_usd", "capital_fdi", "USD" },
  { "domestic_projects", "projects_domestic", "count" }, { "operating_projects", "projects_operating", "count" },
  { "industrial_production_projects", "projects_industrial_production", "count" },
}

--- Assemble the report's content.
-- @param ds a Dataset
-- @tparam[opt] table opts `provinces` (names or ids; default all, in the
--   dataset's order), `as_of` (default "2024-06-30" when the data reach
--   it, else the latest license date), `locale` ("vi" default, or "en")
-- @return a report model for `markdown` and `html`, or nil and a message
function M.build(ds, opts)
  opts = opts or {}
  local locale = opts.locale or "vi"
  if not L10N[locale] then error("report: locale must be 'vi' or 'en'", 2) end
  local t = L10N[locale]
  local provs = {}
  for i, p in ipairs(opts.provinces or {}) do
    local id, err = ds:province(p)
    if not id then return nil, "report: " .. err end
    provs[i] = id
  end
  if #provs == 0 then provs = ds.projects:distinct("province_id"):column("province_id"):totable() end
  local as_of = opts.as_of or indicators.month_end(ds.projects:column("license_date"):max())
  local src = sources()
  local model = { locale = locale, t = t, as_of = as_of, sections = {}, sources = src, provinces = provs,
    cite = function(url) return ds:citation(url) end }
  local function section(s) model.sections[#model.sections + 1] = s end

  -- headline: recomputed beside published
  local cmp, profiles = indicators.compare(ds, provs, { as_of = as_of })
  if not cmp then return nil, "report: " .. tostring(profiles) end
  for _, p in ipairs(profiles) do
    local rows = {}
    for _, h in ipairs(HEADLINE) do
      local pub = published(ds, p.entity, h[2], as_of)
      rows[#rows + 1] = { label(h[1], locale), fmt(p[h[1]], h[3], locale),
        pub and fmt(pub.value, pub.unit, locale) or "–", pub and src:ref(pub.source_url) or nil,
        pub and pub.as_of or nil }
    end
    section { kind = "table", title = t.headline .. " — " .. p.name,
      header = { t.indicator, t.recomputed, t.published }, rows = rows, synthetic = p.synthetic }
  end

  -- side by side
  local header = { t.indicator }
  for _, p in ipairs(profiles) do header[#header + 1] = p.name end
  header[#header + 1] = t.ratio
  local rows = {}
  for row in cmp:rows() do
    local r = { label(row.indicator, locale) }
    for _, p in ipairs(profiles) do r[#r + 1] = fmt(row[p.entity], row.unit, locale) end
    r[#r + 1] = row.ratio and fmt(row.ratio, "", locale) or "–"
    rows[#rows + 1] = r
  end
  section { kind = "table", title = t.compare, header = header, rows = rows,
    note = locale == "vi" and "Tỷ lệ lấp đầy: đất đã cho thuê / đất công nghiệp, trên các KCN có đủ số liệu."
      or "Occupancy: leased / industrial land, over the KCN where both are known." }

  -- growth
  local growth_items = {}
  for _, p in ipairs(profiles) do
    local s = indicators.series(ds, p.entity, "fdi_inflow_year")
    if s and s:nrow() >= 2 then
      local years, vals = {}, {}
      for row in s:rows() do
        years[#years + 1] = tostring(row.year)
        vals[#vals + 1] = row.value
        src:ref(row.source_url)
      end
      local m, cagr = indicators.growth(vals[1], vals[#vals], tonumber(years[#years]) - tonumber(years[1]))
      growth_items[#growth_items + 1] = {
        text = string.format(locale == "vi" and "%s: FDI vào KKT, KCN %s–%s tăng %s lần, bình quân %s/năm (tính từ số công bố)."
          or "%s: FDI into the zones %s–%s grew %s times, %s a year (measured from published values).",
          p.name, years[1], years[#years], fmt(m, "", locale), fmt(cagr, "ratio", locale)),
        chart = svg.lines { title = (locale == "vi" and "FDI vào KKT, KCN theo năm — " or "FDI into the zones per year — ")
          .. p.name, years = years, series = { p.name }, values = { vals },
          format = function(v) return fmt(v, "USD", locale) end },
      }
    end
    local gm = ds.figures and ds.figures:filter(col("entity"):eq(p.entity) & col("indicator"):eq("growth_multiple")
      & col("as_of"):le(as_of)):sort("as_of", { desc = true })
    local pv = ds.figures and ds.figures:filter(col("entity"):eq(p.entity) &
      col("indicator"):eq("industrial_production_value") & col("as_of"):le(as_of)):sort("as_of", { desc = true })
    if gm and gm:nrow() > 0 and pv and pv:nrow() > 0 then
      for row in gm:rows() do
        local base = tonumber((row.note or ""):match("base year (%d%d%d%d)"))
        local year = tonumber(row.period or "")
        if base and year and (row.definition or ""):find("industrial production value") then
          local final
          for v in pv:rows() do if tonumber(v.period or "") == year then final = v end end
          if final then
            local imp = indicators.implied(row.value, year - base, final.value)
            local r1, r2 = src:ref(row.source_url), src:ref(final.source_url)
            growth_items[#growth_items + 1] = { text = string.format(locale == "vi"
              and "%s: giá trị sản xuất công nghiệp %d đạt %s [%d], gấp %s lần năm %d [%d]. Suy ra (không phải số đo): " ..
              "giá trị năm %d khoảng %s, tăng bình quân khoảng %s/năm."
              or "%s: industrial production value %d was %s [%d], %s times %d [%d]. Implied, not measured: " ..
              "the %d value was about %s, a compound growth of about %s a year.",
              p.name, year, fmt(final.value, final.unit, locale), r2, fmt(row.value, "count", locale), base, r1, base,
              fmt(imp.base, final.unit, locale), fmt(imp.cagr, "ratio", locale)) }
            break
          end
        end
      end
    end
  end
  if #growth_items > 0 then section { kind = "items", title = t.growth, items = growth_items } end

  -- ranking and streaks
  if ds.fdi_rank then
    local r = ds.fdi_rank:select("province_id", "year", "fdi_usd", "synthetic")
      :rename { province_id = "entity", fdi_usd = "value" }
    local ranked = indicators.rank(r)
    local streaks = indicators.streaks(ranked, { top = 3 })
    local items = {}
    for row in streaks:rows() do
      for _, p in ipairs(provs) do
        if row.entity == p and row.years >= 2 then
          items[#items + 1] = { text = string.format(locale == "vi"
            and "%s: trong nhóm 3 tỉnh dẫn đầu %d năm liên tiếp (%d–%d)."
            or "%s: in the top 3 provinces for %d consecutive years (%d–%d).", ds:province_name(p), row.years,
            row["from"], row.to) }
        end
      end
    end
    local claims = ds.figures and ds.figures:filter(col("indicator"):eq("fdi_rank_top"))
    if claims then
      for row in claims:rows() do
        items[#items + 1] = { text = string.format(locale == "vi"
          and "Công bố: %s thuộc nhóm %d địa phương dẫn đầu năm %s [%d]."
          or "Published: %s among the top %d provinces in %s [%d].", ds:province_name(row.entity), math.floor(row.value),
          row.period or "?", src:ref(row.source_url)) }
      end
    end
    items[#items + 1] = { text = locale == "vi" and
      "Chuỗi xếp hạng theo năm dùng dữ liệu TỔNG HỢP GIẢ LẬP ở các năm và tỉnh không có số công bố (xem data/vn/README.md)."
      or "The yearly ranking series is SYNTHETIC where no published rank exists (see data/vn/README.md)." }
    section { kind = "items", title = t.ranking, items = items }
  end

  -- reconciliation
  local recon = {}
  for _, p in ipairs(provs) do
    for _, ind in ipairs({ "capital_fdi", "capital_registered", "kcn_area" }) do
      local f = indicators.reconcile(ds, p, ind, { unit = ind == "kcn_area" and "ha" or "USD", as_of = as_of })
      if f and f:nrow() >= 2 then
        local rows2 = {}
        for row in f:rows() do
          rows2[#rows2 + 1] = { row.as_of or "–", fmt(row.value, row.unit, locale),
            row.rel_diff and string.format("%+.1f %%", row.rel_diff * 100) or "–",
            flags(row, locale),
            src:ref(row.source_url) }
        end
        recon[#recon + 1] = { title = ds:province_name(p) .. " · " .. ind, rows = rows2 }
      end
    end
  end
  if #recon > 0 then
    section { kind = "reconcile", title = t.reconcile, blocks = recon, header = locale == "vi"
      and { "Ngày", "Giá trị", "So với mới nhất", "Ghi chú" } or { "As of", "Value", "vs latest", "Flag" } }
  end

  -- capital by zone and origin, and shares
  local byzone = ds.projects:filter(col("license_date"):le(as_of) & col("province_id"):isin(provs))
    :group_by("province_id", "zone_id", "origin"):agg(engine.sum("capital_usd"):as("capital"))
  local zones_in, zvals, zindex = {}, {}, {}
  for row in byzone:rows() do
    if not zindex[row.zone_id] then
      local name = ds.zones:get("name", ds.zone_index[row.zone_id])
      zones_in[#zones_in + 1] = name:gsub(" %(.*%)$", "")
      zvals[#zones_in] = {}
      zindex[row.zone_id] = #zones_in
    end
    zvals[zindex[row.zone_id]][row.origin == "FDI" and 1 or 2] = row.capital
  end
  section { kind = "chart", title = t.capital, synthetic = true, svg = svg.stacked_bars {
    title = t.capital .. (locale == "vi" and " (dự án giả lập)" or " (synthetic projects)"), labels = zones_in,
    series = { "FDI", locale == "vi" and "Trong nước" or "Domestic" }, values = zvals,
    format = function(v) return fmt(v, "USD", locale) end } }
  local slabels, svalues = {}, {}
  for i, p in ipairs(profiles) do
    slabels[i] = p.name
    svalues[i] = { p.fdi_capital_usd, p.domestic_capital_usd }
  end
  section { kind = "chart", title = t.shares, svg = svg.shares { title = t.shares .. (locale == "vi"
    and " (dự án giả lập)" or " (synthetic projects)"), labels = slabels, parts = { "FDI",
    locale == "vi" and "Trong nước" or "Domestic" }, values = svalues } }
  return model
end

-- ---- rendering ----------------------------------------------------------------------

local function sup(ref) return ref and ("[" .. ref .. "]") or "" end

--- the reconciliation flags of a row, as text
function flags(row, locale)
  local out = {}
  if row.conflict then out[#out + 1] = locale == "vi" and "nguồn cùng ngày khác nhau" or "sources differ" end
  if row.stock_fell then out[#out + 1] = locale == "vi" and "thấp hơn số trước" or "below an earlier stock" end
  return table.concat(out, "; ")
end

--- Markdown text of a report.
-- @param model a model from `build`, or a Dataset (built with opts)
-- @tparam[opt] table opts as build's
function M.markdown(model, opts)
  if getmetatable(model) == dataset.Dataset then
    local m, err = M.build(model, opts)
    if not m then return nil, err end
    model = m
  end
  local t, out = model.t, {}
  local function add(s) out[#out + 1] = s end
  add("# " .. t.title)
  add("")
  add(t.as_of .. " " .. model.as_of .. ". " .. t.synthetic_note)
  for _, s in ipairs(model.sections) do
    add("")
    add("## " .. s.title)
    add("")
    if s.kind == "table" then
      add("| " .. table.concat(s.header, " | ") .. " |")
      add("|" .. string.rep(" --- |", #s.header))
      for _, r in ipairs(s.rows) do
        local cells = {}
        for i = 1, #s.header do cells[i] = tostring(r[i] or "") end
        if r[4] and #s.header == 3 then cells[3] = cells[3] .. " " .. sup(r[4]) end
        add("| " .. table.concat(cells, " | ") .. " |")
      end
      if s.note then add("") add(s.note) end
    elseif s.kind == "items" then
      for _, it in ipairs(s.items) do add("- " .. it.text) end
    elseif s.kind == "reconcile" then
      for _, b in ipairs(s.blocks) do
        add("**" .. b.title .. "**")
        add("")
        add("| " .. table.concat(s.header, " | ") .. " |")
        add("|" .. string.rep(" --- |", #s.header))
        for _, r in ipairs(b.rows) do add(string.format("| %s | %s %s | %s | %s |", r[1], r[2], sup(r[5]), r[3], r[4])) end
        add("")
      end
    elseif s.kind == "chart" then
      add("_(" .. (model.locale == "vi" and "biểu đồ trong bản HTML" or "chart in the HTML report") .. ")_")
    end
  end
  add("")
  add("## " .. t.sources)
  add("")
  for i, url in ipairs(model.sources.list) do add(string.format("%d. %s", i, model.cite(url))) end
  return table.concat(out, "\n") .. "\n"
end

local CSS = [[
body{font-family:"DejaVu Sans","Noto Sans",Arial,sans-serif;margin:2em auto;max-width:900px;color:#222;line-height:1.45}
h1{font-size:1.6em;border-bottom:3px solid #1f6f8b;padding-bottom:.2em}h2{font-size:1.2em;margin-top:1.8em;color:#1f6f8b}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#eef4f7}.note{color:#555;font-size:.9em}
.synthetic{background:#fff4e0;border-left:4px solid #e07b39;padding:.5em .8em}sup a{text-decoration:none}
ol.sources{font-size:.85em;word-break:break-all}figure{margin:1em 0}
]]

--- HTML page of a report: one self-contained file.
-- @param model a model from `build`, or a Dataset (built with opts)
-- @tparam[opt] table opts as build's
function M.html(model, opts)
  if getmetatable(model) == dataset.Dataset then
    local m, err = M.build(model, opts)
    if not m then return nil, err end
    model = m
  end
  local e, t, out = svg.escape, model.t, {}
  local function add(s) out[#out + 1] = s end
  local function ref(r) return r and string.format('<sup><a href="#src%d">[%d]</a></sup>', r, r) or "" end
  local function linkify(text)
    return (e(text):gsub("%[(%d+)%]", function(n) return ref(tonumber(n)) end))
  end
  add('<!DOCTYPE html><html lang="' .. model.locale .. '"><head><meta charset="utf-8">')
  add('<meta name="viewport" content="width=device-width, initial-scale=1">')
  add("<title>" .. e(t.title) .. "</title><style>" .. CSS .. "</style></head><body>")
  add("<h1>" .. e(t.title) .. "</h1>")
  add('<p class="synthetic">' .. e(t.as_of .. " " .. model.as_of .. ". " .. t.synthetic_note) .. "</p>")
  for _, s in ipairs(model.sections) do
    add("<h2>" .. e(s.title) .. "</h2>")
    if s.kind == "table" then
      add("<table><thead><tr>")
      for _, h in ipairs(s.header) do add("<th>" .. e(h) .. "</th>") end
      add("</tr></thead><tbody>")
      for _, r in ipairs(s.rows) do
        add("<tr>")
        for i = 1, #s.header do
          local cell = e(tostring(r[i] or ""))
          if i == 3 and #s.header == 3 then cell = cell .. ref(r[4]) end
          add("<td>" .. cell .. "</td>")
        end
        add("</tr>")
      end
      add("</tbody></table>")
      if s.note then add('<p class="note">' .. e(s.note) .. "</p>") end
    elseif s.kind == "items" then
      add("<ul>")
      for _, it in ipairs(s.items) do
        add("<li>" .. linkify(it.text) .. "</li>")
        if it.chart then add("<figure>" .. it.chart .. "</figure>") end
      end
      add("</ul>")
    elseif s.kind == "reconcile" then
      for _, b in ipairs(s.blocks) do
        add("<h3>" .. e(b.title) .. "</h3><table><thead><tr>")
        for _, h in ipairs(s.header) do add("<th>" .. e(h) .. "</th>") end
        add("</tr></thead><tbody>")
        for _, r in ipairs(b.rows) do
          add(string.format("<tr><td>%s</td><td>%s%s</td><td>%s</td><td>%s</td></tr>", e(r[1]), e(r[2]), ref(r[5]),
            e(r[3]), e(r[4])))
        end
        add("</tbody></table>")
      end
    elseif s.kind == "chart" then
      add("<figure>" .. s.svg .. "</figure>")
    end
  end
  add("<h2>" .. e(t.sources) .. '</h2><ol class="sources">')
  for i, url in ipairs(model.sources.list) do
    local shown = e(model.cite(url))
    if url:find("^https?://") then shown = string.format('<a href="%s">%s</a>', e(url), e(url)) end
    add(string.format('<li id="src%d">%s</li>', i, shown))
  end
  add("</ol></body></html>")
  return table.concat(out, "\n") .. "\n"
end

--- Write text to a file atomically (temporary file, then rename).
-- @return true, or nil and "path: message"
function M.write(path, text)
  local tmp = path .. ".tmp-" .. tostring(os.time()) .. "-" .. tostring(math.random(1e6))
  local fh, err = io.open(tmp, "wb")
  if not fh then
    local reason = tostring(err):match(": ([^:]+)$") or tostring(err)
    return nil, path .. ": " .. reason
  end
  local ok, werr = fh:write(text)
  local closed, cerr = fh:close()
  if not ok or not closed then
    os.remove(tmp)
    return nil, path .. ": " .. tostring(werr or cerr)
  end
  local renamed, rerr = os.rename(tmp, path)
  if not renamed then
    os.remove(tmp)
    return nil, rerr
  end
  return true
end


return M

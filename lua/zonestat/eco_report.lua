--- Assessments of zonestat.eco as report blocks (the shape of
-- zonestat.report and zonestat.render: `{kind = "table", id, title, columns,
-- rows, align, notes, level}` with cells `{text, value, unit, class, note,
-- mark, source}`, and `{kind = "chart", title, svg}`), and as tables for
-- the terminal.  A threshold that is not verified is marked in its cell and
-- its status; synthetic values are shaded (class `synthetic`).
-- @module zonestat.eco_report

local engine = require "zonestat.engine"
local chart = require "zonestat.chart"
local provenance = require "zonestat.provenance"
local assess = require "zonestat.eco_assess"
local words = require "zonestat.eco_text"

local NA = engine.NA
local col = engine.col
local M = {}

local L = {
  vi = {
    heading = "Sẵn sàng chuyển đổi khu công nghiệp sinh thái — %s",
    table = "Tiêu chí KCN sinh thái — %s", other = "Bằng chứng khác về KCN sinh thái — %s",
    columns = { "Tiêu chí", "Bên", "Ngưỡng", "Giá trị", "Chênh lệch", "Trạng thái", "Bằng chứng" },
    other_columns = { "Chỉ tiêu", "Giá trị", "Ngày", "Ghi chú" },
    ready = "Mức sẵn sàng theo %s, đến %s: %s.", reasons = "Lý do: %s", sources = "Nguồn: %s",
    unverified = "ngưỡng chưa kiểm chứng: %s", undated = "không ghi ngày", chart = "Trạng thái tiêu chí theo nhóm — %s",
    chart_note = "Ngưỡng chưa kiểm chứng (⚠) được tính riêng: không phải đạt, cũng không phải chưa đạt.",
    chart_source = "Nguồn: data/eco/criteria.csv và bằng chứng của từng khu.", context = "bối cảnh: %s",
    codes = "V / P / I: thông tin nguyên văn / diễn giải / suy luận; [H] / [M] / [L]: độ tin cậy của nguồn (cao, " ..
      "trung bình, thấp). Thông tin bối cảnh của cả cụm không quyết định tiêu chí nào của khu.",
    target = "mục tiêu", status_note = "%s; tham khảo: %s",
    text_columns = { "điều khoản", "trạng thái", "giá trị", "ngưỡng", "chênh lệch", "ngày", "nguồn", "chỉ tiêu" },
    summary_columns = { "bên", "nhóm", "số tiêu chí", "đạt", "chưa đạt", "ngưỡng chưa kiểm chứng", "không có số liệu",
      "không đánh giá được" },
    progress_columns = { "điều khoản", "trạng thái trước", "trạng thái sau", "giá trị trước", "giá trị sau",
      "thay đổi" },
    changes = { improved = "tốt lên", worsened = "xấu đi", changed = "thay đổi" },
    star = "*: ngưỡng chưa kiểm chứng (văn bản hoặc cách hiểu ngưỡng chưa nguyên văn, hoặc nguồn mức L).",
  },
  en = {
    heading = "Eco-industrial-park readiness — %s",
    table = "Eco-park criteria — %s", other = "Other eco-park evidence — %s",
    columns = { "Criterion", "Party", "Threshold", "Value", "Gap", "Status", "Evidence" },
    other_columns = { "Indicator", "Value", "As of", "Note" },
    ready = "Readiness under %s, as of %s: %s.", reasons = "Reasons: %s", sources = "Sources: %s",
    unverified = "threshold unverified: %s", undated = "undated", chart = "Criteria statuses by category — %s",
    chart_note = "Unverified thresholds (⚠) are counted apart: neither met nor not met.",
    chart_source = "Source: data/eco/criteria.csv and each park's evidence.", context = "context: %s",
    codes = "V / P / I: the fact is verbatim / paraphrased / inferred; [H] / [M] / [L]: the source's confidence " ..
      "(high, medium, low). Context facts on the whole cluster decide no criterion of the park.",
    target = "target", status_note = "%s; indicative: %s",
    text_columns = { "article", "status", "value", "threshold", "gap", "date", "source", "indicator" },
    summary_columns = { "party", "category", "criteria", "met", "not met", "threshold unverified", "no data",
      "not assessable" },
    progress_columns = { "article", "status before", "status after", "value before", "value after", "change" },
    changes = { improved = "improved", worsened = "worsened", changed = "changed" },
    star = "*: threshold unverified (the text or the threshold reading is not verbatim, or the source is level L).",
  },
}

local function t(locale, key, ...)
  local s = (L[locale] or L.vi)[key]
  if select("#", ...) > 0 then return string.format(s, ...) end
  return s
end

--- A date in the locale: 30/06/2024 (vi) or 2024-06-30 (en).
-- @tparam ?string d
-- @tparam string locale
function M.date_text(d, locale)
  if d == nil or d == NA then return nil end
  if locale == "en" then return d end
  local y, m, dd = d:match("^(%d+)-(%d%d)-(%d%d)$")
  return y and string.format("%s/%s/%s", dd, m, y) or d
end

local function first_url(s)
  if s == nil or s == NA then return nil end
  return s:match("%S+")
end

-- numbering of sources: the report's (cite) or the table's own
local function numbering(cite)
  local list, index = {}, {}
  local function ref(url)
    if not url then return nil end
    if cite then return cite(url) end
    if not index[url] then list[#list + 1] = url index[url] = #list end
    return index[url]
  end
  return ref, list
end

local EXPORT_UNIT = { ratio = "ratio", count = "count", bool = "bool", ha = "ha", persons = "persons" }

--- A criterion's article as a reader of the locale writes it: the data's
-- `ND35/2022 Art.37.2.c` is `NĐ35/2022 Điều 37.2.c` in Vietnamese.
-- @tparam string article
-- @tparam string locale
-- @treturn string
function M.article_text(article, locale)
  if locale == "en" or type(article) ~= "string" then return article end
  return (article:gsub("%f[%w]ND(%d)", "NĐ%1"):gsub("Art%.%s*", "Điều ")
    :gsub("%(further points, if any%)", "(các điểm khác, nếu có)"):gsub(" ff%., annex", " trở đi, phụ lục"))
end

local function status_text(r, locale)
  local s = words.word(locale, "status", r.status)
  if r.status == "threshold unverified" then s = "⚠ " .. s end
  if r.indicative and r.indicative ~= NA then s = s .. " (" .. words.word(locale, "indicative", r.indicative) .. ")" end
  return s
end

local function criterion_rows(a, ref, locale)
  local rows = {}
  for _, r in ipairs(a.rows) do
    local unit = EXPORT_UNIT[r.unit or ""]
    local thr
    if r.comparison then
      local n = ref(first_url(r.criterion_source))
      thr = { text = r.threshold_text, value = r.threshold ~= NA and r.threshold or nil, unit = unit, class = "published",
        source = n, mark = n and ("[" .. n .. "]") or "" }
      if not r.threshold_verified then
        thr.text = "⚠ " .. thr.text
        thr.note = t(locale, "unverified", r.threshold_note or "")
      end
    else
      thr = { text = "–", class = "na", unit = unit }
    end
    local val, gap
    if r.value ~= nil and r.value ~= NA then
      local n = r.class == "published" and ref(first_url(r.evidence_source)) or nil
      val = { text = r.value_text, value = r.value, unit = unit, class = r.class, qualifier = r.qualifier ~= NA and
        r.qualifier or nil, source = n, note = r.flags ~= NA and r.flags or nil }
      val.mark = n and ("[" .. n .. "]") or provenance.mark({ value = r.value, class = r.class }, locale)
      if r.gap ~= nil and r.gap ~= NA then
        gap = { text = r.gap_text, value = r.gap, unit = unit, class = r.class == "published" and "derived" or r.class }
        gap.mark = provenance.mark({ value = r.gap, class = gap.class }, locale)
      end
    else
      val = { text = "–", class = "na", unit = unit, note = r.flags ~= NA and r.flags or nil }
    end
    gap = gap or { text = "–", class = "na", unit = unit }
    local ev = { text = M.date_text(r.evidence_date, locale) or (r.value ~= nil and r.value ~= NA and r.class ==
      "published" and t(locale, "undated") or "–") }
    if r.target and r.target ~= NA then ev.note = t(locale, "target") .. ": " .. r.target end
    rows[#rows + 1] = {
      { text = M.article_text(r.article, locale), note = r.indicator_label or r.text },
      { text = words.word(locale, "party", r.party) },
      thr, val, gap,
      { text = status_text(r, locale), note = r.reason },
      ev,
    }
  end
  return rows
end

local function other_rows(a, cat, ref, locale, known_names)
  local rows = {}
  local function add(f, context)
    for r in f:rows() do
      if context or not r.used_by then
        local ind = cat.indicators[r.indicator]
        local label = ind and (locale == "en" and ind.label_en or ind.label_vi) or r.indicator
        local n = ref(first_url(r.source))
        local value
        if r.text then
          value = { text = r.text, mark = n and ("[" .. n .. "]") or "", source = n }
        else
          local vt = assess.value_text(r.value, ind, locale, r.qualifier, r.qualifier_text)
          if r.kind == "target" then vt = words.text(locale, "target_text", vt, r.target_year) end
          value = { text = vt, value = r.value, unit = EXPORT_UNIT[ind.unit] or ind.unit, class = r.synthetic and
            "synthetic" or "published", qualifier = r.qualifier, source = n, mark = n and ("[" .. n .. "]") or "" }
        end
        local note = {}
        if context then note[#note + 1] = t(locale, "context", known_names[r.park] or r.park) end
        if r.kind == "target" then note[#note + 1] = t(locale, "target") end
        if r.text_status or r.confidence then
          note[#note + 1] = (r.text_status or "?") .. " / " .. (r.confidence and ("[" .. r.confidence .. "]") or "?")
        end
        rows[#rows + 1] = { { text = label }, value, { text = M.date_text(r.date, locale) or t(locale, "undated") },
          { text = table.concat(note, "; "), note = r.note } }
      end
    end
  end
  add(a.evidence, false)
  add(a.context, true)
  return rows
end

local CATEGORIES = { "park_management", "environmental", "social", "economic", "" }

--- The chart of statuses per category of some assessments.
-- @tparam {table,...} results assessments
-- @tparam string locale
-- @treturn ?table a chart block, or nil when there is nothing to draw
function M.chart(results, locale)
  local rows = {}
  for _, a in ipairs(results) do
    local f = a.frame:mutate { cat = col("category"):fill_na(""), s_met = col("status"):eq("met"),
      s_not = col("status"):eq("not met"), s_unv = col("status"):eq("threshold unverified"),
      s_nod = col("status"):eq("no data"), s_nas = col("status"):eq("not assessable") }
    local by = f:group_by("cat"):agg(engine.sum("s_met"):as("met"), engine.sum("s_not"):as("not_met"),
      engine.sum("s_unv"):as("unverified"), engine.sum("s_nod"):as("no_data"), engine.sum("s_nas"):as("not_assessable"))
    local got = {}
    for r in by:rows() do got[r.cat] = r end
    for _, c in ipairs(CATEGORIES) do
      local r = got[c]
      if r then
        rows[#rows + 1] = { category = words.word(locale, "category", c), park = a.name, met = r.met, not_met = r.not_met,
          unverified = r.unverified, no_data = r.no_data, not_assessable = r.not_assessable }
      end
    end
  end
  if #rows == 0 then return nil end
  local f = engine.from_rows(rows, { "category", "park", "met", "not_met", "unverified", "no_data", "not_assessable" })
  local title = t(locale, "chart", results[1].framework_name)
  local parts = { "met", "not met", "threshold unverified", "no data", "not assessable" }
  local names = {}
  for i, p in ipairs(parts) do names[i] = (p == "threshold unverified" and "⚠ " or "") .. words.word(locale, "status", p) end
  return { kind = "chart", title = title, svg = chart.bar(f, { label = "category", group = "park",
    parts = { "met", "not_met", "unverified", "no_data", "not_assessable" }, part_names = names, unit = "count",
    title = title, source = t(locale, "chart_source"), notes = { t(locale, "chart_note") }, locale = locale }) }
end

--- The report blocks of some assessments: a heading, then per park the
-- table of its criteria and the table of its other evidence, then one chart.
-- @tparam {table,...} results assessments (zonestat.eco `assess`)
-- @tparam table opts `locale`, `cite` (URL → the report's source number),
--   `catalogue`, `other` (false: no table of the other evidence, as in the
--   main report; `zonestat eco` shows it)
-- @treturn {table,...} blocks
function M.blocks(results, opts)
  local locale = opts.locale or "vi"
  if #results == 0 then return {} end
  local blocks = { { kind = "heading", title = t(locale, "heading", results[1].framework_name) } }
  local known_names = {}
  for _, a in ipairs(results) do
    for g, name in pairs(a.group_names or {}) do known_names[g] = name end
  end
  for _, a in ipairs(results) do
    local ref, list = numbering(opts.cite)
    local notes = { t(locale, "ready", a.framework_name, M.date_text(a.as_of, locale), a.ready_text),
      t(locale, "reasons", M.article_text(table.concat(a.reasons, "; "), locale)), a.rule }
    for _, n in ipairs(a.notes or {}) do notes[#notes + 1] = n end
    local rows = criterion_rows(a, ref, locale)
    local align = { "left", "left", "right", "right", "right", "left", "left" }
    blocks[#blocks + 1] = { kind = "table", level = 3, id = "eco_" .. a.park, title = t(locale, "table", a.name),
      columns = t(locale, "columns"), rows = rows, align = align, notes = notes }
    local other = other_rows(a, opts.catalogue, ref, locale, known_names)
    local onotes = { t(locale, "codes") }
    if #list > 0 and not opts.cite then
      local parts = {}
      for i, u in ipairs(list) do parts[i] = "[" .. i .. "] " .. u end
      notes[#notes + 1] = t(locale, "sources", table.concat(parts, "; "))
    end
    if #other > 0 and opts.other ~= false then
      blocks[#blocks + 1] = { kind = "table", level = 3, id = "eco_other_" .. a.park, title = t(locale, "other", a.name),
        columns = t(locale, "other_columns"), rows = other, align = { "left", "left", "left", "left" }, notes = onotes }
    end
  end
  blocks[#blocks + 1] = M.chart(results, locale)
  return blocks
end

--- An assessment as a table with localized headers, for the terminal or
-- Markdown: article, status, value, threshold (`*` when unverified), gap,
-- date, source (a number into the returned list), indicator.
-- @tparam table a an assessment
-- @treturn Frame
-- @treturn {string,...} the sources, numbered
function M.text_frame(a)
  local locale = a.locale
  local ref, list = numbering(nil)
  local names = t(locale, "text_columns")
  local rows = {}
  for _, r in ipairs(a.rows) do
    local thr = r.threshold_text or "–"
    if r.comparison and not r.threshold_verified then thr = thr .. " *" end
    local n = r.class == "published" and ref(first_url(r.evidence_source)) or nil
    local mark = r.class and r.class ~= NA and r.class ~= "published" and
      provenance.mark({ value = 1, class = r.class }, locale) or ""
    local value = (r.value_text and r.value_text ~= NA) and (r.value_text .. (mark ~= "" and " " .. mark or "")) or "–"
    rows[#rows + 1] = { [names[1]] = r.article, [names[2]] = status_text(r, locale), [names[3]] = value,
      [names[4]] = thr, [names[5]] = (r.gap_text and r.gap_text ~= NA) and r.gap_text or "–",
      [names[6]] = M.date_text(r.evidence_date, locale) or ((r.value ~= nil and r.value ~= NA and
        r.class == "published") and t(locale, "undated") or "–"),
      [names[7]] = n and ("[" .. n .. "]") or "–", [names[8]] = r.indicator_label or "–" }
  end
  return engine.from_rows(rows, names), list
end

--- The summary of an assessment with localized headers.
-- @tparam table a
-- @treturn Frame
function M.summary_frame(a)
  local locale = a.locale
  local names = t(locale, "summary_columns")
  local rows = {}
  for r in a.summary:rows() do
    rows[#rows + 1] = { [names[1]] = words.word(locale, "party", r.party),
      [names[2]] = words.word(locale, "category", r.category), [names[3]] = r.criteria, [names[4]] = r.met,
      [names[5]] = r.not_met, [names[6]] = r.threshold_unverified, [names[7]] = r.no_data, [names[8]] = r.not_assessable }
  end
  return engine.from_rows(rows, names)
end

--- The changes of a progress (zonestat.eco `compare`) with localized
-- headers and statuses: article, status before and after, value before and
-- after, change.
-- @tparam table p a progress
-- @tparam string locale
-- @treturn Frame
function M.progress_frame(p, locale)
  local names = t(locale, "progress_columns")
  local rows = {}
  for r in p.frame:rows() do
    rows[#rows + 1] = { [names[1]] = r.article, [names[2]] = r.status_from and words.word(locale, "status", r.status_from)
      or "–", [names[3]] = words.word(locale, "status", r.status_to), [names[4]] = r.value_text_from or "–",
      [names[5]] = r.value_text_to or "–", [names[6]] = t(locale, "changes")[r.change] }
  end
  return engine.from_rows(rows, names)
end

--- The footnote of the `*` of `text_frame`.
-- @tparam string locale
function M.star(locale) return t(locale, "star") end

return M

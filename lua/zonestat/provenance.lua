--- Figures with their provenance: where a value comes from, how sure it
-- is, how much of the entity it covers, and how it is written.
--
-- A figure is a table `{value, unit, class, qualifier, qualifier_text,
-- source, as_of, coverage, reason, definition}`:
--
-- * `value`: a number, or `nil` (NA: no data; then `reason` may say why);
-- * `class`, one of (strongest first) *published* (a row of figures.csv),
--   *recomputed* (from registry rows), *derived* (arithmetic on published
--   values), *implied* (from a published multiple), *synthetic* (any input
--   synthetic); a value made from mixed inputs takes the weakest class;
-- * `qualifier` and `qualifier_text`: the published "gần", "khoảng",
--   "hơn", "trên" ("nearly", "about", "over", "at_least", "at_most");
-- * `coverage`: `{have = 9, of = 14, what = "kcn_area"}`: a total made over
--   part of the entity says over how much.
-- @module zonestat.provenance

local units = require "zonestat.units"

local M = {}

--- The classes, strongest first.
M.CLASSES = { "published", "recomputed", "derived", "implied", "synthetic" }

local RANK = {}
for i, c in ipairs(M.CLASSES) do RANK[c] = i end

--- The weakest of some classes (nil ones ignored).
-- @param ... classes
-- @treturn ?string
function M.weakest(...)
  local w
  for i = 1, select("#", ...) do
    local c = select(i, ...)
    if c and (not w or RANK[c] > RANK[w]) then w = c end
  end
  return w
end

--- A figure.
-- @tparam table t its fields (see the module)
-- @treturn table
function M.figure(t)
  assert(t.class == nil or RANK[t.class], "unknown provenance class " .. tostring(t.class))
  if t.value ~= nil and t.value ~= t.value then t.value = nil end
  return t
end

--- A figure without a value.
-- @tparam string reason a key of `REASONS`
-- @tparam[opt] table t more fields
function M.none(reason, t)
  t = t or {}
  t.value, t.reason = nil, reason
  return t
end

--- Names of the classes, and the marks that follow a value in a table
-- (published values carry their source number instead).
M.NAMES = {
  vi = { published = "công bố", recomputed = "tính lại từ danh sách dự án", derived = "tính từ số công bố",
    implied = "suy ra từ một bội số công bố", synthetic = "có dữ liệu giả lập" },
  en = { published = "published", recomputed = "recomputed from registry rows", derived = "derived from published values",
    implied = "implied by a published multiple", synthetic = "synthetic inputs" },
}
M.MARKS = {
  vi = { recomputed = "TL", derived = "DX", implied = "SR", synthetic = "GL" },
  en = { recomputed = "R", derived = "D", implied = "I", synthetic = "S" },
}

--- Why a value is missing.
M.REASONS = {
  vi = {
    no_zones = "không có khu nào trong dữ liệu", no_projects = "danh sách dự án không có dự án nào ở các khu này",
    no_area = "không khu nào có số liệu diện tích", no_land = "không KCN nào có số liệu đất công nghiệp và đã cho thuê",
    no_tenants = "các KCN có số liệu đất không có dự án trong danh sách", no_capital = "không dự án nào có vốn quy ra USD",
    no_employees = "không dự án nào có số lao động", zero = "mẫu số bằng 0", na = "thiếu số liệu",
    not_published = "không có số công bố",
    no_disbursed = "không dự án nào có số liệu vốn thực hiện",
    disbursed_later = "vốn thực hiện trong danh sách là số đến cuối dữ liệu, không tính được cho ngày sớm hơn",
    no_rate = "không có tỷ giá USD/VND cho năm này", zero_base = "cùng kỳ bằng 0",
  },
  en = {
    no_zones = "no zone in the data", no_projects = "the registry has no project in these zones",
    no_area = "no zone has an area figure", no_land = "no KCN has industrial and leased land figures",
    no_tenants = "the KCN with land figures have no project in the registry", no_capital = "no project has capital in USD",
    no_employees = "no project has an employee count", zero = "the denominator is zero", na = "missing inputs",
    not_published = "not published",
    no_disbursed = "no project has a disbursed capital figure",
    disbursed_later = "the registry's disbursed capital is as of the end of the data, not of an earlier date",
    no_rate = "no USD/VND rate for that year", zero_base = "the same period last year is zero",
  },
}

--- The words of a coverage: "9/14 KCN có số liệu diện tích".
M.COVERAGE = {
  vi = {
    kcn_area = "KCN có số liệu diện tích", kkt_area = "KKT có số liệu diện tích",
    land = "KCN có số liệu đất", zones_with_projects = "khu có dự án trong danh sách",
    usd = "dự án có vốn quy ra USD", employees = "dự án có số lao động", status = "dự án có tình trạng",
    vnd = "dự án có vốn quy ra VND", usd_events = "lượt có tỷ giá quy ra USD", vnd_events = "lượt có tỷ giá quy ra VND",
    disbursed_usd = "dự án có vốn thực hiện và tỷ giá quy ra USD",
    disbursed_vnd = "dự án có vốn thực hiện và tỷ giá quy ra VND",
  },
  en = {
    kcn_area = "KCN with an area figure", kkt_area = "KKT with an area figure", land = "KCN with land figures",
    zones_with_projects = "zones with projects in the registry", usd = "projects with capital in USD",
    employees = "projects with an employee count", status = "projects with a status",
    vnd = "projects with capital in VND", usd_events = "events with a rate to USD", vnd_events = "events with a rate to VND",
    disbursed_usd = "projects with a disbursed figure and a rate to USD",
    disbursed_vnd = "projects with a disbursed figure and a rate to VND",
  },
}

--- Text of a coverage, or nil when the figure covers all of its entity.
-- @tparam table f a figure
-- @tparam string locale
function M.coverage_text(f, locale)
  local c = f.coverage
  if not c or c.have == c.of then return nil end
  return string.format("%d/%d %s", c.have, c.of, (M.COVERAGE[locale] or M.COVERAGE.vi)[c.what] or c.what)
end

--- The value of a figure as text: qualifier, number, unit; "–" for NA.
-- @tparam table f a figure
-- @tparam string locale "vi" or "en"
-- @tparam[opt] table opts passed to units.format (e.g. decimals)
-- @treturn string
function M.text(f, locale, opts)
  if f.value == nil then return "–" end
  local o = { locale = locale, qualifier = f.qualifier, qualifier_text = f.qualifier_text }
  for k, v in pairs(opts or {}) do o[k] = v end
  if o.qualifier == nil or o.qualifier == "" then o.qualifier, o.qualifier_text = nil, nil end
  local unit = f.unit
  if unit == "count" and f.noun then unit = f.noun end
  return units.format(f.value, unit, o)
end

--- The mark after a value: the source number of a published value ("[3]"),
-- else the class's mark ("TL", "GL", ...), or "" for none.
-- @tparam table f a figure
-- @tparam string locale
-- @tparam[opt] integer ref the source number of a published value
function M.mark(f, locale, ref)
  if f.value == nil then return "" end
  if f.class == "published" then return ref and ("[" .. ref .. "]") or "" end
  return f.class and (M.MARKS[locale] or M.MARKS.vi)[f.class] or ""
end

--- The legend of the marks, in one line.
-- @tparam string locale
function M.legend(locale)
  local l = M.MARKS[locale] and locale or "vi"
  local parts = { l == "vi" and "[n]: công bố, nguồn số n" or "[n]: published, source n" }
  for _, c in ipairs(M.CLASSES) do
    if M.MARKS[l][c] then parts[#parts + 1] = M.MARKS[l][c] .. ": " .. M.NAMES[l][c] end
  end
  parts[#parts + 1] = l == "vi" and "–: không có số liệu" or "–: no data"
  return table.concat(parts, "; ")
end

return M

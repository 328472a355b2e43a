--- Eco-industrial-park (KCN sinh thái) readiness: criteria as sourced
-- data, evidence per park, assessment, gaps and progress.  `zs.eco`.
--
-- The criteria (Decree 35/2022/NĐ-CP Art. 37 with Circular 05/2025, the
-- superseded Decree 82/2018 Art. 42, the International EIP Framework v2.0)
-- are rows of `data/eco/criteria.csv`, each with its source, its text
-- status (V verbatim, P paraphrased, I inferred, U unknown) and its source's
-- confidence (H, M, L): adding or correcting one is a change of data, never
-- of code, and a threshold is shown as law only when it is verified
-- (verbatim, stated in the text, from a source of confidence H or M).
-- Evidence is park facts and enterprise rows (CSV, JSON or .xlsx); the
-- bundled evidence holds the public facts on Nam Cầu Kiền, KCN Đình Vũ
-- (DEEP C Hải Phòng I) and VSIP Quảng Ngãi, the DEEP C cluster's as context,
-- and synthetic enterprise rows marked so.
-- @module zonestat.eco
-- @usage local a = zs.eco.assess("hp-kcn-nam-cau-kien", {as_of = "2024-06-30"})
-- print(a.ready, a.reasons[1]); print(a.frame:select("article", "status", "value_text", "gap"))

local engine = require "zonestat.engine"
local cells = require "zonestat.cells"
local criteria = require "zonestat.eco_criteria"
local evidence = require "zonestat.eco_evidence"
local assess = require "zonestat.eco_assess"
local report = require "zonestat.eco_report"
local words = require "zonestat.eco_text"

local col = engine.col
local M = {}

--- The statuses of a criterion: "met", "not met", "threshold unverified",
-- "no data", "not assessable".
M.STATUSES = words.STATUSES
--- The values of readiness: "ready", "not ready", "cannot be determined".
M.READINESS = words.READINESS
--- The framework assessed by default.
M.DEFAULT_FRAMEWORK = "ND35/2022"

local function catalogue(x, fname)
  if type(x) == "table" then
    if not x.criteria or not x.framework then error(fname .. ": criteria must be a catalogue (zs.eco.read_criteria)", 3) end
    return x
  end
  local cat, err
  if type(x) == "string" then cat, err = criteria.load { criteria = x }
  elseif x == nil then cat, err = criteria.load()
  else error(fname .. ": criteria must be a file name or a catalogue", 3) end
  if not cat then error(fname .. ": the criteria data are broken:\n  " .. table.concat(err, "\n  "), 3) end
  return cat
end

local function check_opts(fname, opts)
  if opts ~= nil and type(opts) ~= "table" then error(fname .. ": the options must be a table", 3) end
  return opts or {}
end

local function as_of_of(v, fname)
  if v == nil then return evidence.today() end
  if type(v) ~= "string" then error(fname .. ": as_of must be a date yyyy-mm-dd", 3) end
  local d = cells.date(v, "%d/%m/%Y")
  if not d then error(fname .. ": as_of '" .. v .. "' is not a date (yyyy-mm-dd)", 3) end
  return d
end

--- The frameworks of the criteria.
-- @treturn Frame id, name_vi, name_en, kind (law, superseded,
--   international), in_force, rule_vi, rule_en, source, confidence, note
function M.frameworks()
  local cat = catalogue(nil, "eco.frameworks")
  local rows = {}
  for i, f in ipairs(cat.frameworks) do rows[i] = f end
  return engine.from_rows(rows, { "id", "name_vi", "name_en", "kind", "in_force", "rule_vi", "rule_en", "source",
    "confidence", "note" })
end

--- The indicators evidence and criteria are measured by.
-- @treturn Frame id, type, unit, from_enterprises, label_vi, label_en,
--   definition_vi, definition_en
function M.indicators()
  local cat = catalogue(nil, "eco.indicators")
  return engine.from_rows(cat.indicator_list, { "id", "type", "unit", "from_enterprises", "label_vi", "label_en",
    "definition_vi", "definition_en" })
end

--- The criteria, of one framework or all.
-- @tparam[opt] string framework "ND35/2022", "ND82/2018" or "EIP-2.0"
-- @tparam[opt] table opts `criteria` (a catalogue from `read_criteria`, or a criteria file)
-- @return[1] Frame id, framework, article, party, category, prerequisite,
--   text_vi, text_en, indicator, unit, comparison, threshold (a number: a
--   share as a fraction, yes/no as 1/0), threshold_status, text_status,
--   confidence, verified, source, note
-- @return[2] nil
-- @treturn[2] string the unknown framework and the known ones
-- @usage zs.eco.criteria("ND35/2022"):select("article", "comparison", "threshold", "verified")
function M.criteria(framework, opts)
  if framework ~= nil and type(framework) ~= "string" then error("eco.criteria: framework must be a string", 2) end
  opts = check_opts("eco.criteria", opts)
  local cat = catalogue(opts.criteria, "eco.criteria")
  if framework == nil then return cat.frame end
  local list, known = criteria.of(cat, framework)
  if not list then return nil, words.text(opts.locale or "en", "unknown_framework", framework, known) end
  return criteria.frame(list)
end

--- Read and check a criteria file (CSV, JSON or .xlsx, with the columns of
-- data/eco/criteria.csv); frameworks.csv and indicators.csv come from its
-- folder when it has them, else from data/eco.
-- @tparam string path
-- @return[1] table a catalogue, for the `criteria` option
-- @return[2] nil
-- @treturn[2] {string,...} every problem, each with its file and line
function M.read_criteria(path)
  if type(path) ~= "string" then error("eco.read_criteria: path must be a string", 2) end
  return criteria.load { criteria = path }
end

--- Read and check evidence files.
-- @tparam string|{string,...} paths files (CSV, JSON, .xlsx) or folders of them
-- @tparam[opt] table opts `as_of` (a date after it is an error; default
--   today), `dataset` (whose zone and group ids the evidence may name;
--   default the bundled data/vn), `criteria` (a catalogue or file)
-- @return[1] table evidence `{facts, enterprises, parks, notes, files, as_of}`
-- @return[2] nil
-- @treturn[2] {string,...} every problem, each with its place
function M.read_evidence(paths, opts)
  if type(paths) ~= "string" and type(paths) ~= "table" then
    error("eco.read_evidence: paths must be a file name or a list of them", 2)
  end
  opts = check_opts("eco.read_evidence", opts)
  return evidence.read(paths, { as_of = as_of_of(opts.as_of, "eco.read_evidence"), dataset = opts.dataset,
    catalogue = catalogue(opts.criteria, "eco.read_evidence") })
end

local function bundled()
  local ev, err = evidence.bundled()
  if not ev then error("eco: the bundled evidence is broken:\n  " .. table.concat(err, "\n  "), 3) end
  return ev
end

--- The parks with evidence (bundled, or in `opts.evidence`).
-- @tparam[opt] table opts `evidence`, `dataset` (for names)
-- @treturn Frame park, name, kind ("zone" or "group"), eco_status (of the
--   dataset: none, proposed, pilot, certified), facts, targets,
--   enterprises, synthetic_enterprises, groups (the groups whose facts are
--   its context), members (of a group)
function M.parks(opts)
  opts = check_opts("eco.parks", opts)
  local ev = opts.evidence or bundled()
  local known = opts.dataset and evidence.known_parks(opts.dataset) or ev.known or evidence.known_parks()
  local facts = ev.facts:group_by("park", "kind"):agg(engine.count():as("n"))
  local ents = ev.enterprises:group_by("park"):agg(engine.count():as("n"), engine.sum("synthetic"):as("synthetic"))
  local nf, nt, ne, ns = {}, {}, {}, {}
  for r in facts:rows() do
    if r.kind == "target" then nt[r.park] = r.n else nf[r.park] = (nf[r.park] or 0) + r.n end
  end
  for r in ents:rows() do ne[r.park], ns[r.park] = r.n, r.synthetic or 0 end
  local rows = {}
  for _, id in ipairs(ev.parks) do
    local k = known[id] or {}
    rows[#rows + 1] = { park = id, name = k.name or id, kind = k.kind or "zone", eco_status = k.eco_status,
      facts = (nf[id] or 0) + (nt[id] or 0), targets = nt[id] or 0, enterprises = ne[id] or 0,
      synthetic_enterprises = ns[id] or 0, groups = table.concat(evidence.groups_of(known, id), "|"),
      members = k.members and table.concat(k.members, "|") or nil }
  end
  for _, r in ipairs(rows) do if r.groups == "" then r.groups = nil end end
  local f = engine.from_rows(rows, { "park", "name", "kind", "eco_status", "facts", "targets", "enterprises",
    "synthetic_enterprises", "groups", "members" })
  return f:cast { facts = "int", targets = "int", enterprises = "int", synthetic_enterprises = "int" }
end

--- The facts on one park (bundled, or in `opts.evidence`), with their
-- dates, sources, text status and confidence.
-- @tparam string park
-- @tparam[opt] table opts `evidence`
-- @treturn Frame the rows of `evidence.facts` for the park
function M.evidence(park, opts)
  if type(park) ~= "string" then error("eco.evidence: park must be a string", 2) end
  opts = check_opts("eco.evidence", opts)
  local ev = opts.evidence or bundled()
  return ev.facts:filter(col("park"):eq(park))
end

--- Assess a park against a framework's criteria.
-- @tparam string|table park_or_evidence a park's zone id (evidence bundled,
--   or `opts.evidence`), or evidence (`read_evidence`) about one park (or
--   with `opts.park`)
-- @tparam[opt] table opts `framework` ("ND35/2022" by default, "ND82/2018",
--   "EIP-2.0"), `as_of` (yyyy-mm-dd, default today: evidence dated later is
--   left out), `locale` ("vi" default, "en": the texts of the frame and of
--   the reasons), `criteria` (a catalogue or a criteria file), `evidence`,
--   `park`, `dataset` (names)
-- @return[1] table `{frame, summary, ready, reasons, park, name, framework,
--   framework_name, as_of, rule, ready_text, evidence, context, notes,
--   synthetic}`: `frame` one row per criterion (criterion, article, party,
--   category, text, indicator, threshold, threshold_verified, status,
--   indicative, value, value_text, gap, class, evidence_date,
--   evidence_source, target, flags, reason, ...); `summary` per party and
--   category (criteria, met, not_met, threshold_unverified, no_data,
--   not_assessable, unknown); `ready` "ready", "not ready" or "cannot be
--   determined"; `reasons` a list of texts
-- @return[2] nil
-- @treturn[2] string an unknown park or framework, or a group of parks
-- @usage local a = zs.eco.assess("hp-kcn-nam-cau-kien", {framework = "ND82/2018", as_of = "2024-06-30"})
function M.assess(park_or_evidence, opts)
  opts = check_opts("eco.assess", opts)
  local locale = words.locale(opts.locale, "eco.assess")
  local as_of = as_of_of(opts.as_of, "eco.assess")
  local cat = catalogue(opts.criteria, "eco.assess")
  local ev, park
  if type(park_or_evidence) == "table" then
    ev = park_or_evidence
    if engine.type(ev.facts) ~= "frame" or engine.type(ev.enterprises) ~= "frame" then
      error("eco.assess: expected a park id or evidence (zs.eco.read_evidence)", 2)
    end
    park = opts.park
  elseif type(park_or_evidence) == "string" then
    ev, park = opts.evidence or bundled(), park_or_evidence
  else
    error("eco.assess: expected a park id or evidence (zs.eco.read_evidence)", 2)
  end
  local known = opts.dataset and evidence.known_parks(opts.dataset) or ev.known or evidence.known_parks()
  if not park then
    local own = {}
    for _, id in ipairs(ev.parks) do
      if not (known[id] and known[id].kind == "group") then own[#own + 1] = id end
    end
    if #own == 0 then return nil, words.text(locale, "no_parks") end
    if #own > 1 then return nil, words.text(locale, "several_parks", table.concat(own, ", ")) end
    park = own[1]
  end
  if known[park] and known[park].kind == "group" then
    return nil, words.text(locale, "group_park", park, table.concat(known[park].members, ", "))
  end
  local has = false
  for _, id in ipairs(ev.parks) do has = has or id == park end
  if not has and not known[park] then
    return nil, words.text(locale, "unknown_park", park, table.concat(ev.parks, ", "))
  end
  local a, err = assess.assess(cat, ev, park, { framework = opts.framework or M.DEFAULT_FRAMEWORK, as_of = as_of,
    locale = locale, known = known })
  if not a then return nil, err end
  local notes = {}
  if a.synthetic then notes[#notes + 1] = words.text(locale, "note_synthetic") end
  for _, g in ipairs(a.groups) do
    local n = a.context:filter(col("park"):eq(g)):nrow()
    if n > 0 then notes[#notes + 1] = words.text(locale, "note_context", n, known[g].name or g) end
  end
  local targets = a.frame:filter(~col("target"):is_na())
  if targets:nrow() > 0 then notes[#notes + 1] = words.text(locale, "note_targets", targets:get("target", 1)) end
  local undated = a.frame:filter(~col("value"):is_na() & col("evidence_date"):is_na() & col("class"):eq("published"))
  if undated:nrow() > 0 then notes[#notes + 1] = words.text(locale, "note_undated", undated:nrow()) end
  a.notes = notes
  return a
end

--- The progress between two assessments of the same park and framework
-- (`assess` at two dates, or on two sets of evidence).
-- @tparam table a the earlier assessment
-- @tparam table b the later one
-- @treturn table `{frame, all, ready = {from, to}, improved, worsened,
--   changed, park, framework, from, to}`: `frame` the criteria whose status
--   or value changed (criterion, article, status_from, status_to,
--   value_from, value_to, value_change, gap_from, gap_to, change: improved,
--   worsened or changed), `all` every criterion
-- @usage local p = zs.eco.compare(zs.eco.assess(id, {as_of = "2022-12-31"}), zs.eco.assess(id))
function M.compare(a, b)
  for k, x in ipairs({ a, b }) do
    if type(x) ~= "table" or not x.rows or engine.type(x.frame) ~= "frame" then
      error("eco.compare: argument " .. k .. " must be an assessment (zs.eco.assess)", 2)
    end
  end
  if a.park ~= b.park then error("eco.compare: the assessments are of two parks (" .. a.park .. ", " .. b.park .. ")", 2) end
  if a.framework ~= b.framework then
    error("eco.compare: the assessments use two frameworks (" .. a.framework .. ", " .. b.framework .. ")", 2)
  end
  return assess.compare(a, b)
end

--- The eco section of a report: for each zone with evidence, a table of
-- its criteria (status, value, threshold, gap, evidence; unverified
-- thresholds marked) and its other evidence, then one chart of the
-- statuses per category, as blocks of zonestat.report's model.
-- @param ds a Dataset (zone names), or nil
-- @tparam {string,...} zone_ids the report's zones (those without evidence are left out)
-- @tparam[opt] table opts `locale`, `as_of`, `framework`, `evidence`,
--   `criteria`, `cite` (a function of a source URL returning the report's
--   source number, for the marks `[n]`; without it each table lists its
--   sources in its notes), `other` (false: leave out the tables of the
--   evidence that no criterion uses)
-- @treturn {table,...} blocks (`heading`, `table`, `chart`); empty when no zone has evidence
function M.report_blocks(ds, zone_ids, opts)
  if type(zone_ids) ~= "table" then error("eco.report_blocks: zone_ids must be a list of zone ids", 2) end
  opts = check_opts("eco.report_blocks", opts)
  local locale = words.locale(opts.locale, "eco.report_blocks")
  local ev = opts.evidence or bundled()
  local have = {}
  for _, id in ipairs(ev.parks) do have[id] = true end
  local results = {}
  for _, id in ipairs(zone_ids) do
    if have[id] then
      local a = M.assess(id, { evidence = ev, as_of = opts.as_of, locale = locale, framework = opts.framework,
        criteria = opts.criteria, dataset = ds })
      if a then results[#results + 1] = a end
    end
  end
  return report.blocks(results, { locale = locale, cite = opts.cite, other = opts.other, catalogue = catalogue(opts.criteria,
    "eco.report_blocks") })
end

--- The assessment as a table for the terminal or Markdown (localized
-- headers: article, indicator, threshold, value, gap, status, evidence).
-- @tparam table a an assessment
-- @treturn Frame
function M.table(a)
  if type(a) ~= "table" or engine.type(a.frame) ~= "frame" then error("eco.table: expected an assessment", 2) end
  return report.text_frame(a)
end


return M

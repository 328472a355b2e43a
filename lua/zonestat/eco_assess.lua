--- Assessing a park against the criteria of a framework: each criterion's
-- status, value, gap and evidence; a summary per party and category; the
-- three-valued readiness with its reasons; the progress between two
-- assessments.
--
-- **Statuses.** `not assessable` when the criterion's text is unknown (U);
-- `no data` when no evidence decides it (none, only a target, only
-- synthetic or inferred values, or bounds that straddle the threshold);
-- `threshold unverified` when the evidence decides it against a threshold
-- that is not verified (text or threshold reading not verbatim, or a source
-- of confidence L) — what it would be is in `indicative`; else `met` or
-- `not met`.
--
-- **Readiness.** `not ready` when any criterion is `not met`; `ready` when
-- every criterion of the framework is `met` (so against verified
-- thresholds); `cannot be determined` otherwise, with the reasons.
-- @module zonestat.eco_assess

local engine = require "zonestat.engine"
local units = require "zonestat.units"
local criteria = require "zonestat.eco_criteria"
local evidence = require "zonestat.eco_evidence"
local words = require "zonestat.eco_text"

local NA = engine.NA
local col = engine.col
local M = {}

local EPS = 1e-9
local CONFIDENCE = { H = 3, M = 2, L = 1 }
local SYMBOL = { [">="] = "≥", ["<="] = "≤", ["="] = "=" }

-- ---- values as text ---------------------------------------------------------------------

--- A value of an indicator as text: yes/no, a share, a count, a number
-- with its unit, with its qualifier.
-- @tparam number v
-- @tparam table ind the indicator
-- @tparam string locale
-- @tparam[opt] string qualifier
-- @tparam[opt] string qualifier_text the source's word
-- @treturn string
function M.value_text(v, ind, locale, qualifier, qualifier_text)
  if v == nil or v == NA then return "–" end
  if ind.type == "bool" then return words.yesno(locale, v >= 0.5) end
  local unit = ind.type == "ratio" and "ratio" or (ind.unit ~= "count" and ind.unit or nil)
  if unit == "persons" or unit == "ha" or unit == "ratio" or unit == nil then
    return units.format(v, unit, { locale = locale, decimals = 1, qualifier = qualifier ~= NA and qualifier or nil,
      qualifier_text = qualifier_text ~= NA and qualifier_text or nil })
  end
  return units.format(v, nil, { locale = locale, decimals = 1 }) .. " " .. ind.unit
end

--- A criterion's threshold as text ("≥ 20%", "= có"), or "–" for none.
-- @tparam table c a criterion
-- @tparam table ind its indicator
-- @tparam string locale
function M.threshold_text(c, ind, locale)
  if not c.comparison or c.threshold == NA or not ind then return "–" end
  return SYMBOL[c.comparison] .. " " .. M.value_text(c.threshold, ind, locale)
end

--- A gap as text: "+15 điểm %" / "+15 pp" for shares, a signed number otherwise.
-- @tparam ?number g
-- @tparam table ind
-- @tparam string locale
function M.gap_text(g, ind, locale)
  if g == nil or g == NA then return "–" end
  local sign = g > EPS and "+" or (g < -EPS and "−" or "")
  local a = math.abs(g)
  if ind.type == "ratio" then
    return sign .. units.format(a * 100, nil, { locale = locale, decimals = 1 }) .. (locale == "en" and " pp" or " điểm %")
  end
  return sign .. units.format(a, nil, { locale = locale, decimals = 1 })
end

-- ---- comparing ----------------------------------------------------------------------------

local function bounds(v, q, ind)
  local low = (ind.type == "ratio" or ind.type == "count" or ind.type == "number" or ind.type == "bool") and 0 or -math.huge
  local high = (ind.type == "ratio" or ind.type == "bool") and 1 or math.huge
  if q == "over" or q == "at_least" then return v, high end
  if q == "at_most" or q == "nearly" then return low, v end
  return v, v
end

--- How bounds on a value compare with a threshold.
-- @tparam number lower
-- @tparam number upper
-- @tparam string cmp ">=", "<=" or "="
-- @tparam number t
-- @treturn string "met", "not met" or "undecided"
function M.outcome(lower, upper, cmp, t)
  if cmp == ">=" then
    if lower >= t - EPS then return "met" end
    if upper < t - EPS then return "not met" end
  elseif cmp == "<=" then
    if upper <= t + EPS then return "met" end
    if lower > t + EPS then return "not met" end
  else
    if lower >= t - EPS and upper <= t + EPS then return "met" end
    if upper < t - EPS or lower > t + EPS then return "not met" end
  end
  return "undecided"
end

-- ---- the evidence of a criterion --------------------------------------------------------

local function fact_candidate(r, ind)
  local lower, upper = bounds(r.value, r.qualifier, ind)
  return { value = r.value, lower = lower, upper = upper, qualifier = r.qualifier, qualifier_text = r.qualifier_text,
    date = r.date, source = r.source, text_status = r.text_status, confidence = r.confidence,
    synthetic = r.synthetic, inferred = r.text_status == "I", place = r.place, class = r.synthetic and "synthetic" or
    "published", quote = r.quote, decisive = not r.synthetic and r.text_status ~= "I", approx = r.qualifier == "about",
    fact = r }
end

local function before(a, b)
  if a.decisive ~= b.decisive then return a.decisive end
  local da, db = a.date ~= NA and a.date or nil, b.date ~= NA and b.date or nil
  if da ~= db then
    if da == nil then return false end
    if db == nil then return true end
    return da > db
  end
  local ca, cb = CONFIDENCE[a.confidence] or 0, CONFIDENCE[b.confidence] or 0
  if ca ~= cb then return ca > cb end
  return (a.class == "published" and 1 or 0) > (b.class == "published" and 1 or 0)
end

local function best_total(facts)
  local cands = {}
  for _, r in ipairs(facts) do
    if r.indicator == "enterprises_total" and r.kind == "actual" then
      cands[#cands + 1] = { value = r.value, date = r.date, confidence = r.confidence, class = "published",
        decisive = not r.synthetic and r.text_status ~= "I" }
    end
  end
  table.sort(cands, before)
  return cands[1] and cands[1].decisive and cands[1].value or nil
end

local function enterprise_candidate(counts, ind, total, locale)
  if not counts or not ind.from_enterprises then return nil end
  local s = evidence.share(counts, ind.from_enterprises, total)
  if not s then return nil end
  local synthetic = counts.synthetic > 0
  local flags = { words.text(locale, "enterprise_rows", counts.n) }
  if s.known < s.of then flags[#flags + 1] = words.text(locale, "flag_coverage", s.known, s.of) end
  if s.assumed_all then flags[#flags + 1] = words.text(locale, "flag_assumed_all") end
  if counts.undated > 0 then flags[#flags + 1] = words.text(locale, "flag_undated_rows", counts.undated) end
  return { value = s.value, lower = s.lower, upper = s.upper, qualifier = NA, qualifier_text = NA,
    date = counts.latest or NA, source = NA, text_status = NA, confidence = NA, synthetic = synthetic,
    inferred = false, class = synthetic and "synthetic" or "recomputed", decisive = not synthetic, share = s,
    extra_flags = flags, place = NA }
end

-- ---- one assessment -----------------------------------------------------------------------

local ORDER = { "criterion", "framework", "article", "party", "category", "prerequisite", "text", "indicator",
  "indicator_label", "unit", "comparison", "threshold", "threshold_text", "threshold_verified", "threshold_status",
  "threshold_note", "text_status",
  "confidence", "status", "indicative", "value", "value_text", "qualifier", "lower", "upper", "gap", "gap_text",
  "class", "evidence_date", "evidence_source", "evidence_confidence", "evidence_place", "target", "flags", "reason",
  "criterion_source" }
local TYPES = { prerequisite = "bool", threshold = "float", threshold_verified = "bool", value = "float",
  lower = "float", upper = "float", gap = "float", evidence_date = "date" }

local function frame_of(rows, order, types)
  local cols = {}
  for _, n in ipairs(order) do
    local v = {}
    for i, r in ipairs(rows) do
      local x = r[n]
      if x == nil then x = NA end
      if (types[n] == "float") and x ~= NA then
        if x == math.huge or x == -math.huge then x = NA else x = x + 0.0 end
      end
      v[i] = x
    end
    cols[n] = engine.column(v, types[n] or "str")
  end
  return engine.frame(cols, order)
end

--- Why a criterion's threshold is not verified ("văn bản P, nguồn mức L"), or nil when it is.
-- @tparam table c a criterion
-- @tparam string locale
function M.why_unverified(c, locale)
  if c.verified or not c.comparison then return nil end
  local parts = {}
  if c.text_status ~= "V" then parts[#parts + 1] = words.text(locale, "why_text", c.text_status) end
  if c.threshold_status ~= "V" then parts[#parts + 1] = words.text(locale, "why_threshold", tostring(c.threshold_status)) end
  if c.confidence ~= "H" and c.confidence ~= "M" then
    parts[#parts + 1] = words.text(locale, "why_confidence", tostring(c.confidence or "?"))
  end
  return table.concat(parts, ", ")
end

local function assess_one(c, cat, facts, targets, later, counts, total, locale, as_of)
  local ind = c.indicator and cat.indicators[c.indicator]
  local row = { criterion = c.id, framework = c.framework, article = c.article, party = c.party,
    category = c.category, prerequisite = c.prerequisite, text = locale == "en" and c.text_en or c.text_vi,
    indicator = c.indicator, indicator_label = ind and (locale == "en" and ind.label_en or ind.label_vi),
    unit = c.unit, comparison = c.comparison, threshold = c.threshold, threshold_verified = c.verified,
    threshold_text = ind and M.threshold_text(c, ind, locale) or "–", threshold_status = c.threshold_status,
    threshold_note = M.why_unverified(c, locale), text_status = c.text_status,
    confidence = c.confidence, criterion_source = c.source }
  local flags = {}
  if c.text_status == "U" then
    row.status, row.reason = "not assessable", words.text(locale, "criterion_unknown")
    return row
  end
  local cands = {}
  for _, r in ipairs(facts) do
    if r.indicator == c.indicator and (r.criterion == NA or r.criterion == c.id) then
      cands[#cands + 1] = fact_candidate(r, ind)
    end
  end
  local ec = enterprise_candidate(counts, ind, total, locale)
  if ec then cands[#cands + 1] = ec end
  table.sort(cands, before)
  local tg = {}
  for _, r in ipairs(targets) do
    if r.indicator == c.indicator then
      tg[#tg + 1] = words.text(locale, r.date ~= NA and "target_text" or "target_undated",
        M.value_text(r.value, ind, locale, r.qualifier, r.qualifier_text), r.target_year)
    end
  end
  if #tg > 0 then row.target = table.concat(tg, "; ") end
  local n_later = 0
  for _, r in ipairs(later) do if r.indicator == c.indicator then n_later = n_later + 1 end end
  if ec == nil and counts and counts.later > 0 and ind.from_enterprises then n_later = n_later + counts.later end
  if n_later > 0 then flags[#flags + 1] = words.text(locale, "flag_later", n_later) end
  local best = cands[1]
  if not best then
    row.status = "no data"
    row.reason = #tg > 0 and words.text(locale, "only_target", row.target) or
      (n_later > 0 and words.text(locale, "only_later", as_of) or words.text(locale, "no_evidence"))
    row.flags = #flags > 0 and table.concat(flags, "; ") or nil
    return row
  end
  row.value, row.lower, row.upper, row.qualifier = best.value, best.lower, best.upper, best.qualifier
  row.value_text = M.value_text(best.value, ind, locale, best.qualifier, best.qualifier_text)
  if best.share then row.value_text = row.value_text .. string.format(" (%d/%d)", best.share.yes, best.share.known) end
  row.class = best.class
  row.evidence_date, row.evidence_source, row.evidence_confidence = best.date, best.source, best.confidence
  row.evidence_place = best.place
  if ind.type ~= "bool" and c.threshold ~= NA then
    row.gap = best.value - c.threshold
    row.gap_text = M.gap_text(row.gap, ind, locale)
  end
  if best.date == NA and not best.share then flags[#flags + 1] = words.text(locale, "flag_undated") end
  if best.confidence == "L" then flags[#flags + 1] = words.text(locale, "flag_low") end
  if best.approx then flags[#flags + 1] = words.text(locale, "flag_approx") end
  if best.synthetic then flags[#flags + 1] = words.text(locale, "flag_synthetic") end
  if best.inferred then flags[#flags + 1] = words.text(locale, "flag_inferred") end
  for _, f in ipairs(best.extra_flags or {}) do flags[#flags + 1] = f end
  row.flags = #flags > 0 and table.concat(flags, "; ") or nil
  local compared = words.text(locale, "compared", row.value_text, row.threshold_text)
  if not c.comparison then
    row.status, row.reason = "threshold unverified", words.text(locale, "no_threshold")
    return row
  end
  local out = M.outcome(best.lower, best.upper, c.comparison, c.threshold)
  if not best.decisive then
    row.status, row.indicative = "no data", out
    row.reason = words.text(locale, best.synthetic and "synthetic_only" or "inferred_only") .. ": " .. compared
  elseif out == "undecided" then
    local range = M.value_text(best.lower, ind, locale) .. "–" .. M.value_text(best.upper, ind, locale)
    row.status, row.reason = "no data", words.text(locale, "bounds", range)
  elseif not c.verified then
    row.status, row.indicative = "threshold unverified", out
    row.reason = words.text(locale, "unverified", M.why_unverified(c, locale)) .. ": " .. compared
  else
    row.status, row.reason = out, compared
  end
  return row
end

local function summary_of(frame)
  local f = frame:mutate { s_met = col("status"):eq("met"), s_not = col("status"):eq("not met"),
    s_unv = col("status"):eq("threshold unverified"), s_nod = col("status"):eq("no data"),
    s_nas = col("status"):eq("not assessable") }
  local s = f:group_by("party", "category"):agg(engine.count():as("criteria"), engine.sum("s_met"):as("met"),
    engine.sum("s_not"):as("not_met"), engine.sum("s_unv"):as("threshold_unverified"), engine.sum("s_nod"):as("no_data"),
    engine.sum("s_nas"):as("not_assessable"))
  return s:mutate { unknown = col("criteria") - col("met") - col("not_met") }
    :select("party", "category", "criteria", "met", "not_met", "threshold_unverified", "no_data", "not_assessable",
      "unknown")
end

local function readiness(rows, framework, locale)
  local not_met, other = {}, {}
  for _, r in ipairs(rows) do
    if r.status == "not met" then not_met[#not_met + 1] = r
    elseif r.status ~= "met" then other[#other + 1] = r end
  end
  local reasons = {}
  if #not_met > 0 then
    for _, r in ipairs(not_met) do
      reasons[#reasons + 1] = words.text(locale, "reason_not_met", r.article, r.reason)
    end
    return "not ready", reasons
  end
  if #other == 0 and #rows > 0 then
    return "ready", { words.text(locale, "reason_all_met", framework) }
  end
  for _, r in ipairs(other) do
    reasons[#reasons + 1] = words.text(locale, "reason_other", r.article, words.word(locale, "status", r.status),
      r.reason)
  end
  return "cannot be determined", reasons
end

local function split_facts(f, as_of)
  local actual, targets, later = {}, {}, {}
  for r in f:rows() do
    for _, k in ipairs({ "value", "text", "qualifier", "qualifier_text", "date", "source", "text_status", "confidence",
      "quote", "criterion", "note", "target_year", "place" }) do
      if r[k] == nil then r[k] = NA end
    end
    if r.date ~= NA and r.date > as_of then later[#later + 1] = r
    elseif r.kind == "target" then targets[#targets + 1] = r
    else actual[#actual + 1] = r end
  end
  return actual, targets, later
end

--- Assess a park.
-- @tparam table cat a catalogue (zonestat.eco_criteria)
-- @tparam table ev evidence (zonestat.eco_evidence)
-- @tparam string park its id
-- @tparam table opts `framework` (default "ND35/2022"), `as_of` (yyyy-mm-dd),
--   `locale`, `known` (parks: id → info), `name`
-- @return[1] table `{park, name, framework, framework_name, framework_kind,
--   as_of, locale, frame, summary, ready, ready_text, reasons, rule,
--   evidence, context, notes, synthetic}`
-- @return[2] nil
-- @treturn[2] string the unknown framework
function M.assess(cat, ev, park, opts)
  local locale = opts.locale or "vi"
  local fw = opts.framework or "ND35/2022"
  local list, ferr = criteria.of(cat, fw)
  if not list then return nil, words.text(locale, "unknown_framework", fw, ferr) end
  local framework = cat.framework[fw]
  local as_of = opts.as_of
  local facts, targets, later = split_facts(ev.facts:filter(col("park"):eq(park)), as_of)
  local counts = evidence.counts(ev.enterprises:filter(col("park"):eq(park)), as_of)[park]
  local total = best_total(facts)
  local rows = {}
  for i, c in ipairs(list) do
    rows[i] = assess_one(c, cat, facts, targets, later, counts, total, locale, as_of)
  end
  local frame = frame_of(rows, ORDER, TYPES)
  local ready, reasons = readiness(rows, fw, locale)
  -- the evidence: the park's facts, and the facts of its groups as context
  local known = opts.known or {}
  local groups = evidence.groups_of(known, park)
  local used = {}
  for _, r in ipairs(rows) do
    if r.evidence_place and r.evidence_place ~= NA then
      used[r.evidence_place] = used[r.evidence_place] and (used[r.evidence_place] .. ", " .. r.criterion) or r.criterion
    end
  end
  local efacts = ev.facts:filter(col("park"):eq(park) & (col("date"):le(as_of) | col("date"):is_na()))
  local uses = {}
  for i = 1, efacts:nrow() do uses[i] = used[efacts:get("place", i)] or NA end
  efacts = efacts:mutate { used_by = engine.column(uses, "str") }
  local context = ev.facts:filter(col("park"):isin(#groups > 0 and groups or { "" }) &
    (col("date"):le(as_of) | col("date"):is_na()))
  local synthetic = false
  for _, r in ipairs(rows) do synthetic = synthetic or r.class == "synthetic" end
  local name = opts.name or (known[park] and known[park].name) or park
  local group_names = {}
  for _, g in ipairs(groups) do group_names[g] = known[g] and known[g].name or g end
  return { park = park, name = name, framework = fw, framework_name = locale == "en" and framework.name_en or
      framework.name_vi, framework_kind = framework.kind, as_of = as_of, locale = locale, frame = frame,
    summary = summary_of(frame), ready = ready, ready_text = words.word(locale, "readiness", ready), reasons = reasons,
    rule = locale == "en" and framework.rule_en or framework.rule_vi, evidence = efacts, context = context,
    groups = groups, group_names = group_names, synthetic = synthetic, rows = rows }
end

-- ---- progress -----------------------------------------------------------------------------

local RANK = { ["not met"] = 0, ["no data"] = 1, ["threshold unverified"] = 1, ["not assessable"] = 1, ["met"] = 2 }

local function same_value(a, b)
  if a == nil or a == NA then return b == nil or b == NA end
  if b == nil or b == NA then return false end
  return math.abs(a - b) <= EPS
end

--- The progress between two assessments of the same park and framework.
-- @tparam table a the earlier assessment
-- @tparam table b the later one
-- @treturn table `{park, framework, from, to, frame (the criteria whose
--   status or value changed), all (every criterion), ready = {from, to},
--   improved, worsened, changed}`
function M.compare(a, b)
  local byid = {}
  for _, r in ipairs(a.rows) do byid[r.criterion] = r end
  local rows, n = {}, { improved = 0, worsened = 0, changed = 0 }
  for _, rb in ipairs(b.rows) do
    local ra = byid[rb.criterion] or {}
    local change = "same"
    local sa, sb = ra.status, rb.status
    if sa ~= sb then
      local ka, kb = RANK[sa] or 1, RANK[sb] or 1
      change = kb > ka and "improved" or (kb < ka and "worsened" or "changed")
    elseif not same_value(ra.value, rb.value) then
      change = "changed"
    end
    if change ~= "same" then n[change] = n[change] + 1 end
    local va, vb = ra.value ~= nil and ra.value ~= NA and ra.value or nil, rb.value ~= NA and rb.value or nil
    rows[#rows + 1] = { criterion = rb.criterion, article = rb.article, status_from = sa or NA, status_to = sb,
      value_from = va, value_to = vb, value_change = (va and vb) and (vb - va) or nil,
      value_text_from = ra.value_text, value_text_to = rb.value_text, gap_from = ra.gap, gap_to = rb.gap,
      change = change }
  end
  local order = { "criterion", "article", "status_from", "status_to", "value_from", "value_to", "value_change",
    "value_text_from", "value_text_to", "gap_from", "gap_to", "change" }
  local all = frame_of(rows, order, { value_from = "float", value_to = "float", value_change = "float",
    gap_from = "float", gap_to = "float" })
  return { park = b.park, name = b.name, framework = b.framework, from = a.as_of, to = b.as_of,
    frame = all:filter(col("change"):ne("same")), all = all, ready = { from = a.ready, to = b.ready },
    improved = n.improved, worsened = n.worsened, changed = n.changed }
end

return M

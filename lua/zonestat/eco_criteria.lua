--- The criteria of eco-industrial parks as data: the frameworks
-- (`frameworks.csv`), the indicators criteria and evidence are measured by
-- (`indicators.csv`) and the criteria (`criteria.csv`), in `data/eco` (or
-- `$ZONESTAT_ECO_DATA`), read and checked.  Each criterion carries its
-- framework and article, party, category, texts, indicator and unit,
-- comparison and threshold, and the text status (V, P, I, U) and source
-- confidence (H, M, L) the fact sheet gives; data/eco/README.md documents
-- every column.  A threshold counts as law only when it is *verified*: the
-- criterion's text is verbatim (V), the threshold is stated in it (V) and
-- the source's confidence is H or M.
-- @module zonestat.eco_criteria

local datadir = require "zonestat.datadir"
local engine = require "zonestat.engine"
local read = require "zonestat.eco_read"

local NA = engine.NA
local M = {}

--- The parties a criterion applies to.
M.PARTIES = { developer = true, enterprise = true, park = true }
--- The categories (those of the International EIP Framework v2.0).
M.CATEGORIES = { park_management = true, environmental = true, social = true, economic = true }
--- The comparisons.
M.COMPARISONS = { [">="] = true, ["<="] = true, ["="] = true }
--- The types and units of indicators.
M.TYPES = { bool = "bool", ratio = "ratio", count = "count", number = true, text = "text" }
--- What an indicator can be computed from in the enterprise rows.
M.FROM_ENTERPRISES = { recp = true, recp_aware = true, symbiosis_plan = true, compliant = true, symbiosis_iso = true }

local STATUS = { V = true, P = true, I = true, U = true }
local CONFIDENCE = { H = true, M = true, L = true }

-- ---- where the data are ---------------------------------------------------------------

--- The folder of the bundled eco data: `$ZONESTAT_ECO_DATA`, else
-- `data/eco` next to the checkout or the installed modules.
-- @treturn string
function M.dir() return datadir.eco() end

-- ---- checking rows ----------------------------------------------------------------------

local function read_one(path, columns, problems)
  local tables, err = read.tables(path)
  if not tables then
    for _, e in ipairs(err) do problems[#problems + 1] = e end
    return nil
  end
  local t = tables[1]
  if not read.has_columns(t, columns, problems) then return nil end
  return t, read.rows(t)
end

--- A threshold's text as a number for an indicator's type.
-- @tparam string s
-- @tparam table ind the indicator
-- @tparam table conv the table's conventions
-- @return[1] number (1 and 0 for yes and no)
-- @return[2] nil
-- @treturn[2] string what is wrong
function M.value_of(s, ind, conv)
  if ind.type == "bool" then
    local b, err = read.bool(s)
    if b == nil then return nil, err end
    return b and 1 or 0
  end
  if ind.type == "text" then return nil, "a text indicator has no numeric value" end
  local v, err = read.number(s, conv)
  if v == nil then return nil, err end
  if ind.type == "ratio" and (v < 0 or v > 1) then
    return nil, string.format("'%s' is a share outside 0–1 (write 0.4 for 40 %%)", s)
  end
  if ind.type == "count" and (math.type(v) ~= "integer" and v ~= math.floor(v) or v < 0) then
    return nil, string.format("'%s' is not a count (a whole number, 0 or more)", s)
  end
  if ind.type == "number" and v < 0 then return nil, string.format("'%s' is negative", s) end
  return v
end

local function frameworks_of(path, problems)
  local t, rows = read_one(path, { "id", "name_vi", "name_en", "kind", "rule_vi", "rule_en" }, problems)
  if not t then return nil end
  local list, by = {}, {}
  for _, r in ipairs(rows) do
    local function bad(col, msg) problems[#problems + 1] = t.where(r._i, col) .. ": " .. msg end
    if not r.id then bad("id", "no framework id")
    elseif by[r.id] then bad("id", "framework '" .. r.id .. "' given twice")
    else
      for _, c in ipairs({ "name_vi", "name_en", "rule_vi", "rule_en" }) do
        if not r[c] then bad(c, "empty") end
      end
      if r.kind ~= "law" and r.kind ~= "superseded" and r.kind ~= "international" then
        bad("kind", string.format("'%s' must be law, superseded or international", tostring(r.kind)))
      end
      if r.confidence and not CONFIDENCE[r.confidence] then bad("confidence", "must be H, M or L") end
      r._i = nil
      list[#list + 1], by[r.id] = r, r
    end
  end
  return list, by
end

local function indicators_of(path, problems)
  local t, rows = read_one(path, { "id", "type", "unit", "label_vi", "label_en", "definition_vi", "definition_en" },
    problems)
  if not t then return nil end
  local list, by = {}, {}
  for _, r in ipairs(rows) do
    local function bad(col, msg) problems[#problems + 1] = t.where(r._i, col) .. ": " .. msg end
    if not r.id or not r.id:match("^[%w_]+$") then bad("id", "an indicator id is letters, digits and _")
    elseif by[r.id] then bad("id", "indicator '" .. r.id .. "' given twice")
    else
      if not M.TYPES[r.type or ""] then bad("type", "must be bool, ratio, count, number or text") end
      local fixed = M.TYPES[r.type or ""]
      if type(fixed) == "string" and r.unit ~= fixed then
        bad("unit", string.format("a %s indicator has unit %s", r.type, fixed))
      elseif r.type == "number" and not r.unit then
        bad("unit", "a number indicator needs its unit (ha, persons, ...)")
      end
      if r.from_enterprises and not M.FROM_ENTERPRISES[r.from_enterprises] then
        bad("from_enterprises", "must be one of recp, recp_aware, symbiosis_plan, compliant, symbiosis_iso")
      end
      if r.from_enterprises and r.type ~= "ratio" then bad("from_enterprises", "only a ratio is computed from enterprises") end
      for _, c in ipairs({ "label_vi", "label_en", "definition_vi", "definition_en" }) do
        if not r[c] then bad(c, "empty") end
      end
      r._i = nil
      list[#list + 1], by[r.id] = r, r
    end
  end
  return list, by
end

local CRITERIA_COLUMNS = { "id", "framework", "article", "party", "category", "prerequisite", "text_vi", "text_en",
  "indicator", "unit", "comparison", "threshold", "threshold_status", "text_status", "confidence", "source", "note" }

local function criteria_of(path, frameworks, indicators, problems)
  local t, rows = read_one(path, CRITERIA_COLUMNS, problems)
  if not t then return nil end
  local list, by = {}, {}
  for _, r in ipairs(rows) do
    local before = #problems
    local function bad(col, msg) problems[#problems + 1] = t.where(r._i, col) .. ": " .. msg end
    if not r.id or not r.id:match("^[%w_.%-]+$") then bad("id", "a criterion id is letters, digits and . _ -")
    elseif by[r.id] then bad("id", "criterion '" .. r.id .. "' given twice (also " .. by[r.id]._where .. ")") end
    if not r.framework then bad("framework", "empty")
    elseif not frameworks[r.framework] then
      local ids = {}
      for id in pairs(frameworks) do ids[#ids + 1] = id end
      table.sort(ids)
      bad("framework", string.format("unknown framework '%s' (frameworks.csv has %s)", r.framework,
        table.concat(ids, ", ")))
    end
    if not r.article then bad("article", "empty") end
    if not M.PARTIES[r.party or ""] then bad("party", "must be developer, enterprise or park") end
    if r.category and not M.CATEGORIES[r.category] then
      bad("category", "must be park_management, environmental, social, economic or empty")
    end
    local prerequisite = NA
    if r.prerequisite then
      local b, err = read.bool(r.prerequisite)
      if b == nil then bad("prerequisite", err) else prerequisite = b end
    end
    if not r.text_vi then bad("text_vi", "empty") end
    if not r.text_en then bad("text_en", "empty") end
    if not STATUS[r.text_status or ""] then bad("text_status", "must be V, P, I or U") end
    if r.confidence and not CONFIDENCE[r.confidence] then bad("confidence", "must be H, M or L") end
    local threshold = NA
    if r.text_status == "U" then
      for _, c in ipairs({ "indicator", "comparison", "threshold" }) do
        if r[c] then bad(c, "a criterion whose text is unknown (U) has no " .. c) end
      end
    elseif r.text_status then
      if not r.confidence then bad("confidence", "empty: give the source's confidence (H, M or L)") end
      if not r.source then bad("source", "empty: give the URL of the text") end
      local ind = r.indicator and indicators[r.indicator]
      if not r.indicator then bad("indicator", "empty")
      elseif not ind then bad("indicator", "unknown indicator '" .. r.indicator .. "' (see indicators.csv)")
      elseif ind.type == "text" then bad("indicator", "'" .. r.indicator .. "' is a text indicator: it cannot be compared")
      end
      if ind and r.unit and r.unit ~= ind.unit then
        bad("unit", string.format("'%s' is not the unit of %s (%s)", r.unit, r.indicator, ind.unit))
      end
      if r.comparison and not M.COMPARISONS[r.comparison] then bad("comparison", "must be >=, <= or =") end
      if ind and ind.type == "bool" and r.comparison and r.comparison ~= "=" then
        bad("comparison", "a yes/no indicator is compared with =")
      end
      if r.comparison and not r.threshold then bad("threshold", "empty: a comparison needs a threshold") end
      if r.threshold and not r.comparison then bad("comparison", "empty: a threshold needs a comparison") end
      if r.threshold and ind and ind.type ~= "text" then
        local v, err = M.value_of(r.threshold, ind, t.conv)
        if v == nil then bad("threshold", err) else threshold = v end
      end
      if r.comparison and not STATUS[r.threshold_status or ""] then
        bad("threshold_status", "must be V, P, I or U (how the threshold is stated in the text)")
      end
    end
    if #problems == before then
      local ind = r.indicator and indicators[r.indicator]
      local verified = r.text_status == "V" and r.threshold_status == "V" and r.comparison ~= nil and
        (r.confidence == "H" or r.confidence == "M")
      local c = { id = r.id, framework = r.framework, article = r.article, party = r.party, category = r.category,
        prerequisite = prerequisite, text_vi = r.text_vi, text_en = r.text_en, indicator = r.indicator,
        unit = r.unit or (ind and ind.unit), comparison = r.comparison, threshold = threshold,
        threshold_status = r.threshold_status, text_status = r.text_status, confidence = r.confidence,
        verified = verified, source = r.source, note = r.note, _where = t.where(r._i) }
      list[#list + 1], by[r.id] = c, c
    elseif r.id and not by[r.id] then
      by[r.id] = { _where = t.where(r._i) }
    end
  end
  return list
end

--- The criteria as a frame (columns: id, framework, article, party,
-- category, prerequisite, text_vi, text_en, indicator, unit, comparison,
-- threshold, threshold_status, text_status, confidence, verified, source,
-- note).
-- @tparam {table,...} list criteria
-- @treturn Frame
function M.frame(list)
  local names = { "id", "framework", "article", "party", "category", "prerequisite", "text_vi", "text_en", "indicator",
    "unit", "comparison", "threshold", "threshold_status", "text_status", "confidence", "verified", "source", "note" }
  local types = { prerequisite = "bool", threshold = "float", verified = "bool" }
  local cols = {}
  for _, n in ipairs(names) do
    local v = {}
    for i, c in ipairs(list) do
      local x = c[n]
      if x == nil then x = NA elseif n == "threshold" and x ~= NA then x = x + 0.0 end
      v[i] = x
    end
    cols[n] = engine.column(v, types[n] or "str")
  end
  return engine.frame(cols, names)
end

local cache

--- Read and check the frameworks, indicators and criteria.
-- @tparam[opt] table opts `dir` (the folder of frameworks.csv,
--   indicators.csv and criteria.csv; default `M.dir()`), `criteria` (a
--   criteria file to use instead of the folder's: CSV, JSON or .xlsx;
--   frameworks and indicators come from its own folder when it has them,
--   else from `dir`)
-- @return[1] table the catalogue `{frameworks, framework (id → row),
--   indicators (id → row), indicator_list, criteria (list), by_id, frame}`
-- @return[2] nil
-- @treturn[2] {string,...} every problem, each with its file and line
function M.load(opts)
  opts = opts or {}
  if not opts.dir and not opts.criteria and cache then return cache end
  local dir = opts.dir or M.dir()
  local problems = {}
  local cdir = opts.criteria and opts.criteria:match("^(.*)/[^/]*$") or "."
  local function file(name)
    if opts.criteria then
      local own = cdir .. "/" .. name
      local fh = io.open(own)
      if fh then fh:close() return own end
    end
    return dir .. "/" .. name
  end
  local flist, fby = frameworks_of(file("frameworks.csv"), problems)
  local ilist, iby = indicators_of(file("indicators.csv"), problems)
  local clist
  if fby and iby then clist = criteria_of(opts.criteria or (dir .. "/criteria.csv"), fby, iby, problems) end
  if #problems > 0 then return nil, problems end
  local by = {}
  for _, c in ipairs(clist) do by[c.id] = c end
  local cat = { frameworks = flist, framework = fby, indicators = iby, indicator_list = ilist, criteria = clist,
    by_id = by, frame = M.frame(clist), dir = dir }
  if not opts.dir and not opts.criteria then cache = cat end
  return cat
end

--- The criteria of one framework (all when nil), in file order.
-- @tparam table cat a catalogue
-- @tparam ?string framework
-- @return[1] {table,...}
-- @return[2] nil
-- @treturn[2] string the unknown framework and the known ones
function M.of(cat, framework)
  if framework == nil then return cat.criteria end
  if not cat.framework[framework] then
    local ids = {}
    for _, f in ipairs(cat.frameworks) do ids[#ids + 1] = f.id end
    return nil, table.concat(ids, ", ")
  end
  local out = {}
  for _, c in ipairs(cat.criteria) do
    if c.framework == framework then out[#out + 1] = c end
  end
  return out
end

return M

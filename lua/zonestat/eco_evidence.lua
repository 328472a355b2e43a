--- Evidence on parks for the eco-industrial-park assessment: park facts
-- (a value of an indicator, with its date and source) and enterprise rows
-- (what each enterprise of a park does), read from CSV, JSON or `.xlsx`
-- files (a sheet per table) and checked cell by cell; the enterprise shares
-- of a park are aggregated by the C core (`group_by`/`agg`).
--
-- A table with a column `indicator` holds park facts, one with a column
-- `enterprise` enterprise rows (data/eco/README.md lists the columns).
-- Every problem is reported at once with its place (`file:line: column
-- 'x': message`, `file: sheet 'S': cell C12: message`), and nothing is
-- loaded while there is one: an unknown park, indicator or criterion, a
-- value of the wrong type, a share outside 0–1, a date after the
-- assessment date, a target without its year, a row without a source.
-- @module zonestat.eco_evidence

local engine = require "zonestat.engine"
local datadir = require "zonestat.datadir"
local read = require "zonestat.eco_read"
local criteria = require "zonestat.eco_criteria"

local NA = engine.NA
local col = engine.col
local M = {}

--- The qualifiers of a published value, and the words read as them.
M.QUALIFIERS = { nearly = true, about = true, over = true, at_least = true, at_most = true }
local QUALIFIER_WORDS = { gan = "nearly", khoang = "about", ["xap xi"] = "about", hon = "over", tren = "over",
  ["it nhat"] = "at_least", duoi = "at_most", ["nhieu nhat"] = "at_most", ["at least"] = "at_least",
  ["at most"] = "at_most" }

--- What a RECP saving may be (`recp_savings`).
M.SAVINGS = { materials = true, water = true, energy = true, chemicals = true, waste = true, scrap = true,
  emissions = true }

local FACT_COLUMNS = { "park", "indicator", "value", "qualifier", "qualifier_text", "kind", "target_year", "date",
  "source", "text_status", "confidence", "quote", "criterion", "synthetic", "note" }
local ENTERPRISE_COLUMNS = { "park", "enterprise", "recp", "recp_savings", "recp_aware", "symbiosis", "symbiosis_plan",
  "iso14001", "iso50001", "violations_3y", "date", "source", "synthetic", "note" }
local ENTERPRISE_BOOLS = { "recp", "recp_aware", "symbiosis", "symbiosis_plan", "iso14001", "iso50001" }

local function set_of(list)
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end
local FACT_SET, ENTERPRISE_SET = set_of(FACT_COLUMNS), set_of(ENTERPRISE_COLUMNS)

--- Today as yyyy-mm-dd.
function M.today() return os.date("!%Y-%m-%d") end

-- ---- the parks the data know ----------------------------------------------------------

--- The parks and groups of parks evidence may be about: id → `{id, name,
-- kind = "zone" | "group", members, eco_status, province}`, from a
-- dataset (zonestat.dataset) or, without one, the bundled data/vn.
-- @param[opt] ds a Dataset
-- @treturn table
function M.known_parks(ds)
  local out = {}
  local zones, groups = ds and ds.zones, ds and ds.groups
  if not ds then
    local dir = datadir.default()
    zones = engine.read_csv(dir .. "/zones.csv", { infer = false })
    groups = engine.read_csv(dir .. "/groups.csv", { infer = false })
  end
  if zones then
    for row in zones:rows() do
      out[row.id] = { id = row.id, name = row.name, kind = "zone", eco_status = row.eco_status,
        province = row.province, zone_kind = row.kind }
    end
  end
  if groups then
    for row in groups:rows() do
      local members = {}
      for m in (row.members or ""):gmatch("[^|]+") do members[#members + 1] = m end
      out[row.id] = { id = row.id, name = row.name, kind = "group", members = members, province = row.province }
    end
  end
  return out
end

--- The groups a park is a member of.
-- @tparam table known as `known_parks` returns
-- @tparam string park
-- @treturn {string,...} group ids, sorted
function M.groups_of(known, park)
  local out = {}
  for id, p in pairs(known) do
    if p.kind == "group" then
      for _, m in ipairs(p.members) do if m == park then out[#out + 1] = id end end
    end
  end
  table.sort(out)
  return out
end

-- ---- checking the tables --------------------------------------------------------------

local function unused_columns(t, known, notes)
  for j, name in ipairs(t.frame:names()) do
    if not known[name] then
      notes[#notes + 1] = string.format("%s: column '%s' is not used", t.label, t.headers[j] or name)
    end
  end
end

local function known_names(known)
  local ids = {}
  for id in pairs(known) do ids[#ids + 1] = id end
  table.sort(ids)
  if #ids > 8 then return table.concat(ids, ", ", 1, 8) .. ", …" end
  return table.concat(ids, ", ")
end

-- the checks shared by both tables: park, date, source, synthetic
local function common(r, t, ctx, bad)
  local park = r.park
  if not park then bad("park", "empty: give the park's zone id")
  elseif ctx.known and not ctx.known[park] then
    bad("park", string.format("unknown park '%s' (zone and group ids of the data: %s)", park, known_names(ctx.known)))
  end
  local date = NA
  if r.date then
    local d, err = read.date(r.date, t.conv)
    if not d then bad("date", err)
    elseif d > ctx.as_of then
      bad("date", string.format("%s is after the assessment date %s (a date in the future)", d, ctx.as_of))
    else date = d end
  end
  local synthetic = false
  if r.synthetic then
    local b, err = read.bool(r.synthetic)
    if b == nil then bad("synthetic", err) else synthetic = b end
  end
  if not r.source and not synthetic then
    bad("source", "empty: give the URL or document the value comes from (or mark the row synthetic)")
  end
  return date, synthetic
end

local function check_facts(t, ctx, out, problems)
  local cat = ctx.catalogue
  local seen = {}
  for _, r in ipairs(read.rows(t)) do
    local function bad(c, msg) problems[#problems + 1] = t.where(r._i, c) .. ": " .. msg end
    local before = #problems
    local date, synthetic = common(r, t, ctx, bad)
    local ind = r.indicator and cat.indicators[r.indicator]
    if not r.indicator then bad("indicator", "empty")
    elseif not ind then
      bad("indicator", string.format("unknown indicator '%s' (see data/eco/indicators.csv)", r.indicator))
    end
    local kind = "actual"
    if r.kind then
      local k = read.key(r.kind)
      if k == "actual" or k == "thuc_te" then kind = "actual"
      elseif k == "target" or k == "muc_tieu" then kind = "target"
      else bad("kind", string.format("'%s' must be actual or target", r.kind)) end
    end
    local value, text = NA, NA
    if not r.value then
      bad("value", "empty (leave the row out when there is no figure)")
    elseif ind then
      if ind.type == "text" then
        text = r.value
      else
        local v, err = criteria.value_of(r.value, ind, t.conv)
        if v == nil then bad("value", err) else value = v + 0.0 end
      end
    end
    local qualifier = NA
    if r.qualifier then
      local q = read.key(r.qualifier)
      q = M.QUALIFIERS[q] and q or QUALIFIER_WORDS[q:gsub("_", " ")]
      if not q then bad("qualifier", string.format("'%s' must be nearly, about, over, at_least or at_most", r.qualifier))
      elseif ind and (ind.type == "bool" or ind.type == "text") then
        bad("qualifier", "a " .. ind.type .. " value takes no qualifier")
      else qualifier = q end
    end
    local target_year = NA
    if r.target_year then
      local y = math.tointeger(tonumber(r.target_year))
      if not y or y < 1900 or y > 2200 then bad("target_year", string.format("'%s' is not a year", r.target_year))
      elseif kind ~= "target" then bad("target_year", "only a target has a target year (kind = target)")
      elseif date ~= NA and y < tonumber(date:sub(1, 4)) then
        bad("target_year", string.format("%d is before the row's date %s", y, date))
      else target_year = y end
    elseif kind == "target" then
      bad("target_year", "empty: a target needs the year it is for")
    end
    if kind == "target" and ind and ind.type == "text" then bad("kind", "a text indicator has no target") end
    if r.text_status and not ({ V = true, P = true, I = true })[r.text_status] then
      bad("text_status", r.text_status == "U" and "a fact whose text is unknown (U) is no evidence: leave it out" or
        "must be V, P or I")
    end
    if r.confidence and not ({ H = true, M = true, L = true })[r.confidence] then bad("confidence", "must be H, M or L") end
    if r.criterion then
      local c = cat.by_id[r.criterion]
      if not c then bad("criterion", string.format("unknown criterion '%s' (see data/eco/criteria.csv)", r.criterion))
      elseif r.indicator and c.indicator ~= r.indicator then
        bad("criterion", string.format("%s is measured by %s, not %s", r.criterion, tostring(c.indicator), r.indicator))
      end
    end
    if #problems == before then
      local key = table.concat({ r.park, r.indicator, kind, tostring(date), r.value, r.source or "" }, "\0")
      if seen[key] then
        bad(nil, "the same fact as " .. seen[key])
      else
        seen[key] = t.where(r._i)
        local f = out.facts
        f[#f + 1] = { park = r.park, indicator = r.indicator, kind = kind, value = value, text = text,
          qualifier = qualifier, qualifier_text = r.qualifier_text or NA, target_year = target_year, date = date,
          source = r.source or NA, text_status = r.text_status or NA, confidence = r.confidence or NA,
          quote = r.quote or NA, criterion = r.criterion or NA, synthetic = synthetic, note = r.note or NA,
          place = t.where(r._i) }
      end
    end
  end
end

local function check_enterprises(t, ctx, out, problems)
  local seen = {}
  for _, r in ipairs(read.rows(t)) do
    local function bad(c, msg) problems[#problems + 1] = t.where(r._i, c) .. ": " .. msg end
    local before = #problems
    local date, synthetic = common(r, t, ctx, bad)
    if not r.enterprise then bad("enterprise", "empty: give the enterprise's name or id") end
    local v = {}
    for _, c in ipairs(ENTERPRISE_BOOLS) do
      v[c] = NA
      if r[c] then
        local b, err = read.bool(r[c])
        if b == nil then bad(c, err) else v[c] = b end
      end
    end
    local savings = NA
    if r.recp_savings then
      local list, wrong = {}, {}
      for s in r.recp_savings:gmatch("[^|,;]+") do
        s = read.key(s)
        if M.SAVINGS[s] then list[#list + 1] = s else wrong[#wrong + 1] = s end
      end
      if #wrong > 0 or #list == 0 then
        bad("recp_savings", string.format("'%s': savings are materials, water, energy, chemicals, waste, scrap or " ..
          "emissions, separated by |", r.recp_savings))
      else
        table.sort(list)
        savings = table.concat(list, "|")
      end
    end
    if v.recp == true and savings == NA and #problems == before then
      bad("recp_savings", "empty: an enterprise counted as applying RECP names the savings it achieved")
    elseif v.recp == false and r.recp_savings then
      bad("recp_savings", "given while recp is no")
    end
    local violations = NA
    if r.violations_3y then
      local n = math.tointeger(tonumber(r.violations_3y))
      if not n or n < 0 then bad("violations_3y", string.format("'%s' is not a count (0 or more)", r.violations_3y))
      else violations = n end
    end
    if #problems == before then
      local key = r.park .. "\0" .. r.enterprise .. "\0" .. tostring(date)
      if seen[key] then
        bad("enterprise", string.format("'%s' has two rows of the same date (also %s)", r.enterprise, seen[key]))
      else
        seen[key] = t.where(r._i)
        local e = out.enterprises
        e[#e + 1] = { park = r.park, enterprise = r.enterprise, recp = v.recp, recp_savings = savings,
          recp_aware = v.recp_aware, symbiosis = v.symbiosis, symbiosis_plan = v.symbiosis_plan,
          iso14001 = v.iso14001, iso50001 = v.iso50001, violations_3y = violations, date = date,
          source = r.source or NA, synthetic = synthetic, note = r.note or NA, place = t.where(r._i) }
      end
    end
  end
end

local FACT_TYPES = { value = "float", target_year = "int", date = "date", synthetic = "bool" }
local FACT_ORDER = { "park", "indicator", "kind", "value", "text", "qualifier", "qualifier_text", "target_year",
  "date", "source", "text_status", "confidence", "quote", "criterion", "synthetic", "note", "place" }
local ENTERPRISE_TYPES = { recp = "bool", recp_aware = "bool", symbiosis = "bool", symbiosis_plan = "bool",
  iso14001 = "bool", iso50001 = "bool", violations_3y = "int", date = "date", synthetic = "bool" }
local ENTERPRISE_ORDER = { "park", "enterprise", "recp", "recp_savings", "recp_aware", "symbiosis", "symbiosis_plan",
  "iso14001", "iso50001", "violations_3y", "date", "source", "synthetic", "note", "place" }

local function typed(rows, order, types)
  local cols = {}
  for _, n in ipairs(order) do
    local v = {}
    for i, r in ipairs(rows) do
      local x = r[n]
      if x == nil then x = NA end
      v[i] = x
    end
    cols[n] = engine.column(v, types[n] or "str")
  end
  return engine.frame(cols, order)
end

-- enterprises_total below the enterprises listed for the park by then
local function check_totals(out, problems)
  for _, f in ipairs(out.facts) do
    if f.indicator == "enterprises_total" and f.kind == "actual" then
      local names = {}
      for _, e in ipairs(out.enterprises) do
        if e.park == f.park and (f.date == NA or e.date == NA or e.date <= f.date) then names[e.enterprise] = true end
      end
      local n = 0
      for _ in pairs(names) do n = n + 1 end
      if f.value < n then
        problems[#problems + 1] = string.format("%s: column 'value': %s has %d enterprise rows by then, more than " ..
          "its enterprises_total %s", f.place, f.park, n, engine.format_number(f.value))
      end
    end
  end
end

--- Read evidence from files.
-- @tparam string|{string,...} paths files (CSV, JSON, .xlsx) or folders of them
-- @tparam[opt] table opts `as_of` (yyyy-mm-dd: a date after it is an error;
--   default today), `catalogue` (zonestat.eco_criteria; default the
--   bundled one), `dataset` (its zones and groups are the parks evidence may
--   name; default the bundled data/vn), `known` (instead of `dataset`: a
--   table as `known_parks` returns, or false for no check)
-- @return[1] table evidence `{facts = Frame, enterprises = Frame, parks =
--   {id,...}, notes = {...}, files = {...}, as_of}`
-- @return[2] nil
-- @treturn[2] {string,...} every problem, each with its place
function M.read(paths, opts)
  opts = opts or {}
  if type(paths) == "string" then paths = { paths } end
  local problems, notes = {}, {}
  local cat = opts.catalogue
  if not cat then
    local err
    cat, err = criteria.load()
    if not cat then return nil, err end
  end
  local known = opts.known
  if known == nil then known = M.known_parks(opts.dataset) end
  local ctx = { as_of = opts.as_of or M.today(), catalogue = cat, known = known or nil }
  local files = {}
  for _, p in ipairs(paths) do
    local info = engine.path_info(p)
    if info and info.kind == "directory" then
      local list, err = read.folder(p)
      if not list then problems[#problems + 1] = err
      elseif #list == 0 then problems[#problems + 1] = p .. ": no .csv, .json or .xlsx file in the folder"
      else for _, f in ipairs(list) do files[#files + 1] = f end end
    else
      files[#files + 1] = p
    end
  end
  local out = { facts = {}, enterprises = {} }
  for _, file in ipairs(files) do
    local tables, tnotes = read.tables(file)
    if not tables then
      for _, e in ipairs(tnotes) do problems[#problems + 1] = e end
    else
      for _, n in ipairs(tnotes) do notes[#notes + 1] = n end
      for _, t in ipairs(tables) do
        local f = t.frame
        if f:has("indicator") then
          if read.has_columns(t, { "park", "indicator", "value" }, problems) then
            unused_columns(t, FACT_SET, notes)
            check_facts(t, ctx, out, problems)
          end
        elseif f:has("enterprise") then
          if read.has_columns(t, { "park", "enterprise" }, problems) then
            unused_columns(t, ENTERPRISE_SET, notes)
            check_enterprises(t, ctx, out, problems)
          end
        elseif t.kind == "xlsx" then
          notes[#notes + 1] = t.label .. ": neither park facts (column 'indicator') nor enterprise rows (column " ..
            "'enterprise'): ignored"
        else
          problems[#problems + 1] = t.label .. ": not an evidence table: park facts need a column 'indicator', " ..
            "enterprise rows a column 'enterprise' (columns: " .. table.concat(t.headers, ", ") .. ")"
        end
      end
    end
  end
  if #problems == 0 then check_totals(out, problems) end
  if #problems > 0 then return nil, problems end
  local parks, seen = {}, {}
  for _, list in ipairs({ out.facts, out.enterprises }) do
    for _, r in ipairs(list) do
      if not seen[r.park] then seen[r.park] = true parks[#parks + 1] = r.park end
    end
  end
  table.sort(parks)
  return { facts = typed(out.facts, FACT_ORDER, FACT_TYPES),
    enterprises = typed(out.enterprises, ENTERPRISE_ORDER, ENTERPRISE_TYPES), parks = parks, notes = notes,
    files = files, as_of = ctx.as_of, known = known or nil }
end

--- The bundled evidence files: `evidence_*` and `enterprises_*` files of
-- data/eco.
-- @tparam[opt] string dir default the eco data folder
-- @treturn {string,...}
function M.bundled_files(dir)
  dir = dir or criteria.dir()
  local out = {}
  for _, f in ipairs(read.folder(dir) or {}) do
    local name = f:match("([^/]+)$")
    if name:match("^evidence_") or name:match("^enterprises_") then out[#out + 1] = f end
  end
  return out
end

local bundled_cache

--- The bundled evidence (read once, checked against today's date).
-- @return evidence, or nil and the problems
function M.bundled()
  if bundled_cache then return bundled_cache end
  local ev, err = M.read(M.bundled_files())
  if not ev then return nil, err end
  bundled_cache = ev
  return ev
end

-- ---- enterprise shares -------------------------------------------------------------------

--- The enterprise counts of every park at a date, aggregated in the C core:
-- each enterprise's latest row dated by `as_of` (undated rows count as the
-- oldest), then per park the rows, and for each field the enterprises
-- answering yes and those with an answer.
-- @tparam Frame enterprises the enterprise rows (`evidence.enterprises`)
-- @tparam string as_of yyyy-mm-dd
-- @treturn table park → `{n, recp = {yes, known}, recp_aware, symbiosis,
--   symbiosis_plan, compliant, iso = {yes, known} (over the participants),
--   participants, synthetic (rows), undated (rows), later (rows left out),
--   latest (date or nil)}`
function M.counts(enterprises, as_of)
  local out = {}
  if enterprises:nrow() == 0 then return out end
  local dated = enterprises:filter(col("date"):le(as_of) | col("date"):is_na())
  local later = enterprises:filter(col("date"):gt(as_of)):group_by("park"):agg(engine.count():as("n"))
  for row in later:rows() do out[row.park] = { later = row.n } end
  if dated:nrow() == 0 then
    for _, v in pairs(out) do v.n = 0 end
    return out
  end
  local rows = dated:mutate { undated = col("date"):is_na() }:fill_na { date = "0001-01-01" }
  local latest = rows:group_by("park", "enterprise"):agg(engine.max("date"):as("date"))
  rows = rows:join(latest, { on = { "park", "enterprise", "date" } })
    :mutate { compliant = col("violations_3y"):eq(0), iso = col("iso14001") | col("iso50001") }
  local per = rows:group_by("park"):agg(engine.count():as("n"),
    engine.sum("recp"):as("recp_yes"), engine.count("recp"):as("recp_known"),
    engine.sum("recp_aware"):as("recp_aware_yes"), engine.count("recp_aware"):as("recp_aware_known"),
    engine.sum("symbiosis"):as("symbiosis_yes"), engine.count("symbiosis"):as("symbiosis_known"),
    engine.sum("symbiosis_plan"):as("symbiosis_plan_yes"), engine.count("symbiosis_plan"):as("symbiosis_plan_known"),
    engine.sum("compliant"):as("compliant_yes"), engine.count("compliant"):as("compliant_known"),
    engine.sum("synthetic"):as("synthetic"), engine.sum("undated"):as("undated"), engine.max("date"):as("latest"))
  local part = rows:filter(col("symbiosis"):eq(true)):group_by("park"):agg(engine.count():as("participants"),
    engine.sum("iso"):as("iso_yes"), engine.count("iso"):as("iso_known"))
  for row in per:rows() do
    local o = out[row.park] or { later = 0 }
    o.n, o.synthetic, o.undated = row.n, row.synthetic or 0, row.undated or 0
    o.latest = row.latest ~= "0001-01-01" and row.latest or nil
    for _, k in ipairs({ "recp", "recp_aware", "symbiosis", "symbiosis_plan", "compliant" }) do
      o[k] = { yes = row[k .. "_yes"] or 0, known = row[k .. "_known"] or 0 }
    end
    o.iso, o.participants = { yes = 0, known = 0 }, 0
    out[row.park] = o
  end
  for row in part:rows() do
    local o = out[row.park]
    o.participants, o.iso = row.participants, { yes = row.iso_yes or 0, known = row.iso_known or 0 }
  end
  for _, o in pairs(out) do
    o.later = o.later or 0
    o.n = o.n or 0
  end
  return out
end

--- A share of a park's enterprises from its counts: the point value
-- (yes ÷ enterprises with an answer) and its bounds over the enterprises
-- without one (and those not listed, when the park's total is known).
-- @tparam table c the park's counts (`counts`)
-- @tparam string from what the share counts: recp, recp_aware,
--   symbiosis_plan, compliant or symbiosis_iso
-- @tparam[opt] number total the park's enterprises (enterprises_total);
--   default the rows
-- @treturn ?table `{value, lower, upper, yes, known, of, assumed_all}`, or
--   nil when no enterprise answers (or, for symbiosis_iso, none takes part)
function M.share(c, from, total)
  local k, of
  if from == "symbiosis_iso" then
    k, of = c.iso, c.participants
    total = nil
  else
    k, of = c[from], total or c.n
  end
  if not k or of == 0 or k.known == 0 then return nil end
  return { value = k.yes / k.known, lower = k.yes / of, upper = (k.yes + (of - k.known)) / of, yes = k.yes,
    known = k.known, of = of, assumed_all = from ~= "symbiosis_iso" and total == nil }
end

return M

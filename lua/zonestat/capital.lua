--- Capital events and the money of projects: the registered capital of
-- each project at a date, the capital attracted in a period by kind of event
-- and origin, in USD and VND.
--
-- An event (the dataset's `events` table) is a new licence, a capital
-- increase or decrease, a share purchase or a termination.  Registered
-- capital at a date is the sum of the licence and the increases less the
-- decreases dated on or before it; share purchases do not change it (they
-- are counted in the capital attracted, as boards do); a terminated project
-- leaves the stock on its termination date.  A registry without an events
-- table has one new licence per project, on its licence date, for its
-- capital.
--
-- Money in one currency converts to the other at the annual USD/VND rate of
-- the event's year (`fx.csv`, whose `kind` says which rate it is); an event
-- of a year without a rate has no value in the other currency and is named
-- in `ds.warnings`, and every total made without it says so in its coverage.
-- @module zonestat.capital

local engine = require "zonestat.engine"
local mapping = require "zonestat.mapping"
local period = require "zonestat.period"

local col, NA = engine.col, engine.NA

local M = {}

--- The kinds of event, in the order reports show them.
M.KINDS = { "new_licence", "capital_increase", "capital_decrease", "share_purchase", "termination" }

--- How each kind changes registered capital.
M.SIGN = { new_licence = 1, capital_increase = 1, capital_decrease = -1, share_purchase = 0, termination = 0 }

local CURRENCIES = { USD = true, VND = true }

--- The events of a registry that has none: one new licence per project.
-- @tparam Frame projects the typed projects
-- @treturn Frame the events (schema columns)
function M.derive(projects)
  local n = projects:nrow()
  local id, pid, kind, date, amount, currency, synthetic = {}, {}, {}, {}, {}, {}, {}
  for i = 1, n do
    local p = projects:get("id", i)
    id[i], pid[i], kind[i] = "licence-" .. tostring(p), p, "new_licence"
    date[i] = projects:get("license_date", i) or NA
    amount[i] = projects:get("capital", i) or NA
    currency[i] = projects:get("currency", i) or NA
    synthetic[i] = projects:get("synthetic", i) or NA
  end
  local note = {}
  for i = 1, n do note[i] = NA end
  return engine.frame({
    id = engine.column(id, "str"), project_id = engine.column(pid, "str"), kind = engine.column(kind, "str"),
    date = engine.column(date, "date"), amount = engine.column(amount, "float"),
    currency = engine.column(currency, "str"), synthetic = engine.column(synthetic, "str"),
    note = engine.column(note, "str"),
  }, { "id", "project_id", "kind", "date", "amount", "currency", "synthetic", "note" })
end

local function fmt(v)
  return string.format("%.15g", v)
end

--- Check the events against the rules (data/vn/README.md, `events.csv`).
-- @tparam Frame projects typed projects
-- @tparam Frame events typed events
-- @tparam function where `where(i, column)`: the place of event row i
-- @tparam {string,...} problems appended to
function M.check(projects, events, where, problems)
  local prow = {}
  for i = 1, projects:nrow() do prow[projects:get("id", i)] = i end
  local by = {}
  for i = 1, events:nrow() do
    local p = events:get("project_id", i)
    if p and prow[p] then
      by[p] = by[p] or {}
      table.insert(by[p], i)
    end
  end
  local function bad(i, column, msg) problems[#problems + 1] = where(i, column) .. ": " .. msg end
  for i = 1, events:nrow() do
    local kind, amount, cur = events:get("kind", i), events:get("amount", i), events:get("currency", i)
    if kind and kind ~= "termination" and amount == nil then bad(i, "amount", "missing amount of a " .. kind) end
    if amount ~= nil and not cur then bad(i, "currency", "missing currency of the amount") end
  end
  local pids = {}
  for p in pairs(by) do pids[#pids + 1] = p end
  table.sort(pids)
  for _, p in ipairs(pids) do
    local rows = by[p]
    table.sort(rows, function(a, b)
      local da, db = events:get("date", a) or "", events:get("date", b) or ""
      if da ~= db then return da < db end
      return a < b
    end)
    local r = prow[p]
    local licence_date, pcur = projects:get("license_date", r), projects:get("currency", r)
    local licences, term = {}, nil
    for _, i in ipairs(rows) do
      local kind = events:get("kind", i)
      if kind == "new_licence" then licences[#licences + 1] = i end
      if kind == "termination" then
        if term then bad(i, "kind", string.format("project '%s' is terminated twice (also %s)", p, where(term, "kind")))
        else term = i end
      end
    end
    if #licences == 0 then
      bad(rows[1], "project_id", string.format("project '%s' has events but no new_licence", p))
    elseif #licences > 1 then
      bad(licences[2], "kind", string.format("project '%s' has a second new_licence", p))
    end
    local lic = licences[1]
    if lic and licence_date and events:get("date", lic) ~= licence_date then
      bad(lic, "date", string.format("new_licence of '%s' on %s but the project's licence date is %s", p,
        tostring(events:get("date", lic)), licence_date))
    end
    local capital, term_date = 0, term and events:get("date", term)
    for _, i in ipairs(rows) do
      local kind, d, amount, cur = events:get("kind", i), events:get("date", i), events:get("amount", i),
        events:get("currency", i)
      if lic and i ~= lic and d and events:get("date", lic) and d < events:get("date", lic) then
        bad(i, "date", string.format("%s of '%s' on %s, before its new_licence", kind, p, d))
      end
      if term_date and i ~= term and d and d > term_date then
        bad(i, "date", string.format("%s of '%s' on %s, after its termination on %s", kind, p, d, term_date))
      end
      if M.SIGN[kind] ~= 0 and cur and pcur and cur ~= pcur then
        bad(i, "currency", string.format("%s of '%s' in %s but the project's capital is in %s", kind, p, cur, pcur))
      end
      if amount and M.SIGN[kind] then
        capital = capital + M.SIGN[kind] * amount
        if capital < -1e-6 * math.max(1, amount) then
          bad(i, "amount", string.format("capital_decrease of '%s' takes its registered capital below 0 (%s %s)", p,
            fmt(capital), cur or ""))
        end
      end
    end
    local pcap = projects:get("capital", r)
    if pcap and lic and math.abs(pcap - capital) > 1e-9 * math.max(1, math.abs(pcap)) + 0.5 then
      bad(rows[#rows], "amount", string.format("the events of '%s' add up to %s %s but its capital is %s %s", p,
        fmt(capital), pcur or "", fmt(pcap), pcur or ""))
    end
    local status = projects:get("status", r)
    if term and status and status ~= "terminated" then
      bad(term, "kind", string.format("project '%s' is terminated but its status is %s", p, status))
    end
  end
end

--- The text of a year without a rate (`ledger`'s second result).
-- @tparam table gap
-- @tparam[opt] string locale "en" (default) or "vi"
-- @treturn string
function M.gap_text(gap, locale)
  local ids = table.concat(gap.projects, ", ") .. (gap.more and ", ..." or "")
  if locale == "vi" then
    return string.format("không có tỷ giá USD/VND cho năm %s: %d lượt không quy đổi được (dự án %s)", tostring(gap.year),
      gap.events, ids)
  end
  return string.format("no USD/VND rate for %s: %d event(s) not converted (projects %s)", tostring(gap.year),
    gap.events, ids)
end

--- The ledger: every event with its project's zone, province and origin,
-- its sign, and its amount in USD and VND at the rate of its year.
-- @param ds a Dataset (with `events`, `projects`, `fx`)
-- @treturn Frame id, project_id, zone_id, province_id, origin, synthetic,
--   kind, date, year, sign, amount, currency, usd, vnd, rate, rate_kind
-- @treturn {table,...} the years without a rate: `{year, events, projects = {up to 5 ids}, more}`
function M.ledger(ds)
  local rates, kinds = {}, {}
  if ds.fx then
    for row in ds.fx:rows() do rates[row.year], kinds[row.year] = row.vnd_per_usd, row.kind end
  end
  local pinfo = {}
  local p = ds.projects
  for i = 1, p:nrow() do pinfo[p:get("id", i)] = i end
  local e = ds.events
  local n = e:nrow()
  local c = { zone_id = {}, province_id = {}, origin = {}, synthetic = {}, sign = {}, year = {}, usd = {}, vnd = {},
    rate = {}, rate_kind = {} }
  local warnings = {}
  local missing = {}
  for i = 1, n do
    local r = pinfo[e:get("project_id", i)]
    c.zone_id[i] = r and p:get("zone_id", r) or NA
    c.province_id[i] = r and p:get("province_id", r) or NA
    c.origin[i] = r and p:get("origin", r) or NA
    c.synthetic[i] = (e:get("synthetic", i) or (r and p:get("synthetic", r))) or NA
    local kind = e:get("kind", i)
    c.sign[i] = M.SIGN[kind] or 0
    local d = e:get("date", i)
    local y = d and tonumber(d:sub(1, 4))
    c.year[i] = y or NA
    local amount, cur = e:get("amount", i), e:get("currency", i)
    local rate = y and rates[y]
    c.rate[i], c.rate_kind[i] = rate or NA, (rate and kinds[y]) or NA
    if amount == nil or not CURRENCIES[cur] then
      c.usd[i], c.vnd[i] = NA, NA
    elseif cur == "USD" then
      c.usd[i], c.vnd[i] = amount, rate and amount * rate or NA
    else
      c.usd[i], c.vnd[i] = rate and amount / rate or NA, amount
    end
    if amount ~= nil and not rate then
      missing[y or "?"] = missing[y or "?"] or {}
      table.insert(missing[y or "?"], e:get("project_id", i))
    end
  end
  local years = {}
  for y in pairs(missing) do years[#years + 1] = y end
  table.sort(years, function(a, b) return tostring(a) < tostring(b) end)
  for _, y in ipairs(years) do
    local list = missing[y]
    local shown = {}
    for k = 1, math.min(#list, 5) do shown[k] = list[k] end
    warnings[#warnings + 1] = { year = y, events = #list, projects = shown, more = #list > 5 }
  end
  local names = { "id", "project_id", "zone_id", "province_id", "origin", "synthetic", "kind", "date", "year", "sign",
    "amount", "currency", "usd", "vnd", "rate", "rate_kind" }
  local cols = {
    id = e:column("id"), project_id = e:column("project_id"), kind = e:column("kind"), date = e:column("date"),
    amount = e:column("amount"), currency = e:column("currency"),
    zone_id = engine.column(c.zone_id, "str"), province_id = engine.column(c.province_id, "str"),
    origin = engine.column(c.origin, "str"), synthetic = engine.column(c.synthetic, "str"),
    sign = engine.column(c.sign, "int"), year = engine.column(c.year, "int"),
    usd = engine.column(c.usd, "float"), vnd = engine.column(c.vnd, "float"),
    rate = engine.column(c.rate, "float"), rate_kind = engine.column(c.rate_kind, "str"),
  }
  return engine.frame(cols, names), warnings
end

-- per project: registered capital from its events (in its currency, USD,
-- VND; NA in a currency when an event could not be converted)
local function capital_sums(e)
  local agg = e:filter(col("sign"):ne(0))
    :mutate { s = col("amount") * col("sign"), su = col("usd") * col("sign"), sv = col("vnd") * col("sign") }
    :group_by("project_id")
    :agg(engine.count():as("n"), engine.sum("s"):as("cap"), engine.sum("su"):as("usd"), engine.count("su"):as("usd_n"),
      engine.sum("sv"):as("vnd"), engine.count("sv"):as("vnd_n"))
  -- a project with an unconverted event has no value in that currency
  local usd, vnd = {}, {}
  for i = 1, agg:nrow() do
    local n = agg:get("n", i)
    usd[i] = agg:get("usd_n", i) == n and agg:get("usd", i) or NA
    vnd[i] = agg:get("vnd_n", i) == n and agg:get("vnd", i) or NA
  end
  return engine.frame({ project_id = agg:column("project_id"), cap_at = agg:column("cap"),
    usd_at = engine.column(usd, "float"), vnd_at = engine.column(vnd, "float") },
    { "project_id", "cap_at", "usd_at", "vnd_at" })
end

--- Each project's registered capital after all its events (for a
-- terminated project: just before its termination), in its own currency,
-- USD and VND.
-- @param ds a Dataset with its ledger
-- @treturn Frame project_id, cap_at, usd_at, vnd_at
function M.totals(ds)
  return capital_sums(ds.ledger)
end

local projects_at
local memo = setmetatable({}, { __mode = "k" }) -- ds → {as_of → frame}

--- The projects in the stock at a date (computed once per dataset and date): licensed on or before it and not
-- terminated on or before it (a project whose status is `terminated`
-- without a termination event is never in it), with their registered
-- capital at that date in their own currency (`capital`), in USD
-- (`capital_usd`) and VND (`capital_vnd`); NA in a currency when one of
-- their events could not be converted.
-- @param ds a Dataset
-- @tparam string as_of "yyyy-mm-dd"
-- @treturn Frame the projects' columns, with capital, capital_usd and capital_vnd at as_of
function M.projects_at(ds, as_of)
  local m = memo[ds]
  if not m then m = {} memo[ds] = m end
  if not m[as_of] then m[as_of] = projects_at(ds, as_of) end
  return m[as_of]
end

projects_at = function(ds, as_of)
  local e = ds.ledger:filter(col("date"):le(as_of))
  local gone = e:filter(col("kind"):eq("termination")):select("project_id")
  local dated = {}
  for row in ds.ledger:filter(col("kind"):eq("termination")):select("project_id"):rows() do
    dated[row.project_id] = true
  end
  local sums = capital_sums(e)
  local p = ds.projects:filter(col("license_date"):le(as_of))
  -- terminated without a date: out of every stock
  local undated = {}
  for row in p:filter(col("status"):eq("terminated")):select("id"):rows() do
    if not dated[row.id] then undated[#undated + 1] = row.id end
  end
  if #undated > 0 then p = p:filter(col("id"):isin(undated):eq(false)) end
  if gone:nrow() > 0 then p = p:join(gone, { on = { id = "project_id" }, how = "anti" }) end
  p = p:join(sums, { on = { id = "project_id" }, how = "left" })
  local names = {}
  for _, n in ipairs(p:names()) do
    if n ~= "capital" and n ~= "capital_usd" and n ~= "capital_vnd" and n ~= "cap_at" and n ~= "usd_at" and n ~= "vnd_at" then
      names[#names + 1] = n
    end
  end
  for _, n in ipairs({ "cap_at", "usd_at", "vnd_at" }) do names[#names + 1] = n end
  return p:select(names):rename { cap_at = "capital", usd_at = "capital_usd", vnd_at = "capital_vnd" }
end

--- The flows of a period: per origin and kind of event, the number of
-- events and their amounts in USD and VND, with how many could be
-- converted; terminations carry the registered capital that left.
-- @param ds a Dataset
-- @tparam {string,...} zone_ids the zones counted
-- @tparam ?string from first day ("yyyy-mm-dd"; nil: from the first event)
-- @tparam string to last day
-- @treturn table `[origin][kind] = {n, usd, vnd, usd_n, vnd_n, synthetic}`, origins
--   "FDI", "domestic" and "all"; `n` counts events (a project's new licence
--   is one event), `usd_n`/`vnd_n` those with a value in that currency
function M.flows(ds, zone_ids, from, to)
  local cond = col("zone_id"):isin(zone_ids) & col("date"):le(to)
  if from then cond = cond & col("date"):ge(from) end
  local e = ds.ledger:filter(cond)
  -- terminations: the capital that left is the project's capital before it
  local term = e:filter(col("kind"):eq("termination"))
  if term:nrow() > 0 then
    local caps = ds.projects:select("id", "capital_usd", "capital_vnd")
    local t2 = term:select("id", "project_id"):join(caps, { on = { project_id = "id" }, how = "left" })
    local usd, vnd = {}, {}
    for row in t2:rows() do usd[row.id], vnd[row.id] = row.capital_usd or NA, row.capital_vnd or NA end
    local u, v = {}, {}
    for i = 1, e:nrow() do
      local id = e:get("id", i)
      if e:get("kind", i) == "termination" then u[i], v[i] = usd[id], vnd[id]
      else u[i], v[i] = e:get("usd", i) or NA, e:get("vnd", i) or NA end
    end
    e = e:mutate { usd = engine.column(u, "float"), vnd = engine.column(v, "float") }
  end
  local out = { FDI = {}, domestic = {}, all = {} }
  local function add(origin, kind, n, usd, usd_n, vnd, vnd_n, syn)
    local t = out[origin][kind] or { n = 0, usd = 0, vnd = 0, usd_n = 0, vnd_n = 0, synthetic = 0 }
    t.n, t.usd, t.vnd = t.n + n, t.usd + (usd or 0), t.vnd + (vnd or 0)
    t.usd_n, t.vnd_n, t.synthetic = t.usd_n + usd_n, t.vnd_n + vnd_n, t.synthetic + syn
    out[origin][kind] = t
  end
  if e:nrow() > 0 then
    local g = e:mutate { syn = col("synthetic"):eq("yes"):fill_na(false):cast("int") }
      :group_by("origin", "kind")
      :agg(engine.count():as("n"), engine.sum("usd"):as("usd"), engine.count("usd"):as("usd_n"),
        engine.sum("vnd"):as("vnd"), engine.count("vnd"):as("vnd_n"), engine.sum("syn"):as("syn"))
    for row in g:rows() do
      local origin = row.origin == "FDI" and "FDI" or row.origin == "domestic" and "domestic" or nil
      if origin then add(origin, row.kind, row.n, row.usd, row.usd_n, row.vnd, row.vnd_n, row.syn) end
      add("all", row.kind, row.n, row.usd, row.usd_n, row.vnd, row.vnd_n, row.syn)
    end
  end
  local empty = { n = 0, usd = 0, vnd = 0, usd_n = 0, vnd_n = 0, synthetic = 0 }
  for _, o in pairs(out) do
    for _, k in ipairs(M.KINDS) do o[k] = o[k] or empty end
  end
  return out
end

--- The last day the events cover: the month end of the latest event.
-- @param ds a Dataset
-- @treturn ?string "yyyy-mm-dd"
function M.data_end(ds)
  local d = ds.ledger:column("date"):max()
  if not d then return nil end
  return period.month_end(d)
end

-- years as spans: {2004, ..., 2021, 2023} -> "2004–2021, 2023"
local function spans(years)
  table.sort(years)
  local parts, i = {}, 1
  while i <= #years do
    local j = i
    while j < #years and years[j + 1] == years[j] + 1 do j = j + 1 end
    parts[#parts + 1] = i == j and tostring(years[i]) or (years[i] .. "–" .. years[j])
    i = j + 1
  end
  return table.concat(parts, ", "), parts
end

--- Which rates converted the events of some zones up to a date, and the
-- years that had none.
-- @param ds a Dataset
-- @tparam {string,...} zone_ids
-- @tparam string as_of
-- @treturn ?table `{kinds = {{kind, years = "2004–2021"}, ...}, missing = {{years, events,
--   projects = {up to 5 ids}, more}, ...}}`, nil when no event has an amount
function M.rates_used(ds, zone_ids, as_of)
  local e = ds.ledger:filter(col("zone_id"):isin(zone_ids) & col("date"):le(as_of) & col("amount"):is_na():eq(false))
  if e:nrow() == 0 then return nil end
  local by_kind, missing = {}, {}
  for row in e:group_by("rate_kind", "year"):agg(engine.count():as("n")):rows() do
    if row.rate_kind then
      by_kind[row.rate_kind] = by_kind[row.rate_kind] or {}
      table.insert(by_kind[row.rate_kind], row.year)
    elseif row.year then
      missing[#missing + 1] = row.year
    end
  end
  local out = { kinds = {}, missing = {} }
  for _, k in ipairs({ "official_average", "sbv_central", "derived" }) do
    if by_kind[k] then out.kinds[#out.kinds + 1] = { kind = k, years = (spans(by_kind[k])) } end
  end
  local _, parts = spans(missing)
  for _, span in ipairs(parts) do
    local a, b = span:match("^(%d+)–(%d+)$")
    a, b = tonumber(a or span), tonumber(b or span)
    local ev = e:filter(col("year"):ge(a) & col("year"):le(b) & col("rate_kind"):is_na())
    local names = ev:distinct("project_id"):column("project_id"):totable()
    local shown = {}
    for k = 1, math.min(#names, 5) do shown[k] = names[k] end
    out.missing[#out.missing + 1] = { years = span, events = ev:nrow(), projects = shown, more = #names > 5 }
  end
  return out
end

-- ---- money of different currencies ---------------------------------------------------

local MONEY = { projects = { "capital", "disbursed" }, events = { "amount" } }

--- The money columns of a frame and the column saying their currency, by
-- the dataset's schema through a mapping (the built-in Vietnamese one by
-- default): `capital` and `disbursed` of projects and `amount` of events
-- are priced in `currency`.  A money column whose header names its unit
-- ("Vốn (triệu USD)") is in that one currency.
-- @tparam Frame f
-- @param[opt] map a mapping (zonestat.mapping)
-- @treturn table `{money = {name → true}, currency = name or nil, fixed = {name → "USD"|"VND"}}`
function M.money_columns(f, map)
  map = map or assert(mapping.load())
  local out = { money = {}, fixed = {} }
  for _, name in ipairs(f:names()) do
    for tname, cols in pairs(MONEY) do
      local c, unit = map:column_for(tname, name)
      if c == "currency" then out.currency = out.currency or name end
      for _, m in ipairs(cols) do
        if c == m then
          out.money[name] = true
          if unit and (unit.dimension == "USD" or unit.dimension == "VND") then out.fixed[name] = unit.dimension end
        end
      end
    end
  end
  return out
end

--- Whether summing some columns of a frame by some keys would mix amounts
-- of different currencies: a message naming the columns and the ways out
-- when the frame holds more than one currency and the currency column is
-- not a key (even groups of one currency each would give a result column
-- whose rows are in different currencies without saying which); nil when
-- the currency is a key, the frame holds one currency, or the columns are
-- no money.
-- @tparam Frame f
-- @tparam {string,...} by the group keys
-- @tparam {string,...} columns the columns to be summed (or averaged)
-- @tparam[opt] string locale "vi" or "en" (default "vi")
-- @param[opt] map a mapping
-- @treturn ?string
function M.mixed_currency(f, by, columns, locale, map)
  local m = M.money_columns(f, map)
  local cur = m.currency
  if not cur then return nil end
  for _, k in ipairs(by) do if k == cur then return nil end end
  local mixed = {}
  for _, c in ipairs(columns) do
    if m.money[c] and not m.fixed[c] then mixed[#mixed + 1] = c end
  end
  if #mixed == 0 then return nil end
  local seen = f:select(cur):distinct():filter(col(cur):is_na():eq(false)):column(cur):totable()
  if #seen <= 1 then return nil end
  table.sort(seen)
  local names = "'" .. table.concat(mixed, "', '") .. "'"
  if locale == "en" then
    return string.format("%s would add amounts in different currencies (column '%s' has %s): add --by %s, or " ..
      "convert first (zs.units.convert), or pass --allow-mixed-currency", names, cur, table.concat(seen, ", "), cur)
  end
  return string.format("%s sẽ cộng số tiền của nhiều loại tiền (cột '%s' có %s): thêm --by %s, hoặc quy đổi " ..
    "trước (zs.units.convert), hoặc dùng --allow-mixed-currency", names, cur, table.concat(seen, ", "), cur)
end

return M

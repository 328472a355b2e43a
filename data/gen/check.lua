--- Check the synthetic files of the bundled dataset and report their calibration.
--
-- Usage: lua5.4 data/gen/check.lua data/vn
--
-- Verifies every rule of the capital-event model (events.csv against projects.csv), the exact
-- calibration targets, the synthetic land and the FDI ranking, and prints the shape targets
-- (published figures of figures.csv beside the values recomputed from the events, with the
-- deviation). Exits with status 1 on any violation. Plain Lua 5.4.
local dir0 = debug.getinfo(1, "S").source:sub(2):match("^(.*)[/\\]") or "."
package.path = dir0 .. "/?.lua;" .. package.path
local L = require("lib")

local DIR = arg[1] or "data/vn"
local END = "2024-06-30" -- the data's end date: no event after it
local failures = 0
local function check(ok, msg)
  if not ok then failures = failures + 1; print("FAIL: " .. msg) end
  return ok
end
local function within(x, target, rel) return math.abs(x - target) <= rel * target end

local FX = L.read_fx(DIR)
local _, zones = L.read_csv(DIR .. "/zones.csv")
local ZONE = {}
for _, z in ipairs(zones) do ZONE[z.id] = z end
local header, projects = L.read_csv(DIR .. "/projects.csv")
check(#header == 15, "projects.csv has 15 columns")
local eheader, events = L.read_csv(DIR .. "/events.csv")
local _, figures = L.read_csv(DIR .. "/figures.csv")

local function year_of(date) return math.tointeger(tonumber(date:sub(1, 4))) end
local function valid_date(s)
  local y, m, d = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return false end
  y, m, d = math.tointeger(tonumber(y)), math.tointeger(tonumber(m)), math.tointeger(tonumber(d))
  return m >= 1 and m <= 12 and d >= 1 and d <= L.days_in_month(y, m)
end

---------------------------------------------------------------------------
-- projects.csv
---------------------------------------------------------------------------
local ENUM = {
  origin = { FDI = true, domestic = true }, currency = { USD = true, VND = true },
  status = { licensed = true, construction = true, operating = true, suspended = true, terminated = true },
  industrial_production = { yes = true, no = true }, synthetic = { yes = true },
}
local ENUM_COLS = { "origin", "currency", "status", "industrial_production", "synthetic" }

local P = {}
for i, p in ipairs(projects) do
  local where = "projects.csv:" .. (i + 1)
  for _, col in ipairs(ENUM_COLS) do check(ENUM[col][p[col]], where .. ": bad " .. col .. " '" .. tostring(p[col]) .. "'") end
  check(not P[p.id], where .. ": duplicate id " .. p.id)
  P[p.id] = p
  p.line = i + 1
  p.prov = p.id:match("^syn%-(%a+)%-")
  local z = ZONE[p.zone_id]
  check(z ~= nil, where .. ": unknown zone " .. p.zone_id)
  check(z and z.province == (p.prov == "hp" and "Hải Phòng" or "Quảng Ngãi"), where .. ": zone not in the id's province")
  check(z and z.status ~= "planned", where .. ": project in a planned zone")
  check(valid_date(p.license_date) and p.license_date <= END, where .. ": license_date")
  if z and tonumber(z.year_established) then
    check(year_of(p.license_date) >= tonumber(z.year_established), where .. ": licensed before the zone existed")
  end
  check(p.investor:find("(synthetic)", 1, true), where .. ": investor name not marked synthetic")
  check((p.origin == "FDI") == (p.currency == "USD"), where .. ": FDI must be USD, domestic VND")
  check((p.origin == "FDI") == (p.country ~= "Vietnam"), where .. ": country/origin mismatch")
  p.cap = math.tointeger(tonumber(p.capital))
  check(p.cap and p.cap > 0, where .. ": capital must be a positive integer")
  if p.currency == "VND" then check(p.cap and p.cap % 1000000 == 0, where .. ": VND capital not in whole millions") end
  check(tonumber(p.disbursed) <= (p.cap or 0), where .. ": disbursed > capital")
  if p.industrial_production == "yes" then check(p.status == "operating", where .. ": industrial production but not operating") end
  if p.status ~= "operating" then check(tonumber(p.employees) == 0, where .. ": employees on a non-operating project") end
  if p.status == "terminated" then check(tonumber(p.land_ha) == 0, where .. ": land on a terminated project") end
  p.events = {}
end

---------------------------------------------------------------------------
-- events.csv: the rules of the capital-event model (EVENTS.md)
---------------------------------------------------------------------------
local EVENT_COLS = { "id", "project_id", "kind", "date", "amount", "currency", "synthetic", "note" }
check(table.concat(eheader, ",") == table.concat(EVENT_COLS, ","), "events.csv columns are " .. table.concat(EVENT_COLS, ","))
local KIND_ORDER = { new_licence = 1, capital_increase = 2, capital_decrease = 3, share_purchase = 4, termination = 5 }
local eids = {}
for i, e in ipairs(events) do
  local where = "events.csv:" .. (i + 1)
  check(e.id:match("^ev%-%l%l%-%d%d%d%d%d%d$"), where .. ": id '" .. e.id .. "' is not ev-<province>-NNNNNN")
  check(not eids[e.id], where .. ": duplicate id " .. e.id)
  eids[e.id] = true
  local p = P[e.project_id]
  if check(p ~= nil, where .. ": unknown project_id '" .. e.project_id .. "'") then
    p.events[#p.events + 1] = e
    check(e.id:sub(4, 5) == p.prov, where .. ": id province differs from the project's")
  end
  check(KIND_ORDER[e.kind] ~= nil, where .. ": unknown kind '" .. e.kind .. "'")
  check(valid_date(e.date), where .. ": date '" .. e.date .. "' is not a date")
  check(e.date <= END, where .. ": event after " .. END)
  check(e.synthetic == "yes", where .. ": synthetic must be yes")
  if e.amount == "" then
    check(e.kind == "termination", where .. ": amount missing (allowed only for termination)")
  else
    e.amt = math.tointeger(tonumber(e.amount))
    check(e.amount:match("^%d+$") and e.amt ~= nil, where .. ": amount must be an integer >= 0")
    e.amt = e.amt or 0
    check(e.currency == "USD" or e.currency == "VND", where .. ": currency must be USD or VND when amount is given")
    if p then check(e.currency == p.currency, where .. ": currency differs from the project's (rule 3)") end
    if e.currency == "VND" then check(e.amt % 1000000 == 0, where .. ": VND amount not in whole millions") end
    if e.kind == "new_licence" then check(e.amt > 0, where .. ": licence amount must be positive") end
  end
end

local function sort_events(t)
  table.sort(t, function(a, b)
    if a.date ~= b.date then return a.date < b.date end
    return KIND_ORDER[a.kind] < KIND_ORDER[b.kind]
  end)
end
for _, p in ipairs(projects) do
  local where = "project " .. p.id
  sort_events(p.events)
  local lic, term = {}, {}
  for _, e in ipairs(p.events) do
    if e.kind == "new_licence" then lic[#lic + 1] = e elseif e.kind == "termination" then term[#term + 1] = e end
  end
  -- rule 1 (and: every bundled project has events)
  check(#lic == 1, where .. ": " .. #lic .. " new_licence events (exactly one required)")
  if lic[1] then check(lic[1].date == p.license_date, where .. ": new_licence dated " .. lic[1].date .. ", license_date " .. p.license_date) end
  for _, e in ipairs(p.events) do check(e.date >= p.license_date, where .. ": " .. e.kind .. " " .. e.date .. " before the licence") end
  -- rule 2
  check(#term <= 1, where .. ": more than one termination")
  check((#term == 1) == (p.status == "terminated"), where .. ": status '" .. p.status .. "' but " .. #term .. " termination(s)")
  if term[1] then
    p.term_date = term[1].date
    for _, e in ipairs(p.events) do
      if e ~= term[1] then check(e.date < term[1].date, where .. ": " .. e.kind .. " " .. e.date .. " not before the termination") end
    end
  end
  -- rule 4: registered capital never negative; projects.csv capital = after all events
  local cap, i = 0, 1
  while i <= #p.events do
    local d = p.events[i].date
    while i <= #p.events and p.events[i].date == d do
      local e = p.events[i]
      if e.kind == "new_licence" or e.kind == "capital_increase" then cap = cap + e.amt
      elseif e.kind == "capital_decrease" then cap = cap - e.amt end
      i = i + 1
    end
    check(cap >= 0, where .. ": registered capital negative at " .. d)
  end
  check(cap == p.cap, string.format("%s: capital %s but its events sum to %d", where, p.capital, cap))
  -- the synthetic model: Quảng Ngãi's domestic events all fall in years with a rate
  if p.prov == "qn" and p.currency == "VND" then
    for _, e in ipairs(p.events) do
      if e.amt then check(FX[year_of(e.date)] ~= nil, where .. ": Quảng Ngãi VND event in " .. e.date:sub(1, 4) .. " has no rate") end
    end
  end
end

---------------------------------------------------------------------------
-- Stocks and flows recomputed from the events
---------------------------------------------------------------------------
-- stock at D: projects licensed <= D and not terminated <= D; their registered capital at D in
-- their currency, and in USD with each VND event at its year's rate (nil if a year has no rate).
local function stock(prov, origin, D)
  local n, cap, usd = 0, 0, 0.0
  for _, p in ipairs(projects) do
    if p.prov == prov and (origin == nil or p.origin == origin) and p.license_date <= D
      and not (p.term_date and p.term_date <= D) then
      n = n + 1
      for _, e in ipairs(p.events) do
        if e.date <= D and e.amt and e.kind ~= "share_purchase" and e.kind ~= "termination" then
          local s = (e.kind == "capital_decrease") and -e.amt or e.amt
          if origin ~= nil then cap = cap + s end
          if p.currency == "USD" then
            if usd then usd = usd + s end
          else
            local r = FX[year_of(e.date)]
            if r and usd then usd = usd + s / r else usd = nil end
          end
        end
      end
    end
  end
  return n, cap, usd
end

-- flows in [from, to]: amounts and counts by kind, distinct projects by kind
local function flows(prov, origin, from, to)
  local f = { amount = {}, count = {}, projects = {}, new_or_increase = 0 }
  for k in pairs(KIND_ORDER) do f.amount[k], f.count[k], f.projects[k] = 0, 0, 0 end
  for _, p in ipairs(projects) do
    if p.prov == prov and (origin == nil or p.origin == origin) then
      local seen, ni = {}, false
      for _, e in ipairs(p.events) do
        if e.date >= from and e.date <= to then
          f.amount[e.kind] = f.amount[e.kind] + (e.amt or 0)
          f.count[e.kind] = f.count[e.kind] + 1
          if not seen[e.kind] then seen[e.kind] = true; f.projects[e.kind] = f.projects[e.kind] + 1 end
          if e.kind == "new_licence" or e.kind == "capital_increase" then ni = true end
        end
      end
      if ni then f.new_or_increase = f.new_or_increase + 1 end
    end
  end
  return f
end

local function period_bounds(period)
  local a, b = period:match("^(%d%d%d%d%-%d%d%-%d%d)/(%d%d%d%d%-%d%d%-%d%d)$")
  if a then return a, b end
  a, b = period:match("^(%d%d%d%d)/(%d%d%d%d)$")
  if a then return a .. "-01-01", b .. "-12-31" end
  return period .. "-01-01", period .. "-12-31"
end

---------------------------------------------------------------------------
-- Totals at the end date and the exact targets
---------------------------------------------------------------------------
local function bn(x) return x and string.format("%.6f bn USD", x / 1e9) or "n/a" end
local function trn(x) return string.format("%.3f trn VND", x / 1e12) end
local T = {}
for _, prov in ipairs({ "hp", "qn" }) do
  local t = { op = 0, ip = 0, emp = 0, land = 0, zones = {}, rows = 0, terminated = 0 }
  t.n = stock(prov, nil, END)
  t.n_fdi, t.fdi = stock(prov, "FDI", END)
  t.n_dom, t.dom_vnd, t.dom_usd = stock(prov, "domestic", END)
  for _, p in ipairs(projects) do
    if p.prov == prov then
      t.rows = t.rows + 1
      if p.status == "terminated" then t.terminated = t.terminated + 1 end
      if p.status == "operating" then t.op = t.op + 1 end
      if p.industrial_production == "yes" then t.ip = t.ip + 1 end
      t.emp = t.emp + tonumber(p.employees)
      local cha = math.tointeger(math.floor(tonumber(p.land_ha) * 100 + 0.5))
      t.land = t.land + cha
      t.zones[p.zone_id] = (t.zones[p.zone_id] or 0) + cha
    end
  end
  T[prov] = t
end
local hp, qn = T.hp, T.qn
print(string.format("Synthetic registry at %s (valid projects: licensed, not terminated; capital from events.csv)", END))
for _, prov in ipairs({ "hp", "qn" }) do
  local t = T[prov]
  print(string.format("  %s: %d rows, %d terminated; %d valid = %d FDI (%s) + %d domestic (%s; in USD at each event's year rate: %s)",
    prov, t.rows, t.terminated, t.n, t.n_fdi, bn(t.fdi), t.n_dom, trn(t.dom_vnd), t.dom_usd and bn(t.dom_usd) or "n/a, events in years without a rate"))
  print(string.format("      operating %d, industrial production %d, employees %d, land %.2f ha", t.op, t.ip, t.emp, t.land / 100))
end
print(string.format("  events.csv: %d rows", #events))

check(hp.n == 784, "HP valid projects = 784")
check(hp.n_fdi == 561 and hp.n_dom == 223, "HP valid 561 FDI + 223 domestic")
check(hp.fdi == 24600000000, "HP FDI registered capital at 2024-06-30 = 24,600,000,000 USD exactly")
local f21 = flows("hp", "FDI", "2021-01-01", "2021-12-31")
check(f21.amount.new_licence + f21.amount.capital_increase == 2960000000, "HP FDI 2021 new + increases = 2,960,000,000 USD exactly")
check(f21.amount.share_purchase == 2200000000, "HP FDI 2021 share purchases = 2,200,000,000 USD exactly")
check(qn.n == 349, "QN valid projects = 349")
check(qn.dom_usd ~= nil and within(qn.fdi + qn.dom_usd, 18.37e9, 0.0005), "QN registered capital ≈ 18.37 bn USD (0.05 %)")
check(qn.op == 256, "QN operating = 256")
check(qn.ip == 195, "QN industrial production = 195")
check(hp.emp == 200000 and qn.emp == 77000, "employees 200,000 (HP) and 77,000 (QN)")
print(string.format("  exact: HP FDI %s; 2021 new + increases %s, share purchases %s; QN total %s (%+.5f %%)",
  bn(hp.fdi), bn(f21.amount.new_licence + f21.amount.capital_increase), bn(f21.amount.share_purchase),
  bn(qn.fdi + (qn.dom_usd or 0)), ((qn.fdi + (qn.dom_usd or 0)) / 18.37e9 - 1) * 100))

---------------------------------------------------------------------------
-- Shape targets: published figures beside the synthetic values
---------------------------------------------------------------------------
local QSIGN = { over = ">", at_least = ">=", about = "~", nearly = "≈", at_most = "<=" }
local function pub(r, scale, fmt)
  return (QSIGN[r.qualifier] or "") .. string.format(fmt, tonumber(r.value) / scale)
end
local function dev(syn, published)
  if not syn then return "n/a" end
  return string.format("%+.1f %%", (syn / published - 1) * 100)
end
-- rows dated up to END (flows: whose period starts by END)
local function rows_of(entity, indicator, unit)
  local t = {}
  for _, r in ipairs(figures) do
    local first = (r.period ~= "") and period_bounds(r.period) or r.as_of
    if r.entity == entity and r.indicator == indicator and (unit == nil or r.unit == unit) and r.as_of ~= "" and first <= END then
      t[#t + 1] = r
    end
  end
  table.sort(t, function(a, b) if a.as_of ~= b.as_of then return a.as_of < b.as_of end return a.value < b.value end)
  return t
end
local function line(...) print(string.format(...)) end

print("\nShape: Hải Phòng FDI attracted per year (new licences + capital increases + share purchases), bn USD")
line("  %-6s %11s %10s %11s   %8s %9s %9s %9s", "year", "published", "synthetic", "deviation", "new", "increase", "shares", "decrease")
for _, r in ipairs(rows_of("hp", "fdi_inflow_year", "USD")) do
  local from, to = period_bounds(r.period)
  local f = flows("hp", "FDI", from, (to > END) and END or to)
  local syn = f.amount.new_licence + f.amount.capital_increase + f.amount.share_purchase
  local target, label = tonumber(r.value), r.period
  if to > END then target, label = target / 2, r.period .. "*" end
  line("  %-6s %11s %10.3f %11s   %8.3f %9.3f %9.3f %9.3f", label, pub(r, 1e9, "%.3f"), syn / 1e9, dev(syn, target),
    f.amount.new_licence / 1e9, f.amount.capital_increase / 1e9, f.amount.share_purchase / 1e9, f.amount.capital_decrease / 1e9)
end
print("  * to 2024-06-30 only: deviation from half the published full-year value")
for _, ind in ipairs({ "fdi_inflow_new_and_increase", "fdi_inflow_share_purchase", "fdi_inflow_period" }) do
  for _, r in ipairs(rows_of("hp", ind, "USD")) do
    local from, to = period_bounds(r.period)
    local f = flows("hp", "FDI", from, to)
    local syn = f.amount.new_licence + f.amount.capital_increase
    if ind == "fdi_inflow_share_purchase" then syn = f.amount.share_purchase
    elseif ind == "fdi_inflow_period" then syn = syn + f.amount.share_purchase end
    line("  %-22s %s: published %s, synthetic %.3f, deviation %s", r.period, ind, pub(r, 1e9, "%.3f"), syn / 1e9, dev(syn, tonumber(r.value)))
  end
end

print("\nShape: Hải Phòng FDI registered capital (stock of valid projects), bn USD")
line("  %-10s %11s %10s %11s", "as_of", "published", "synthetic", "deviation")
for _, r in ipairs(rows_of("hp", "capital_fdi", "USD")) do
  local _, cap = stock("hp", "FDI", r.as_of)
  line("  %-10s %11s %10.3f %11s%s", r.as_of, pub(r, 1e9, "%.3f"), cap / 1e9, dev(cap, tonumber(r.value)),
    r.as_of == END and "   (exact target)" or "")
end

print("\nShape: Hải Phòng domestic registered capital, trn VND (calibrated in VND; no rate needed)")
line("  %-10s %11s %10s %11s", "as_of", "published", "synthetic", "deviation")
local dom_rows = rows_of("hp", "capital_domestic", "VND")
local has_end = false
for _, r in ipairs(dom_rows) do if r.as_of == END then has_end = true end end
for _, r in ipairs(dom_rows) do
  local _, cap = stock("hp", "domestic", r.as_of)
  line("  %-10s %11s %10.3f %11s", r.as_of, pub(r, 1e12, "%.3f"), cap / 1e12, dev(cap, tonumber(r.value)))
end
if not has_end then
  local _, cap = stock("hp", "domestic", END)
  line("  %-10s %11s %10.3f %11s", END, "–", cap / 1e12, "–")
end
print("  published in USD (the sources convert the VND stock at a current rate), synthetic with each event at its")
print("  own year's rate (the model's rule) where every year has one:")
for _, r in ipairs(rows_of("hp", "capital_domestic", "USD")) do
  local _, _, usd = stock("hp", "domestic", r.as_of)
  line("  %-10s %11s %10s %11s", r.as_of, pub(r, 1e9, "%.3f"), usd and string.format("%.3f", usd / 1e9) or "n/a", usd and dev(usd, tonumber(r.value)) or "(no rate for 2022/2024)")
end

print("\nShape: Hải Phòng valid project counts")
line("  %-10s %-18s %9s %9s %11s", "as_of", "indicator", "published", "synthetic", "deviation")
local counts = {}
for _, ind in ipairs({ "projects_fdi", "projects_domestic", "projects_total" }) do
  for _, r in ipairs(rows_of("hp", ind, "count")) do counts[#counts + 1] = r end
end
table.sort(counts, function(a, b) if a.as_of ~= b.as_of then return a.as_of < b.as_of end return a.indicator < b.indicator end)
local ORIGIN = { projects_fdi = "FDI", projects_domestic = "domestic" }
for _, r in ipairs(counts) do
  local n = stock("hp", ORIGIN[r.indicator], r.as_of)
  line("  %-10s %-18s %9s %9d %11s", r.as_of, r.indicator, pub(r, 1, "%d"), n, dev(n, tonumber(r.value)))
end

print("\nShape: Hải Phòng FDI events counted per year")
line("  %-6s %-30s %9s %9s %11s", "period", "indicator", "published", "synthetic", "deviation")
for _, ind in ipairs({ "fdi_projects_new", "fdi_capital_increases", "fdi_projects_new_and_increase" }) do
  for _, r in ipairs(rows_of("hp", ind, "count")) do
    local from, to = period_bounds(r.period)
    local f = flows("hp", "FDI", from, (to > END) and END or to)
    local n
    if ind == "fdi_projects_new" then n = f.count.new_licence
    elseif ind == "fdi_projects_new_and_increase" then n = f.new_or_increase
    else
      n = f.count.capital_increase
      if r.definition:find("share purchases", 1, true) then n = n + f.count.share_purchase end
    end
    line("  %-6s %-30s %9s %9d %11s", r.period, ind, pub(r, 1, "%d"), n, dev(n, tonumber(r.value)))
  end
end

print("\nShape: Quảng Ngãi (stocks in USD, domestic at each event's year rate)")
line("  %-10s %-28s %11s %10s %11s", "as_of", "indicator", "published", "synthetic", "deviation")
local QN_STOCK = { projects_fdi = { "FDI", "n" }, projects_domestic = { "domestic", "n" }, projects_total = { nil, "n" },
  capital_fdi = { "FDI", "usd" }, capital_domestic = { "domestic", "usd" }, capital_registered = { nil, "usd" } }
local qrows = {}
for _, ind in ipairs({ "projects_total", "projects_fdi", "projects_domestic", "capital_registered", "capital_fdi", "capital_domestic" }) do
  for _, r in ipairs(rows_of("qn", ind)) do
    if r.unit == "count" or r.unit == "USD" then qrows[#qrows + 1] = r end
  end
end
table.sort(qrows, function(a, b) return a.as_of < b.as_of end)
for _, r in ipairs(qrows) do
  local spec = QN_STOCK[r.indicator]
  local syn
  if spec[1] == nil then
    local n1, _, u1 = stock("qn", "FDI", r.as_of)
    local n2, _, u2 = stock("qn", "domestic", r.as_of)
    syn = (spec[2] == "n") and (n1 + n2) or (u1 and u2 and (u1 + u2))
  else
    local n, _, u = stock("qn", spec[1], r.as_of)
    syn = (spec[2] == "n") and n or u
  end
  if spec[2] == "n" then
    line("  %-10s %-28s %11s %10d %11s", r.as_of, r.indicator, pub(r, 1, "%d"), syn, dev(syn, tonumber(r.value)))
  else
    line("  %-10s %-28s %11s %10.3f %11s", r.as_of, r.indicator .. " (bn USD)", pub(r, 1e9, "%.3f"), syn / 1e9, dev(syn, tonumber(r.value)))
  end
end
for _, ind in ipairs({ "projects_new", "projects_capital_increases" }) do
  for _, r in ipairs(rows_of("qn", ind, "count")) do
    local from, to = period_bounds(r.period)
    if to <= END then
      local f = flows("qn", nil, from, to)
      local n = (ind == "projects_new") and f.count.new_licence or f.count.capital_increase
      line("  %-10s %-28s %11s %10d %11s", r.period, ind, pub(r, 1, "%d"), n, dev(n, tonumber(r.value)))
    end
  end
end

---------------------------------------------------------------------------
-- zones_synthetic_land.csv: leased land per KCN = sum of its projects' land; occupancy.
---------------------------------------------------------------------------
local _, land = L.read_csv(DIR .. "/zones_synthetic_land.csv")
local ind, leased = 0, 0
for _, r in ipairs(land) do
  check(r.synthetic == "yes", "zones_synthetic_land: synthetic=yes")
  local z = ZONE[r.zone_id]
  check(z and z.kind == "KCN" and z.province == "Hải Phòng" and z.status ~= "planned", "zones_synthetic_land: " .. r.zone_id .. " is an established HP KCN")
  local li = math.tointeger(math.floor(tonumber(r.industrial_land_ha) * 100 + 0.5))
  local ll = math.tointeger(math.floor(tonumber(r.leased_land_ha) * 100 + 0.5))
  ind, leased = ind + li, leased + ll
  check(ll <= li, "zones_synthetic_land: leased <= industrial in " .. r.zone_id)
  check((hp.zones[r.zone_id] or 0) == ll, "zones_synthetic_land: projects' land sums to leased land in " .. r.zone_id)
end
print(string.format("\nSynthetic land (zones_synthetic_land.csv): %d KCN, industrial %.2f ha, leased %.2f ha, occupancy %.4f",
  #land, ind / 100, leased / 100, leased / ind))
check(#land == 14, "zones_synthetic_land: 14 KCN")
check(ind == 402800, "industrial land total = 4,028 ha")
check(math.abs(leased / ind - 0.65) < 0.00005, "occupancy = 65 %")

-- fdi_rank.csv: the published facts hold.
local _, rk = L.read_csv(DIR .. "/fdi_rank.csv")
local hpr = {}
for _, r in ipairs(rk) do if r.province_id == "hp" then hpr[tonumber(r.year)] = tonumber(r.rank) end end
print(string.format("FDI ranking (fdi_rank.csv): %d rows; Hải Phòng ranks 2019–2024: %d %d %d %d %d %d",
  #rk, hpr[2019], hpr[2020], hpr[2021], hpr[2022], hpr[2023], hpr[2024]))
check(hpr[2021] <= 3 and hpr[2022] <= 3 and hpr[2023] <= 3, "Hải Phòng in the top 3 in 2021–2023")
check(hpr[2023] == 2, "Hải Phòng 2nd in 2023")

if failures > 0 then print(failures .. " check(s) failed"); os.exit(1) end
print("all checks passed")

-- Capital events, registered capital at a date, flows of a period in USD
-- and VND, disbursement: against values worked out by hand below.
local zs = require "zonestat"
local util = require "spec_util"

local function has(list, pattern)
  for _, s in ipairs(list) do
    if s:find(pattern, 1, true) then return true end
  end
  return false
end

-- A registry of four projects (canonical headers) with its own rates: no rate for 2022.
--   P1 FDI, USD: licence 2019-03-01 10 mn, +8 mn 2020-05-01, −3 mn 2021-02-01 → 15 mn; disbursed 9 mn
--   P2 FDI, USD: licence 2020-07-01 10 mn, share purchase 2 mn 2021-03-01, terminated 2022-01-15
--   P3 domestic, VND: licence 2021-06-01 500 bn, +100 bn 2022-02-01 → 600 bn; disbursed 300 bn
--   P4 domestic, VND: licence 2023-04-01 200 bn, no events (a licence is derived)
local PROJECTS = [[
id,name,zone,province,origin,capital,currency,disbursed,license_date,status
P1,Nhà máy A,KCN Đình Vũ,Hải Phòng,FDI,15000000,USD,9000000,2019-03-01,operating
P2,Nhà máy B,KCN Đình Vũ,Hải Phòng,FDI,10000000,USD,,2020-07-01,terminated
P3,Nhà máy C,KCN Nomura,Hải Phòng,domestic,600000000000,VND,300000000000,2021-06-01,operating
P4,Nhà máy D,KCN Nomura,Hải Phòng,domestic,200000000000,VND,,2023-04-01,licensed
]]
local EVENTS = [[
id,project_id,kind,date,amount,currency
e1,P1,new_licence,2019-03-01,10000000,USD
e2,P1,capital_increase,2020-05-01,8000000,USD
e3,P1,capital_decrease,2021-02-01,3000000,USD
e4,P2,new_licence,2020-07-01,10000000,USD
e5,P2,share_purchase,2021-03-01,2000000,USD
e6,P2,termination,2022-01-15,,
e7,P3,new_licence,2021-06-01,500000000000,VND
e8,P3,capital_increase,2022-02-01,100000000000,VND
]]
local FX = [[
year,vnd_per_usd,kind
2019,23000,official_average
2020,23200,official_average
2021,23100,official_average
2023,23800,derived
]]

local function registry(name, events, projects)
  local dir = util.tmpdir() .. "/" .. name
  util.run("rm -rf '" .. dir .. "' && mkdir -p '" .. dir .. "'")
  for file, text in pairs({ ["projects.csv"] = projects or PROJECTS, ["events.csv"] = events, ["fx.csv"] = FX }) do
    if text then
      local fh = assert(io.open(dir .. "/" .. file, "wb"))
      fh:write(text)
      fh:close()
    end
  end
  return dir
end

local function load(events, projects)
  local dir = registry("cap_" .. tostring(math.random(1e9)), events, projects)
  return zs.dataset.load(dir)
end

local function flow(rows, key)
  for _, r in ipairs(rows) do if r.key == key then return r end end
  error("no flow row " .. key)
end

describe("capital events", function()
  local ds = assert(load(EVENTS))

  it("derive a licence for a project without events, and say so", function()
    assert.is_true(has(ds.notes, "1 project(s) without events: one new licence each"))
    assert.equals(9, ds.events:nrow())
  end)

  it("give each project its registered capital after all events, in USD and VND", function()
    local p = ds.projects
    local function row(id) for i = 1, p:nrow() do if p:get("id", i) == id then return i end end end
    -- P1: 10e6 (2019) + 8e6 (2020) − 3e6 (2021), each at its year's rate in VND
    assert.equals(15000000, p:get("capital_usd", row("P1")))
    assert.equals(10e6 * 23000 + 8e6 * 23200 - 3e6 * 23100, p:get("capital_vnd", row("P1")))
    -- P3: the 2022 increase has no rate, so no USD value at all
    assert.equals(600000000000, p:get("capital_vnd", row("P3")))
    assert.is_nil(p:get("capital_usd", row("P3")))
    assert.is_true(has(ds.warnings, "no USD/VND rate for 2022: 1 event(s) not converted (projects P3)"))
  end)

  it("count the valid projects and their capital at a date", function()
    local at = zs.indicators.profile(ds, "hp", { as_of = "2021-12-31" }).figures
    assert.equals(3, at.projects.value)
    assert.equals(25000000, at.fdi_capital_usd.value)         -- P1 15 + P2 10 (the share purchase adds nothing)
    assert.equals(500000000000, at.domestic_capital_vnd.value)
    assert.equals(500000000000 / 23100, at.domestic_capital_usd.value)
    local later = zs.indicators.profile(ds, "hp", { as_of = "2022-06-30" }).figures
    assert.equals(2, later.projects.value)                     -- P2 terminated on 2022-01-15
    assert.equals(15000000, later.fdi_capital_usd.value)
    assert.equals(600000000000, later.domestic_capital_vnd.value)
    assert.is_nil(later.domestic_capital_usd.value)             -- the 2022 increase has no rate
    local before = zs.indicators.profile(ds, "hp", { as_of = "2020-06-30" }).figures
    assert.equals(18000000, before.fdi_capital_usd.value)       -- P1 after its increase
  end)

  it("sum each kind of event over a period, the same period a year earlier, and cumulatively", function()
    local p = assert(zs.indicators.profile(ds, "hp", { period = "2021" }))
    local f = p.flows
    assert.equals(0, flow(f, "fdi_projects_new").period.value)
    assert.equals(1, flow(f, "fdi_decreases").period.value)
    assert.equals(3000000, flow(f, "fdi_capital_decrease").period.value)
    assert.equals(1, flow(f, "fdi_share_purchases").period.value)
    assert.equals(2000000, flow(f, "fdi_share_purchase").period.value)
    assert.equals(2000000, flow(f, "fdi_attracted").period.value)           -- 0 new + 0 increase + 2 share purchase
    assert.equals(18000000, flow(f, "fdi_attracted").previous.value)        -- 2020: P2 10 new + P1 8 increase
    assert.near(2 / 18 - 1, flow(f, "fdi_attracted").change.value, 1e-12)
    assert.equals(30000000, flow(f, "fdi_attracted").cumulative.value)      -- 20 new + 8 increase + 2 share purchase
    assert.equals(2000000 * 23100, flow(f, "fdi_attracted_vnd").period.value)
    assert.equals(1, flow(f, "domestic_projects_new").period.value)
    assert.equals(500000000000, flow(f, "domestic_capital_new").period.value)
    assert.equals(500000000000 / 23100, flow(f, "domestic_capital_new_usd").period.value)
    assert.equals(0, flow(f, "domestic_projects_new").previous.value)
    assert.is_nil(flow(f, "domestic_projects_new").change.value)          -- from 0: no change ratio
    assert.equals("zero_base", flow(f, "domestic_projects_new").change.reason)
    assert.equals("recomputed", flow(f, "fdi_attracted").period.class)
    assert.equals("2021-01-01", p.period.from)
    assert.equals("2020-12-31", p.previous.to)
  end)

  it("count terminations with the capital that left, and leave out events without a rate", function()
    local f = assert(zs.indicators.profile(ds, "hp", { period = "2022-H1" })).flows
    assert.equals(1, flow(f, "fdi_terminations").period.value)
    assert.equals(10000000, flow(f, "fdi_capital_terminated").period.value)
    assert.equals(100000000000, flow(f, "domestic_capital_increase").period.value)
    local usd = flow(f, "domestic_capital_increase_usd").period
    assert.is_nil(usd.value)
    assert.equals("no_rate", usd.reason)
    local cum = flow(f, "domestic_attracted_usd").cumulative -- 2021's licence converts, 2022's increase does not
    assert.equals(500000000000 / 23100, cum.value)
    assert.same({ have = 1, of = 2, what = "usd_events" }, cum.coverage)
  end)

  it("give the disbursement rate over the projects with a figure, per origin", function()
    local fig = zs.indicators.profile(ds, "hp", { as_of = "2023-04-30" }).figures
    assert.equals(9000000 / 15000000, fig.fdi_disbursement_rate.value)
    assert.equals(300000000000 / 600000000000, fig.domestic_disbursement_rate.value)
    assert.same({ have = 2, of = 3, what = "disbursed_vnd" }, fig.disbursed_vnd.coverage) -- P4 has no figure
    local early = zs.indicators.profile(ds, "hp", { as_of = "2021-12-31" }).figures
    assert.is_nil(early.disbursement_rate.value)               -- the registry's disbursed is as of its end
    assert.equals("disbursed_later", early.disbursement_rate.reason)
  end)

  it("refuse a period that ends after the as-of date, naming both", function()
    local p, err = zs.indicators.profile(ds, "hp", { period = "2024-H2", as_of = "2024-06-30" })
    assert.is_nil(p)
    assert.matches("the period H2 2024 ends on 2024%-12%-31, after the as%-of date 2024%-06%-30", err)
    p, err = zs.indicators.profile(ds, "hp", { period = "2024-Q5" })
    assert.is_nil(p)
    assert.matches("2024%-Q5", err)
  end)
end)

describe("capital events that break the rules", function()
  local function problems_of(edit)
    local ds, problems = load(edit(EVENTS))
    assert.is_nil(ds)
    return table.concat(problems, "\n"), problems
  end

  it("name the file, line and column of each", function()
    local msg, list = problems_of(function(e)
      return (e:gsub("e2,P1,capital_increase,2020%-05%-01", "e2,P1,capital_increase,2019-01-01"))
    end)
    assert.is_true(has(list, "events.csv:3: column 'date': capital_increase of 'P1' on 2019-01-01, before its " ..
      "new_licence"), msg)
    msg, list = problems_of(function(e) return e .. "e9,P1,new_licence,2021-05-01,1,USD\n" end)
    assert.is_true(has(list, "events.csv:10: column 'kind': project 'P1' has a second new_licence"), msg)
    msg, list = problems_of(function(e) return (e:gsub("e1,P1,new_licence,2019%-03%-01", "e1,P1,new_licence,2019-03-02")) end)
    assert.is_true(has(list, "column 'date': new_licence of 'P1' on 2019-03-02 but the project's licence date is " ..
      "2019-03-01"), msg)
    msg, list = problems_of(function(e) return (e:gsub("3000000,USD", "30000000,USD")) end)
    assert.is_true(has(list, "events.csv:4: column 'amount': capital_decrease of 'P1' takes its registered capital " ..
      "below 0"), msg)
    msg, list = problems_of(function(e) return (e:gsub("8000000,USD", "7000000,USD")) end)
    assert.is_true(has(list, "events.csv:4: column 'amount': the events of 'P1' add up to 14000000 USD but its " ..
      "capital is 15000000 USD"), msg)
    msg, list = problems_of(function(e) return (e:gsub("8000000,USD", "8000000,VND")) end)
    assert.is_true(has(list, "column 'currency': capital_increase of 'P1' in VND but the project's capital is in USD"), msg)
    msg, list = problems_of(function(e) return e .. "e9,P2,capital_increase,2022-03-01,1,USD\n" end)
    assert.is_true(has(list, "capital_increase of 'P2' on 2022-03-01, after its termination on 2022-01-15"), msg)
    msg, list = problems_of(function(e) return e .. "e9,P9,capital_increase,2022-03-01,1,USD\n" end)
    assert.is_true(has(list, "events.csv:10: column 'project_id': unknown project_id 'P9'"), msg)
    msg, list = problems_of(function(e) return e .. "e9,P1,doubling,2022-03-01,1,USD\n" end)
    assert.is_true(has(list, "events.csv:10: column 'kind': unknown kind 'doubling'"), msg)
    msg, list = problems_of(function(e) return e .. "e9,P1,capital_increase,2022-03-01,,\n" end)
    assert.is_true(has(list, "events.csv:10: column 'amount': missing amount of a capital_increase"), msg)
  end)

  it("refuse a termination of a project whose status says otherwise", function()
    local ds, problems = load(EVENTS, (PROJECTS:gsub("2020%-07%-01,terminated", "2020-07-01,operating")))
    assert.is_nil(ds)
    assert.is_true(has(problems, "column 'kind': project 'P2' is terminated but its status is operating"),
      table.concat(problems, "\n"))
  end)

  it("leave a terminated project without a termination date out of every stock", function()
    local ds = assert(load(nil))  -- no events table at all
    assert.is_true(has(ds.notes, "no events table: one new licence per project"))
    local fig = zs.indicators.profile(ds, "hp", { as_of = "2021-12-31" }).figures
    assert.equals(2, fig.projects.value) -- P1 and P3; P2 is terminated with no date
  end)
end)

describe("flows of the bundled registry", function()
  local ds = assert(zs.dataset.load())

  -- a plain-Lua reference from the files themselves: events (or one licence per project),
  -- each project's zone and origin, each year's rate; summed by origin and kind for a span
  local function rows_of(file)
    local f = assert(zs.read_csv("data/vn/" .. file, { infer = false }))
    local out = {}
    for row in f:rows() do out[#out + 1] = row end
    return out
  end
  local projects, rates = {}, {}
  for _, r in ipairs(rows_of("projects.csv")) do projects[r.id] = r end
  for _, r in ipairs(rows_of("fx.csv")) do rates[tonumber(r.year)] = tonumber(r.vnd_per_usd) end
  local events = {}
  local fh = io.open("data/vn/events.csv")
  if fh then
    fh:close()
    events = rows_of("events.csv")
  else
    for id, r in pairs(projects) do
      events[#events + 1] = { project_id = id, kind = "new_licence", date = r.license_date, amount = r.capital,
        currency = r.currency }
    end
  end
  local function reference(zone_ids, from, to)
    local in_zone = {}
    for _, id in ipairs(zone_ids) do in_zone[id] = true end
    local r = {}
    for _, e in ipairs(events) do
      local p = projects[e.project_id]
      local d = e.date
      if in_zone[p.zone_id] and d <= to and (not from or d >= from) and e.kind ~= "termination" then
        local k = p.origin .. "|" .. e.kind
        local t = r[k] or { n = 0, usd = 0, vnd = 0 }
        t.n = t.n + 1
        local amount, rate = tonumber(e.amount), rates[tonumber(d:sub(1, 4))]
        if e.currency == "USD" then
          t.usd = t.usd + amount
          if rate then t.vnd = t.vnd + amount * rate end
        else
          t.vnd = t.vnd + amount
          if rate then t.usd = t.usd + amount / rate end
        end
        r[k] = t
      end
    end
    return r
  end

  it("sum every kind of event by origin as a plain loop does, quarter by quarter", function()
    local capital = require "zonestat.capital"
    for _, prov in ipairs({ "hp", "qn" }) do
      local ids = require("zonestat.profile").zone_ids(ds, { province = prov })
      for y = 2019, 2024 do
        for q = 1, 4 do
          local p = zs.period.parse(string.format("%d-Q%d", y, q))
          local got = capital.flows(ds, ids, p.from, p.to)
          local want = reference(ids, p.from, p.to)
          for _, origin in ipairs({ "FDI", "domestic" }) do
            for _, kind in ipairs({ "new_licence", "capital_increase", "capital_decrease", "share_purchase" }) do
              local g, w = got[origin][kind], want[origin .. "|" .. kind] or { n = 0, usd = 0, vnd = 0 }
              local where = string.format("%s %d-Q%d %s %s", prov, y, q, origin, kind)
              assert.equals(w.n, g.n, where)
              assert.near(w.usd, g.usd, 1e-6 * math.max(1, w.usd), where)
              assert.near(w.vnd, g.vnd, 1e-6 * math.max(1, w.vnd), where)
            end
          end
        end
      end
    end
  end)

  it("make the stock at a date the sum of the flows before it, less terminations", function()
    local ids = require("zonestat.profile").zone_ids(ds, { province = "hp" })
    local capital = require "zonestat.capital"
    for _, d in ipairs({ "2019-12-31", "2021-12-31", "2024-06-30" }) do
      local fl = capital.flows(ds, ids, nil, d)
      local stock = zs.indicators.profile(ds, "hp", { as_of = d }).figures
      assert.equals(fl.all.new_licence.n - fl.all.termination.n, stock.projects.value, d)
    end
  end)
end)

--- The flow indicators of a reporting period: what a board reports for
-- "6 tháng đầu năm", "quý II", "cả năm": new projects, capital increases,
-- share purchases, decreases and terminations, by origin, in USD and VND;
-- each for the period ("trong kỳ"), the same period a year earlier ("cùng
-- kỳ") with the change, and cumulated to the period's end ("lũy kế").
--
-- Definitions: *capital attracted* (vốn thu hút) = new licences + capital
-- increases + share purchases, as boards report it (HEZA's yearly FDI
-- figure); share purchases do not add to registered capital.  The
-- cumulative value of a flow is the same flow summed over every event of
-- the data up to the period's end (so it counts projects terminated since;
-- registered capital of the valid projects is the profile's stock).  Money
-- converts at the annual rate of each event's year; an event without a
-- rate is left out of that currency's total, which says so in its coverage.
-- @module zonestat.flows

local engine = require "zonestat.engine"
local capital = require "zonestat.capital"
local provenance = require "zonestat.provenance"

local col = engine.col
local figure, none = provenance.figure, provenance.none

local M = {}

local NEW, INC, DEC, SP, TERM = "new_licence", "capital_increase", "capital_decrease", "share_purchase", "termination"
local ATTRACTED = { NEW, INC, SP }

--- The rows of a period table, in order: key, origin, kinds, measure
-- ("n" events, "usd", "vnd"), unit.
M.ROWS = {
  { "fdi_projects_new", "FDI", { NEW }, "n", "projects" },
  { "fdi_capital_new", "FDI", { NEW }, "usd" }, { "fdi_capital_new_vnd", "FDI", { NEW }, "vnd" },
  { "fdi_increases", "FDI", { INC }, "n", "events" },
  { "fdi_capital_increase", "FDI", { INC }, "usd" }, { "fdi_capital_increase_vnd", "FDI", { INC }, "vnd" },
  { "fdi_share_purchases", "FDI", { SP }, "n", "events" },
  { "fdi_share_purchase", "FDI", { SP }, "usd" }, { "fdi_share_purchase_vnd", "FDI", { SP }, "vnd" },
  { "fdi_attracted", "FDI", ATTRACTED, "usd" }, { "fdi_attracted_vnd", "FDI", ATTRACTED, "vnd" },
  { "fdi_decreases", "FDI", { DEC }, "n", "events" }, { "fdi_capital_decrease", "FDI", { DEC }, "usd" },
  { "fdi_terminations", "FDI", { TERM }, "n", "projects" }, { "fdi_capital_terminated", "FDI", { TERM }, "usd" },
  { "domestic_projects_new", "domestic", { NEW }, "n", "projects" },
  { "domestic_capital_new", "domestic", { NEW }, "vnd" }, { "domestic_capital_new_usd", "domestic", { NEW }, "usd" },
  { "domestic_increases", "domestic", { INC }, "n", "events" },
  { "domestic_capital_increase", "domestic", { INC }, "vnd" },
  { "domestic_capital_increase_usd", "domestic", { INC }, "usd" },
  { "domestic_attracted", "domestic", ATTRACTED, "vnd" }, { "domestic_attracted_usd", "domestic", ATTRACTED, "usd" },
  { "domestic_decreases", "domestic", { DEC }, "n", "events" },
  { "domestic_capital_decrease", "domestic", { DEC }, "vnd" },
  { "domestic_terminations", "domestic", { TERM }, "n", "projects" },
  { "domestic_capital_terminated", "domestic", { TERM }, "vnd" },
  { "projects_new", "all", { NEW }, "n", "projects" },
  { "attracted", "all", ATTRACTED, "usd" }, { "attracted_vnd", "all", ATTRACTED, "vnd" },
}

-- one row's figure from the flows of a span
local function value_of(fl, row, cls_of)
  local _, origin, kinds, measure, noun = table.unpack(row)
  local n, sum, have = 0, 0, 0
  for _, k in ipairs(kinds) do
    local t = fl[origin][k]
    n = n + t.n
    if measure == "usd" then sum, have = sum + t.usd, have + t.usd_n
    elseif measure == "vnd" then sum, have = sum + t.vnd, have + t.vnd_n end
  end
  local cls = cls_of()
  if measure == "n" then
    return figure { value = n, unit = "count", noun = noun, class = cls }
  end
  local unit = measure == "usd" and "USD" or "VND"
  if n > 0 and have == 0 then return none("no_rate", { unit = unit }) end
  return figure { value = sum, unit = unit, class = cls,
    coverage = have < n and { have = have, of = n, what = measure == "usd" and "usd_events" or "vnd_events" } or nil }
end

-- the change from a previous value: a ratio (0.15 = +15 %)
local function change(cur, prev)
  if cur.value == nil or prev.value == nil then return none("na", { unit = "ratio" }) end
  if prev.value == 0 then return none(cur.value == 0 and "na" or "zero_base", { unit = "ratio" }) end
  return figure { value = cur.value / prev.value - 1, unit = "ratio",
    class = provenance.weakest(cur.class, prev.class), coverage = cur.coverage or prev.coverage }
end

--- The period table of an entity's zones.
-- @param ds a Dataset
-- @tparam {string,...} zone_ids
-- @tparam table p a period (zonestat.period)
-- @tparam table prev the same period a year earlier
-- @treturn {table,...} rows `{key, unit, period = figure, previous = figure, change = figure, cumulative = figure}`
-- @treturn boolean whether any event counted is synthetic
function M.table(ds, zone_ids, p, prev)
  local spans = {
    period = capital.flows(ds, zone_ids, p.from, p.to),
    previous = capital.flows(ds, zone_ids, prev.from, prev.to),
    cumulative = capital.flows(ds, zone_ids, nil, p.to),
  }
  -- a figure from a synthetic list is synthetic, zeros included
  local synthetic = ds.ledger:filter(col("zone_id"):isin(zone_ids) & col("synthetic"):eq("yes")):nrow() > 0
  local function cls_of() return synthetic and "synthetic" or "recomputed" end
  local out = {}
  for _, row in ipairs(M.ROWS) do
    local cur, before = value_of(spans.period, row, cls_of), value_of(spans.previous, row, cls_of)
    out[#out + 1] = { key = row[1], unit = row[4] == "n" and "count" or row[4]:upper(), period = cur,
      previous = before, change = change(cur, before), cumulative = value_of(spans.cumulative, row, cls_of) }
  end
  return out, synthetic
end

return M

-- The same figure from different sources and dates, side by side: Hải
-- Phòng's cumulative FDI (24.85 bn USD in 7/2023 by the zone authority,
-- 24.6 bn in the article a year later) and the area of its 14 parks.
--   LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;' lua5.4 examples/reconcile_sources.lua
local zs = require "zonestat"

local ds = assert(zs.dataset.load())
for _, indicator in ipairs({ "capital_fdi", "kcn_area" }) do
  local f = assert(zs.indicators.reconcile(ds, "hp", indicator, { as_of = "2024-12-31" }))
  print("Hải Phòng · " .. indicator)
  print(zs.format_frame(f:select("as_of", "value", "unit", "rel_diff", "conflict", "stock_fell", "confidence"), 120,
    { all = true }))
end

-- Provinces ranked by FDI attracted each year, and streaks in the top 3
-- ("a top-3 province for FDI three years running").  Most yearly values in
-- the bundled ranking are SYNTHETIC fills (data/vn/README.md); the article's
-- claim for Hải Phòng (top 3 in 2021-2023) is kept true in them.
--   LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;' lua5.4 examples/fdi_ranking.lua
local zs = require "zonestat"

local ds = assert(zs.dataset.load())
local long = ds.fdi_rank:select("province_id", "year", "fdi_usd", "synthetic")
  :rename { province_id = "entity", fdi_usd = "value" }
local ranked = zs.indicators.rank(long)
print(ranked:pivot { rows = "entity", cols = "year", values = "rank", agg = "min" })
print("Runs of consecutive years in the top 3:")
print(zs.indicators.streaks(ranked, { top = 3 }))

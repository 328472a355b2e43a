-- Quảng Ngãi and Hải Phòng side by side, with the ratio of the first to
-- the second, and the FDI share of each province's registered capital.
--   LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;' lua5.4 examples/compare_provinces.lua [P1] [P2]
local zs = require "zonestat"

local ds = assert(zs.dataset.load())
local a, b = arg[1] or "Quảng Ngãi", arg[2] or "Hải Phòng"
local f, profiles = assert(zs.indicators.compare(ds, { a, b }, { as_of = "2024-06-30" }))
print(zs.format_frame(f, 120, { all = true }))
for _, p in ipairs(profiles) do
  -- a share over part of the projects says over how many (those whose capital converts to USD)
  local cov = p.figures.fdi_share.coverage
  print(string.format("%s: FDI is %.1f %% of registered capital%s", p.name, p.fdi_share * 100,
    cov and cov.have < cov.of and string.format(" (over %d of %d projects: the others have no USD value)",
      cov.have, cov.of) or ""))
end

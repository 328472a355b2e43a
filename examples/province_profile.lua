-- A province's profile as of a date: projects, FDI and domestic capital,
-- zones, occupancy, capital per hectare.
--   LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;' lua5.4 examples/province_profile.lua [province] [as-of]
local zs = require "zonestat"

local ds = assert(zs.dataset.load())
local who, as_of = arg[1] or "Hải Phòng", arg[2] or "2024-06-30"
local p = assert(zs.indicators.profile(ds, who, { as_of = as_of }))

print(string.format("%s as of %s%s", p.name, p.as_of, p.synthetic and " (project rows are synthetic)" or ""))
for row in p.frame:rows() do
  print(string.format("  %-32s %s", row.indicator, zs.report.format_value(row.value, row.unit, "en")))
end

--- zonestat: statistics of economic zones and industrial parks.
--
-- `require "zonestat"` returns the public table: the engine's names (see
-- zonestat.engine, which holds their list) and the zone layer's modules
-- listed below.  See README.md "API" for every name.
-- @module zonestat

local engine = require "zonestat.engine"

--- The zone layer on the public table: name → module.
local ZONE_LAYER = {
  units = "zonestat.units", dataset = "zonestat.dataset", indicators = "zonestat.indicators",
  report = "zonestat.report", chart = "zonestat.chart", period = "zonestat.period", export = "zonestat.export",
  eco = "zonestat.eco",
}

local zs = {}
for name, value in pairs(engine) do zs[name] = value end
for name, module in pairs(ZONE_LAYER) do zs[name] = require(module) end

return zs

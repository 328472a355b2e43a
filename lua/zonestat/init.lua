--- zonestat: statistics of economic zones and industrial parks.
--
-- `require "zonestat"` returns the C core's table (`zonestat.core`) extended
-- with the Lua layers: frame verbs, printing, JSON and, on top, the zone
-- workflows.  See README.md for the tour.
-- @module zonestat

local core = require "zonestat.core"

local zs = core

require("zonestat.frame")(zs)
require("zonestat.print")(zs)
require("zonestat.json")(zs)
require("zonestat.expr")(zs)
require("zonestat.agg")(zs)
require("zonestat.join")(zs)
require("zonestat.reshape")(zs)
require("zonestat.cube")(zs)
require("zonestat.units")(zs)
require("zonestat.dataset")(zs)
require("zonestat.indicators")(zs)
require("zonestat.report")(zs)

return zs

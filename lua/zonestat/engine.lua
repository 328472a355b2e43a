--- The engine alone: frames, readers and writers, expressions, aggregation,
-- joins, reshaping, cubes and printing, with nothing of the zone layer.
--
-- `require "zonestat.engine"` returns the engine's public table, built from
-- the one list below (README "API" lists the same names; a spec checks that
-- they agree).  `require "zonestat"` adds the zone layer to it.  The C
-- core's own functions are internal: they are reached through
-- `require "zonestat.core"` (or `zs._core`), and may change.
-- @module zonestat.engine

local core = require "zonestat.core"
require "zonestat.frame"

--- The public names: name → module that defines it (the value is the
-- module's field of the same name; `core` is the C core).
local EXPORTS = {
  -- values and frames
  NA = "core", is_na = "core", type = "core",
  frame = "zonestat.build", from_rows = "zonestat.build", column = "zonestat.build", concat = "zonestat.build",
  -- expressions
  col = "zonestat.expr", lit = "zonestat.expr", is_expr = "zonestat.expr",
  -- aggregates
  count = "zonestat.agg", sum = "zonestat.agg", mean = "zonestat.agg", min = "zonestat.agg",
  max = "zonestat.agg", var = "zonestat.agg", sd = "zonestat.agg", median = "zonestat.agg",
  quantile = "zonestat.agg", nunique = "zonestat.agg", first = "zonestat.agg", last = "zonestat.agg",
  corr = "zonestat.agg", top = "zonestat.agg", share = "zonestat.agg",
  -- cubes
  cube = "zonestat.cube", cube_from_table = "zonestat.cube", cube_from_json = "zonestat.cube",
  merge = "zonestat.cube",
  -- input and output
  read_csv = "zonestat.csv", parse_csv = "zonestat.csv", sniff_csv = "zonestat.csv", read_json = "zonestat.json",
  path_info = "core", list_dir = "core", make_dir = "core",
  read_sqlite = "zonestat.sqlite",
  read_xlsx = "zonestat.xlsx", xlsx_sheets = "zonestat.xlsx", write_xlsx = "zonestat.xlsx",
  -- printing and text
  format_frame = "zonestat.print", format_markdown = "zonestat.print", format_number = "core",
  display_width = "core", nfc = "core", fold = "core",
  -- threads
  set_threads = "core", get_threads = "core",
}

local M = {}
for name, home in pairs(EXPORTS) do
  local source = home == "core" and core or require(home)
  local value = source[name]
  if value == nil then error("zonestat.engine: " .. home .. " has no '" .. name .. "'") end
  M[name] = value
end
M._core = core

return M

-- Loading your own registry: a folder with zones.csv and projects.csv (and
-- optionally fx.csv, provinces.csv, figures.csv) in the columns described
-- in data/vn/README.md.  Every problem is reported with its file and line.
--   LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;' lua5.4 examples/own_registry.lua [folder]
local zs = require "zonestat"

local dir = arg[1] or "examples/my_registry"
local ds, problems = zs.dataset.load(dir)
if not ds then
  io.stderr:write("cannot load ", dir, ":\n  ", table.concat(problems, "\n  "), "\n")
  os.exit(1)
end
print(ds.projects:group_by("province_id", "origin")
  :agg(zs.count():as("projects"), zs.sum("capital_usd"):as("capital_usd"), zs.sum("employees")))
local p = assert(zs.indicators.profile(ds, "Hải Phòng"))
print(string.format("Hải Phòng in this registry: %d projects, occupancy %.0f %% over %d park(s)", p.projects,
  p.occupancy * 100, p.occupancy_parks))

-- Quick start: load the bundled (synthetic) project registry, look at it,
-- summarize it and write it out.  Run from the repository root (after make):
--   LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;' lua5.4 examples/quickstart.lua
local zs = require "zonestat"

local path = arg and arg[1] or "data/vn/projects.csv"
local projects = assert(zs.read_csv(path))

print("Projects registry: " .. path .. " (synthetic rows: see data/vn/README.md)")
print(projects:head(8))
print()
print(projects:select("capital", "disbursed", "employees", "land_ha", "license_date"):describe())

local fdi = 0
for row in projects:rows() do
  if row.origin == "FDI" then fdi = fdi + 1 end
end
print(string.format("\n%d projects, of which %d FDI", projects:nrow(), fdi))

os.execute("mkdir -p out")
assert(projects:write_json("out/projects.json"))
print("wrote out/projects.json")

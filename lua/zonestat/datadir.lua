--- Where the bundled data lives: `$ZONESTAT_DATA`, else `data/vn` next to
-- the module's checkout or installed tree; the built-in mapping in
-- `data/mapping`.
-- @module zonestat.datadir

local M = {}

-- a path without "dir/../" pairs and leading "./"
local function tidy(path)
  local n
  repeat path, n = path:gsub("[^/.][^/]*/%.%./", "", 1) until n == 0
  return (path:gsub("^%./", ""))
end

-- the first of data/<rel> next to the checkout or the installed modules that has `probe`
local function find(rel, probe)
  local here = package.searchpath("zonestat.datadir", package.path)
  if here then
    local root = here:gsub("[^/]*$", "")
    for _, base in ipairs({ "../../data/", "data/" }) do
      local path = root .. base .. rel
      local fh = io.open(path .. (probe and "/" .. probe or ""))
      if fh then fh:close() return tidy(path) end
    end
  end
  return "data/" .. rel
end

--- The folder of the bundled dataset.
-- @treturn string
function M.default()
  local env = os.getenv("ZONESTAT_DATA")
  if env and env ~= "" then return env end
  return find("vn", "zones.csv")
end

--- The folder of the bundled eco-industrial park data (zonestat.eco):
-- `$ZONESTAT_ECO_DATA`, else `data/eco`.
-- @treturn string
function M.eco()
  local env = os.getenv("ZONESTAT_ECO_DATA")
  if env and env ~= "" then return env end
  return find("eco", "criteria.csv")
end

--- The file of the built-in Vietnamese mapping (zonestat.mapping).
-- @treturn string
function M.mapping() return find("mapping/vi.csv") end

return M

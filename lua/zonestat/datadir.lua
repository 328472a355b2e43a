--- Where the bundled data lives: `$ZONESTAT_DATA`, else `data/vn` next to
-- the module's checkout or installed tree.
-- @module zonestat.datadir

local M = {}

--- The folder of the bundled dataset.
-- @treturn string
function M.default()
  local env = os.getenv("ZONESTAT_DATA")
  if env and env ~= "" then return env end
  local here = package.searchpath("zonestat.datadir", package.path)
  if here then
    local root = here:gsub("[^/]*$", "")
    for _, rel in ipairs({ "../../data/vn", "data/vn" }) do
      local dir = root .. rel
      local fh = io.open(dir .. "/zones.csv")
      if fh then fh:close() return dir end
    end
  end
  return "data/vn"
end

return M

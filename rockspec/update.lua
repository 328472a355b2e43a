-- Rewrite the source and module lists of the rockspec from the checkout:
--   lua5.4 rockspec/update.lua        (run from the repository root)
-- spec/rockspec_spec.lua fails when they drift apart.
local path = "rockspec/zonestat-scm-1.rockspec"
local fh = assert(io.open(path))
local text = fh:read("a")
fh:close()

local function list(cmd)
  local out = {}
  for line in io.popen(cmd):lines() do out[#out + 1] = line end
  table.sort(out)
  return out
end

local sources, line = {}, "        "
for _, f in ipairs(list("ls csrc/*.c")) do
  local item = '"' .. f .. '", '
  if #line + #item > 100 then
    sources[#sources + 1] = line:gsub("%s+$", "")
    line = "        "
  end
  line = line .. item
end
sources[#sources + 1] = line:gsub("%s+$", "")
text = text:gsub("(      sources = {\n).-(\n      },)", function(a, b) return a .. table.concat(sources, "\n") .. b end)

local modules = { '    ["zonestat"] = "lua/zonestat/init.lua",' }
for _, f in ipairs(list("ls lua/zonestat/*.lua")) do
  local name = f:match("^lua/(.*)%.lua$"):gsub("/", ".")
  if name ~= "zonestat.init" then modules[#modules + 1] = string.format('    ["%s"] = "%s",', name, f) end
end
text = text:gsub('    %["zonestat"%] = "lua/zonestat/init.lua",.-\n  },\n', function()
  return table.concat(modules, "\n") .. "\n  },\n"
end)
local data = {}
for _, f in ipairs(list("ls data/vn/*.csv data/mapping/*.csv data/eco/*.csv")) do
  local dir, name = f:match("^data/([^/]+)/([^/]+)%.csv$")
  data[#data + 1] = string.format('      ["zonestat.data.%s.%s"] = "%s",', dir, name, f)
end
text = text:gsub("(    lua = {\n).-(\n    },)", function(a, b) return a .. table.concat(data, "\n") .. b end)

local out = assert(io.open(path, "w"))
out:write(text)
out:close()
print("updated " .. path)

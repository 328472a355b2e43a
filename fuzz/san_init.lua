-- LUA_INIT_5_4 of the sanitized lua5.4 (san_lua.sh): `require "zonestat.core"`
-- loads the ASan + UBSan module $ZS_SAN_CORE wherever package.cpath would find
-- a checkout's build/zonestat/core.so (relative or absolute, however the code
-- set package.cpath).  Only in a process that has the ASan runtime: a plain
-- lua5.4 that inherited the variables loads what it would load anyway, and a
-- core from anywhere else (a LuaRocks tree) is left alone.
local core = os.getenv("ZS_SAN_CORE")
local function has_asan()
  local maps = io.open("/proc/self/maps")
  if not maps then return false end
  for line in maps:lines() do
    if line:find("libclang_rt.asan", 1, true) then
      maps:close()
      return true
    end
  end
  maps:close()
  return false
end
-- the file package.searchpath would find for `name`, in the same order, but
-- a checkout's build/zonestat/core.so counts as found even before `make` built it
local function redirected(name)
  local file = name:gsub("%.", "/")
  for template in package.cpath:gmatch("[^;]+") do
    local path = template:gsub("%?", file)
    if path:match("^build/zonestat/core%.so$") or path:match("/build/zonestat/core%.so$") then return true end
    local fh = io.open(path)
    if fh then
      fh:close()
      return false
    end
  end
  return false
end
if core and has_asan() then
  table.insert(package.searchers, 2, function(name)
    if name ~= "zonestat.core" or not redirected(name) then return nil end
    local open, err = package.loadlib(core, "luaopen_zonestat_core")
    if not open then return "\n\tsanitized core " .. core .. ": " .. tostring(err) end
    return open, core
  end)
end

-- The rockspec lists every C source and Lua module of the checkout, and
-- `luarocks make` installs a module that works from its own tree.
local util = require "spec_util"

local rockspec_path = "rockspec/zonestat-scm-1.rockspec"

local function load_rockspec()
  local env = {}
  local chunk = assert(loadfile(rockspec_path, "t", env))
  chunk()
  return env
end

local function listing(cmd)
  local out = {}
  for line in util.run(cmd):gmatch("[^\n]+") do out[#out + 1] = line end
  table.sort(out)
  return out
end

describe("rockspec", function()
  it("lists every C source and Lua module", function()
    local spec = load_rockspec()
    local modules = spec.build.modules
    local sources = {}
    for _, s in ipairs(modules["zonestat.core"].sources) do sources[#sources + 1] = s end
    table.sort(sources)
    assert.same(listing("ls csrc/*.c"), sources)
    local lua_files = {}
    for name, file in pairs(modules) do
      if type(file) == "string" then
        lua_files[#lua_files + 1] = file
        local expected = name == "zonestat" and "lua/zonestat/init.lua" or "lua/" .. name:gsub("%.", "/") .. ".lua"
        assert.equals(expected, file)
      end
    end
    table.sort(lua_files)
    assert.same(listing("ls lua/zonestat/*.lua"), lua_files)
    assert.same({ "lua >= 5.4", "lua-cjson", "argparse" }, spec.dependencies)
    -- every bundled data file is installed next to the modules
    local data = {}
    for _, file in pairs(spec.build.install.lua) do data[#data + 1] = file end
    table.sort(data)
    assert.same(listing("ls data/vn/*.csv data/mapping/*.csv data/eco/*.csv"), data)
    assert.equals("bin/zonestat", spec.build.install.bin.zonestat)
  end)

  local has_luarocks = util.run("command -v luarocks") ~= ""
  local installs = has_luarocks and it or pending
  installs("installs a working module with luarocks make", function()
    -- build in a copy: luarocks leaves objects next to the sources
    local src, tree = util.tmpdir() .. "/rocksrc", util.tmpdir() .. "/rocktree"
    util.run("rm -rf " .. src .. " && mkdir -p " .. src .. " && cp -r csrc lua rockspec bin data " .. src)
    local out, code = util.run("cd " .. src .. " && luarocks --lua-version=5.4 make --deps-mode=none --tree " ..
      tree .. " " .. rockspec_path)
    assert.equals(0, code, out)
    local share, lib = tree .. "/share/lua/5.4", tree .. "/lib/lua/5.4"
    local paths = string.format("LUA_PATH='%s/?.lua;%s/?/init.lua;;' LUA_CPATH='%s/?.so;;'", share, share, lib)
    local run = util.run("cd /tmp && " .. paths .. [[ lua5.4 -e 'local zs = require "zonestat"; ]] ..
      [[print(package.searchpath("zonestat.core", package.cpath)); print(zs.parse_csv("a\n1\n"):get("a", 1))']])
    assert.matches(tree, run, 1, true)
    assert.matches("\n1\n", run, 1, true)
    -- the command, with the bundled data found in the installed tree
    local cmd = util.run("cd /tmp && " .. paths .. " " .. tree .. "/bin/zonestat compare hp qn --format csv")
    assert.matches("\nhp[,;][^\n]*[,;]projects[,;][^\n]*[,;]784[,.]0[,;]count[,;]", cmd)
  end)
end)

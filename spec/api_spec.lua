-- The shape of the API: ordinary modules, one declared public table that
-- README "API" lists, and the seam between the engine and the zone layer.
local util = require "spec_util"

local paths = "LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;' "

local ENGINE = { "zonestat.core", "zonestat.check", "zonestat.frame", "zonestat.print", "zonestat.build",
  "zonestat.verbs", "zonestat.expr", "zonestat.agg", "zonestat.sort", "zonestat.join", "zonestat.reshape",
  "zonestat.cube", "zonestat.sniff", "zonestat.csv", "zonestat.json", "zonestat.sqlite", "zonestat.engine" }
local ZONE_LAYER = { "zonestat.datadir", "zonestat.l10n", "zonestat.units", "zonestat.mapping", "zonestat.cells",
  "zonestat.registry", "zonestat.period", "zonestat.capital", "zonestat.dataset", "zonestat.labels",
  "zonestat.provenance", "zonestat.profile", "zonestat.flows", "zonestat.indicators", "zonestat.chart",
  "zonestat.render", "zonestat.eco_text", "zonestat.eco_read", "zonestat.eco_criteria", "zonestat.eco_evidence",
  "zonestat.eco_assess", "zonestat.eco_report", "zonestat.eco", "zonestat.report", "zonestat.export",
  "zonestat.cli_eco", "zonestat.cli", "zonestat" }
local ENGINE_SPECS = { "agg", "column", "csv_conformance", "csv_read", "expr", "frame", "join", "memory", "nist",
  "print", "reshape_cube", "write", "sqlite" }

local runs = 0
local function lua(code)
  runs = runs + 1
  local path = util.tmpfile("api_" .. runs .. ".lua", code)
  return util.run(paths .. "lua5.4 " .. path)
end

local function source(module)
  local path = "lua/" .. module:gsub("%.", "/") .. ".lua"
  if module == "zonestat" then path = "lua/zonestat/init.lua" end
  return util.read(path), path
end

--- the names listed between <!-- name --> and <!-- /name --> in README.md
local function readme_list(marker)
  local text = util.read("README.md")
  local m = marker:gsub("%-", "%%-")
  local block = text:match("<!%-%- " .. m .. " %-%->(.-)<!%-%- /" .. m .. " %-%->")
  assert(block, "README.md has no block " .. marker)
  local names, seen = {}, {}
  for name in block:gmatch("`([%w_]+)`") do
    if not seen[name] then names[#names + 1], seen[name] = name, true end
  end
  table.sort(names)
  return names
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

describe("modules", function()
  it("each loads on its own and returns its own table", function()
    for _, list in ipairs({ ENGINE, ZONE_LAYER }) do
      for _, m in ipairs(list) do
        local out, code = lua(string.format('local m = require %q; assert(type(m) == "table", "not a table")', m))
        assert.equals(0, code, m .. ": " .. out)
      end
    end
  end)

  it("give frames every method whichever module is required first", function()
    local out, code = lua([[
      local core = require "zonestat.core"
      require "zonestat.sort"
      local f = core.parse_csv("a,b\n2,x\n1,y\n")
      assert(f:sort("a"):get("b", 1) == "y")
      assert(f:filter(require("zonestat.expr").col("a"):gt(1)):nrow() == 1)
      assert(tostring(f):find("<int>", 1, true))]])
    assert.equals(0, code, out)
  end)

  it("none assigns into the table of another module", function()
    for _, list in ipairs({ ENGINE, ZONE_LAYER }) do
      for _, m in ipairs(list) do
        if m ~= "zonestat.core" then
          local text, path = source(m)
          for name in text:gmatch("local%s+([%w_]+)%s*=%s*require%s*%(?%s*\"zonestat[%w_.]*\"") do
            assert.is_nil(text:find("%f[%w_]" .. name .. "%.[%w_]+%s*=[^=]"), path .. " assigns into " .. name)
            assert.is_nil(text:find("function%s+" .. name .. "[.:]"), path .. " defines a function in " .. name)
            assert.is_nil(text:find("%f[%w_]" .. name .. "%[[^%]]+%]%s*=[^=]"), path .. " assigns into " .. name)
          end
        end
      end
    end
  end)

  it("of the zone layer use only the engine's public names", function()
    local allowed = { ["zonestat.engine"] = true, ["zonestat.check"] = true, cjson = true, ["cjson.safe"] = true,
      argparse = true }
    for _, m in ipairs(ZONE_LAYER) do allowed[m] = true end
    for _, m in ipairs(ZONE_LAYER) do
      if m ~= "zonestat" then
        local text, path = source(m)
        for req in text:gmatch("require%s*%(?%s*\"([^\"]+)\"") do
          assert.is_true(allowed[req] ~= nil, path .. " requires " .. req)
        end
      end
    end
  end)
end)

describe("the public table", function()
  local zs = require "zonestat"

  it("has exactly the names README 'API' lists", function()
    local names = sorted_keys(zs)
    assert.same(readme_list("zs-names"), names)
  end)

  it("lists every frame and column method README 'API' lists", function()
    local frame = require "zonestat.frame"
    assert.same(readme_list("frame-methods"), frame.method_names())
    assert.same(readme_list("column-methods"), frame.column_method_names())
  end)

  it("keeps the internal primitives off the public table", function()
    for _, name in ipairs(readme_list("internal-names")) do
      assert.is_nil(rawget(zs, name), name .. " is on zs")
      assert.is_not_nil(zs._core[name], name .. " is not in zonestat.core")
    end
  end)

  it("the engine is the public table less the zone layer", function()
    local engine = require "zonestat.engine"
    for k, v in pairs(engine) do assert.equals(v, zs[k], k) end
    for _, k in ipairs({ "units", "dataset", "indicators", "report", "chart", "period", "export", "eco" }) do
      assert.is_nil(engine[k])
      assert.is_table(zs[k])
    end
  end)
end)

describe("the engine alone", function()
  it("loads and passes its specs with the zone layer made unloadable", function()
    local files = {}
    for i, name in ipairs(ENGINE_SPECS) do files[i] = "spec/" .. name .. "_spec.lua" end
    local out = util.run("busted --lua=lua5.4 --helper=spec/block_zone_layer.lua -o utfTerminal " ..
      table.concat(files, " "))
    local ok, fail, err = out:match("(%d+) successes? / (%d+) failures? / (%d+) errors?")
    assert.is_not_nil(ok, out)
    assert.is_true(tonumber(ok) > 200, out)
    assert.equals("0", fail, out)
    assert.equals("0", err, out)
  end)

  it("refuses a zone module under the block", function()
    local out, code = lua([[
      dofile("spec/block_zone_layer.lua")
      require "zonestat.engine"
      assert(not pcall(require, "zonestat.units"))]])
    assert.equals(0, code, out)
  end)
end)

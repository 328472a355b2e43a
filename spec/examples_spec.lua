-- Every example runs from the repository root and prints what it promises.
local util = require "spec_util"

local paths = "LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;' "

local function run(script)
  return util.run(paths .. "lua5.4 examples/" .. script)
end

describe("examples", function()
  local cases = {
    { "quickstart.lua", "1154 projects, of which 635 FDI" },
    { "province_profile.lua", "projects                         784" },
    { "compare_provinces.lua", "Hải Phòng: FDI is 70.1 % of registered capital (over 753 of 784 projects: " ..
      "the others have no USD value)" },
    { "fdi_ranking.lua", "Runs of consecutive years in the top 3" },
    { "reconcile_sources.lua", "24853210000" },
    { "own_registry.lua", "Hải Phòng in this registry: 2 projects, occupancy 71 % over 1 park(s)" },
  }
  for _, c in ipairs(cases) do
    it(c[1], function()
      local out, code = run(c[1])
      assert.equals(0, code, out)
      assert.is_true(out:find(c[2], 1, true) ~= nil, out)
    end)
  end

  it("own_registry reports the problems of a bad folder", function()
    local dir = util.tmpdir() .. "/bad-registry"
    util.run("rm -rf " .. dir .. " && cp -r examples/my_registry " .. dir)
    local fh = assert(io.open(dir .. "/projects.csv", "a"))
    fh:write("p4,kcn-z,Nobody,Vietnam,domestic,x,-5,VND,,2020-02-30,open,1,1,no,yes\n")
    fh:close()
    local out, code = run("own_registry.lua " .. dir)
    assert.equals(1, code)
    assert.matches("projects.csv:5: column 'zone_id': unknown zone_id 'kcn%-z'", out)
    assert.matches("projects.csv:5: column 'capital': %-5 is below 0", out)
    assert.matches("projects.csv:5: column 'license_date': '2020%-02%-30' is not a date", out)
    assert.matches("projects.csv:5: column 'status': unknown status 'open'", out)
  end)
end)

-- Accuracy against the NIST StRD certified values (../shared/testdata).
-- LRE = -log10(|got - certified| / |certified|), the number of correct
-- significant digits.  Criteria from the testdata README: LRE >= 13 for the
-- mean; for sd, LRE >= min(ceiling - 1, 12), where the ceiling is what even
-- exact arithmetic reaches once the decimal data are parsed into doubles.
local zs = require "zonestat.engine"
local util = require "spec_util"

-- certified values (NIST StRD univariate summary statistics), sd ceilings, n
local sets = {
  { "PiDigits", 4.53480000000000, 2.86733906028871, 15, 5000 },
  { "Lottery", 518.958715596330, 291.699727470969, 15, 218 },
  { "Lew", -177.435000000000, 277.332168044316, 15, 200 },
  { "Mavro", 2.00185600000000, 0.000429123454003053, 13.1, 50 },
  { "Michelso", 299.852400000000, 0.0790105478190518, 13.8, 100 },
  { "NumAcc1", 10000002, 1, 15, 3 },
  { "NumAcc2", 1.2, 0.1, 15, 1001 },
  { "NumAcc3", 1000000.2, 0.1, 9.5, 1001 },
  { "NumAcc4", 10000000.2, 0.1, 8.3, 1001 },
}

local function lre(got, cert)
  if got == cert then return 16 end
  return -math.log(math.abs(got - cert) / math.abs(cert), 10)
end

--- the data values of a univariate file, read through the CSV reader
local function load(name)
  local values = {}
  for line in io.lines(util.testdata .. "/nist-strd-univariate/" .. name .. ".txt") do
    local v = line:match("^%s*(-?%d+%.?%d*)%s*$")
    if v and (line:find("^%s*-?%d+%.%d+%s*$") or line:find("^%s*-?%d+%s*$")) then values[#values + 1] = v end
  end
  return assert(zs.parse_csv("y\n" .. table.concat(values, "\n") .. "\n", { types = { y = "float" } }))
end

describe("NIST StRD univariate", function()
  for _, s in ipairs(sets) do
    local name, mean, sd, ceiling, n = s[1], s[2], s[3], s[4], s[5]
    it(name, function()
      local f = load(name)
      assert.equals(n, f:nrow())
      local c = f:column("y")
      local sd_needed = math.min(ceiling - 1, 12)
      assert.is_true(lre(c:mean(), mean) >= 13, name .. " mean LRE " .. lre(c:mean(), mean))
      assert.is_true(lre(c:sd(), sd) >= sd_needed, name .. " sd LRE " .. lre(c:sd(), sd))
      -- the aggregation kernels, over the whole frame and in groups of one key
      local a = f:agg(zs.mean("y"), zs.sd("y"))
      assert.is_true(lre(a:get("y_mean", 1), mean) >= 13)
      assert.is_true(lre(a:get("y_sd", 1), sd) >= sd_needed, name .. " agg sd LRE " .. lre(a:get("y_sd", 1), sd))
      local g = f:mutate { k = 1 }:group_by("k"):agg(zs.mean("y"), zs.var("y"))
      assert.is_true(lre(g:get("y_mean", 1), mean) >= 13)
      assert.is_true(lre(math.sqrt(g:get("y_var", 1)), sd) >= sd_needed)
    end)
  end
end)

describe("NIST StRD linear regression", function()
  it("Norris: Pearson correlation of x and y", function()
    local lines = {}
    local n = 0
    for line in io.lines(util.testdata .. "/nist-strd-linreg/Norris.dat") do
      n = n + 1
      if n >= 61 then
        local y, x = line:match("^%s*(%S+)%s+(%S+)")
        if y then lines[#lines + 1] = y .. "," .. x end
      end
    end
    local f = assert(zs.parse_csv("y,x\n" .. table.concat(lines, "\n"), { types = { y = "float", x = "float" } }))
    assert.equals(36, f:nrow())
    -- derived in the testdata README: +sqrt(certified R^2)
    local r = f:agg(zs.corr("x", "y")):get("x_y_corr", 1)
    assert.is_true(lre(r, 0.99999687293696660) >= 13, "corr LRE " .. lre(r, 0.99999687293696660))
  end)
end)

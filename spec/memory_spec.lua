-- Column data lives outside the Lua heap (allocated through the state's
-- allocator and owned by userdata), so loading a big file does not grow
-- collectgarbage("count"), and garbage frames are still collected.
local zs = require "zonestat.engine"
local util = require "spec_util"

local function rss_kb()
  local fh = io.open("/proc/self/statm")
  if not fh then return nil end
  local _, resident = fh:read("n", "n")
  fh:close()
  return resident * 4
end

local function big_file()
  local block = {}
  for i = 1, 1000 do
    block[i] = string.format("id%03d,%d,%d.%06d", i % 100, i, i % 7, i * 37 % 1000000)
  end
  local text = table.concat(block, "\n") .. "\n"
  return util.tmpfile("mem.csv", "k,i,v\n" .. string.rep(text, 300)) -- 300,000 rows
end

describe("memory", function()
  it("loads 300,000 rows without growing the Lua heap with them", function()
    local path = big_file()
    collectgarbage()
    local before = collectgarbage("count")
    local f = assert(zs.read_csv(path))
    local grown = collectgarbage("count") - before
    assert.equals(300000, f:nrow())
    assert.is_true(grown < 256, "Lua heap grew by " .. grown .. " KB")
  end)

  it("keeps data intact when freed blocks are reused whole, split or grown", function()
    -- Columns of >= 1 MB are mapped blocks; freed ones are cached and handed
    -- out again: whole, a head split off a bigger block (its tail cached on
    -- its own), or a smaller block grown.  Sizes chosen to take each path;
    -- every column built must keep its own values.
    local col = zs.col
    for _, n in ipairs({ 600000, 150000, 140000, 900000, 200000, 1000000, 130000 }) do
      local f
      do
        local ints = {}
        for i = 1, n do ints[i] = i end
        f = zs.frame({ a = ints })
      end
      collectgarbage()
      collectgarbage() -- the previous round's blocks go back to the cache
      local g = f:mutate { b = col("a") * 3, c = col("a") + 7, d = col("a") % 5 }
      local b, c, d = g:column("b"), g:column("c"), g:column("d")
      for _, i in ipairs({ 1, 2, n // 3, n // 2, n - 1, n }) do
        assert.equals(3 * i, b[i])
        assert.equals(i + 7, c[i])
        assert.equals(i % 5, d[i])
      end
      assert.equals(3 * n * (n + 1) // 2, b:sum())
      assert.equals(n * (n + 1) // 2 + 7 * n, c:sum())
      local by = g:group_by("d"):agg(zs.count():as("n"), zs.sum("a"):as("s"))
      assert.equals(n, by:column("n"):sum())
      assert.equals(n * (n + 1) // 2, by:column("s"):sum())
    end
  end)

  it("collects garbage frames in a loop", function()
    local path = big_file()
    local first
    for i = 1, 25 do
      local f = assert(zs.read_csv(path))
      local g = f:slice(1, f:nrow() - 1)
      assert.equals(299999, g:nrow())
      if i == 3 then first = rss_kb() end
    end
    local last = rss_kb()
    if first and last then
      -- one load is about 7 MB of columns; 25 loads kept alive would be 350 MB
      assert.is_true(last - first < 100 * 1024, string.format("RSS grew from %d to %d KB", first, last))
    end
  end)
end)
